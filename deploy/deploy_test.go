package deploy_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The facts every deployment file must agree on.
const (
	port          = "9516"                           // the daemon's HTTP port in every file
	configPath    = "/etc/touchprobe/touchprobe.yml" // where the config is mounted or installed
	binPath       = "/usr/local/bin/touchprobe"
	uid           = 10001 // the image's user
	idleMiB       = 320   // sizing rule: daemon + idle Chromium
	pageSmallMiB  = 130   // sizing rule: one open page, small site (request)
	pageHeavyMiB  = 384   // sizing rule: one open page, heavy site (limit)
	spareContexts = 1     // sizing rule: contexts the daemon prepares ahead
	// shutdownBound is what the daemon may take to stop (cancel visits
	// bounded by the 60 s visit timeout, close Chromium); the service
	// managers must wait longer before they kill.
	shutdownBound = 60 * time.Second
)

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tool returns the path of an installed command, or skips the test naming
// it and its Debian package: scripts/setup.sh installs it, and
// scripts/test.sh fails on such a skip.
func tool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (Debian package %s; scripts/setup.sh installs it)", name, debianPackage)
	}
	return p
}

// run runs a command with a bound of two minutes and returns its combined
// output.
func run(t *testing.T, dir string, name string, args ...string) (string, error) {
	t.Helper()
	return runFor(t, 2*time.Minute, dir, name, args...)
}

// runFor runs a command with a bound and returns its combined output.
func runFor(t *testing.T, bound time.Duration, dir string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(bound):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%s %s did not finish in %v", name, strings.Join(args, " "), bound)
		return "", nil
	}
}

// files lists the files of dir whose names end in one of exts.
func files(t *testing.T, dir string, exts ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		for _, x := range exts {
			if !e.IsDir() && strings.HasSuffix(e.Name(), x) {
				out = append(out, filepath.Join(dir, e.Name()))
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %v files in %s", exts, dir)
	}
	return out
}

// memMiB parses a Kubernetes or systemd memory size into MiB.
func memMiB(t *testing.T, what, s string) int {
	t.Helper()
	units := []struct {
		suffix string
		mib    float64
	}{{"Gi", 1024}, {"Mi", 1}, {"G", 1024}, {"M", 1}, {"K", 1.0 / 1024}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil {
				t.Fatalf("%s: size %q: %v", what, s, err)
			}
			return int(v * u.mib)
		}
	}
	t.Fatalf("%s: size %q has no unit (Mi, Gi, M, G)", what, s)
	return 0
}
