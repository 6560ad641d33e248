package deploy_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/touchprobe/touchprobe/probe/config"
)

// globalFacts are the config values the manifests are sized by.
type globalFacts struct {
	Concurrency     int
	RecycleAboveMiB int
	Location        string
	Flags           map[string]string
	Targets         []string
}

var (
	durationType = reflect.TypeFor[config.Duration]()
	byteSizeType = reflect.TypeFor[config.ByteSize]()
	byteSizeRE   = regexp.MustCompile(`^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$`)
)

// configGlobal checks a config text against the config's types (every key
// must be one of theirs: the strict loader rejects the rest) and returns the
// facts the deployment depends on.
func configGlobal(t *testing.T, text string) globalFacts {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("config: %v", err)
	}
	if len(doc.Content) != 1 {
		t.Fatal("config: empty")
	}
	checkNode(t, doc.Content[0], reflect.TypeFor[config.Config](), "")
	var raw struct {
		Global struct {
			Concurrency int    `yaml:"concurrency"`
			Location    string `yaml:"location"`
			Browser     struct {
				RecycleAboveMemory string            `yaml:"recycle_above_memory"`
				Flags              map[string]string `yaml:"flags"`
			} `yaml:"browser"`
		} `yaml:"global"`
		Targets []struct {
			Name string `yaml:"name"`
		} `yaml:"targets"`
	}
	if err := yaml.Unmarshal([]byte(text), &raw); err != nil {
		t.Fatalf("config: %v", err)
	}
	g := globalFacts{Concurrency: raw.Global.Concurrency, Location: raw.Global.Location, Flags: raw.Global.Browser.Flags}
	if m := byteSizeRE.FindStringSubmatch(raw.Global.Browser.RecycleAboveMemory); m != nil {
		v, _ := strconv.ParseFloat(m[1], 64)
		scale := map[string]float64{"": 1.0 / (1 << 20), "B": 1.0 / (1 << 20), "KiB": 1.0 / 1024, "MiB": 1, "GiB": 1024, "KB": 1e3 / (1 << 20), "MB": 1e6 / (1 << 20), "GB": 1e9 / (1 << 20)}
		g.RecycleAboveMiB = int(v * scale[m[2]])
	}
	for _, tg := range raw.Targets {
		g.Targets = append(g.Targets, tg.Name)
	}
	return g
}

// checkNode walks a YAML node along the Go type it will be decoded into.
func checkNode(t *testing.T, n *yaml.Node, typ reflect.Type, path string) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	bad := func(format string, args ...any) {
		t.Helper()
		t.Errorf("config line %d: %s: "+format, append([]any{n.Line, strings.TrimPrefix(path, ".")}, args...)...)
	}
	switch {
	case typ == durationType:
		if !strings.Contains(n.Value, "${") {
			if _, err := time.ParseDuration(n.Value); err != nil {
				bad("%q is not a duration", n.Value)
			}
		}
		return
	case typ == byteSizeType:
		if !byteSizeRE.MatchString(n.Value) {
			bad("%q is not a size (e.g. 512MiB, 2GiB)", n.Value)
		}
		return
	}
	switch typ.Kind() {
	case reflect.Struct:
		if _, ok := typ.FieldByName("Disabled"); ok {
			// Toggle[T]: `false`, or T's mapping.
			if n.Kind == yaml.ScalarNode {
				if n.Value != "false" {
					bad("%q: want false or a mapping", n.Value)
				}
				return
			}
			f, _ := typ.FieldByName("Value")
			checkNode(t, n, f.Type, path)
			return
		}
		if n.Kind != yaml.MappingNode {
			bad("want a mapping")
			return
		}
		fields := map[string]reflect.Type{}
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				t.Errorf("config line %d: unknown key %s%s", k.Line, strings.TrimPrefix(path+".", "."), k.Value)
				continue
			}
			checkNode(t, v, ft, path+"."+k.Value)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			bad("want a mapping")
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkNode(t, n.Content[i+1], typ.Elem(), path+"."+n.Content[i].Value)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			bad("want a list")
			return
		}
		for i, c := range n.Content {
			checkNode(t, c, typ.Elem(), path+"["+strconv.Itoa(i)+"]")
		}
	case reflect.Int, reflect.Int64:
		if _, err := strconv.Atoi(n.Value); err != nil {
			bad("%q is not a whole number", n.Value)
		}
	case reflect.Bool:
		if n.Value != "true" && n.Value != "false" {
			bad("%q is not true or false", n.Value)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			bad("want a string")
		}
	}
}

func TestConfigMapConfigFitsTheContainer(t *testing.T) {
	objs := manifests(t)
	text := objs["ConfigMap"].Data[filepath.Base(configPath)]
	g := configGlobal(t, text)
	if g.Concurrency < 1 {
		t.Errorf("global.concurrency %d: the manifests are sized for an explicit value", g.Concurrency)
	}
	// Non-root under the runtime's default seccomp profile: no user
	// namespaces, so no Chromium sandbox (deploy/README.md).
	if _, ok := g.Flags["no-sandbox"]; !ok {
		t.Errorf("global.browser.flags %v: the container needs no-sandbox", g.Flags)
	}
	// The location comes from the pod's env, so every cluster runs this file.
	var s statefulSetSpec
	spec(t, objs["StatefulSet"], &s)
	ref := strings.TrimSuffix(strings.TrimPrefix(g.Location, "${"), "}")
	found := false
	for _, e := range s.Template.Spec.Containers[0].Env {
		found = found || (e.Name == ref && e.Value != "")
	}
	if !strings.HasPrefix(g.Location, "${") || !found {
		t.Errorf("global.location %q: want ${VAR} with VAR set in the StatefulSet's env", g.Location)
	}
	if len(g.Targets) < 2 {
		t.Errorf("the example has %d targets; shards need a few to split", len(g.Targets))
	}
}

// When the daemon's check-config exists, it has the last word on the
// ConfigMap's config, and its shards must split the targets exactly.
func TestConfigMapConfigPassesCheckConfig(t *testing.T) {
	objs := manifests(t)
	var s statefulSetSpec
	spec(t, objs["StatefulSet"], &s)
	text := objs["ConfigMap"].Data[filepath.Base(configPath)]
	dir := t.TempDir()
	cfg := filepath.Join(dir, "touchprobe.yml")
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "touchprobe")
	if out, err := run(t, "..", "go", "build", "-o", bin, "./cmd/touchprobe"); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := []string{"TOUCHPROBE_LOCATION=test", "PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	out, err := runEnv(t, env, bin, "check-config", cfg)
	if strings.Contains(out, "unknown command") {
		t.Logf("touchprobe has no check-config yet: only the key check above ran")
		return
	}
	if err != nil {
		t.Fatalf("touchprobe check-config: %v\n%s", err, out)
	}
	all := configGlobal(t, text).Targets
	var got []string
	for i := range s.Replicas {
		out, err := runEnv(t, env, bin, "check-config", "-shard", strconv.Itoa(i)+"/"+strconv.Itoa(s.Replicas), "-list-targets", cfg)
		if err != nil {
			t.Fatalf("check-config -shard %d/%d -list-targets: %v\n%s", i, s.Replicas, err, out)
		}
		got = append(got, strings.Fields(out)...)
	}
	slices.Sort(got)
	slices.Sort(all)
	if !slices.Equal(got, all) {
		t.Errorf("the %d shards list %v, want every target exactly once: %v", s.Replicas, got, all)
	}
}

// runEnv runs a command with exactly env and returns its combined output.
func runEnv(t *testing.T, env []string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		return "", err
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%s did not finish in a minute", name)
		return "", nil
	}
}
