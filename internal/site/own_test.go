package site

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// navigate starts loading url and returns once the new document is there
// (its fx helper defined), without waiting for the load event.
func navigate(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: url}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the new document", `location.href === `+jsonString(url)+` && !!window.fx`, 20*time.Second)
}

func TestLateConsentWallIgnoresClicksUntilItsHandlersCome(t *testing.T) {
	s := startSite(t)
	ctx := newTab(t, false, 60*time.Second)
	const delay = 2000
	navigate(t, ctx, s.URL+"/fx/late-consent?lateconsent=2000")
	shown := waitMark(t, ctx, "consent-shown", 10*time.Second)
	// The wall is painted before its handlers come (first contentful paint).
	waitFor(t, ctx, "first contentful paint", `performance.getEntriesByName('first-contentful-paint').length > 0`, 10*time.Second)
	fcp := eval[float64](t, ctx, `performance.getEntriesByName('first-contentful-paint')[0].startTime`)
	if m := marks(t, ctx); m["consent-handlers"] != 0 {
		t.Fatalf("handlers already attached at %.0f ms (the stylesheet should hold them %d ms)", m["consent-handlers"], delay)
	}
	if h := click(t, ctx, "#lc-accept"); h != "button#lc-accept.cw-accept.big" {
		t.Fatalf("hit test at Accept found %q", h)
	}
	early := waitMark(t, ctx, "consent-click-early", 5*time.Second)
	if !eval[bool](t, ctx, `window.fxClicks.length === 1 && window.fxClicks[0].trusted && window.fxClicks[0].early`) {
		t.Fatalf("the early click: %s", eval[string](t, ctx, `JSON.stringify(window.fxClicks)`))
	}
	if !visible(t, ctx, "#cookie-wall") || marks(t, ctx)["consent-accept"] != 0 {
		t.Fatal("a click on Accept before the handlers removed the wall")
	}
	handlers := waitMark(t, ctx, "consent-handlers", 10*time.Second)
	t.Logf("shown %.0f ms, painted %.0f ms, early click %.0f ms, handlers %.0f ms", shown, fcp, early, handlers)
	if fcp > handlers || early > handlers {
		t.Fatalf("painted at %.0f ms, clicked at %.0f ms: not before the handlers (%.0f ms)", fcp, early, handlers)
	}
	if handlers < delay || handlers > delay+5000 {
		t.Fatalf("handlers at %.0f ms, want about %d ms (the stylesheet's delay)", handlers, delay)
	}
	if !visible(t, ctx, "#cookie-wall") {
		t.Fatal("the wall went away by itself")
	}
	click(t, ctx, "#lc-accept")
	waitMark(t, ctx, "consent-accept", 5*time.Second)
	if eval[bool](t, ctx, `!!document.getElementById('cookie-wall')`) {
		t.Fatal("Accept after the handlers left the wall")
	}
	if h := hit(t, ctx, 640, 360); hasPrefix(h, "div#cookie-wall") {
		t.Fatalf("hit test still finds the wall: %s", h)
	}
}
