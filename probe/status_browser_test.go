package probe_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/touchprobe/touchprobe/internal/daemontest"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// statusSeen is what the status page shows in a real browser.
type statusSeen struct {
	SVG       bool     `json:"svg"`       // the timeline is an SVG element, drawn with a size
	Markers   []string `json:"markers"`   // milestones with a marker
	Drawn     int      `json:"drawn"`     // markers whose circle has a box on screen
	Ticks     int      `json:"ticks"`     // axis ticks
	Images    int      `json:"images"`    // filmstrip images
	Loaded    int      `json:"loaded"`    // of them, decoded (naturalWidth > 0)
	Verdict   string   `json:"verdict"`   // the verdict badge's text
	VerdictBg string   `json:"verdictBg"` // its colour: the page's own style applied
	Scripts   int      `json:"scripts"`
}

const statusSeenJS = `(() => {
  const sec = document.querySelector('section[data-target="fast"]');
  const svg = sec && sec.querySelector('svg.timeline');
  const imgs = sec ? [...sec.querySelectorAll('.filmstrip img')] : [];
  const badge = sec && sec.querySelector('h2 .verdict');
  const markers = svg ? [...svg.querySelectorAll('g.marker')] : [];
  return {
    svg: !!svg && svg.namespaceURI === 'http://www.w3.org/2000/svg' && svg.getBoundingClientRect().width > 0,
    markers: markers.map(g => g.dataset.milestone),
    drawn: markers.filter(g => { const c = g.querySelector('circle, path'); return c && c.getBBox().width > 0; }).length,
    ticks: svg ? svg.querySelectorAll('line.tick').length : 0,
    images: imgs.length,
    loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
    verdict: badge ? badge.textContent.trim() : '',
    verdictBg: badge ? getComputedStyle(badge).backgroundColor : '',
    scripts: document.scripts.length,
  };
})()`

// TestStatusPageInChromium: the daemon visits a fixture page; its status
// page, opened in the real Chromium, draws the timeline with the visit's
// milestones, loads every filmstrip frame, and names the verdict.
func TestStatusPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: real Chromium")
	}
	fx, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	d := daemontest.Start(t, "status.yml", fmt.Sprintf(`global:
  interval: 10m
  timeout: 40s
  concurrency: 1
targets:
  - name: fast
    url: "%s/?fcp=800&lcp=1500"
`, fx.URL), probe.Options{MaxFirstOffset: 100 * time.Millisecond})

	var last *probe.TargetState
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if st := d.Snapshot(); len(st) == 1 && st[0].Last != nil {
			last = &st[0]
			break
		}
	}
	if last == nil {
		t.Fatal("the daemon's first visit did not finish within 2 minutes")
	}
	res := last.Last
	t.Logf("visit: %s %v milestones %v, %d frames", res.Verdict, res.Reasons, res.Milestones, len(res.Frames))
	if len(res.Frames) == 0 || len(res.Milestones) == 0 {
		t.Fatalf("the visit has %d frames and milestones %v: nothing to show", len(res.Frames), res.Milestones)
	}

	// A browser of our own, apart from the daemon's.
	sup := browser.NewSupervisor(browser.Options{})
	defer sup.Close()
	bctx, bcancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer bcancel()
	sess, err := sup.Session(bctx)
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	defer sess.Close()
	tab, tcancel := sess.Bound(bctx, 0)
	defer tcancel()
	if err := chromedp.Do(tab, chromedp.Navigate(d.URL+"/")); err != nil {
		t.Fatalf("open the status page: %v", err)
	}
	// Images load with the page; wait for them all the same.
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](
		`[...document.images].every(i => i.complete)`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("images did not finish loading: %v", err)
	}
	seen, err := chromedp.Run(tab, chromedp.Evaluate[statusSeen](statusSeenJS))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	t.Logf("seen: %+v", seen)
	if path := os.Getenv("TOUCHPROBE_STATUS_SCREENSHOT"); path != "" {
		if png, err := chromedp.Run(tab, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(path, png, 0o644)
		}
	}

	if !seen.SVG || seen.Ticks != 21 {
		t.Errorf("timeline: svg %v with %d ticks, want a drawn SVG with 21", seen.SVG, seen.Ticks)
	}
	for _, m := range []string{"ttfb", "first_contentful_paint", "largest_contentful_paint"} {
		if _, ok := res.Milestones[m]; ok && !slices.Contains(seen.Markers, m) {
			t.Errorf("no %s marker; markers %v", m, seen.Markers)
		}
	}
	if len(seen.Markers) != len(res.Milestones) || seen.Drawn != len(seen.Markers) {
		t.Errorf("markers %v (%d drawn), want one drawn per milestone of %v", seen.Markers, seen.Drawn, res.Milestones)
	}
	if seen.Images != len(res.Frames) || seen.Loaded != seen.Images {
		t.Errorf("filmstrip: %d images, %d loaded; want %d loaded", seen.Images, seen.Loaded, len(res.Frames))
	}
	if seen.Verdict != string(res.Verdict) {
		t.Errorf("verdict badge %q, want %q", seen.Verdict, res.Verdict)
	}
	if seen.VerdictBg == "" || seen.VerdictBg == "rgba(0, 0, 0, 0)" {
		t.Errorf("verdict badge has no colour (%q): the page's style did not apply", seen.VerdictBg)
	}
	if seen.Scripts != 0 {
		t.Errorf("%d scripts on the page, want none", seen.Scripts)
	}
}
