package browser_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// A supervisor of the test's own, so that killing it spares the others.
func ownSupervisor(t *testing.T, o browser.Options) *browser.Supervisor {
	t.Helper()
	o.UserAgentMarker = "touchprobe-test"
	s := browser.NewSupervisor(o)
	t.Cleanup(func() { s.Close() })
	return s
}

// gone fails unless process group pgid has no live process left.
func gone(t *testing.T, pgid int) {
	t.Helper()
	if st := browser.WaitGroupGone(pgid, 5*time.Second); st.Count > 0 {
		t.Errorf("process group %d still has %d processes", pgid, st.Count)
	}
}

func TestAKilledBrowserIsTheMonitorsFailureAndIsReplaced(t *testing.T) {
	s := ownSupervisor(t, browser.Options{Spares: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sess, err := s.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := s.ProcessGroup()
	if err := sess.Navigate(ctx, fixture.URL+"/?fcp=100&lcp=6000", browser.NavOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	s.Kill() // Chromium dies in the middle of the visit
	<-sess.Settled()
	tl := sess.Timeline(ctx)
	sess.Close()
	if tl.Failure != browser.FailInternal {
		t.Errorf("failure %q (%s), want internal: the site did nothing wrong", tl.Failure, tl.Detail)
	}
	// The next visit gets a fresh browser and succeeds.
	o := visitWith(t, s, fixture.URL+"/?fcp=100", browser.NavOptions{})
	if o.Failure != browser.FailNone {
		t.Errorf("the visit after the crash failed: %q %s", o.Failure, o.Detail)
	}
	if s.Restarts() != 1 {
		t.Errorf("restarts = %d, want 1", s.Restarts())
	}
	if s.ProcessGroup() == first {
		t.Error("the dead browser was reused")
	}
	gone(t, first)
}

func TestARendererCrashIsThePagesFailure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sess, err := sup.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.Navigate(ctx, fixture.URL+"/?fcp=100&lcp=5000", browser.NavOptions{}); err != nil {
		t.Fatal(err)
	}
	// What a page that exhausts its renderer looks like from here.
	// Page.crash gets no answer from a dead renderer: bound the call.
	cctx, ccancel := sess.Bound(ctx, 2*time.Second)
	_, _ = chromedp.Call(cctx, page.Crash, cdp.Empty{})
	ccancel()
	<-sess.Settled()
	if tl := sess.Timeline(ctx); tl.Failure != browser.FailBrowserCrash {
		t.Errorf("failure %q (%s), want browser_crash", tl.Failure, tl.Detail)
	}
	// The browser itself lives on.
	if o := visit(t, fixture.URL+"/?fcp=100", browser.NavOptions{}); o.Failure != browser.FailNone {
		t.Errorf("after a renderer crash: %q", o.Failure)
	}
}

func TestTheBrowserIsRecycledAfterItsVisits(t *testing.T) {
	s := ownSupervisor(t, browser.Options{RecycleAfterVisits: 3})
	var groups []int
	for i := 0; i < 4; i++ {
		if o := visitWith(t, s, fixture.URL+"/?fcp=50", browser.NavOptions{}); o.Failure != browser.FailNone {
			t.Fatalf("visit %d: %q", i, o.Failure)
		}
		groups = append(groups, s.ProcessGroup())
	}
	if s.Recycles() != 1 || s.Restarts() != 0 {
		t.Errorf("recycles %d restarts %d, want 1 and 0", s.Recycles(), s.Restarts())
	}
	if groups[2] != groups[0] || groups[3] == groups[0] {
		t.Errorf("process groups per visit %v: want the same for 3 visits, then a new one", groups)
	}
	gone(t, groups[0])
}

func TestNothingIsLeftAfterClose(t *testing.T) {
	s := browser.NewSupervisor(browser.Options{Spares: 2})
	for i := 0; i < 5; i++ {
		visitWith(t, s, fixture.URL+"/?fcp=50&chat=cross&chatui=50", browser.NavOptions{})
	}
	pgid := s.ProcessGroup()
	st := browser.GroupStats(pgid)
	if st.Count < 3 {
		t.Fatalf("only %d Chromium processes while running: the accounting is wrong", st.Count)
	}
	// Five visits' renderers have come and gone; their CPU time stays in
	// the group's account (reaped children), and it is real work.
	if st.CPUSeconds < 0.1 {
		t.Errorf("the group used %.2f s of CPU over five visits: the accounting is wrong", st.CPUSeconds)
	}
	profiles, _ := filepath.Glob(filepath.Join(os.TempDir(), "touchprobe-chromium", "profile-*"))
	s.Close()
	gone(t, pgid)
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "touchprobe-chromium", "profile-*"))
	if len(after) >= len(profiles) {
		t.Errorf("profiles before close %v, after %v: the closed browser's profile stayed", profiles, after)
	}
	if _, err := s.Session(context.Background()); err != browser.ErrClosed {
		t.Errorf("a session after Close: %v, want ErrClosed", err)
	}
}
