package site

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRestaurantBookingWidgetUsableAKnownTimeAfterTheClick(t *testing.T) {
	s := startSite(t)
	ctx := newTab(t, false, 60*time.Second)
	const ready = 1500
	navigate(t, ctx, s.URL+fmt.Sprintf("/fx/restaurant?bookready=%d", ready))
	waitFor(t, ctx, "the page", `document.readyState === 'complete'`, 10*time.Second)
	if s.Stats().Path("/fx/booking-widget.js") != 0 {
		t.Fatal("the booking widget loaded before the click")
	}
	if h := click(t, ctx, "#book-btn"); h != "button#book-btn.big" {
		t.Fatalf("the hit test at Book a table found %q", h)
	}
	clicked := waitMark(t, ctx, "book-click", 5*time.Second)
	waitMark(t, ctx, "booking-modal", time.Second)
	if !visible(t, ctx, "#booking-modal") {
		t.Fatal("the modal did not open")
	}
	loaded := waitMark(t, ctx, "booking-widget-loaded", 5*time.Second)
	if s.Stats().Path("/fx/booking-widget.js") != 1 {
		t.Fatal("the widget's script was not loaded on the click")
	}
	if m := marks(t, ctx); m["booking-ready"] == 0 && !eval[bool](t, ctx, `document.getElementById('booking-date').disabled`) {
		t.Fatal("the booking form is usable before booking-ready")
	}
	at := waitMark(t, ctx, "booking-ready", 10*time.Second)
	t.Logf("clicked %.0f ms, widget loaded %.0f ms, usable %.0f ms (%.0f ms after the click; knob %d)", clicked, loaded, at, at-clicked, ready)
	if d := at - clicked; d < ready-timerSlack || d > ready+2000 {
		t.Fatalf("usable %.0f ms after the click, want %d", d, ready)
	}
	if eval[bool](t, ctx, `document.querySelectorAll('#booking-form [disabled]').length > 0`) {
		t.Fatal("parts of the booking form still disabled")
	}
	b := boxOf(t, ctx, "#booking-submit", false)
	x, y := b.center()
	if h := hit(t, ctx, x, y); h != "button#booking-submit" {
		t.Fatalf("the hit test at Reserve found %q", h)
	}
}

func TestMoverQuoteButtonThrows(t *testing.T) {
	s := startSite(t)
	ctx := newTab(t, false, 60*time.Second)
	log := listenLog(t, ctx)
	navigate(t, ctx, s.URL+"/fx/mover")
	waitFor(t, ctx, "the page", `document.readyState === 'complete'`, 10*time.Second)
	click(t, ctx, "#quote-btn")
	waitMark(t, ctx, "quote-click", 5*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	var exc []string
	for time.Now().Before(deadline) {
		if _, exc = log.snapshot(); len(exc) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(exc) != 1 || !strings.Contains(exc[0], "TypeError") || !strings.Contains(exc[0], "steps") {
		t.Fatalf("exceptions %q, want one TypeError reading 'steps'", exc)
	}
	if visible(t, ctx, "#quote-modal") || marks(t, ctx)["quote-modal"] != 0 {
		t.Fatal("the quote modal opened")
	}
	t.Logf("the click threw: %s", exc[0])
}

func TestShopRouteChangesTheURLWithoutALoad(t *testing.T) {
	s := startSite(t)
	ctx := newTab(t, false, 60*time.Second)
	navigate(t, ctx, s.URL+"/shop/")
	waitMark(t, ctx, "route-home", 10*time.Second)
	eval[bool](t, ctx, `window.__sameDocument = true`)
	click(t, ctx, "#nav-pricing")
	waitMark(t, ctx, "route-pricing", 5*time.Second)
	if p := eval[string](t, ctx, `location.pathname`); p != "/shop/pricing" {
		t.Fatalf("after Pricing the path is %q", p)
	}
	click(t, ctx, "#plans-link")
	waitMark(t, ctx, "route-plans", 5*time.Second)
	if p := eval[string](t, ctx, `location.pathname`); p != "/shop/pricing/plans" {
		t.Fatalf("after See our plans the path is %q", p)
	}
	if !visible(t, ctx, "#plans") {
		t.Fatal("no plans table")
	}
	if !eval[bool](t, ctx, `window.__sameDocument === true && performance.getEntriesByType('navigation').length === 1`) {
		t.Fatal("the route loaded a new document")
	}
	if n := s.Stats().Path("/shop/pricing") + s.Stats().Path("/shop/pricing/plans"); n != 0 {
		t.Fatalf("the server saw %d requests for the routes", n)
	}
}

func TestSlowClickHandlerBlocksForItsTime(t *testing.T) {
	s := startSite(t)
	for _, p := range []string{"/fx/restaurant", "/fx/mover", "/shop/"} {
		t.Run(strings.Trim(p, "/"), func(t *testing.T) {
			ctx := newTab(t, false, 60*time.Second)
			observeBeforeLoad(t, ctx)
			const slow = 400
			navigate(t, ctx, s.URL+fmt.Sprintf("%s?slowclick=%d", p, slow))
			waitFor(t, ctx, "the page", `document.readyState === 'complete'`, 10*time.Second)
			slowClick(t, ctx, slow)
		})
	}
}

// slowClick clicks #hours-btn and checks that its handler blocked slow ms,
// and that Event Timing measured the click that long.
func slowClick(t *testing.T, ctx context.Context, slow int) {
	t.Helper()
	click(t, ctx, "#hours-btn")
	end := waitMark(t, ctx, "slow-end", 5*time.Second)
	start := marks(t, ctx)["slow-start"]
	// A busy loop can only overrun (a busy machine deschedules it).
	ran := end - start
	if ran < float64(slow) || ran > float64(slow)+1000 {
		t.Fatalf("the handler ran %.0f ms, want %d", ran, slow)
	}
	if !visible(t, ctx, "#hours") {
		t.Fatal("the handler did not show the hours")
	}
	waitFor(t, ctx, "the click's Event Timing entry", `window.__events.some(e => e.name === 'click')`, 5*time.Second)
	ev := eval[[]map[string]any](t, ctx, `window.__events.filter(e => e.name === 'click' || e.name === 'pointerup' || e.name === 'mouseup' || e.name === 'pointerdown')`)
	for _, e := range ev {
		if e["name"] == "click" {
			d := e["duration"].(float64)
			t.Logf("handler %.0f–%.0f ms; Event Timing click %v", start, end, e)
			// Event Timing rounds durations to 8 ms and adds the time to the next paint.
			if d < ran-8 || d > ran+500 {
				t.Fatalf("Event Timing says the click took %.0f ms, the handler ran %.0f ms", d, ran)
			}
			return
		}
	}
	t.Fatalf("no click in the Event Timing entries %v", ev)
}
