package site

import (
	"context"
	"strconv"
	"strings"
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

func TestChatUnderAConsentWallIsOutOfReachUntilAccepted(t *testing.T) {
	s := startSite(t)
	ctx := newTab(t, false, 60*time.Second)
	navigate(t, ctx, s.URL+"/fx/chat-under-wall")
	waitMark(t, ctx, "consent", 10*time.Second)
	ui := waitMark(t, ctx, "chat-ui", 10*time.Second)
	b := boxOf(t, ctx, "#launcher", false)
	x, y := b.center()
	if b.W == 0 {
		t.Fatal("no launcher")
	}
	if h := hit(t, ctx, x, y); !hasPrefix(h, "div#cookie-wall") {
		t.Fatalf("the hit test at the launcher found %q, want the wall", h)
	}
	do(t, ctx, chromedp.MouseClickXY(x, y))
	time.Sleep(300 * time.Millisecond) // the launcher opens its panel at once when it gets the click
	if m := marks(t, ctx); m["chat-open"] != 0 {
		t.Fatal("a click through the wall opened the chat")
	}
	click(t, ctx, "#cookie-wall .cw-accept")
	waitMark(t, ctx, "consent-accept", 5*time.Second)
	if h := hit(t, ctx, x, y); h != "button#launcher.chat-launcher" {
		t.Fatalf("after Accept the hit test at the launcher found %q", h)
	}
	click(t, ctx, "#launcher")
	open := waitMark(t, ctx, "chat-open", 5*time.Second)
	t.Logf("launcher at %.0f ms under the wall; opened at %.0f ms after Accept", ui, open)
}

func TestCompanyWithoutChatOrEmail(t *testing.T) {
	s := startSite(t)
	ctx := newTab(t, false, 60*time.Second)
	navigate(t, ctx, s.URL+"/fx/company")
	if at := waitMark(t, ctx, "form", 10*time.Second); at < 800-timerSlack {
		t.Fatalf("form at %.0f ms, before 800", at)
	}
	waitFor(t, ctx, "the load event", `document.readyState === 'complete'`, 10*time.Second)
	time.Sleep(500 * time.Millisecond)
	if !visible(t, ctx, "#contact") || !visible(t, ctx, `a[href^="tel:"]`) {
		t.Fatal("no contact form or no phone link")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('a[href^="mailto:"], iframe, .chat-launcher, #chat-widget').length`); n != 0 {
		t.Fatalf("%d e-mail links or chats on a page that has none", n)
	}
}

func TestEnvPageReportsWhatScriptsSee(t *testing.T) {
	s := startSite(t)
	for _, c := range []struct {
		name           string
		stealth, phone bool
	}{{"chromedp defaults", false, false}, {"no automation tells, phone", true, true}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := newTab(t, c.stealth, 60*time.Second)
			if c.phone {
				asPhone(t, ctx)
			}
			before := len(s.Stats().EnvReports())
			navigate(t, ctx, s.URL+"/fx/env")
			waitMark(t, ctx, "env-reported", 10*time.Second)
			reps := s.Stats().EnvReports()
			if len(reps) != before+1 {
				t.Fatalf("%d reports", len(reps)-before)
			}
			r := reps[len(reps)-1]
			shown := eval[string](t, ctx, `document.getElementById('env').textContent`)
			t.Logf("%s", shown)
			if r.Webdriver == nil || *r.Webdriver == c.stealth {
				t.Fatalf("webdriver %v with stealth=%v", r.Webdriver, c.stealth)
			}
			if r.UserAgent == "" || r.UserAgent != r.HeaderUserAgent || len(r.UABrands) == 0 || len(r.Languages) == 0 {
				t.Fatalf("report %+v", r)
			}
			wantW, wantDPR := 1280, 1.0
			if c.phone {
				wantW, wantDPR = 412, 1.75
				if r.MaxTouchPoints < 1 {
					t.Fatalf("maxTouchPoints %d with touch emulation", r.MaxTouchPoints)
				}
			}
			if r.InnerWidth != wantW || r.DevicePixelRatio != wantDPR {
				t.Fatalf("innerWidth %d, devicePixelRatio %g; want %d, %g", r.InnerWidth, r.DevicePixelRatio, wantW, wantDPR)
			}
			if !strings.Contains(shown, `"innerWidth": `+strconv.Itoa(r.InnerWidth)) {
				t.Fatal("the page does not show what it reported")
			}
		})
	}
}
