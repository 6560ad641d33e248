package deploy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/touchprobe/touchprobe/internal/promtest"
)

const rulesGlob = "/etc/prometheus/touchprobe/rules/*.yml"

type promConfig struct {
	RuleFiles     []string `yaml:"rule_files"`
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		Scheme        string `yaml:"scheme"`
		StaticConfigs []struct {
			Targets []string          `yaml:"targets"`
			Labels  map[string]string `yaml:"labels"`
		} `yaml:"static_configs"`
		KubernetesSD   []map[string]any `yaml:"kubernetes_sd_configs"`
		RelabelConfigs []struct {
			TargetLabel string `yaml:"target_label"`
		} `yaml:"relabel_configs"`
		BasicAuth map[string]string `yaml:"basic_auth"`
	} `yaml:"scrape_configs"`
}

func TestPrometheusConfigsScrapeTheDaemon(t *testing.T) {
	for _, f := range files(t, "prometheus", ".yml") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			var c promConfig
			if err := yaml.Unmarshal(read(t, f), &c); err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(c.RuleFiles, rulesGlob) {
				t.Errorf("rule_files %v, want %s (where the README puts touchprobe's rules)", c.RuleFiles, rulesGlob)
			}
			jobs := 0
			for _, sc := range c.ScrapeConfigs {
				if sc.JobName != "touchprobe" {
					continue
				}
				jobs++
				var shards []string
				for _, st := range sc.StaticConfigs {
					for _, tg := range st.Targets {
						if !strings.HasSuffix(tg, ":"+port) {
							t.Errorf("target %s is not on port %s", tg, port)
						}
						// Across the network the endpoint must be protected.
						if !strings.HasPrefix(tg, "127.0.0.1:") && (sc.Scheme != "https" || sc.BasicAuth == nil) {
							t.Errorf("target %s is scraped over the network without https and basic_auth", tg)
						}
					}
					if _, ok := st.Labels["location"]; ok {
						t.Error("a `location` target label collides with the daemon's own label")
					}
					if s, ok := st.Labels["shard"]; ok {
						shards = append(shards, s)
					}
				}
				for _, r := range sc.RelabelConfigs {
					if r.TargetLabel == "location" {
						t.Error("relabelling into `location` collides with the daemon's own label")
					}
				}
				if len(shards) > 0 {
					var want []string
					for i := range shards {
						want = append(want, fmt.Sprintf("%d/%d", i, len(shards)))
					}
					slices.Sort(shards)
					if !slices.Equal(shards, want) {
						t.Errorf("shard labels %v, want %v: every shard once", shards, want)
					}
				}
				if len(sc.StaticConfigs) == 0 && len(sc.KubernetesSD) == 0 {
					t.Error("the touchprobe job has neither static targets nor Kubernetes discovery")
				}
			}
			if jobs != 1 {
				t.Errorf("%d touchprobe jobs, want 1", jobs)
			}
			promtoolCheck(t, f)
		})
	}
}

// promtoolCheck runs `promtool check config`. Debian's Prometheus is built
// without Kubernetes discovery; there the file is checked once more with
// the discovery block swapped for an empty static one, so that everything
// else in it (relabelling, regexes) is still checked by Prometheus' code.
func promtoolCheck(t *testing.T, f string) {
	t.Helper()
	promtool := promtest.Promtool(t)
	abs, _ := filepath.Abs(f)
	out, err := run(t, filepath.Dir(abs), promtool, "check", "config", abs)
	if err == nil {
		return
	}
	if !strings.Contains(out, "field kubernetes_sd_configs not found") {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
	text := string(read(t, f))
	i := strings.Index(text, "    kubernetes_sd_configs:")
	j := strings.Index(text, "    relabel_configs:")
	if i < 0 || j < i {
		t.Fatalf("cannot isolate kubernetes_sd_configs in %s", f)
	}
	swapped := text[:i] + "    static_configs:\n      - targets: []\n" + text[j:]
	tmp := filepath.Join(t.TempDir(), filepath.Base(f))
	if err := os.WriteFile(tmp, []byte(swapped), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, filepath.Dir(tmp), promtool, "check", "config", tmp); err != nil {
		t.Fatalf("promtool check config (Kubernetes discovery swapped out): %v\n%s", err, out)
	}
	t.Logf("this promtool has no Kubernetes discovery; the rest of %s passed promtool check config", filepath.Base(f))
}
