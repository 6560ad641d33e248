package probe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/promtest"
	"github.com/touchprobe/touchprobe/probe/config"
)

// fakeVisits answers visits from the URL's query: verdict=, fcp= (seconds),
// chat=1 adds a chat touchpoint; it records every plan it got.
type fakeVisits struct {
	mu    sync.Mutex
	plans []checks.Plan
	at    []time.Time
	// verdict overrides the URL's verdict for a target while set.
	verdict map[string]checks.Verdict
}

func (f *fakeVisits) visit(ctx context.Context, _ checks.Sessions, p checks.Plan) checks.Result {
	f.mu.Lock()
	f.plans = append(f.plans, p)
	f.at = append(f.at, time.Now())
	v, override := f.verdict[p.Target]
	f.mu.Unlock()
	u, _ := url.Parse(p.URL)
	q := u.Query()
	if !override {
		v = checks.Verdict(q.Get("verdict"))
	}
	if v == "" {
		v = checks.Pleasant
	}
	fcp, _ := strconv.ParseFloat(q.Get("fcp"), 64)
	res := checks.Result{
		Target: p.Target, URL: p.URL, Visitor: p.Visitor, Verdict: v, Success: v == checks.Pleasant || v == checks.Indifferent,
		StartedAt: time.Now(), DurationSeconds: 0.5,
		Milestones:  map[string]float64{checks.MilestoneFCP: fcp, checks.MilestoneTTFB: 0.1},
		Touchpoints: map[string]checks.Touchpoint{checks.TouchPage: {Up: v != checks.Problematic, Checked: true}},
	}
	if q.Get("chat") != "" {
		rs := 2.5
		res.Touchpoints[checks.TouchChat] = checks.Touchpoint{Up: true, Checked: true, ResponseSeconds: &rs}
	}
	switch v {
	case checks.Problematic:
		res.Reasons = []checks.Reason{{Code: checks.ReasonHTTPStatus, Failure: true, Touchpoint: checks.TouchPage}}
		res.Touchpoints[checks.TouchPage] = checks.Touchpoint{Up: false, Reason: checks.ReasonHTTPStatus, Checked: true}
	case checks.VerdictUnknown:
		res.Reasons = []checks.Reason{{Code: checks.ReasonInternal, Failure: true}}
	}
	return res
}

// firstVisits is when each target's first visit began.
func (f *fakeVisits) firstVisits() map[string]time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	first := map[string]time.Time{}
	for i, p := range f.plans {
		if _, ok := first[p.Target]; !ok {
			first[p.Target] = f.at[i]
		}
	}
	return first
}

func (f *fakeVisits) count(target string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, p := range f.plans {
		if p.Target == target {
			n++
		}
	}
	return n
}

func writeConfig(t *testing.T, path, yaml string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startFake runs a daemon on a config file with fake visits, each target's
// first visit within 50 ms.
func startFake(t *testing.T, yaml string) (*Daemon, *fakeVisits, string) {
	t.Helper()
	return startFakeWith(t, yaml, Options{MaxFirstOffset: 50 * time.Millisecond})
}

// startFakeWith is startFake with opts (their Visit and ConfigFile are set here).
func startFakeWith(t *testing.T, yaml string, opts Options) (*Daemon, *fakeVisits, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "touchprobe.yml")
	writeConfig(t, file, yaml)
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeVisits{verdict: map[string]checks.Verdict{}}
	opts.ConfigFile, opts.Visit = file, f.visit
	d, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("Run did not return within 15s of cancel")
		}
	})
	return d, f, file
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func scrape(t *testing.T, d *Daemon) string {
	t.Helper()
	mfs, err := d.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "touchprobe_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			b.WriteString(mf.GetName() + "{")
			for _, l := range m.GetLabel() {
				b.WriteString(l.GetName() + "=" + strconv.Quote(l.GetValue()) + ",")
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue() + float64(m.GetHistogram().GetSampleCount())
			b.WriteString("} " + strconv.FormatFloat(v, 'g', -1, 64) + "\n")
		}
	}
	return b.String()
}

