package dashboards

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Structural checks of the dashboards, and our own versions of the rules of
// Grafana's dashboard-linter that fit touchprobe: a datasource variable
// (no fixed UID), queries free of job/instance matchers (users name their
// jobs), rate() only over counters, only metrics the daemon exports, a unit
// on every panel that shows seconds.

// embeddedDashboards are the embedded dashboards by file name.
func embeddedDashboards(t testing.TB) map[string][]byte {
	t.Helper()
	names, err := fs.Glob(files, "*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("no embedded dashboards: %v", err)
	}
	out := map[string][]byte{}
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = b
	}
	return out
}

type embeddedRuleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Record string `yaml:"record"`
			Alert  string `yaml:"alert"`
			Expr   string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// embeddedRules are the embedded Prometheus rule files (not promtool tests).
func embeddedRules(t testing.TB) map[string]embeddedRuleFile {
	t.Helper()
	names, _ := fs.Glob(files, "rules/*.yml")
	out := map[string]embeddedRuleFile{}
	for _, n := range names {
		if strings.HasSuffix(n, ".test.yml") {
			continue
		}
		b, err := files.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		var rf embeddedRuleFile
		if err := yaml.Unmarshal(b, &rf); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		out[n] = rf
	}
	if len(out) == 0 {
		t.Fatal("no embedded rule files")
	}
	return out
}

// exportedMetrics: what the daemon exports (docs/metrics.md, histograms with
// their series), and the names the recording rules record.
func exportedMetrics(t testing.TB) map[string]bool {
	t.Helper()
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	row := regexp.MustCompile("(?m)^\\| `(touchprobe_[a-z_]+)` \\| ([a-z]+)")
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		known[m[1]] = true
		if m[2] == "histogram" {
			for _, s := range []string{"_bucket", "_count", "_sum"} {
				known[m[1]+s] = true
			}
		}
	}
	if len(known) < 20 {
		t.Fatalf("read only %d metrics from docs/metrics.md", len(known))
	}
	for _, rf := range embeddedRules(t) {
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					known[r.Record] = true
				}
			}
		}
	}
	return known
}

// panels flattens a dashboard's panels, rows included.
func dashPanels(d map[string]any) []map[string]any {
	var out []map[string]any
	var walk func(any)
	walk = func(v any) {
		list, _ := v.([]any)
		for _, p := range list {
			pm, ok := p.(map[string]any)
			if !ok {
				continue
			}
			out = append(out, pm)
			walk(pm["panels"])
		}
	}
	walk(d["panels"])
	return out
}

// dashQuery is one PromQL expression of a dashboard, and where it is.
type dashQuery struct {
	where string
	expr  string
}

var labelValuesRE = regexp.MustCompile(`^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$`)

// queries are a dashboard's PromQL: every panel target's expr, and each
// template variable's label_values(m, l) as count by (l) (m).
func dashQueries(d map[string]any) []dashQuery {
	var out []dashQuery
	for _, p := range dashPanels(d) {
		tl, _ := p["targets"].([]any)
		for _, tg := range tl {
			tm, _ := tg.(map[string]any)
			if e, _ := tm["expr"].(string); e != "" {
				out = append(out, dashQuery{fmt.Sprintf("panel %v %q %v", p["id"], p["title"], tm["refId"]), e})
			}
		}
	}
	tmpl, _ := d["templating"].(map[string]any)
	vars, _ := tmpl["list"].([]any)
	for _, v := range vars {
		vm, _ := v.(map[string]any)
		if vm["type"] != "query" {
			continue
		}
		q, _ := vm["query"].(string)
		if m := labelValuesRE.FindStringSubmatch(q); m != nil {
			out = append(out, dashQuery{fmt.Sprintf("variable %v", vm["name"]), fmt.Sprintf("count by (%s) (%s)", m[2], m[1])})
		}
	}
	return out
}

