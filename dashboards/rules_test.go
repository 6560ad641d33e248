package dashboards_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/touchprobe/touchprobe/internal/promtest"
)

const (
	rulesFile     = "rules/touchprobe.rules.yml"
	rulesTestFile = "rules/touchprobe.rules.test.yml"
	runbookFile   = "../docs/runbook.md"
	metricsDoc    = "../docs/metrics.md"
)

// ruleFile is the part of a Prometheus rule file the checks below read.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []rule `yaml:"rules"`
	} `yaml:"groups"`
}

type rule struct {
	Record      string            `yaml:"record"`
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func loadRules(t *testing.T) []rule {
	t.Helper()
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var f ruleFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	var out []rule
	for _, g := range f.Groups {
		out = append(out, g.Rules...)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no rules", rulesFile)
	}
	return out
}

func readText(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func runPromtool(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(promtest.Promtool(t), args...)
	cmd.Dir = "rules" // the unit-test file names its rule file relative to itself
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("promtool %s:\n%s", strings.Join(args, " "), out)
}

func TestRulesPromtoolCheck(t *testing.T) {
	runPromtool(t, "check", "rules", filepath.Base(rulesFile))
}

func TestRulesPromtoolUnitTests(t *testing.T) {
	runPromtool(t, "test", "rules", filepath.Base(rulesTestFile))
}

// The dashboards helper and users' own dashboards rely on these names.
func TestRulesRecordingNames(t *testing.T) {
	want := []string{
		"milestone:touchprobe_milestone_duration_seconds:p50_10m",
		"milestone:touchprobe_milestone_duration_seconds:p90_10m",
		"target_location_milestone:touchprobe_milestone_seconds:p90_1h",
		"target_location:touchprobe_impression_score:1h",
		"target:touchprobe_problematic_locations:count",
		"target:touchprobe_locations:count",
	}
	have := map[string]bool{}
	for _, r := range loadRules(t) {
		have[r.Record] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("recording rule %s missing", w)
		}
	}
}

// Every alert the tests cover, and no alert without a unit test.
func TestRulesEveryAlertUnitTested(t *testing.T) {
	tests := readText(t, rulesTestFile)
	for _, r := range loadRules(t) {
		if r.Alert == "" {
			continue
		}
		// One case where it fires (exp_alerts with entries) and one where it does not ([]).
		if !regexp.MustCompile(`alertname: ` + r.Alert + `\n\s+exp_alerts:\n`).MatchString(tests) {
			t.Errorf("%s: no unit test where it fires", r.Alert)
		}
		if !strings.Contains(tests, "alertname: "+r.Alert+"\n        exp_alerts: []") {
			t.Errorf("%s: no unit test where it stays quiet", r.Alert)
		}
	}
}

func TestRulesAlertAnnotationsAndRunbook(t *testing.T) {
	anchors := headingAnchors(readText(t, runbookFile))
	if probs := alertProblems(loadRules(t), anchors); len(probs) > 0 {
		t.Errorf("alert rules:\n%s", strings.Join(probs, "\n"))
	}
}

func TestRulesMetricsDocumented(t *testing.T) {
	rules := loadRules(t)
	used, probs := metricNames(rules)
	if len(used) < 10 {
		t.Fatalf("found only %v in the rules' expressions: is the regexp broken?", used)
	}
	probs = append(probs, undocumented(used, readText(t, metricsDoc))...)
	if len(probs) > 0 {
		t.Errorf("rules:\n%s", strings.Join(probs, "\n"))
	}
}

// The dashboards' queries must name only series these rules record.
func TestRulesRecordedNamesUsedByDashboards(t *testing.T) {
	recorded := map[string]bool{}
	for _, r := range loadRules(t) {
		recorded[r.Record] = true
	}
	jsons, _ := filepath.Glob("*.json")
	for _, j := range jsons {
		for _, name := range recordedName.FindAllString(readText(t, j), -1) {
			if strings.Contains(name, "touchprobe_") && !recorded[name] {
				t.Errorf("%s uses %s, which no rule records", j, name)
			}
		}
	}
}

func TestRunbookHasEveryAlertAndTheScore(t *testing.T) {
	anchors := headingAnchors(readText(t, runbookFile))
	for _, r := range loadRules(t) {
		if r.Alert != "" && !anchors[strings.ToLower(r.Alert)] {
			t.Errorf("runbook has no section %q", r.Alert)
		}
	}
	if !anchors["impression-score"] {
		t.Errorf("runbook has no section \"Impression score\" (anchors: %v)", keys(anchors))
	}
}

// The checks above must be able to fail: feed them a broken rule.
func TestRulesCheckersCatchMistakes(t *testing.T) {
	bad := []rule{{
		Alert:       "Broken",
		Expr:        `touchprobe_no_such_thing_bucket > 0 and touchprobe_visit_success == 0 and x:touchprobe_not_recorded:y`,
		Labels:      map[string]string{},
		Annotations: map[string]string{"summary": "s", "runbook_url": "https://example.com/docs/runbook.md#nowhere"},
	}}
	probs := alertProblems(bad, map[string]bool{"somewhere": true})
	for _, want := range []string{"severity", "description", "#nowhere"} {
		if !slices.ContainsFunc(probs, func(p string) bool { return strings.Contains(p, want) }) {
			t.Errorf("alertProblems missed %q: %v", want, probs)
		}
	}
	used, probs := metricNames(bad)
	if !slices.Equal(used, []string{"touchprobe_no_such_thing", "touchprobe_visit_success"}) {
		t.Errorf("metricNames = %v", used)
	}
	if len(probs) != 1 || !strings.Contains(probs[0], "x:touchprobe_not_recorded:y") {
		t.Errorf("unrecorded name not caught: %v", probs)
	}
	un := undocumented(used, "| `touchprobe_visit_success` | gauge |")
	if len(un) != 1 || !strings.Contains(un[0], "touchprobe_no_such_thing") {
		t.Errorf("undocumented = %v", un)
	}
	a := headingAnchors("# Runbook\n## TouchpointDown\n### Impression score (how it is computed)\n```\n# not a heading\n```\n")
	for _, w := range []string{"runbook", "touchpointdown", "impression-score-how-it-is-computed"} {
		if !a[w] {
			t.Errorf("headingAnchors: %q missing in %v", w, keys(a))
		}
	}
	if a["not-a-heading"] {
		t.Error("headingAnchors read a comment in a code block as a heading")
	}
}

// alertProblems lists what an alert lacks: severity, summary, description,
// and a runbook_url into docs/runbook.md whose anchor is a heading there.
func alertProblems(rules []rule, anchors map[string]bool) []string {
	var probs []string
	for _, r := range rules {
		if r.Alert == "" {
			continue
		}
		if r.Labels["severity"] == "" {
			probs = append(probs, r.Alert+": no severity label")
		}
		for _, a := range []string{"summary", "description"} {
			if strings.TrimSpace(r.Annotations[a]) == "" {
				probs = append(probs, r.Alert+": no "+a+" annotation")
			}
		}
		u := r.Annotations["runbook_url"]
		page, anchor, ok := strings.Cut(u, "#")
		switch {
		case !ok || !strings.HasSuffix(page, "docs/runbook.md"):
			probs = append(probs, r.Alert+": runbook_url "+u+" is not docs/runbook.md#anchor")
		case !anchors[anchor]:
			probs = append(probs, r.Alert+": runbook_url anchor #"+anchor+" is no heading in docs/runbook.md")
		}
	}
	return probs
}

var (
	recordedName = regexp.MustCompile(`[a-zA-Z_][a-zA-Z0-9_]*(:[a-zA-Z0-9_]+)+`)
	metricName   = regexp.MustCompile(`touchprobe_[a-z_]+`)
)

// metricNames returns the exported metric names the expressions use (series
// suffixes stripped); names of recorded series are set aside and must be
// recorded by one of the rules.
func metricNames(rules []rule) (used []string, probs []string) {
	recorded := map[string]bool{}
	for _, r := range rules {
		recorded[r.Record] = true
	}
	seen := map[string]bool{}
	for _, r := range rules {
		expr := recordedName.ReplaceAllStringFunc(r.Expr, func(n string) string {
			if !recorded[n] {
				probs = append(probs, r.Alert+r.Record+": uses "+n+", which no rule records")
			}
			return " "
		})
		for _, m := range metricName.FindAllString(expr, -1) {
			for _, suf := range []string{"_bucket", "_sum", "_count"} {
				m = strings.TrimSuffix(m, suf)
			}
			seen[m] = true
		}
	}
	return keys(seen), probs
}

// undocumented lists the names docs/metrics.md does not mention as `name`.
func undocumented(names []string, doc string) []string {
	var probs []string
	for _, n := range names {
		if !strings.Contains(doc, "`"+n+"`") {
			probs = append(probs, n+": not in docs/metrics.md")
		}
	}
	return probs
}

// headingAnchors returns the GitHub-style anchors of a Markdown file's
// headings: lower case, punctuation dropped, spaces to hyphens.
func headingAnchors(md string) map[string]bool {
	out := map[string]bool{}
	fence := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if fence || !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, c := range strings.ToLower(text) {
			switch {
			case c == ' ':
				b.WriteByte('-')
			case c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
				b.WriteRune(c)
			}
		}
		out[b.String()] = true
	}
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