const twoTargets = `
global:
  interval: 1h
  location: lab
targets:
  - name: good
    url: "http://127.0.0.1:1/?verdict=pleasant&fcp=0.8"
    labels: {team: web}
  - name: bad
    url: "http://127.0.0.1:1/?verdict=problematic&fcp=3"
`

func TestMetricsFromState(t *testing.T) {
	d, f, _ := startFake(t, twoTargets)
	waitUntil(t, "a visit of each", func() bool { return f.count("good") >= 1 && f.count("bad") >= 1 })
	waitUntil(t, "both recorded", func() bool { return strings.Count(scrape(t, d), "touchprobe_visit_success{") == 2 })
	s := scrape(t, d)
	for _, want := range []string{
		`touchprobe_visit_success{location="lab",target="good",visitor="desktop",} 1`,
		`touchprobe_visit_success{location="lab",target="bad",visitor="desktop",} 0`,
		`touchprobe_verdict{location="lab",target="bad",verdict="problematic",visitor="desktop",} 1`,
		`touchprobe_verdict{location="lab",target="bad",verdict="pleasant",visitor="desktop",} 0`,
		`touchprobe_milestone_seconds{location="lab",milestone="first_contentful_paint",target="good",visitor="desktop",} 0.8`,
		`touchprobe_touchpoint_up{location="lab",target="bad",touchpoint="page",visitor="desktop",} 0`,
		`touchprobe_visits_total{location="lab",target="good",verdict="pleasant",visitor="desktop",} 1`,
		`touchprobe_visits_total{location="lab",target="good",verdict="unknown",visitor="desktop",} 0`,
		`touchprobe_visit_failures_total{location="lab",reason="http_status",target="bad",visitor="desktop",} 1`,
		`touchprobe_target_info{location="lab",target="good",team="web",url="http://127.0.0.1:1/?verdict=pleasant&fcp=0.8",} 1`,
		`touchprobe_target_info{location="lab",target="bad",team="",`,
		`touchprobe_target_rechecking{location="lab",target="bad",visitor="desktop",} 1`,
		`touchprobe_targets{} 2`,
		`touchprobe_milestone_duration_seconds{milestone="first_contentful_paint",} 2`,
		`touchprobe_config_last_reload_successful{} 1`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("scrape lacks %s\n%s", want, s)
		}
	}
	if problems, err := testutil.GatherAndLint(d.Gatherer()); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
	if problems, err := testutil.CollectAndLint(collector{d}); err != nil || len(problems) > 0 {
		t.Errorf("lint of the monitor's collector: %v %v", problems, err)
	}
}

