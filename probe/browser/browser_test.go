package browser_test

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

var (
	sup     *browser.Supervisor
	fixture *site.Site
)

func TestMain(m *testing.M) {
	var err error
	fixture, err = site.Start()
	if err != nil {
		panic(err)
	}
	sup = browser.NewSupervisor(browser.Options{UserAgentMarker: "touchprobe-test", Spares: 1})
	code := m.Run()
	sup.Close()
	fixture.Close()
	os.Exit(code)
}

// observed is one navigation: its timeline, its wall time, and the fixture's
// performance marks (when the page really changed), in seconds.
type observed struct {
	browser.Timeline
	wall  time.Duration
	marks map[string]float64
}

// visitWith runs one navigation on a fresh session of s.
func visitWith(t testing.TB, s *browser.Supervisor, url string, o browser.NavOptions) observed {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	start := time.Now()
	sess, err := s.Session(ctx)
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	defer sess.Close()
	if err := sess.Navigate(ctx, url, o); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	select {
	case <-sess.Settled():
	case <-ctx.Done():
		t.Fatal("the visit never settled")
	}
	obs := observed{Timeline: sess.Timeline(ctx), wall: time.Since(start), marks: map[string]float64{}}
	mctx, mcancel := sess.Bound(ctx, 2*time.Second)
	defer mcancel()
	marks, err := chromedp.Run(mctx, chromedp.Evaluate[map[string]float64](
		`Object.fromEntries(performance.getEntriesByType('mark').filter(m => m.name.startsWith('fx-')).map(m => [m.name.slice(3), m.startTime / 1000]))`))
	if err == nil {
		obs.marks = marks
	}
	return obs
}

func visit(t testing.TB, url string, o browser.NavOptions) observed { return visitWith(t, sup, url, o) }

// within fails unless got lies in [want+lo, want+hi] (seconds). Paint lands
// a frame or two after the DOM change; a loaded CI box adds a few hundred ms.
func within(t *testing.T, name string, got, want, lo, hi float64) {
	t.Helper()
	if got < want+lo || got > want+hi {
		t.Errorf("%s = %.3fs, want within [%+.0f ms, %+.0f ms] of %.3fs", name, got, lo*1000, hi*1000, want)
	} else {
		t.Logf("%s = %.3fs (%+.0f ms from %.3fs)", name, got, (got-want)*1000, want)
	}
}

func TestMilestonesLandOnTheFixturesKnownTimes(t *testing.T) {
	o := visit(t, fixture.URL+"/?ttfb=150&body=300&fcp=800&lcp=1500", browser.NavOptions{})
	if o.Failure != browser.FailNone || o.Status != 200 {
		t.Fatalf("failure %q (%s), status %d", o.Failure, o.Detail, o.Status)
	}
	m := o.Milestones
	// TTFB: the server waits 150 ms before its headers.
	within(t, "ttfb", m[browser.TTFB], 0.150, 0, 0.4)
	// The fixture's own marks: when the body arrived, the text and the hero.
	// Timers may fire a fraction of a ms early against performance.now().
	if o.marks["fcp"] < 0.79 || o.marks["lcp"] < 1.49 {
		t.Fatalf("fixture marks %v: the page did not run its timeline", o.marks)
	}
	within(t, "first_paint", m[browser.FirstPaint], o.marks["body"], -0.02, 0.4)
	within(t, "first_contentful_paint", m[browser.FirstContentfulPaint], o.marks["fcp"], -0.02, 0.4)
	within(t, "largest_contentful_paint", m[browser.LargestContentfulPaint], o.marks["lcp"], -0.02, 0.4)
	within(t, "dom_content_loaded", m[browser.DOMContentLoaded], 0.450, 0, 0.5)
	within(t, "load", m[browser.Load], m[browser.DOMContentLoaded], 0, 0.3)
	if o.LCPElement != "h1#hero" {
		t.Errorf("LCP element %q, want the hero h1#hero", o.LCPElement)
	}
	// A fast page ends when it goes quiet, not at the end of the window.
	if o.Ended != "quiet" {
		t.Errorf("ended %q, want quiet", o.Ended)
	}
	t.Logf("wall %v, %.0f ms after the last milestone", o.wall, o.wall.Seconds()*1000-m[browser.LargestContentfulPaint]*1000)
}

