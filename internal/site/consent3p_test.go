package site

import (
	"testing"
	"time"
)

func TestVanillaCookieConsentShowsOnlyWithoutAutomationTells(t *testing.T) {
	RequireThirdParty(t)
	s := startSite(t)

	t.Run("automation tells removed: the box appears", func(t *testing.T) {
		ctx := newTab(t, true, 60*time.Second)
		navigate(t, ctx, s.URL+"/3p/cookieconsent")
		if eval[bool](t, ctx, `navigator.webdriver`) {
			t.Fatal("navigator.webdriver is true without --enable-automation and with AutomationControlled off")
		}
		waitMark(t, ctx, "consent-shown", 10*time.Second)
		waitMark(t, ctx, "consent-visible", 10*time.Second)
		b, frac := share(t, ctx, "#cc-main .cm")
		vw, vh := eval[float64](t, ctx, `innerWidth`), eval[float64](t, ctx, `innerHeight`)
		t.Logf("consent box %.0fx%.0f at (%.0f,%.0f): %.1f %% of the %gx%g viewport; marks %v", b.W, b.H, b.X, b.Y, 100*frac, vw, vh, marks(t, ctx))
		if b.X+b.W/2 < vw/2 || b.Y+b.H/2 < vh/2 {
			t.Fatalf("the default box is at the bottom right, found at %+v", b)
		}
		// The box blocks nothing: the contact form takes a click.
		click(t, ctx, "#email")
		if !eval[bool](t, ctx, `document.activeElement === document.getElementById('email')`) {
			t.Fatal("a click on the form's e-mail field beside the box did not focus it")
		}
		if h := click(t, ctx, `#cc-main .cm__btn[data-role="all"]`); !hasPrefix(h, "button.cm__btn") && !hasPrefix(h, "span") {
			t.Fatalf("hit test at Accept all found %q", h)
		}
		waitMark(t, ctx, "consent-accept", 5*time.Second)
		waitMark(t, ctx, "consent-hidden", 5*time.Second)
		waitMark(t, ctx, "consent-visible-gone", 5*time.Second)
		if !eval[bool](t, ctx, `document.cookie.includes('cc_cookie')`) {
			t.Log("note: the consent cookie was not stored (Secure cookie over http)")
		}
	})

	t.Run("chromedp's default flags: navigator.webdriver, no box", func(t *testing.T) {
		ctx := newTab(t, false, 60*time.Second)
		navigate(t, ctx, s.URL+"/3p/cookieconsent")
		if !eval[bool](t, ctx, `navigator.webdriver`) {
			t.Fatal("navigator.webdriver is false with --enable-automation")
		}
		run := waitMark(t, ctx, "consent-run", 10*time.Second)
		// The library decided (run resolved); give a shown box time to be
		// rendered, as it was above, before looking.
		time.Sleep(time.Second)
		m := marks(t, ctx)
		if _, ok := m["consent-shown"]; ok {
			t.Fatalf("the box was shown to a browser with navigator.webdriver (marks %v)", m)
		}
		if eval[bool](t, ctx, `!!document.querySelector('#cc-main .cm')`) {
			t.Fatal("the box is in the DOM")
		}
		t.Logf("run resolved at %.0f ms, no box (hideFromBots)", run)
	})
}

func TestVanillaCookieConsentWallBlocksThePage(t *testing.T) {
	RequireThirdParty(t)
	_, ctx := openPage(t, true, "/3p/cookieconsent-wall")
	waitMark(t, ctx, "consent-visible", 10*time.Second)
	if !eval[bool](t, ctx, `document.documentElement.classList.contains('disable--interaction')`) {
		t.Fatal("no disable--interaction on <html>")
	}
	// The form is covered: the hit test at its field lands in #cc-main, and
	// a trusted click there does not reach the field.
	b := boxOf(t, ctx, "#email", true)
	x, y := b.center()
	h := hit(t, ctx, x, y)
	if !eval[bool](t, ctx, `(() => { const e = document.elementFromPoint(`+jsonString(x)+`, `+jsonString(y)+`); return !!e && !!e.closest('#cc-main'); })()`) {
		t.Fatalf("the hit test at the e-mail field found %q, not the consent layer", h)
	}
	click(t, ctx, "#email")
	if eval[bool](t, ctx, `document.activeElement === document.getElementById('email')`) {
		t.Fatal("a click through the wall focused the e-mail field")
	}
	t.Logf("the e-mail field is covered by %s", h)
	click(t, ctx, `#cc-main .cm__btn[data-role="necessary"]`)
	waitMark(t, ctx, "consent-reject", 5*time.Second)
	waitMark(t, ctx, "consent-visible-gone", 5*time.Second)
	waitFor(t, ctx, "the page interactive again", `!document.documentElement.classList.contains('disable--interaction')`, 5*time.Second)
	b = boxOf(t, ctx, "#email", true)
	x, y = b.center()
	if h := hit(t, ctx, x, y); h != "input#email" {
		t.Fatalf("after Reject all the hit test at the field found %q", h)
	}
}

func TestKlaroNoticeCoversLittleAndBlocksNothing(t *testing.T) {
	RequireThirdParty(t)
	_, ctx := openPage(t, false, "/3p/klaro")
	waitMark(t, ctx, "consent-shown", 10*time.Second)
	b, frac := share(t, ctx, ".klaro .cookie-notice")
	t.Logf("Klaro notice %.0fx%.0f at (%.0f,%.0f): %.1f %% of the viewport", b.W, b.H, b.X, b.Y, 100*frac)
	if frac > 0.15 || frac < 0.01 {
		t.Fatalf("the notice covers %.1f %% of the viewport, want a small corner notice", 100*frac)
	}
	click(t, ctx, "#email")
	if !eval[bool](t, ctx, `document.activeElement === document.getElementById('email')`) {
		t.Fatal("the notice kept a click from the contact form")
	}
	// "That's ok" keeps Klaro's defaults: the service stays off.
	click(t, ctx, ".klaro .cookie-notice .cm-btn-success")
	waitMark(t, ctx, "consent-saved-save", 5*time.Second)
	waitMark(t, ctx, "consent-analytics-off", 5*time.Second)
	waitMark(t, ctx, "consent-shown-gone", 5*time.Second)
}

func TestOsanoBarIsDismissed(t *testing.T) {
	RequireThirdParty(t)
	_, ctx := openPage(t, false, "/3p/osano")
	waitMark(t, ctx, "consent-open", 10*time.Second)
	waitMark(t, ctx, "consent-shown", 10*time.Second)
	b, frac := share(t, ctx, ".cc-window")
	vw, vh := eval[float64](t, ctx, `innerWidth`), eval[float64](t, ctx, `innerHeight`)
	t.Logf("Osano bar %.0fx%.0f at (%.0f,%.0f): %.1f %% of the viewport", b.W, b.H, b.X, b.Y, 100*frac)
	if b.Y+b.H < vh-2 || b.W < vw-2 {
		t.Fatalf("the default bar spans the bottom of the viewport, found %+v", b)
	}
	click(t, ctx, ".cc-window .cc-dismiss")
	waitMark(t, ctx, "consent-accept", 5*time.Second)
	waitMark(t, ctx, "consent-shown-gone", 5*time.Second)
}