func TestReloadKeepsOldOnErrorAndDropsRemovedTargets(t *testing.T) {
	d, f, file := startFake(t, twoTargets)
	waitUntil(t, "both recorded", func() bool { return strings.Count(scrape(t, d), "touchprobe_visit_success{") == 2 })

	writeConfig(t, file, "global:\n  interval: nonsense\ntargets: []\n")
	if err := d.Reload(); err == nil || !strings.Contains(err.Error(), "interval") {
		t.Fatalf("bad config reload: err = %v, want one naming interval", err)
	}
	s := scrape(t, d)
	for _, want := range []string{`touchprobe_config_last_reload_successful{} 0`, `touchprobe_config_reloads_total{result="failure",} 1`, `touchprobe_targets{} 2`, `target="bad"`} {
		if !strings.Contains(s, want) {
			t.Errorf("after a bad reload, scrape lacks %s", want)
		}
	}

	writeConfig(t, file, strings.Replace(twoTargets, "  - name: bad\n    url: \"http://127.0.0.1:1/?verdict=problematic&fcp=3\"\n",
		"  - name: new\n    url: \"http://127.0.0.1:1/?verdict=indifferent&fcp=2\"\n", 1))
	if err := d.Reload(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the new target visited", func() bool { return f.count("new") >= 1 })
	waitUntil(t, "the new target recorded", func() bool {
		return strings.Contains(scrape(t, d), `touchprobe_visit_success{location="lab",target="new",visitor="desktop",} 1`)
	})
	s = scrape(t, d)
	if strings.Contains(s, `target="bad"`) {
		t.Errorf("a removed target left series:\n%s", s)
	}
	for _, want := range []string{`touchprobe_config_last_reload_successful{} 1`, `touchprobe_targets{} 2`, `touchprobe_visits_total{location="lab",target="good",verdict="pleasant",visitor="desktop",} 1`} {
		if !strings.Contains(s, want) {
			t.Errorf("after a good reload, scrape lacks %s\n%s", want, s)
		}
	}
	if got := len(d.Snapshot()); got != 2 {
		t.Errorf("Snapshot has %d targets, want 2", got)
	}
}

func TestRecheckUntilRecovered(t *testing.T) {
	d, f, _ := startFake(t, `
global:
  interval: 1h
  recheck_after: 100ms
targets:
  - name: flaky
    url: "http://127.0.0.1:1/?fcp=1"
`)
	f.mu.Lock()
	f.verdict["flaky"] = checks.Problematic
	f.mu.Unlock()
	waitUntil(t, "three re-checks", func() bool { return f.count("flaky") >= 4 })
	if st := d.Snapshot()[0]; !st.Rechecking || st.Last.Verdict != checks.Problematic {
		t.Errorf("while problematic: Rechecking=%v verdict=%v", st.Rechecking, st.Last.Verdict)
	}
	f.mu.Lock()
	delete(f.verdict, "flaky")
	f.mu.Unlock()
	waitUntil(t, "recovery", func() bool { st := d.Snapshot()[0]; return st.Last.Verdict == checks.Pleasant })
	n := f.count("flaky")
	time.Sleep(500 * time.Millisecond) // five re-check periods: none may come
	if got := f.count("flaky"); got != n {
		t.Errorf("after recovery: %d more visits within 500ms, want none (back to the 1h interval)", got-n)
	}
	st := d.Snapshot()[0]
	if st.Rechecking || time.Until(st.NextVisit) < 50*time.Minute {
		t.Errorf("after recovery: Rechecking=%v next in %v, want false and about 1h", st.Rechecking, time.Until(st.NextVisit))
	}
	if len(st.History) < 5 || st.History[0].Verdict != checks.Pleasant {
		t.Errorf("history: %d entries, newest %v", len(st.History), st.History[0].Verdict)
	}
}

func TestChatSendsAtItsOwnPace(t *testing.T) {
	_, f, _ := startFake(t, `
global:
  interval: 100ms
targets:
  - name: chatty
    url: "http://127.0.0.1:1/?chat=1"
    chat: {send: true, interval: 1h}
  - name: quiet
    url: "http://127.0.0.1:1/?chat=1"
    chat: {send: false}
`)
	waitUntil(t, "five visits each", func() bool { return f.count("chatty") >= 5 && f.count("quiet") >= 5 })
	f.mu.Lock()
	defer f.mu.Unlock()
	sent := map[string]int{}
	for _, p := range f.plans {
		if p.Chat.Send {
			sent[p.Target]++
		}
	}
	if sent["chatty"] != 1 || sent["quiet"] != 0 {
		t.Errorf("chat messages planned: %v; want chatty 1 (first visit, then its 1h pace), quiet 0", sent)
	}
}

func TestDeniedTargetIsNotVisited(t *testing.T) {
	d, f, _ := startFake(t, `
global:
  interval: 1h
  deny_networks: [127.0.0.0/8]
targets:
  - name: inside
    url: "http://localhost:1/"
`)
	waitUntil(t, "a recorded result", func() bool { return len(d.Snapshot()[0].History) == 1 })
	if n := f.count("inside"); n != 0 {
		t.Errorf("denied target visited %d times", n)
	}
	res := d.Snapshot()[0].Last
	if res.Verdict != checks.Problematic || len(res.Failures()) != 1 || res.Failures()[0] != checks.ReasonBlocked {
		t.Errorf("denied target result: %v %v", res.Verdict, res.Failures())
	}
	if s := scrape(t, d); !strings.Contains(s, `touchprobe_visit_failures_total{location="",reason="blocked",target="inside",visitor="desktop",} 1`) {
		t.Errorf("blocked not counted:\n%s", s)
	}
}

func TestProbeNowConfiguredNamesOnly(t *testing.T) {
	d, _, _ := startFake(t, twoTargets)
	if _, err := d.ProbeNow(context.Background(), "http://evil.example/", ""); err == nil || !strings.Contains(err.Error(), ErrUnknownTarget.Error()) {
		t.Errorf("unknown target: err = %v", err)
	}
	if _, err := d.ProbeNow(context.Background(), "good", "robot"); !errors.Is(err, ErrUnknownTarget) {
		t.Errorf("a visitor the target is not visited as: err = %v, want ErrUnknownTarget", err)
	}
	res, err := d.ProbeNow(context.Background(), "good", "")
	if err != nil || res.Verdict != checks.Pleasant || res.Visitor != checks.DefaultVisitor {
		t.Fatalf("ProbeNow(good) = %v as %q, %v; want pleasant as %s", res.Verdict, res.Visitor, err, checks.DefaultVisitor)
	}
	reg := resultRegistry(res, "lab")
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
	n, _ := testutil.GatherAndCount(reg, "touchprobe_visit_success")
	if n != 1 {
		t.Errorf("/probe registry has %d touchprobe_visit_success series, want 1", n)
	}
}

// TestFirstVisitsAreSpread: a starting daemon does not visit every target
// at once but spreads the first visits over the interval. The visits record
// when they began; 40 targets' first visits fall into each quarter of the
// interval after the start (all in one quarter by chance: 4·(3/4)^40, about
// 4e-5), and none comes later than the interval and a quarter: the offset is
// below the interval, and a quarter is slack for a slow machine.
func TestFirstVisitsAreSpread(t *testing.T) {
	const targets, interval = 40, 4 * time.Second
	var y strings.Builder
	fmt.Fprintf(&y, "global:\n  interval: %v\ntargets:\n", interval)
	for i := range targets {
		fmt.Fprintf(&y, "  - {name: t%d, url: \"http://127.0.0.1:1/\"}\n", i)
	}
	start := time.Now()
	// No MaxFirstOffset: the interval bounds the first visit's offset.
	_, f, _ := startFakeWith(t, y.String(), Options{})
	waitUntil(t, "every first visit", func() bool { return len(f.firstVisits()) == targets })

	perQuarter := make([]int, 5) // the fifth: later than the interval
	for _, at := range f.firstVisits() {
		q := int(at.Sub(start) * 4 / interval)
		perQuarter[min(q, 4)]++
		if at.Sub(start) > interval+interval/4 {
			t.Errorf("a first visit %v after the start, later than the %v interval", at.Sub(start), interval)
		}
	}
	t.Logf("first visits per quarter of the interval (and after it): %v", perQuarter)
	for q, n := range perQuarter[:4] {
		if n == 0 {
			t.Errorf("no first visit in quarter %d of the interval: %v", q+1, perQuarter)
		}
	}
}

func TestHistoryKeepsFailuresLonger(t *testing.T) {
	var h []checks.Result
	h = addHistory(h, checks.Result{Verdict: checks.Problematic, Success: false}, 3)
	for range 10 {
		h = addHistory(h, checks.Result{Verdict: checks.Pleasant, Success: true}, 3)
	}
	if len(h) != 4 || h[3].Verdict != checks.Problematic {
		t.Errorf("history = %d entries, last %v; want 3 successes and the failure", len(h), h[len(h)-1].Verdict)
	}
}

// TestPromtoolCheckMetrics lints a real /metrics scrape with promtool.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool := promtest.Promtool(t)
	d, _, _ := startFake(t, twoTargets)
	waitUntil(t, "both recorded", func() bool { return strings.Count(scrape(t, d), "touchprobe_visit_success{") == 2 })
	srv := httptest.NewServer(promhttp.HandlerFor(d.Gatherer(), promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte("touchprobe_verdict{")) {
		t.Fatalf("scrape has no touchprobe_verdict:\n%s", body)
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestShardsCoverEveryTargetOnce: the -shard flag (Options.Shard) splits the
// config's targets; n daemons take every target exactly once.
func TestShardsCoverEveryTargetOnce(t *testing.T) {
	var y strings.Builder
	y.WriteString("global:\n  interval: 1h\ntargets:\n")
	for i := range 40 {
		y.WriteString("  - {name: t" + strconv.Itoa(i) + ", url: \"http://127.0.0.1:1/\"}\n")
	}
	seen := map[string]int{}
	for i := range 3 {
		cfg, err := config.Parse("shard.yml", []byte(y.String()))
		if err != nil {
			t.Fatal(err)
		}
		d, err := New(cfg, Options{Shard: strconv.Itoa(i) + "/3"})
		if err != nil {
			t.Fatal(err)
		}
		st := d.Snapshot()
		if len(st) == 0 || len(st) == 40 {
			t.Errorf("shard %d/3 takes %d of 40 targets", i, len(st))
		}
		for _, s := range st {
			seen[s.Name]++
		}
	}
	if len(seen) != 40 {
		t.Errorf("3 shards cover %d of 40 targets", len(seen))
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("%s taken by %d shards", n, c)
		}
	}
	cfg, _ := config.Parse("shard.yml", []byte(y.String()))
	if _, err := New(cfg, Options{Shard: "3/3"}); err == nil {
		t.Error("-shard 3/3 accepted")
	}
}

// TestBrowserOptions: global.browser reaches the supervisor (remote_url,
// recycling), with one spare context and TOUCHPROBE_CHROMIUM_FLAGS added.
func TestBrowserOptions(t *testing.T) {
	t.Setenv("TOUCHPROBE_CHROMIUM_FLAGS", "--disable-gpu --lang=de")
	cfg, err := config.Parse("b.yml", []byte(`global:
  browser:
    remote_url: ws://127.0.0.1:9222/devtools/browser/x
    recycle_after_visits: 7
targets:
  - {name: a, url: "http://127.0.0.1:1/"}
`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := d.sup.opts
	if o.RemoteURL != "ws://127.0.0.1:9222/devtools/browser/x" || o.ExecPath != "" || o.RecycleAfterVisits != 7 || o.Spares != 1 {
		t.Errorf("browser options = %+v", o)
	}
	if o.Flags["disable-gpu"] != true || o.Flags["lang"] != "de" {
		t.Errorf("flags from TOUCHPROBE_CHROMIUM_FLAGS: %v", o.Flags)
	}
}

// TestATargetIsVisitedAsEachOfItsVisitors: visitors [desktop, mobile]
// make two schedules of one target, each a fresh visitor: the phone's
// plan carries Lighthouse's profile, the series carry the visitor, and
// touchprobe_target_info stays one per target.
func TestATargetIsVisitedAsEachOfItsVisitors(t *testing.T) {
	d, f, _ := startFake(t, `
global:
  interval: 1h
  location: lab
targets:
  - name: shop
    url: "http://127.0.0.1:1/?verdict=pleasant&fcp=0.8"
    visitors: [desktop, mobile]
`)
	waitUntil(t, "a visit as each", func() bool { return f.count("shop") >= 2 })
	f.mu.Lock()
	seen := map[string]bool{}
	for _, p := range f.plans {
		seen[p.Visitor] = true
		if p.Visitor == "mobile" && (p.Profile == nil || p.Profile.Width != 412 || !p.Profile.Touch) {
			t.Errorf("the mobile visit's profile %+v, want Lighthouse's phone", p.Profile)
		}
	}
	f.mu.Unlock()
	if !seen["desktop"] || !seen["mobile"] {
		t.Fatalf("visited as %v, want desktop and mobile", seen)
	}
	if st := d.Snapshot(); len(st) != 2 || st[0].Visitor != "desktop" || st[1].Visitor != "mobile" {
		t.Errorf("snapshot %d states, want desktop then mobile", len(st))
	}
	waitUntil(t, "both recorded", func() bool { return strings.Count(scrape(t, d), "touchprobe_visit_success{") == 2 })
	s := scrape(t, d)
	for _, want := range []string{`touchprobe_visit_success{location="lab",target="shop",visitor="desktop",} 1`, `touchprobe_visit_success{location="lab",target="shop",visitor="mobile",} 1`} {
		if !strings.Contains(s, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if n := strings.Count(s, "touchprobe_target_info{"); n != 1 {
		t.Errorf("%d touchprobe_target_info series, want one per target", n)
	}
	if problems, err := testutil.GatherAndLint(d.Gatherer()); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}
