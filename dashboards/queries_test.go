package dashboards

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/internal/daemontest"
	"github.com/touchprobe/touchprobe/internal/promtest"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe"
)

// Grafana's variables, as the query test fills them in: all targets and
// locations, short ranges (the test runs for minutes, not hours).
var grafanaVars = strings.NewReplacer(
	`=~"$target"`, `=~".*"`, `=~"$location"`, `=~".*"`, `=~"$visitor"`, `=~".*"`,
	`=~"$touchpoint"`, `=~".*"`, "${touchpoint}", ".*",
	"$__rate_interval", "1m", "$__interval", "1m", "$__range", "5m",
)

var setOp = regexp.MustCompile(`^(or|and|unless)\b`)
var modifiers = regexp.MustCompile(`^\s*(bool\b\s*)?((on|ignoring)\s*\([^)]*\)\s*)?((group_left|group_right)\s*(\([^)]*\))?\s*)?`)

// topLevel calls f at each position of expr outside parentheses, braces,
// brackets and strings.
func topLevel(expr string, f func(i int) bool) {
	depth := 0
	var quote byte
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		case c == '"' || c == '\'' || c == '`':
			quote = c
			continue
		case c == '(' || c == '{' || c == '[':
			depth++
			continue
		case c == ')' || c == '}' || c == ']':
			depth--
			continue
		}
		if depth == 0 && !f(i) {
			return
		}
	}
}

// unwrap removes parentheses around the whole of expr.
func unwrap(expr string) string {
	for {
		e := strings.TrimSpace(expr)
		if !strings.HasPrefix(e, "(") || !strings.HasSuffix(e, ")") {
			return e
		}
		whole := true
		depth := 0
		for i := 0; i < len(e)-1; i++ { // quotes cannot hold an unbalanced paren that matters here
			if e[i] == '(' {
				depth++
			} else if e[i] == ')' {
				depth--
			}
			if depth == 0 {
				whole = false
				break
			}
		}
		if !whole {
			return e
		}
		expr = e[1 : len(e)-1]
	}
}

// dataParts are the sub-expressions of an alert that must return data when
// the inputs are there: each operand of a top-level or/and/unless, and of a
// comparison its left-hand side (the right is the threshold).
func dataParts(expr string) []string {
	e := unwrap(expr)
	if strings.HasPrefix(e, "-") || strings.HasPrefix(e, "+") { // unary sign: same data
		return dataParts(e[1:])
	}
	var cuts []int
	wordStart := func(i int) bool {
		return i == 0 || !(isIdent(e[i-1]))
	}
	topLevel(e, func(i int) bool {
		if m := setOp.FindString(e[i:]); m != "" && wordStart(i) && (i+len(m) == len(e) || !isIdent(e[i+len(m)])) {
			cuts = append(cuts, i, i+len(m))
		}
		return true
	})
	if len(cuts) > 0 {
		var out []string
		from := 0
		for k := 0; k < len(cuts); k += 2 {
			out = append(out, dataParts(e[from:cuts[k]])...)
			from = cuts[k+1]
			from += len(modifiers.FindString(e[from:]))
		}
		return append(out, dataParts(e[from:])...)
	}
	cmp := -1
	topLevel(e, func(i int) bool {
		c := e[i]
		if c == '>' || c == '<' || (c == '=' && i+1 < len(e) && e[i+1] == '=') || (c == '!' && i+1 < len(e) && e[i+1] == '=') {
			cmp = i
			return false
		}
		return true
	})
	if cmp >= 0 {
		return dataParts(e[:cmp])
	}
	return []string{e}
}

