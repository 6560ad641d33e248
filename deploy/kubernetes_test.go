package deploy_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// object is one Kubernetes manifest; Spec is decoded per kind.
type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Data      map[string]string `yaml:"data"`      // ConfigMap
	Spec      yaml.Node         `yaml:"spec"`      // the rest
	Resources []string          `yaml:"resources"` // Kustomization
	file      string
}

// apiVersions of the kinds the fleet uses (stable versions only).
var apiVersions = map[string]string{
	"ConfigMap":           "v1",
	"Service":             "v1",
	"StatefulSet":         "apps/v1",
	"PodDisruptionBudget": "policy/v1",
	"ServiceMonitor":      "monitoring.coreos.com/v1",
	"Kustomization":       "kustomize.config.k8s.io/v1beta1",
}

type selector struct {
	MatchLabels map[string]string `yaml:"matchLabels"`
}

// The StatefulSet, as far as the fleet uses it. Decoded strictly: a field
// this type does not know (a typo, or something new) fails the test.
type statefulSetSpec struct {
	ServiceName         string                `yaml:"serviceName"`
	Replicas            int                   `yaml:"replicas"`
	PodManagementPolicy string                `yaml:"podManagementPolicy"`
	UpdateStrategy      struct{ Type string } `yaml:"updateStrategy"`
	Selector            selector              `yaml:"selector"`
	Template            struct {
		Metadata struct {
			Labels map[string]string `yaml:"labels"`
		} `yaml:"metadata"`
		Spec podSpec `yaml:"spec"`
	} `yaml:"template"`
}

type podSpec struct {
	AutomountServiceAccountToken  *bool `yaml:"automountServiceAccountToken"`
	EnableServiceLinks            *bool `yaml:"enableServiceLinks"`
	ShareProcessNamespace         *bool `yaml:"shareProcessNamespace"`
	TerminationGracePeriodSeconds *int  `yaml:"terminationGracePeriodSeconds"`
	SecurityContext               struct {
		RunAsNonRoot   *bool `yaml:"runAsNonRoot"`
		RunAsUser      *int  `yaml:"runAsUser"`
		RunAsGroup     *int  `yaml:"runAsGroup"`
		FSGroup        *int  `yaml:"fsGroup"`
		SeccompProfile struct {
			Type string `yaml:"type"`
		} `yaml:"seccompProfile"`
	} `yaml:"securityContext"`
	Containers []container `yaml:"containers"`
	Volumes    []struct {
		Name      string `yaml:"name"`
		ConfigMap *struct {
			Name string `yaml:"name"`
		} `yaml:"configMap"`
		EmptyDir *struct {
			SizeLimit string `yaml:"sizeLimit"`
		} `yaml:"emptyDir"`
	} `yaml:"volumes"`
}

