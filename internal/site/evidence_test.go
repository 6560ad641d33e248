package site

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// pageLog collects what a tab's scripts said: console.error calls and
// uncaught exceptions.
type pageLog struct {
	mu         sync.Mutex
	errors     []string
	exceptions []string
}

func (l *pageLog) snapshot() (errs, exc []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errors...), append([]string(nil), l.exceptions...)
}

func listenLog(t *testing.T, ctx context.Context) *pageLog {
	t.Helper()
	l := &pageLog{}
	err := chromedp.Listen(ctx, func(ev any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError && len(ev.Args) > 0 {
				l.errors = append(l.errors, strings.Trim(string(ev.Args[0].Value), `"`))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			l.exceptions = append(l.exceptions, text)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// observeBeforeLoad installs, in every new document of the tab, observers
// that keep long tasks (window.__longtasks) and Event Timing entries
// (window.__events) for the test.
func observeBeforeLoad(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
window.__longtasks = []; window.__events = [];
new PerformanceObserver(l => l.getEntries().forEach(e => window.__longtasks.push({start: e.startTime, duration: e.duration}))).observe({type: 'longtask', buffered: true});
new PerformanceObserver(l => l.getEntries().forEach(e => window.__events.push({name: e.name, start: e.startTime, duration: e.duration, processing: e.processingEnd - e.processingStart, id: e.interactionId}))).observe({type: 'event', durationThreshold: 16, buffered: true});
`})
	if err != nil {
		t.Fatal(err)
	}
}

func TestEvidencePage(t *testing.T) {
	s := startSite(t)
	ctx := newTab(t, false, 60*time.Second)
	observeBeforeLoad(t, ctx)
	log := listenLog(t, ctx)
	navigate(t, ctx, s.URL+"/fx/evidence?tpdelay=1000&errorat=1500&throwat=1800&longtasks=3&longtask=200&longtaskat=2000")
	waitMark(t, ctx, "longtask-2-end", 15*time.Second)
	waitMark(t, ctx, "hero-loaded", 15*time.Second)
	m := marks(t, ctx)
	t.Logf("marks %v", m)

	// The third-party script: another site, held 1000 ms by the server,
	// render-blocking: nothing is painted before it ran.
	tp := eval[map[string]any](t, ctx, `(() => { const e = performance.getEntriesByType('resource').find(e => e.name.includes('/fx/tp.js'));
	  return {name: e.name, wait: e.responseStart - e.requestStart, blocking: e.renderBlockingStatus, end: e.responseEnd}; })()`)
	if !strings.HasPrefix(tp["name"].(string), s.ThirdPartyURL+"/") || !strings.HasPrefix(s.ThirdPartyURL, "http://127.0.0.2:") {
		t.Fatalf("third-party script %v, third site %s", tp, s.ThirdPartyURL)
	}
	if w := tp["wait"].(float64); w < 1000 || w > 4000 {
		t.Fatalf("the third-party script waited %.0f ms for its first byte, want about 1000 ms", w)
	}
	if tp["blocking"] != "blocking" {
		t.Fatalf("the third-party script is %v, want render-blocking", tp["blocking"])
	}
	fcp := eval[float64](t, ctx, `performance.getEntriesByName('first-contentful-paint')[0].startTime`)
	if fcp < m["thirdparty-run"] || m["thirdparty-run"] < 1000 {
		t.Fatalf("first contentful paint at %.0f ms, the third-party script ran at %.0f ms", fcp, m["thirdparty-run"])
	}
	t.Logf("third-party script %v; ran at %.0f ms; FCP %.0f ms", tp, m["thirdparty-run"], fcp)

	// The script that 404s.
	if st := eval[int](t, ctx, `performance.getEntriesByType('resource').find(e => e.name.endsWith('/fx/missing.js')).responseStatus`); st != 404 {
		t.Fatalf("/fx/missing.js answered %d", st)
	}

	// console.error and the uncaught exception, at their times.
	errs, exc := log.snapshot()
	if len(errs) != 1 || errs[0] != "fixture: console.error at 1500 ms" {
		t.Fatalf("console errors %q", errs)
	}
	if len(exc) != 1 || !strings.Contains(exc[0], "Error: fixture: uncaught exception at 1800 ms") {
		t.Fatalf("exceptions %q", exc)
	}
	if m["console-error"] < 1500-timerSlack || m["console-error"] > 2500 || m["exception"] < 1800-timerSlack || m["exception"] > 2800 {
		t.Fatalf("console.error at %.0f ms, exception at %.0f ms", m["console-error"], m["exception"])
	}

	// The long tasks: three busy loops of 200 ms.
	lt := eval[[]map[string]float64](t, ctx, `window.__longtasks`)
	matched := 0
	for i := range 3 {
		start, end := m[fmt.Sprintf("longtask-%d-start", i)], m[fmt.Sprintf("longtask-%d-end", i)]
		if d := end - start; d < 200 || d > 1200 { // a busy loop can only overrun
			t.Fatalf("busy loop %d took %.0f ms, want 200", i, d)
		}
		for _, e := range lt {
			// Long-task times are coarse (whole ms, the duration rounded).
			if e["start"] <= start+1 && e["start"]+e["duration"]+8 >= end && e["duration"] >= 200 {
				matched++
				break
			}
		}
	}
	if matched != 3 {
		t.Fatalf("long tasks %v do not cover the three busy loops (marks %v)", lt, m)
	}

	// The heavy LCP image.
	lcp := evalAwait[string](t, ctx, `new Promise(res => new PerformanceObserver((l) => { const e = l.getEntries().at(-1); res(e.element ? e.element.id : e.url); }).observe({type: 'largest-contentful-paint', buffered: true}))`)
	if lcp != "hero-img" {
		t.Fatalf("LCP element %q", lcp)
	}
	if n := eval[int](t, ctx, `performance.getEntriesByType('resource').find(e => e.name.endsWith('/fx/heavy.png')).encodedBodySize`); n != HeavyPNGBytes() {
		t.Fatalf("the hero arrived with %d bytes, want %d", n, HeavyPNGBytes())
	}

	resp, err := http.Get(s.URL + "/fx/missing.js")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("/fx/missing.js: %d", resp.StatusCode)
	}
}
