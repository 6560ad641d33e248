package probe_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/daemontest"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// TestCrashOfTheBrowserMidVisitIsTheMonitorsFailure: Chromium's whole
// process group is killed in the middle of a daemon's visit. The visit ends
// as the monitor's failure (verdict unknown, reason internal), which leaves
// touchprobe_visit_success at the last conclusive value, counts a browser
// restart and an internal error, and the next visit succeeds.
func TestCrashOfTheBrowserMidVisitIsTheMonitorsFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: browser crash: real Chromium")
	}
	fx, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	// The hero comes at 4 s: a visit lasts long enough to be killed in.
	// After the killed visit the target is re-checked 2 s later.
	d := daemontest.Start(t, "crash.yml", fmt.Sprintf(`global:
  interval: 8s
  recheck_after: 2s
  timeout: 25s
  window: 20s
  concurrency: 1
  location: crash-lab
targets:
  - name: slow
    url: %q
    phone: true
`, fx.URL+"/?fcp=100&lcp=4000&phone=1&email=1"), probe.Options{MaxFirstOffset: 500 * time.Millisecond, Version: "crash"})
	g := d.Gatherer()
	value := func(name string, labels map[string]string) float64 {
		v, _ := gatheredValue(t, g, name, labels)
		return v
	}
	slow := map[string]string{"target": "slow"}

	// 1. A first, conclusive visit: the site is fine.
	first := waitVisit(t, d.Daemon, time.Time{}, 90*time.Second)
	if !first.Success || first.Internal() {
		t.Fatalf("first visit: verdict %s reasons %v, want a success", first.Verdict, first.Reasons)
	}
	if v, ok := gatheredValue(t, g, "touchprobe_visit_success", slow); !ok || v != 1 {
		t.Fatalf("touchprobe_visit_success = %v (present %v) after a good visit, want 1", v, ok)
	}
	restarts0 := value("touchprobe_browser_restarts_total", nil)
	internal0 := value("touchprobe_internal_errors_total", map[string]string{"reason": "visit"})

	// 2. The next visit starts; kill the browser's process group in its middle.
	waitFor(t, "the second visit to start", 60*time.Second, func() bool { return snapshotOf(d.Daemon, "slow").Visiting })
	groups := browser.OwnBrowserGroups()
	if len(groups) != 1 {
		t.Fatalf("browser process groups of this test: %v, want exactly one", groups)
	}
	time.Sleep(time.Second) // the page is loading: its hero comes at 4 s
	if !snapshotOf(d.Daemon, "slow").Visiting {
		t.Fatal("the visit ended before the kill: the fixture page is too fast for this test")
	}
	if err := syscall.Kill(-groups[0], syscall.SIGKILL); err != nil {
		t.Fatalf("kill browser group %d: %v", groups[0], err)
	}
	killed := waitVisit(t, d.Daemon, first.StartedAt, 60*time.Second)
	if killed.Verdict != checks.VerdictUnknown || !killed.Internal() {
		t.Errorf("killed visit: verdict %s reasons %v, want unknown with reason internal", killed.Verdict, killed.Reasons)
	}
	if killed.Success {
		t.Error("the killed visit counts as a success: its verdict is unknown")
	}
	if v, ok := gatheredValue(t, g, "touchprobe_visit_success", slow); !ok || v != 1 {
		t.Errorf("touchprobe_visit_success = %v (present %v) after the monitor broke, want 1: a broken monitor is not the site down", v, ok)
	}
	if v := value("touchprobe_internal_errors_total", map[string]string{"reason": "visit"}); v <= internal0 {
		t.Errorf(`touchprobe_internal_errors_total{reason="visit"} = %v, was %v: the broken visit was not counted`, v, internal0)
	}
	if v := value("touchprobe_visit_failure", map[string]string{"target": "slow", "reason": "internal"}); v != 0 {
		t.Error(`touchprobe_visit_failure{reason="internal"} is set: the broken monitor shows as the site's failure`)
	}

	// 3. The re-check gets a new browser and succeeds.
	next := waitVisit(t, d.Daemon, killed.StartedAt, 90*time.Second)
	if !next.Success || next.Internal() {
		t.Errorf("the visit after the crash: verdict %s reasons %v, want a success", next.Verdict, next.Reasons)
	}
	if v := value("touchprobe_browser_restarts_total", nil); v <= restarts0 {
		t.Errorf("touchprobe_browser_restarts_total = %v, was %v: the dead browser's replacement was not counted", v, restarts0)
	}
	now := browser.OwnBrowserGroups()
	if len(now) != 1 || now[0] == groups[0] {
		t.Errorf("browser groups after the restart %v (killed %d): want one new browser", now, groups[0])
	}
	waitGroupGone(t, groups[0])

	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, pg := range now {
		waitGroupGone(t, pg)
	}
}

func snapshotOf(d *probe.Daemon, name string) probe.TargetState {
	for _, st := range d.Snapshot() {
		if st.Name == name {
			return st
		}
	}
	return probe.TargetState{}
}

// waitVisit waits for the only target's first visit started after since.
func waitVisit(t *testing.T, d *probe.Daemon, since time.Time, limit time.Duration) checks.Result {
	t.Helper()
	var res checks.Result
	waitFor(t, "a visit after "+since.Format(time.TimeOnly), limit, func() bool {
		st := d.Snapshot()
		if len(st) != 1 || st[0].Last == nil || !st[0].Last.StartedAt.After(since) {
			return false
		}
		res = *st[0].Last
		return true
	})
	return res
}

func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
