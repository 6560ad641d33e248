package probe_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/internal/daemontest"
	"github.com/touchprobe/touchprobe/internal/promtest"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe"
)

// TestEndToEndWithPrometheus: the daemon visits fixture pages in the real
// Chromium, the real Prometheus scrapes it, and its HTTP API shows the
// series with the values the fixture's timings call for; then a bad reload
// keeps the old config and a good one removes a target's series.
func TestEndToEndWithPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: end to end: Chromium and Prometheus")
	}
	fx, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	good := fmt.Sprintf(`global:
  interval: 4s
  recheck_after: 2s
  timeout: 30s
  location: e2e-lab
  concurrency: 2
targets:
  - name: fast
    url: "%[1]s/?ttfb=100&fcp=800&lcp=1200&phone=1&email=1"
    phone: true
  - name: broken
    url: "%[1]s/?status=500"
`, fx.URL)
	d := daemontest.Start(t, "touchprobe.yml", good, probe.Options{MaxFirstOffset: time.Second, Version: "e2e"})

	prom := promtest.Start(t, []string{strings.TrimPrefix(d.URL, "http://")})
	qctx, qcancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer qcancel()
	wait := func(expr string) []promtest.Sample {
		t.Helper()
		v, err := prom.WaitFor(qctx, expr)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	wait(`touchprobe_visit_success{target="fast",location="e2e-lab"} == 1`)
	wait(`touchprobe_visit_success{target="broken",location="e2e-lab"} == 0`)
	wait(`touchprobe_verdict{target="broken",verdict="problematic"} == 1`)
	wait(`touchprobe_visit_failures_total{target="broken",reason="http_status"} >= 1`)
	wait(`touchprobe_touchpoint_up{target="fast",touchpoint="page"} == 1`)
	wait(`touchprobe_touchpoint_up{target="fast",touchpoint="phone"} == 1`)
	wait(`touchprobe_target_rechecking{target="broken"} == 1`)
	// One-hot: exactly one verdict per target.
	for _, s := range wait(`sum by (target) (touchprobe_verdict)`) {
		if s.Value != 1 {
			t.Errorf("verdict of %s sums to %v, want 1 (one-hot)", s.Metric["target"], s.Value)
		}
	}
	// The fixture shows its hero at 1.2 s (page clock): generous bounds.
	lcp := wait(`touchprobe_milestone_seconds{target="fast",milestone="largest_contentful_paint"}`)[0].Value
	if lcp < 1.15 || lcp > 4 {
		t.Errorf("fast: largest_contentful_paint = %.3fs, fixture shows its hero at 1.2s", lcp)
	}
	ttfb := wait(`touchprobe_milestone_seconds{target="fast",milestone="ttfb"}`)[0].Value
	if ttfb < 0.09 || ttfb > 2 {
		t.Errorf("fast: ttfb = %.3fs, fixture answers after 0.1s", ttfb)
	}
	wait(`touchprobe_milestone_duration_seconds_count{milestone="first_contentful_paint"} >= 1`)
	wait(`touchprobe_build_info{version="e2e",chromium=~"Chrome/.+"} == 1`)

	// visits_total keeps counting.
	first := wait(`sum(touchprobe_visits_total{target="fast"})`)[0].Value
	wait(fmt.Sprintf(`sum(touchprobe_visits_total{target="fast"}) > %v`, first))

	// A bad config: the old keeps running, the reload metric says 0.
	d.Rewrite("global: {interval: 4s}\ntargets:\n  - name: x\n    url: ftp://nowhere\n")
	if err := d.Reload(); err == nil {
		t.Fatal("a bad config reloaded without error")
	}
	wait(`touchprobe_config_last_reload_successful == 0`)
	wait(`touchprobe_visit_success{target="broken"} == 0`)

	// A good config without "broken": its series go.
	d.Rewrite(strings.Replace(good, "  - name: broken\n", "  - name: broken-gone\n    interval: 1h\n", 1))
	if err := d.Reload(); err != nil {
		t.Fatal(err)
	}
	wait(`touchprobe_config_last_reload_successful == 1`)
	wait(`absent(touchprobe_visit_success{target="broken"}) and absent(touchprobe_visits_total{target="broken"})`)
	wait(`touchprobe_targets == 2`)
	wait(`touchprobe_visit_success{target="fast"} == 1`)
}