var (
	quotedRE      = regexp.MustCompile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")
	identRE       = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	rateOfRE      = regexp.MustCompile(`\b(rate|irate|increase)\s*\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)`)
	jobInstanceRE = regexp.MustCompile(`\b(job|instance)\s*(=~|!~|!=|=)`)
	counterRE     = regexp.MustCompile(`(_total|_bucket|_count|_sum)$`)
	dsVar         = map[string]any{"type": "prometheus", "uid": "${datasource}"}
)

// seriesNames are the series names an expression reads (strings, durations,
// functions and label names in by/on lists do not start with touchprobe_,
// go_, process_ or contain a colon).
func seriesNames(expr string) []string {
	var out []string
	for _, id := range identRE.FindAllString(quotedRE.ReplaceAllString(expr, `""`), -1) {
		if strings.Contains(id, ":") || strings.HasPrefix(id, "touchprobe_") || strings.HasPrefix(id, "go_") || strings.HasPrefix(id, "process_") {
			out = append(out, id)
		}
	}
	return out
}

func isDSVar(v any) bool {
	m, ok := v.(map[string]any)
	return ok && m["type"] == dsVar["type"] && m["uid"] == dsVar["uid"]
}

// lint returns what is wrong with one dashboard.
func lintDashboard(raw []byte, known map[string]bool) []string {
	var bad []string
	add := func(f string, a ...any) { bad = append(bad, fmt.Sprintf(f, a...)) }
	var d map[string]any
	if err := json.Unmarshal(raw, &d); err != nil {
		return []string{"invalid JSON: " + err.Error()}
	}
	if uid, _ := d["uid"].(string); uid == "" || len(uid) > 40 {
		add("uid %q: want 1-40 characters", d["uid"])
	}
	if v, _ := d["schemaVersion"].(float64); v < 36 {
		add("schemaVersion %v: want >= 36 (Grafana 9+)", d["schemaVersion"])
	}

	// Template variables: a datasource variable, every query variable on it.
	tmpl, _ := d["templating"].(map[string]any)
	vars, _ := tmpl["list"].([]any)
	hasDS := false
	varNames := map[string]bool{}
	for _, v := range vars {
		vm, _ := v.(map[string]any)
		name, _ := vm["name"].(string)
		varNames[name] = true
		switch vm["type"] {
		case "datasource":
			if name == "datasource" && vm["query"] == "prometheus" {
				hasDS = true
			}
		case "query":
			if !isDSVar(vm["datasource"]) {
				add("variable %s: datasource %v, want ${datasource}", name, vm["datasource"])
			}
		}
	}
	if !hasDS {
		add("no template variable 'datasource' of type datasource for prometheus")
	}
	for _, q := range dashQueries(d) {
		for _, m := range seriesNames(q.expr) {
			if strings.HasPrefix(q.where, "variable") && !known[m] {
				add("%s: %s: the daemon exports no %s", q.where, q.expr, m)
			}
		}
	}

	// No fixed datasource anywhere (Grafana's built-in annotation aside).
	var walk func(string, any)
	walk = func(at string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if k == "datasource" {
					if cm, ok := c.(map[string]any); ok && cm["type"] == "grafana" {
						continue
					}
					if !isDSVar(c) {
						add("%s: datasource %v, want %v", at, c, dsVar)
					}
					continue
				}
				walk(at+"."+k, c)
			}
		case []any:
			for i, c := range x {
				walk(fmt.Sprintf("%s[%d]", at, i), c)
			}
		}
	}
	walk("dashboard", d)

	ids := map[float64]bool{}
	for _, p := range dashPanels(d) {
		title, _ := p["title"].(string)
		id, _ := p["id"].(float64)
		name := fmt.Sprintf("panel %v %q", p["id"], title)
		if id == 0 || ids[id] {
			add("%s: missing or duplicate id", name)
		}
		ids[id] = true
		g, _ := p["gridPos"].(map[string]any)
		w, _ := g["w"].(float64)
		h, _ := g["h"].(float64)
		x, _ := g["x"].(float64)
		if g == nil || w <= 0 || h <= 0 || x+w > 24 {
			add("%s: gridPos %v", name, g)
		}
		if p["type"] == "row" {
			continue
		}
		if title == "" {
			add("%s: no title", name)
		}
		if !isDSVar(p["datasource"]) {
			add("%s: datasource %v, want ${datasource}", name, p["datasource"])
		}
		tl, _ := p["targets"].([]any)
		var exprs []string
		for _, tg := range tl {
			tm, _ := tg.(map[string]any)
			if e, _ := tm["expr"].(string); strings.TrimSpace(e) != "" {
				exprs = append(exprs, e)
			}
		}
		if len(exprs) == 0 {
			add("%s: no target with an expr", name)
		}
		fc, _ := p["fieldConfig"].(map[string]any)
		defaults, _ := fc["defaults"].(map[string]any)
		unit, _ := defaults["unit"].(string)
		usesTarget := false
		for _, e := range exprs {
			if strings.Contains(e, "$target") {
				usesTarget = true
			}
			if m := jobInstanceRE.FindString(e); m != "" {
				add("%s: %s: matches on %q; job and instance names are the user's", name, e, m)
			}
			for _, m := range rateOfRE.FindAllStringSubmatch(e, -1) {
				if !counterRE.MatchString(m[2]) {
					add("%s: %s(%s): rate and increase only over counters", name, m[1], m[2])
				}
			}
			for _, m := range seriesNames(e) {
				if (strings.HasPrefix(m, "touchprobe_") || strings.Contains(m, ":")) && !known[m] {
					add("%s: %s: the daemon exports no %s (docs/metrics.md, recording rules)", name, e, m)
				}
			}
			if strings.Contains(e, "_seconds") && unit != "s" {
				add("%s: shows seconds, unit %q (want \"s\")", name, unit)
			}
		}
		if usesTarget && varNames["status_url"] {
			links, _ := defaults["links"].([]any)
			ok := false
			for _, l := range links {
				lm, _ := l.(map[string]any)
				if u, _ := lm["url"].(string); strings.HasPrefix(u, "${status_url}/?target=$") {
					ok = true
				}
			}
			if !ok {
				add("%s: no data link to the status page (${status_url}/?target=...)", name)
			}
		}
	}
	return bad
}

