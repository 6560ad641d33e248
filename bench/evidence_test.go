package bench

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// evidenceVisit is one page visit with (or without) the evidence, and the
// fixture's marks.
type evidenceVisit struct {
	wall  time.Duration
	ev    browser.Evidence
	tl    browser.Timeline
	marks map[string]float64
}

func visitEvidence(t *testing.T, s *browser.Supervisor, url string, noEvidence bool) evidenceVisit {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	start := time.Now()
	sess, err := s.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.Navigate(ctx, url, browser.NavOptions{NoEvidence: noEvidence}); err != nil {
		t.Fatal(err)
	}
	<-sess.Settled()
	v := evidenceVisit{tl: sess.Timeline(ctx)}
	v.ev = sess.Evidence(ctx)
	v.wall = time.Since(start)
	mctx, mcancel := sess.Bound(ctx, 2*time.Second)
	v.marks, _ = chromedp.Run(mctx, chromedp.Evaluate[map[string]float64](
		`Object.fromEntries(performance.getEntriesByType('mark').filter(m => m.name.startsWith('fx-')).map(m => [m.name.slice(3), m.startTime / 1000]))`))
	mcancel()
	return v
}

// TestBenchEvidence measures (1) how close the evidence's times come to
// the evidence page's own marks, (2) what recording the evidence costs a
// visit, as a ratio of wall times measured in one run, and (3) the memory
// the daemon holds for the evidence of 1,000 targets (the newest and the
// newest non-pleasant visit of each). TOUCHPROBE_BENCH=N visits.
func TestBenchEvidence(t *testing.T) {
	n := size(t, 10)
	fx, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	s := browser.NewSupervisor(browser.Options{UserAgentMarker: "touchprobe-bench", Spares: 1})
	defer s.Close()

	// (1) Accuracy against the page's marks.
	url := fx.URL + "/fx/evidence?tpdelay=1000&errorat=1500&throwat=1800&longtasks=3&longtask=200&longtaskat=2000"
	var errConsole, errExcept, errTag, errTBT, errParts []float64
	var last browser.Evidence
	for i := 0; i < n; i++ {
		v := visitEvidence(t, s, url, false)
		last = v.ev
		msg := func(list []browser.Message, text string) float64 {
			for _, m := range list {
				if strings.Contains(m.Message, text) {
					return m.At
				}
			}
			return math.NaN()
		}
		errConsole = append(errConsole, (msg(v.ev.ConsoleErrors, "console.error at")-v.marks["console-error"])*1000)
		errExcept = append(errExcept, (msg(v.ev.Exceptions, "uncaught exception at")-v.marks["exception"])*1000)
		for _, q := range v.ev.Requests {
			if strings.Contains(q.URL, "/fx/tp.js") {
				errTag = append(errTag, (q.End-v.marks["thirdparty-run"])*1000)
			}
		}
		tbt := 0.0
		for k := 0; k < 3; k++ {
			tbt += v.marks[fmt.Sprintf("longtask-%d-end", k)] - v.marks[fmt.Sprintf("longtask-%d-start", k)] - 0.05
		}
		errTBT = append(errTBT, (v.ev.LongTasks.TotalBlockingSeconds-tbt)*1000)
		if l := v.ev.LCP; l != nil {
			errParts = append(errParts, (l.TTFBSeconds+l.LoadDelaySeconds+l.LoadSeconds+l.RenderDelaySeconds-v.tl.Milestones[browser.LargestContentfulPaint])*1000)
		}
	}
	line := func(name string, xs []float64, truth string) {
		fmt.Printf("BENCH evidence error %-34s median %+6.0f ms  max |%4.0f| ms  (%d visits; truth: %s)\n", name, median(xs), maxAbs(xs), len(xs), truth)
	}
	line("console error time", errConsole, "mark fx-console-error")
	line("exception time", errExcept, "mark fx-exception")
	line("third-party script end", errTag, "mark fx-thirdparty-run (the script ran)")
	line("total blocking time", errTBT, "sum of (task - 50 ms) from the long-task marks")
	line("LCP parts sum - LCP", errParts, "the timeline's LCP")

	// (2) Cost: the same pages with and without recording, alternated so
	// that the machine's load falls on both alike.
	for _, page := range []string{page, "/fx/evidence"} {
		var with, without []float64
		for i := 0; i < n; i++ {
			with = append(with, float64(visitEvidence(t, s, fx.URL+page, false).wall.Milliseconds()))
			without = append(without, float64(visitEvidence(t, s, fx.URL+page, true).wall.Milliseconds()))
		}
		fmt.Printf("BENCH evidence cost %-22s wall median with %5.0f ms, without %5.0f ms: %+.1f %% (%d visits each)\n",
			page, median(with), median(without), 100*(median(with)/median(without)-1), n)
	}

	// (3) Memory: 1,000 targets, each holding two visits' evidence (the
	// newest and the newest non-pleasant), copied so that no string is
	// shared, the way 2,000 real visits would hold them. The evidence is
	// a real theme page's (a Start Bootstrap theme with its scripts,
	// styles, fonts and pictures).
	last = visitEvidence(t, s, fx.URL+"/3p/theme", false).ev
	for _, packed := range []bool{false, true} {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		held := make([]*checks.Diagnosis, 0, 2000)
		for i := 0; i < 2000; i++ {
			d := &checks.Diagnosis{Evidence: copyEvidence(last, i), Causes: []string{fmt.Sprintf("cause %d of the visit", i)}}
			if packed {
				d = d.Pack()
			}
			held = append(held, d)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		total := float64(after.HeapAlloc) - float64(before.HeapAlloc)
		per := total / float64(len(held))
		how := "as built"
		if packed {
			how = "packed, as the daemon keeps them"
		}
		fmt.Printf("BENCH evidence memory (%s): %d requests per visit (/3p/theme); 1,000 targets x 2 visits hold %.1f MiB (%.2f KiB per visit, %.0f B per request)\n",
			how, len(last.Requests), total/(1<<20), per/1024, per/float64(max(1, len(last.Requests))))
		runtime.KeepAlive(held)
	}
}

// copyEvidence is a deep copy with strings of their own (salted with i).
func copyEvidence(ev browser.Evidence, i int) browser.Evidence {
	own := func(s string) string { return strings.Clone(s + fmt.Sprint(i%10)) }
	out := ev
	out.Requests = make([]browser.Request, len(ev.Requests))
	for k, q := range ev.Requests {
		q.URL, q.Host, q.MIME, q.Failure = own(q.URL), own(q.Host), own(q.MIME), own(q.Failure)
		out.Requests[k] = q
	}
	out.ConsoleErrors = append([]browser.Message(nil), ev.ConsoleErrors...)
	for k := range out.ConsoleErrors {
		out.ConsoleErrors[k].Message = own(out.ConsoleErrors[k].Message)
	}
	out.Exceptions = append([]browser.Message(nil), ev.Exceptions...)
	for k := range out.Exceptions {
		out.Exceptions[k].Message = own(out.Exceptions[k].Message)
	}
	if ev.LCP != nil {
		l := *ev.LCP
		l.URL, l.Element = own(l.URL), own(l.Element)
		out.LCP = &l
	}
	return out
}
