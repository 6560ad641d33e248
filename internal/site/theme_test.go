package site

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// asPhone emulates Lighthouse's mobile device: 412x823 at scale 1.75, mobile, touch.
func asPhone(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, chromedp.EmulateViewport(412, 823, chromedp.EmulateScale(1.75), chromedp.EmulateMobile, chromedp.EmulateTouch))
}

func TestThemeContactLinkIsInsideTheCollapsedMenu(t *testing.T) {
	RequireThirdParty(t)
	s := startSite(t)
	const link = `#navbarResponsive a.nav-link[href="/3p/theme/contact"]`

	t.Run("phone: behind the hamburger", func(t *testing.T) {
		ctx := newTab(t, false, 60*time.Second)
		asPhone(t, ctx)
		navigate(t, ctx, s.URL+"/3p/theme?contactpage=1")
		waitFor(t, ctx, "the theme's script", `document.readyState === 'complete' && !!window.bootstrap`, 10*time.Second)
		if w := eval[int](t, ctx, `innerWidth`); w != 412 {
			t.Fatalf("innerWidth %d", w)
		}
		if !visible(t, ctx, ".navbar-toggler") {
			t.Fatal("no hamburger at 412 px")
		}
		if visible(t, ctx, link) {
			t.Fatal("the Contact link is visible with the menu collapsed")
		}
		if eval[bool](t, ctx, `!!document.getElementById('contactForm')`) {
			t.Fatal("contactpage=1 keeps the form on the landing page")
		}
		if h := tap(t, ctx, ".navbar-toggler"); !strings.HasPrefix(h, "button.navbar-toggler") && !strings.HasPrefix(h, "span.navbar-toggler-icon") {
			t.Fatalf("the hit test at the hamburger found %q", h)
		}
		open := waitMark(t, ctx, "menu-open", 5*time.Second)
		if !visible(t, ctx, link) {
			t.Fatal("the Contact link is not visible with the menu open")
		}
		b := boxOf(t, ctx, link, false)
		x, y := b.center()
		if h := hit(t, ctx, x, y); !strings.HasPrefix(h, "a.nav-link") {
			t.Fatalf("the hit test at the open menu's Contact link found %q", h)
		}
		t.Logf("menu open at %.0f ms; Contact link %+v", open, b)
		tap(t, ctx, link)
		waitFor(t, ctx, "the contact page", `location.pathname === '/3p/theme/contact' && !!document.getElementById('contactForm')`, 10*time.Second)
		for _, sel := range []string{"#contactForm #email", "#contactForm #submitButton", `a[href^="tel:"]`, `a[href^="mailto:"]`} {
			if eval[bool](t, ctx, `document.querySelector(`+jsonString(sel)+`) === null`) {
				t.Fatalf("the contact page has no %s", sel)
			}
		}
		if eval[bool](t, ctx, `document.getElementById('submitButton').classList.contains('disabled')`) {
			t.Fatal("the submit button is still disabled (SB Forms' state)")
		}
	})

	t.Run("desktop: in the navbar", func(t *testing.T) {
		ctx := newTab(t, false, 60*time.Second)
		navigate(t, ctx, s.URL+"/3p/theme")
		waitFor(t, ctx, "the theme's script", `document.readyState === 'complete' && !!window.bootstrap`, 10*time.Second)
		if visible(t, ctx, ".navbar-toggler") {
			t.Fatal("a hamburger at 1280 px")
		}
		if !visible(t, ctx, `#navbarResponsive a.nav-link[href="#contact"]`) {
			t.Fatal("the Contact link is not in the navbar at 1280 px")
		}
		if !eval[bool](t, ctx, `!!document.querySelector('#contact #contactForm')`) {
			t.Fatal("no contact section with the form on the one-page theme")
		}
		if n := eval[int](t, ctx, `performance.getEntriesByType('resource').filter(e => !e.name.startsWith(location.origin)).length`); n != 0 {
			t.Fatalf("%d requests left the fixture (CDN files not replaced)", n)
		}
	})
}