func TestDashboardsLint(t *testing.T) {
	known := exportedMetrics(t)
	uids := map[string]string{"first-20-seconds.json": "touchprobe-first-20s", "prober-health.json": "touchprobe-prober-health"}
	got := embeddedDashboards(t)
	for name, uid := range uids {
		raw, ok := got[name]
		if !ok {
			t.Errorf("%s not embedded", name)
			continue
		}
		for _, p := range lintDashboard(raw, known) {
			t.Errorf("%s: %s", name, p)
		}
		var d map[string]any
		_ = json.Unmarshal(raw, &d)
		if d["uid"] != uid {
			t.Errorf("%s: uid %v, want %s", name, d["uid"], uid)
		}
	}
}

// TestFirst20SecondsContent: the panels the issue asks for are there.
func TestFirst20SecondsContent(t *testing.T) {
	var d map[string]any
	if err := json.Unmarshal(embeddedDashboards(t)["first-20-seconds.json"], &d); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	types := map[string]bool{}
	for _, q := range dashQueries(d) {
		all.WriteString(q.expr + "\n")
	}
	for _, p := range dashPanels(d) {
		types[p["type"].(string)] = true
	}
	for _, m := range []string{"touchprobe_milestone_seconds", "touchprobe_promise_seconds", "touchprobe_verdict",
		"touchprobe_touchpoint_up", "touchprobe_visit_failures_total", "target_location:touchprobe_impression_score:1h",
		"touchprobe_chat_response_seconds", "touchprobe_layout_shift_score",
		"milestone:touchprobe_milestone_duration_seconds:p50_10m", "milestone:touchprobe_milestone_duration_seconds:p90_10m"} {
		if !strings.Contains(all.String(), m) {
			t.Errorf("no panel queries %s", m)
		}
	}
	if !types["state-timeline"] {
		t.Error("no state timeline (verdict over time)")
	}
	// The first-20-seconds chart is on a fixed 0-20 s axis.
	for _, p := range dashPanels(d) {
		if p["type"] != "barchart" {
			continue
		}
		dflt := p["fieldConfig"].(map[string]any)["defaults"].(map[string]any)
		if dflt["min"] != 0.0 || dflt["max"] != 20.0 || dflt["unit"] != "s" {
			t.Errorf("panel %q: axis min %v max %v unit %v, want 0-20 s", p["title"], dflt["min"], dflt["max"], dflt["unit"])
		}
	}
	vars := map[string]map[string]any{}
	for _, v := range d["templating"].(map[string]any)["list"].([]any) {
		vm := v.(map[string]any)
		vars[vm["name"].(string)] = vm
	}
	for _, n := range []string{"location", "target"} {
		if v := vars[n]; v == nil || v["multi"] != true || v["includeAll"] != true {
			t.Errorf("variable %s: %v, want multi with All", n, v)
		}
	}
	if v := vars["status_url"]; v == nil || v["type"] != "textbox" {
		t.Errorf("variable status_url: %v, want a textbox", v)
	}
}

