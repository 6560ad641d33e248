package site

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// The tests drive the real Chromium directly through chromedp (not
// touchprobe's checks) to prove what each fixture does and that its truth
// marks are right. Every input is trusted (CDP mouse, touch and key events).

// timerSlack: a page's timer (fx.at) can fire up to about a millisecond
// before its time on performance.now's clock.
const timerSlack = 2

// startSite serves the fixture for one test.
func startSite(t *testing.T) *Site {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// browserFlags are the launch flags this machine needs (as probe/browser's
// launchFlags). stealth drops the automation tells: no --enable-automation
// and Blink's AutomationControlled off, so navigator.webdriver is false.
func browserFlags(t *testing.T, stealth bool) []chromedp.ExecAllocatorOption {
	t.Helper()
	exec, err := browser.FindExecPath("")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exec),
		chromedp.Flag("headless", "new"),
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("mute-audio", true),
		chromedp.WindowSize(1280, 720),
	)
	if stealth {
		opts = append(opts,
			chromedp.Flag("enable-automation", false),
			chromedp.Flag("disable-blink-features", "AutomationControlled"))
	}
	return opts
}

// newTab starts a Chromium of its own for the test and returns a tab in it,
// bounded by limit.
func newTab(t *testing.T, stealth bool, limit time.Duration) context.Context {
	t.Helper()
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), browserFlags(t, stealth)...)
	bctx, cancelB := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // starts the browser without a deadline
		cancelB()
		cancelA()
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bctx, limit)
	t.Cleanup(func() { cancel(); cancelB(); cancelA() })
	return ctx
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// evalAwait evaluates an expression that gives a promise, and its value.
func evalAwait[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// marks returns the page's truth marks (fx-NAME → ms since navigation start).
func marks(t *testing.T, ctx context.Context) map[string]float64 {
	t.Helper()
	return eval[map[string]float64](t, ctx, `Object.fromEntries(performance.getEntriesByType('mark')
	  .filter(m => m.name.startsWith('fx-')).map(m => [m.name.slice(3), m.startTime]))`)
}

// waitFor polls a JavaScript predicate until it is truthy. Errors (a
// document going away under the evaluation) are retried until limit.
func waitFor(t *testing.T, ctx context.Context, what, js string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+js+")"))
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err
		}
		if ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("waiting %v for %s (%s): last error %v", limit, what, js, last)
}

// waitMark waits for the mark fx-NAME and returns its time.
func waitMark(t *testing.T, ctx context.Context, name string, limit time.Duration) float64 {
	t.Helper()
	waitFor(t, ctx, "mark fx-"+name, fmt.Sprintf(`performance.getEntriesByName('fx-%s', 'mark').length > 0`, name), limit)
	return marks(t, ctx)[name]
}

// box is an element's visible rectangle in CSS pixels of the viewport.
type box struct{ X, Y, W, H float64 }

func (b box) center() (float64, float64) { return b.X + b.W/2, b.Y + b.H/2 }

// boxOf scrolls the element into view (when scroll) and returns its box; a
// zero box when it is missing or not rendered.
func boxOf(t *testing.T, ctx context.Context, sel string, scroll bool) box {
	t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return {X:0,Y:0,W:0,H:0};
	  if (%t) e.scrollIntoView({block: 'center', inline: 'center'});
	  const r = e.getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`, sel, scroll)
	return eval[box](t, ctx, js)
}

// hit names the element at a viewport point: tag#id.class.
func hit(t *testing.T, ctx context.Context, x, y float64) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`(() => { const e = document.elementFromPoint(%f, %f); if (!e) return '';
	  return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : ''); })()`, x, y))
}

// click sends a trusted mouse click at the element's centre (scrolled into
// view) and returns what the hit test found there first.
func click(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return pointAt(t, ctx, sel, func(x, y float64) chromedp.Action[chromedp.Void] { return chromedp.MouseClickXY(x, y) })
}

// tap sends a trusted touch tap at the element's centre, as click.
func tap(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return pointAt(t, ctx, sel, chromedp.TapXY)
}

func pointAt(t *testing.T, ctx context.Context, sel string, act func(x, y float64) chromedp.Action[chromedp.Void]) string {
	t.Helper()
	b := boxOf(t, ctx, sel, true)
	if b.W == 0 || b.H == 0 {
		t.Fatalf("%s: not rendered", sel)
	}
	x, y := b.center()
	h := hit(t, ctx, x, y)
	do(t, ctx, act(x, y))
	return h
}

// openPage starts the fixture and a browser (stealth: without automation
// tells) and begins loading path.
func openPage(t *testing.T, stealth bool, path string) (*Site, context.Context) {
	t.Helper()
	s := startSite(t)
	ctx := newTab(t, stealth, 60*time.Second)
	navigate(t, ctx, s.URL+path)
	return s, ctx
}

// share returns an element's box and the share of the viewport it covers.
func share(t *testing.T, ctx context.Context, sel string) (box, float64) {
	t.Helper()
	b := boxOf(t, ctx, sel, false)
	vw, vh := eval[float64](t, ctx, `innerWidth`), eval[float64](t, ctx, `innerHeight`)
	return b, b.W * b.H / (vw * vh)
}

// typeText types text with Input.insertText into whatever has the focus.
func typeText(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: text})
		return err
	}))
}

// pressEnter sends a trusted Enter key (keyDown with text "\r", keyUp).
func pressEnter(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, chromedp.KeyEvent("\r"))
}

// visible says whether the element is rendered with a non-empty box.
func visible(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	b := boxOf(t, ctx, sel, false)
	return b.W > 0 && b.H > 0 && eval[bool](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%q);
	  const s = getComputedStyle(e); return s.visibility !== 'hidden' && s.display !== 'none'; })()`, sel))
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func hasPrefix(s, p string) bool { return strings.HasPrefix(s, p) }