type container struct {
	Name            string   `yaml:"name"`
	Image           string   `yaml:"image"`
	ImagePullPolicy string   `yaml:"imagePullPolicy"`
	Command         []string `yaml:"command"`
	Args            []string `yaml:"args"`
	Env             []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			FieldRef struct {
				FieldPath string `yaml:"fieldPath"`
			} `yaml:"fieldRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
		Protocol      string `yaml:"protocol"`
	} `yaml:"ports"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
		} `yaml:"capabilities"`
	} `yaml:"securityContext"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
	} `yaml:"volumeMounts"`
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
	PeriodSeconds    int `yaml:"periodSeconds"`
	TimeoutSeconds   int `yaml:"timeoutSeconds"`
	FailureThreshold int `yaml:"failureThreshold"`
}

type serviceSpec struct {
	ClusterIP string            `yaml:"clusterIP"`
	Selector  map[string]string `yaml:"selector"`
	Ports     []struct {
		Name       string `yaml:"name"`
		Port       int    `yaml:"port"`
		TargetPort string `yaml:"targetPort"`
		Protocol   string `yaml:"protocol"`
	} `yaml:"ports"`
}

type serviceMonitorSpec struct {
	Selector  selector `yaml:"selector"`
	Endpoints []struct {
		Port          string `yaml:"port"`
		Path          string `yaml:"path"`
		Interval      string `yaml:"interval"`
		ScrapeTimeout string `yaml:"scrapeTimeout"`
	} `yaml:"endpoints"`
}

type pdbSpec struct {
	MaxUnavailable int      `yaml:"maxUnavailable"`
	Selector       selector `yaml:"selector"`
}

// manifests reads every object of deploy/kubernetes, by kind.
func manifests(t *testing.T) map[string]*object {
	t.Helper()
	objs := map[string]*object{}
	for _, f := range files(t, "kubernetes", ".yaml", ".yml") {
		dec := yaml.NewDecoder(bytes.NewReader(read(t, f)))
		for {
			o := &object{file: f}
			err := dec.Decode(o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			want, known := apiVersions[o.Kind]
			if !known {
				t.Errorf("%s: kind %q is not one the fleet uses", f, o.Kind)
				continue
			}
			if o.APIVersion != want {
				t.Errorf("%s: %s has apiVersion %q, want %q", f, o.Kind, o.APIVersion, want)
			}
			if o.Kind != "Kustomization" && o.Metadata.Name == "" {
				t.Errorf("%s: %s has no metadata.name", f, o.Kind)
			}
			if objs[o.Kind] != nil {
				t.Errorf("%s: a second %s (first in %s)", f, o.Kind, objs[o.Kind].file)
			}
			objs[o.Kind] = o
		}
	}
	for kind := range apiVersions {
		if objs[kind] == nil {
			t.Fatalf("no %s in deploy/kubernetes", kind)
		}
	}
	return objs
}

// spec decodes an object's spec strictly into v.
func spec(t *testing.T, o *object, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(&o.Spec); err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %s spec: %v", o.file, o.Kind, err)
	}
}

func ptr[T any](p *T) (T, bool) {
	var zero T
	if p == nil {
		return zero, false
	}
	return *p, true
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	objs := manifests(t)
	var want []string
	for _, o := range objs {
		if o.Kind != "Kustomization" {
			want = append(want, filepath.Base(o.file))
		}
	}
	got := slices.Clone(objs["Kustomization"].Resources)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("kustomization resources %v, want the manifests %v", got, want)
	}
}

// kubectl renders the kustomization into one object per manifest.
func TestKubectlKustomizeRendersEveryManifest(t *testing.T) {
	kubectl := tool(t, "kubectl", "kubernetes-client")
	objs := manifests(t)
	var want []string
	for _, o := range objs {
		if o.Kind != "Kustomization" {
			want = append(want, o.Kind)
		}
	}
	// Offline: kustomize renders without a cluster (apply --dry-run needs one).
	out, err := run(t, ".", kubectl, "kustomize", "kubernetes")
	if err != nil {
		t.Fatalf("kubectl kustomize: %v\n%s", err, out)
	}
	var kinds []string
	dec := yaml.NewDecoder(strings.NewReader(out))
	for {
		var o object
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("kubectl kustomize output: %v", err)
		}
		kinds = append(kinds, o.Kind)
	}
	slices.Sort(kinds)
	slices.Sort(want)
	if !slices.Equal(kinds, want) {
		t.Errorf("kubectl kustomize rendered %v, want the manifests' kinds %v", kinds, want)
	}
}

func TestStatefulSetIsOneShardPerPod(t *testing.T) {
	objs := manifests(t)
	sts := objs["StatefulSet"]
	var s statefulSetSpec
	spec(t, sts, &s)
	if len(s.Template.Spec.Containers) != 1 {
		t.Fatalf("%d containers, want one", len(s.Template.Spec.Containers))
	}
	c := s.Template.Spec.Containers[0]

	// tini stays PID 1; sh computes the shard and execs the daemon.
	if len(c.Command) != 4 || c.Command[0] != "/usr/bin/tini" || c.Command[1] != "--" || c.Command[2] != "/bin/sh" || c.Command[3] != "-c" {
		t.Fatalf("command %q, want [/usr/bin/tini -- /bin/sh -c]", c.Command)
	}
	if len(c.Args) != 1 || !strings.HasPrefix(strings.TrimSpace(c.Args[0]), "exec "+binPath+" run") {
		t.Fatalf("args %q, want one shell line: exec %s run ...", c.Args, binPath)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			if e.ValueFrom.FieldRef.FieldPath != "metadata.name" {
				t.Errorf("env %s from %q: only the pod name is expected", e.Name, e.ValueFrom.FieldRef.FieldPath)
			}
			continue
		}
		env[e.Name] = e.Value
	}
	if n, err := strconv.Atoi(env["SHARDS"]); err != nil || n != s.Replicas {
		t.Errorf("SHARDS=%q but replicas: %d; change both together", env["SHARDS"], s.Replicas)
	}

	// Run the container's shell line for every ordinal, with a stand-in
	// for the daemon that prints its arguments.
	dir := t.TempDir()
	fake := filepath.Join(dir, "touchprobe")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	line := strings.ReplaceAll(c.Args[0], binPath, fake)
	seen := map[string]bool{}
	for i := range s.Replicas {
		pod := fmt.Sprintf("%s-%d", sts.Metadata.Name, i)
		cmd := []string{"-c", line}
		vars := []string{"POD_NAME=" + pod, "PATH=/usr/bin:/bin"}
		for k, v := range env {
			vars = append(vars, k+"="+v)
		}
		out, err := runEnv(t, vars, "/bin/sh", cmd...)
		if err != nil {
			t.Fatalf("pod %s: the shell line failed: %v\n%s", pod, err, out)
		}
		args := strings.Split(strings.TrimSpace(out), "\n")
		want := []string{"run", "-config", configPath, "-listen", "0.0.0.0:" + port, "-shard", fmt.Sprintf("%d/%d", i, s.Replicas)}
		if !slices.Equal(args, want) {
			t.Errorf("pod %s runs touchprobe %q, want %q", pod, args, want)
		}
		seen[args[len(args)-1]] = true
	}
	if len(seen) != s.Replicas {
		t.Errorf("%d pods took %d distinct shards", s.Replicas, len(seen))
	}

	// Labels and selectors agree: the set, its pods, the Service, the
	// ServiceMonitor and the PodDisruptionBudget all find the same pods.
	pods := s.Template.Metadata.Labels
	if !subset(s.Selector.MatchLabels, pods) || len(s.Selector.MatchLabels) == 0 {
		t.Errorf("StatefulSet selector %v does not match its pod labels %v", s.Selector.MatchLabels, pods)
	}
	var svc serviceSpec
	spec(t, objs["Service"], &svc)
	if s.ServiceName != objs["Service"].Metadata.Name {
		t.Errorf("serviceName %q, but the Service is %q", s.ServiceName, objs["Service"].Metadata.Name)
	}
	if svc.ClusterIP != "None" {
		t.Errorf("Service clusterIP %q, want None (headless: every shard scraped on its own)", svc.ClusterIP)
	}
	if !subset(svc.Selector, pods) || len(svc.Selector) == 0 {
		t.Errorf("Service selector %v does not match the pods %v", svc.Selector, pods)
	}
	var sm serviceMonitorSpec
	spec(t, objs["ServiceMonitor"], &sm)
	if !subset(sm.Selector.MatchLabels, objs["Service"].Metadata.Labels) || len(sm.Selector.MatchLabels) == 0 {
		t.Errorf("ServiceMonitor selector %v does not match the Service's labels %v", sm.Selector.MatchLabels, objs["Service"].Metadata.Labels)
	}
	var pdb pdbSpec
	spec(t, objs["PodDisruptionBudget"], &pdb)
	if !subset(pdb.Selector.MatchLabels, pods) || len(pdb.Selector.MatchLabels) == 0 {
		t.Errorf("PodDisruptionBudget selector %v does not match the pods %v", pdb.Selector.MatchLabels, pods)
	}
	if pdb.MaxUnavailable != 1 {
		t.Errorf("PodDisruptionBudget maxUnavailable %d, want 1 (one shard at a time)", pdb.MaxUnavailable)
	}

	// Ports: container → Service → ServiceMonitor, and the probes.
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != atoi(t, port) {
		t.Fatalf("container ports %+v, want one on %s", c.Ports, port)
	}
	portName := c.Ports[0].Name
	if len(svc.Ports) != 1 || svc.Ports[0].TargetPort != portName || svc.Ports[0].Port != atoi(t, port) {
		t.Errorf("Service ports %+v, want port %s → targetPort %q", svc.Ports, port, portName)
	}
	if len(sm.Endpoints) != 1 || sm.Endpoints[0].Port != svc.Ports[0].Name || sm.Endpoints[0].Path != "/metrics" {
		t.Errorf("ServiceMonitor endpoints %+v, want port %q path /metrics", sm.Endpoints, svc.Ports[0].Name)
	}
	for name, p := range map[string]*probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if p == nil || p.HTTPGet.Port != portName {
			t.Errorf("%s probe %+v, want an httpGet on port %q", name, p, portName)
		}
	}
	if c.LivenessProbe != nil && c.LivenessProbe.HTTPGet.Path != "/-/healthy" {
		t.Errorf("liveness probe path %q, want /-/healthy", c.LivenessProbe.HTTPGet.Path)
	}
	if c.ReadinessProbe != nil && c.ReadinessProbe.HTTPGet.Path != "/-/ready" {
		t.Errorf("readiness probe path %q, want /-/ready", c.ReadinessProbe.HTTPGet.Path)
	}
}

func TestStatefulSetPodIsLockedDown(t *testing.T) {
	objs := manifests(t)
	var s statefulSetSpec
	spec(t, objs["StatefulSet"], &s)
	p := s.Template.Spec
	c := p.Containers[0]
	check := func(what string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	v, ok := ptr(p.SecurityContext.RunAsNonRoot)
	check("runAsNonRoot", v && ok, true)
	u, _ := ptr(p.SecurityContext.RunAsUser)
	check("runAsUser", u, uid)
	check("seccompProfile", p.SecurityContext.SeccompProfile.Type, "RuntimeDefault")
	share, ok := ptr(p.ShareProcessNamespace)
	check("shareProcessNamespace set to false", ok && !share, true)
	token, ok := ptr(p.AutomountServiceAccountToken)
	check("automountServiceAccountToken set to false", ok && !token, true)
	grace, _ := ptr(p.TerminationGracePeriodSeconds)
	if grace <= int(shutdownBound.Seconds()) {
		t.Errorf("terminationGracePeriodSeconds %d, want more than the daemon's shutdown bound %v", grace, shutdownBound)
	}
	ro, _ := ptr(c.SecurityContext.ReadOnlyRootFilesystem)
	check("readOnlyRootFilesystem", ro, true)
	esc, ok := ptr(c.SecurityContext.AllowPrivilegeEscalation)
	check("allowPrivilegeEscalation set to false", ok && !esc, true)
	check("capabilities.drop", strings.Join(c.SecurityContext.Capabilities.Drop, ","), "ALL")

	// With a read-only root, everything Chromium writes needs a volume:
	// TMPDIR and HOME.
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	vols := map[string]bool{}
	for _, v := range p.Volumes {
		vols[v.Name] = v.EmptyDir != nil
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = m.Name
	}
	for _, dir := range []string{"/tmp", env["HOME"]} {
		if name, ok := mounts[dir]; !ok || !vols[name] {
			t.Errorf("%s (TMPDIR or HOME) is not an emptyDir mount: mounts %v", dir, mounts)
		}
	}
	if env["TMPDIR"] != "/tmp" {
		t.Errorf("TMPDIR=%q, want /tmp (short: Chromium's socket path)", env["TMPDIR"])
	}

	// The config volume is the ConfigMap, mounted where -config points.
	cm := objs["ConfigMap"]
	name, ok := mounts[filepath.Dir(configPath)]
	if !ok {
		t.Fatalf("nothing mounted at %s (mounts %v)", filepath.Dir(configPath), mounts)
	}
	var fromCM string
	for _, v := range p.Volumes {
		if v.Name == name && v.ConfigMap != nil {
			fromCM = v.ConfigMap.Name
		}
	}
	if fromCM != cm.Metadata.Name {
		t.Errorf("volume %q at %s is ConfigMap %q, want %q", name, filepath.Dir(configPath), fromCM, cm.Metadata.Name)
	}
	if _, ok := cm.Data[filepath.Base(configPath)]; !ok {
		t.Errorf("ConfigMap has no key %s (keys %v)", filepath.Base(configPath), slices.Collect(maps.Keys(cm.Data)))
	}
}

// Resources follow the sizing rule for the concurrency the config sets.
func TestStatefulSetIsSizedForTheConfig(t *testing.T) {
	objs := manifests(t)
	var s statefulSetSpec
	spec(t, objs["StatefulSet"], &s)
	c := s.Template.Spec.Containers[0]
	g := configGlobal(t, objs["ConfigMap"].Data[filepath.Base(configPath)])
	pages := g.Concurrency + spareContexts
	req := memMiB(t, "requests.memory", c.Resources.Requests["memory"])
	lim := memMiB(t, "limits.memory", c.Resources.Limits["memory"])
	if want := idleMiB + pages*pageSmallMiB; req < want {
		t.Errorf("memory request %d MiB, want at least %d (%d + %d pages x %d)", req, want, idleMiB, pages, pageSmallMiB)
	}
	if want := idleMiB + pages*pageHeavyMiB; lim < want {
		t.Errorf("memory limit %d MiB, want at least %d (%d + %d pages x %d)", lim, want, idleMiB, pages, pageHeavyMiB)
	}
	if g.RecycleAboveMiB == 0 || g.RecycleAboveMiB >= lim {
		t.Errorf("recycle_above_memory %d MiB, want set and below the limit %d MiB", g.RecycleAboveMiB, lim)
	}
	if _, set := c.Resources.Limits["cpu"]; set {
		t.Error("a CPU limit throttles the browser mid-visit and skews paint timings")
	}
	cpu, err := strconv.ParseFloat(c.Resources.Requests["cpu"], 64)
	if err != nil || cpu < float64(g.Concurrency) {
		t.Errorf("cpu request %q, want at least one core per concurrent visit (%d)", c.Resources.Requests["cpu"], g.Concurrency)
	}
	t.Logf("concurrency %d: memory request %d MiB, limit %d MiB, recycle above %d MiB, cpu %v", g.Concurrency, req, lim, g.RecycleAboveMiB, cpu)
}

func subset(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