func TestImageHeroIsTheLargestContentfulPaint(t *testing.T) {
	o := visit(t, fixture.URL+"/?fcp=300&lcp=1000&lcpimg=1", browser.NavOptions{})
	within(t, "largest_contentful_paint", o.Milestones[browser.LargestContentfulPaint], o.marks["lcp"], 0, 0.6)
	if o.LCPElement != "img#hero-img" {
		t.Errorf("LCP element %q, want img#hero-img", o.LCPElement)
	}
}

func TestLayoutShiftIsScored(t *testing.T) {
	calm := visit(t, fixture.URL+"/?fcp=300&lcp=500", browser.NavOptions{})
	shaky := visit(t, fixture.URL+"/?fcp=300&lcp=500&shift=900", browser.NavOptions{})
	if calm.LayoutShift != 0 {
		t.Errorf("a page that does not move scored %.3f", calm.LayoutShift)
	}
	// The hero and tagline (about half the viewport) move 240 of 720 px.
	if shaky.LayoutShift < 0.05 {
		t.Errorf("content pushed down by 240px scored only %.3f", shaky.LayoutShift)
	}
	t.Logf("layout shift: calm %.3f, shaky %.3f", calm.LayoutShift, shaky.LayoutShift)
}

func TestTimersHoldTheVisitOpenUntilTheyFire(t *testing.T) {
	// The hero comes 1.2 s after load with nothing else going on: a monitor
	// that ended at the first quiet moment would miss it.
	o := visit(t, fixture.URL+"/?fcp=100&lcp=1700", browser.NavOptions{})
	if _, ok := o.Milestones[browser.LargestContentfulPaint]; !ok || o.LCPElement != "h1#hero" {
		t.Fatalf("LCP %v on %q: the visit ended before the hero", o.Milestones, o.LCPElement)
	}
}

func TestFilmstripFramesAreTimedFromNavigationStart(t *testing.T) {
	o := visit(t, fixture.URL+"/?fcp=300&lcp=900", browser.NavOptions{Filmstrip: true})
	if len(o.Frames) < 2 {
		t.Fatalf("%d frames, want a few as the page changes", len(o.Frames))
	}
	prev := time.Duration(-1)
	for _, f := range o.Frames {
		if f.Offset < prev || f.Offset > 20*time.Second {
			t.Errorf("frame at %v after %v: offsets must grow within the window", f.Offset, prev)
		}
		if len(f.JPEG) < 3 || f.JPEG[0] != 0xFF || f.JPEG[1] != 0xD8 {
			t.Errorf("frame at %v is not a JPEG", f.Offset)
		}
		prev = f.Offset
	}
	last := o.Frames[len(o.Frames)-1].Offset.Seconds()
	if last < o.marks["lcp"]-0.05 {
		t.Errorf("last frame at %.3fs, before the hero appeared at %.3fs", last, o.marks["lcp"])
	}
}

func TestPageFailuresAreResults(t *testing.T) {
	closed := closedPort(t)
	cases := []struct {
		name string
		url  string
		o    browser.NavOptions
		want browser.Failure
	}{
		{"dns", "http://no-such-host.invalid/", browser.NavOptions{}, browser.FailDNS},
		{"connection refused", "http://" + closed + "/", browser.NavOptions{}, browser.FailConnect},
		{"self-signed certificate", fixture.TLSURL + "/?fcp=100", browser.NavOptions{}, browser.FailTLS},
		{"server error", fixture.URL + "/?status=500&fcp=100", browser.NavOptions{}, browser.FailHTTPStatus},
		{"not found", fixture.URL + "/no-such-page", browser.NavOptions{}, browser.FailHTTPStatus},
		{"redirect loop", fixture.URL + "/loop", browser.NavOptions{}, browser.FailRedirectLoop},
		{"no answer", fixture.URL + "/hang", browser.NavOptions{Window: 3 * time.Second}, browser.FailTimeout},
		{"navigation loop", fixture.URL + "/?navloop=1", browser.NavOptions{}, browser.FailNavLoop},
		{"script never yields", fixture.URL + "/?fcp=100&jsloop=300", browser.NavOptions{Window: 3 * time.Second}, browser.FailTimeout},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := visit(t, c.url, c.o)
			if o.Failure != c.want {
				t.Errorf("failure %q (%s), want %q (ended %s after %s, %d navigations, milestones %v)", o.Failure, o.Detail, c.want, o.Ended, o.wall, o.Navigations, o.Milestones)
			}
			if o.Failure == browser.FailInternal {
				t.Errorf("a broken site was blamed on the monitor")
			}
		})
	}
	if t.Failed() {
		return
	}
	// The browser survived all of that.
	if o := visit(t, fixture.URL+"/?fcp=100", browser.NavOptions{}); o.Failure != browser.FailNone {
		t.Errorf("after the failures a good page fails with %q", o.Failure)
	}
}

