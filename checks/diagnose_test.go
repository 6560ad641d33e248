package checks_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// TestEvidenceNamesEveryCauseOfTheFixture visits the evidence page (a slow
// render-blocking third-party script, a 404 script, a console error, an
// uncaught exception, three long tasks, a heavy LCP picture) with promises
// it cannot keep: every cause is found, named and timed against the
// fixture's own knobs (internal/site/doc.go), and the top cause names the
// request that held the first paint. A page on a shared machine can only
// be late, never early: the test bounds are the truth and a second after
// it; how close the times come is the benchmark's (bench/evidence_test.go).
func TestEvidenceNamesEveryCauseOfTheFixture(t *testing.T) {
	const (
		tpDelay = 1.0 // the third party's script is held this long
		errorAt = 1.5
		throwAt = 1.8
		taskMS  = 200.0
		tasks   = 3
		early   = 0.02 // a page timer may fire a few ms early
		late    = 1.0
	)
	plan := checks.AutoPlan(fixture.URL + "/fx/evidence?tpdelay=1000&errorat=1500&throwat=1800&longtasks=3&longtask=200&longtaskat=2000")
	plan.Promises[checks.MilestoneFCP] = 500 * time.Millisecond
	plan.Promises[checks.MilestoneLCP] = 600 * time.Millisecond
	res := visitPlan(t, plan)
	d := res.Diagnosis
	if d == nil {
		t.Fatalf("no diagnosis: %+v", res)
	}
	req := func(path string) browser.Request {
		for _, q := range d.Requests {
			if strings.Contains(q.URL, path) {
				return q
			}
		}
		t.Fatalf("no request for %s among %d", path, len(d.Requests))
		return browser.Request{}
	}
	tp := req("/fx/tp.js")
	if tp.Party != "third" || !tp.RenderBlocking || tp.Host != site.BaseHost(fixture.ThirdPartyURL) {
		t.Errorf("tp.js %+v: want a render-blocking script of the third party %s", tp, fixture.ThirdPartyURL)
	}
	if took := tp.End - tp.Start; took < tpDelay || took > tpDelay+late {
		t.Errorf("tp.js took %.3f s, the server held it %.1f s", took, tpDelay)
	}
	if m := req("/fx/missing.js"); m.Status != 404 {
		t.Errorf("missing.js: status %d, want 404", m.Status)
	}
	if hero := req("/fx/heavy.png"); hero.Bytes < int64(site.HeavyPNGBytes()) {
		t.Errorf("heavy.png: %d bytes, the fixture's picture has %d", hero.Bytes, site.HeavyPNGBytes())
	}
	at := func(list []browser.Message, text string, want float64) {
		t.Helper()
		for _, m := range list {
			if strings.Contains(m.Message, text) {
				if m.At < want-early || m.At > want+late {
					t.Errorf("%q at %.3f s, the fixture's truth %.1f s", text, m.At, want)
				}
				return
			}
		}
		t.Errorf("no %q in %+v", text, list)
	}
	at(d.ConsoleErrors, "console.error at 1500 ms", errorAt)
	at(d.Exceptions, "uncaught exception at 1800 ms", throwAt)
	if lt := d.LongTasks; lt.Count != tasks || lt.TotalBlockingSeconds < tasks*(taskMS-50)/1000-early || lt.TotalBlockingSeconds > tasks*(taskMS-50)/1000+late {
		t.Errorf("long tasks %+v, want %d of %.0f ms: %.2f s of blocking", lt, tasks, taskMS, tasks*(taskMS-50)/1000)
	}
	if l := d.LCP; l == nil || l.Element != "img#hero-img" || !strings.Contains(l.URL, "/fx/heavy.png") {
		t.Errorf("LCP %+v, want the heavy picture", d.LCP)
	}
	if len(d.Causes) < 2 {
		t.Fatalf("causes %q, want the first paint's and the largest paint's", d.Causes)
	}
	if !strings.Contains(d.Causes[0], "first_contentful_paint") || !strings.Contains(d.Causes[0], "/fx/tp.js") || !strings.Contains(d.Causes[0], "third party") {
		t.Errorf("top cause %q, want the first paint held by the third party's tp.js", d.Causes[0])
	}
	lcpCause := ""
	for _, c := range d.Causes {
		if strings.HasPrefix(c, "largest_contentful_paint") {
			lcpCause = c
		}
	}
	if !strings.Contains(lcpCause, "img#hero-img") && !strings.Contains(lcpCause, "heavy.png") {
		t.Errorf("largest paint's cause %q, want it to name the picture", lcpCause)
	}
	t.Logf("causes: %q", d.Causes)
	// The text report says why, the top cause first.
	var text bytes.Buffer
	res.WriteText(&text)
	if why := strings.Index(text.String(), "\nWhy:\n  - "+d.Causes[0]); why < 0 {
		t.Errorf("the text report has no Why section starting with the top cause:\n%s", text.String())
	}
}