func TestHeavyPNGHasItsDocumentedSize(t *testing.T) {
	s := startSite(t)
	resp, err := http.Get(s.URL + "/fx/heavy.png")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(body) != HeavyPNGBytes() {
		t.Fatalf("served %d bytes, HeavyPNGBytes says %d", len(body), HeavyPNGBytes())
	}
	if len(body) < 1400_000 || len(body) > 1700_000 {
		t.Fatalf("%d bytes, want about 1.5 MB", len(body))
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != HeavyPNGWidth || b.Dy() != HeavyPNGHeight {
		t.Fatalf("%v, want %dx%d", b, HeavyPNGWidth, HeavyPNGHeight)
	}
	t.Logf("/fx/heavy.png: %d bytes, %dx%d, %.1f bits per pixel", len(body), HeavyPNGWidth, HeavyPNGHeight, float64(8*len(body))/(HeavyPNGWidth*HeavyPNGHeight))
}

func TestPhoneProfilePage(t *testing.T) {
	RequireThirdParty(t)
	s := startSite(t)
	ctx := newTab(t, false, 60*time.Second)
	asPhone(t, ctx)
	navigate(t, ctx, s.URL+"/fx/phone?chatres=150000")
	loaded := waitMark(t, ctx, "hero-loaded", 15*time.Second)
	// The heavy hero is the largest contentful paint, and its bytes are documented.
	lcp := evalAwait[map[string]any](t, ctx, `new Promise(res => new PerformanceObserver((l) => { const e = l.getEntries().at(-1);
	  res({id: e.element ? e.element.id : '', size: e.size, url: e.url, at: e.startTime}); }).observe({type: 'largest-contentful-paint', buffered: true}))`)
	if lcp["id"] != "hero-img" {
		t.Fatalf("LCP element %v, want #hero-img", lcp)
	}
	res := eval[map[string]float64](t, ctx, `(() => { const e = performance.getEntriesByName(new URL('/fx/heavy.png', location.href).href)[0]; return {enc: e.encodedBodySize, dec: e.decodedBodySize}; })()`)
	if int(res["enc"]) != HeavyPNGBytes() {
		t.Fatalf("the browser got %v bytes of the hero, want %d", res, HeavyPNGBytes())
	}
	if got := eval[int](t, ctx, `+document.getElementById('hero-img').dataset.bytes`); got != HeavyPNGBytes() {
		t.Fatalf("the page says %d bytes", got)
	}
	b := boxOf(t, ctx, "#hero-img", false)
	bpp := float64(8*HeavyPNGBytes()) / (b.W * b.H)
	t.Logf("hero loaded at %.0f ms, LCP %v; %.0fx%.0f CSS px, %.0f bits per displayed pixel", loaded, lcp, b.W, b.H, bpp)
	if bpp <= 0.05 {
		t.Fatalf("%.3f bits per pixel: not an LCP candidate", bpp)
	}
	// The navbar collapses: the Contact link is inside the closed menu.
	if visible(t, ctx, `#navbarResponsive a.nav-link[href="/3p/theme/contact"]`) || !visible(t, ctx, ".navbar-toggler") {
		t.Fatal("at 412 px the Contact link should be behind the hamburger")
	}
	// The chat is a cross-site iframe that loads a resource of known size.
	src := eval[string](t, ctx, `document.getElementById('chat').src`)
	if !strings.HasPrefix(src, s.AltURL+"/chat?") || !strings.Contains(src, "res=150000") {
		t.Fatalf("chat iframe %q, want one on %s loading res=150000", src, s.AltURL)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Stats().Path("/fx/asset.js") == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if s.Stats().Path("/fx/asset.js") != 1 {
		t.Fatalf("the chat frame fetched /fx/asset.js %d times", s.Stats().Path("/fx/asset.js"))
	}
	resp, err := http.Get(s.AltURL + "/fx/asset.js?bytes=150000")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n != 150000 {
		t.Fatalf("/fx/asset.js?bytes=150000 is %d bytes", n)
	}
	for time.Now().Before(deadline) {
		if at, ok := s.LastChatEvent("ui"); ok {
			t.Logf("the cross-site chat's launcher at %.0f ms", at)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the cross-site chat never showed its launcher")
}