func isIdent(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func TestDataParts(t *testing.T) {
	for _, c := range []struct {
		expr string
		want []string
	}{
		{`a > on(t) b`, []string{"a"}},
		{`up{job=~".*x.*"} == 0`, []string{`up{job=~".*x.*"}`}},
		{"a{x=\"p\"} == 0\nor\n(a == 0 unless on(t, l) a{x=\"p\"} == 0)", []string{`a{x="p"}`, "a", `a{x="p"}`}},
		{`(time() - ts > 3 * iv) or (time() - ts and od == 1) or (od == 1)`, []string{"time() - ts", "time() - ts", "od", "od"}},
		{`increase(x_total[30m]) > 3`, []string{"increase(x_total[30m])"}},
		{`sum by (order) (x) >= 1`, []string{"sum by (order) (x)"}},
		{`a or -(b == 1)`, []string{"a", "b"}},
	} {
		got := dataParts(c.expr)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("dataParts(%q) = %q, want %q", c.expr, got, c.want)
		}
	}
}

// TestQueriesReturnData runs every dashboard query and every rule against
// the real Prometheus scraping the daemon that visits the demo targets
// (site.DemoConfigYAML: all three verdicts, a chat answer, a failure reason)
// in the real Chromium: each must return data, and the alerts must parse.
func TestQueriesReturnData(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: Chromium and Prometheus")
	}
	fx, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	d := daemontest.Start(t, "demo.yml", site.DemoConfigYAML(fx.URL), probe.Options{MaxFirstOffset: time.Second, Version: "dashboards-test"})

	// The rule files as WriteTo writes them (promtool tests left out).
	dir := t.TempDir()
	paths, err := WriteTo(dir)
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, p := range paths {
		if filepath.Base(filepath.Dir(p)) == "rules" {
			rules = append(rules, p)
		}
	}
	prom := promtest.Start(t, []string{strings.TrimPrefix(d.URL, "http://")}, promtest.Rules(rules...))

	type check struct{ where, expr string }
	var must []check      // must return a sample that is a number
	var parseOnly []check // must evaluate without error
	for name, raw := range embeddedDashboards(t) {
		var dash map[string]any
		if err := json.Unmarshal(raw, &dash); err != nil {
			t.Fatal(err)
		}
		for _, q := range dashQueries(dash) {
			must = append(must, check{name + ": " + q.where, grafanaVars.Replace(q.expr)})
		}
	}
	for name, rf := range embeddedRules(t) {
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					must = append(must, check{name + ": record " + r.Record, r.Expr}, check{name + ": recorded " + r.Record, r.Record})
					continue
				}
				parseOnly = append(parseOnly, check{name + ": alert " + r.Alert, r.Expr})
				for _, p := range dataParts(r.Expr) {
					must = append(must, check{name + ": alert " + r.Alert + " input", p})
				}
			}
		}
	}
	if len(must) < 40 {
		t.Fatalf("only %d queries found", len(must))
	}

	// Visits take time (the first ones come within seconds, rates need a
	// second visit 30 s later): one deadline for all.
	qctx, qcancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer qcancel()
	for _, c := range must {
		var last []promtest.Sample
		var lastErr error
		for {
			last, lastErr = prom.Query(qctx, c.expr)
			if (lastErr == nil && hasNumber(last)) || qctx.Err() != nil {
				break
			}
			select {
			case <-qctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
		if qctx.Err() != nil { // past the deadline: one more try, so each query gets its own verdict
			last, lastErr = prom.Query(context.Background(), c.expr)
		}
		if lastErr != nil || !hasNumber(last) {
			t.Errorf("%s: %s: no data (last %v, err %v)", c.where, c.expr, last, lastErr)
		}
	}
	for _, c := range parseOnly {
		if _, err := prom.Query(context.Background(), c.expr); err != nil {
			t.Errorf("%s: %s: %v", c.where, c.expr, err)
		}
	}
	t.Logf("%d queries returned data, %d alert expressions evaluated", len(must), len(parseOnly))
}

func hasNumber(s []promtest.Sample) bool {
	for _, x := range s {
		if !math.IsNaN(x.Value) {
			return true
		}
	}
	return false
}
