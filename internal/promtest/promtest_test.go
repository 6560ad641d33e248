package promtest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/internal/promtest"
)

// TestScrapeQueryRules scrapes a fixed exposition and evaluates a recording rule.
func TestScrapeQueryRules(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "# HELP fixture_value A fixed value.\n# TYPE fixture_value gauge\nfixture_value{kind=\"a\"} 42\nfixture_value{kind=\"b\"} 7\n")
	}))
	defer srv.Close()
	rules := filepath.Join(t.TempDir(), "rules.yml")
	os.WriteFile(rules, []byte("groups:\n  - name: g\n    rules:\n      - record: fixture:value:sum\n        expr: sum(fixture_value)\n"), 0o644)

	p := promtest.Start(t, []string{strings.TrimPrefix(srv.URL, "http://")}, promtest.Rules(rules))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := p.WaitFor(ctx, `fixture_value{kind="a"}`)
	if err != nil {
		t.Fatal(err)
	}
	if v[0].Value != 42 || v[0].Metric["job"] != "touchprobe" {
		t.Errorf("got %+v, want 42 with job=touchprobe", v[0])
	}
	if _, err := p.WaitFor(ctx, `fixture:value:sum == 49`); err != nil {
		t.Fatal(err)
	}
	if s, err := p.Value(ctx, `scalar(sum(fixture_value))`); err != nil || s != 49 {
		t.Errorf("scalar = %v, %v; want 49", s, err)
	}
	if _, err := p.Query(ctx, `fixture_value{`); err == nil {
		t.Error("a bad query gave no error")
	}
	tg, err := p.Targets(ctx)
	if err != nil || !strings.HasPrefix(tg[srv.URL+"/metrics"], "up") {
		t.Errorf("targets = %v, %v", tg, err)
	}
}