func TestErrorPagesStillGetTheirTimeline(t *testing.T) {
	o := visit(t, fixture.URL+"/?status=503&fcp=300", browser.NavOptions{})
	if o.Status != 503 || o.Failure != browser.FailHTTPStatus {
		t.Fatalf("status %d failure %q", o.Status, o.Failure)
	}
	if _, ok := o.Milestones[browser.FirstContentfulPaint]; !ok {
		t.Errorf("no first contentful paint on the error page: %v (ended %s after %s)", o.Milestones, o.Ended, o.wall)
	}
}

func TestDialogsAreDismissedAndRecorded(t *testing.T) {
	for _, kind := range []string{"alert", "confirm", "loop"} {
		t.Run(kind, func(t *testing.T) {
			o := visit(t, fixture.URL+"/?fcp=100&lcp=600&dialog="+kind, browser.NavOptions{Window: 10 * time.Second})
			if len(o.Dialogs) == 0 {
				t.Fatal("no dialog recorded")
			}
			if kind == "loop" {
				// A dialog loop is the page's failure, found long before the window ends.
				if o.Failure != browser.FailDialog || o.Ended != "failure" {
					t.Errorf("dialog loop: failure %q, ended %q; want dialog, failure", o.Failure, o.Ended)
				}
				return
			}
			// The dialog did not stall the page: the hero after it painted.
			if _, ok := o.Milestones[browser.LargestContentfulPaint]; !ok {
				t.Errorf("no LCP after the dialog: %v (failure %q %s)", o.Milestones, o.Failure, o.Detail)
			}
			if o.Ended != "quiet" {
				t.Errorf("ended %q: a dialog must not stall the visit", o.Ended)
			}
		})
	}
}

func TestALoadThatNeverEndsEndsWithTheWindow(t *testing.T) {
	o := visit(t, fixture.URL+"/?fcp=100&never=1", browser.NavOptions{Window: 3 * time.Second})
	if o.Ended != "window" {
		t.Errorf("ended %q, want window", o.Ended)
	}
	if _, ok := o.Milestones[browser.Load]; ok {
		t.Errorf("a load milestone on a page that never finished loading")
	}
	if _, ok := o.Milestones[browser.FirstContentfulPaint]; !ok {
		t.Errorf("no first contentful paint: %v", o.Milestones)
	}
}

func TestVisitsAreMarkedSynthetic(t *testing.T) {
	before := fixture.Stats().SyntheticSeen.Load()
	visit(t, fixture.URL+"/?fcp=100&lcp=300&lcpimg=1&chat=same&chatui=100", browser.NavOptions{})
	// Documents carry the header: the page and its chat iframe.
	if got := fixture.Stats().SyntheticSeen.Load() - before; got != 2 {
		t.Errorf("%d marked document requests, want 2 (the page and the chat iframe)", got)
	}
	var marked bool
	fixture.Stats().UserAgents.Range(func(k, _ any) bool {
		ua := k.(string)
		if len(ua) > 0 && !contains(ua, "Headless") && contains(ua, "touchprobe-test") {
			marked = true
		}
		return true
	})
	if !marked {
		t.Error("no request carried a User-Agent with the marker and without Headless")
	}
}

func contains(s, sub string) bool { return len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0) }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