// TestLintCatchesMistakes: the lint fails a dashboard with the mistakes it
// is there for.
func TestLintCatchesMistakes(t *testing.T) {
	bad := `{"uid":"x","schemaVersion":39,"templating":{"list":[{"name":"t","type":"query","query":"label_values(touchprobe_nope, target)"}]},"panels":[
	 {"id":1,"type":"timeseries","title":"a","gridPos":{"x":0,"y":0,"w":12,"h":8},
	  "datasource":{"type":"prometheus","uid":"P1809F7CD0C75ACF3"},
	  "targets":[{"expr":"rate(touchprobe_visits_in_flight{job=\"touchprobe\"}[5m]) + touchprobe_nonsense_seconds"}]},
	 {"id":1,"type":"stat","title":"b","datasource":{"type":"prometheus","uid":"${datasource}"},"targets":[]}]}`
	got := strings.Join(lintDashboard([]byte(bad), exportedMetrics(t)), "\n")
	for _, want := range []string{"no template variable 'datasource'", "P1809F7CD0C75ACF3", `matches on "job="`,
		"rate(touchprobe_visits_in_flight)", "no touchprobe_nonsense_seconds", `unit ""`, "duplicate id", "gridPos",
		"no target with an expr", "variable t", "exports no touchprobe_nope"} {
		if !strings.Contains(got, want) {
			t.Errorf("lint of a bad dashboard does not say %q; it said:\n%s", want, got)
		}
	}
	if p := lintDashboard([]byte("{"), nil); len(p) != 1 || !strings.HasPrefix(p[0], "invalid JSON") {
		t.Errorf("lint of broken JSON: %v", p)
	}
}

// TestWriteTo: every embedded file lands where the provisioning expects it.
func TestWriteTo(t *testing.T) {
	dir := t.TempDir()
	paths, err := WriteTo(dir)
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, p := range paths {
		r := strings.TrimPrefix(p, dir+"/")
		rel = append(rel, r)
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v, %d bytes", p, err, len(b))
		}
		if strings.HasSuffix(r, ".test.yml") {
			t.Errorf("wrote the promtool test %s as a rule file", r)
		}
	}
	sort.Strings(rel)
	for _, want := range []string{"grafana/dashboards/first-20-seconds.json", "grafana/dashboards/prober-health.json",
		"grafana/provisioning/dashboards/touchprobe.yml", "grafana/provisioning/datasources/touchprobe.yml",
		"prometheus/rules/touchprobe.rules.yml"} {
		i := sort.SearchStrings(rel, want)
		if i == len(rel) || rel[i] != want {
			t.Errorf("WriteTo did not write %s; wrote %v", want, rel)
		}
	}
	for _, r := range rel {
		if path.Ext(r) == ".yml" {
			var v map[string]any
			b, _ := os.ReadFile(dir + "/" + r)
			if err := yaml.Unmarshal(b, &v); err != nil {
				t.Errorf("%s: %v", r, err)
			}
		}
	}
}
