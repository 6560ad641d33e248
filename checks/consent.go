package checks

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

//go:embed js/consent.js
var consentJS string

// consentModule looks for a consent layer and reports what it does to the
// page (checks/js/consent.js); it never acts.
var consentModule = browser.Module{Name: "consent", Source: consentJS}

// consentFrameSelector matches the iframes the widespread consent managers
// draw their banner in (Sourcepoint, TrustArc, and others by name); the
// chat check leaves them alone. consent.js has the same list.
const consentFrameSelector = `iframe[id^="sp_message_iframe"], iframe[src*="consent" i], iframe[src*="privacy-mgmt" i], ` +
	`iframe[src*="truste" i], iframe[src*="cmp" i], iframe[title*="consent" i], iframe[title*="cookie" i], iframe[name*="consent" i]`

const (
	// consentWait: the least time the check looks for a layer before the
	// others may act (a consent manager's script renders a moment after
	// the page); it looks until the first impression is in, at least this.
	consentWait = 2 * time.Second
	// consentRetry is a visitor's pace when a click did nothing (the
	// layer's handlers not attached yet): look again, click again.
	consentRetry = 500 * time.Millisecond
	// consentPersist bounds how long the visitor keeps trying.
	consentPersist = 10 * time.Second
)

// consentButton is a button the module found.
type consentButton struct {
	Handle int    `json:"handle"`
	Text   string `json:"text"`
}

// consentBlock is a point of the content where a click lands on the layer
// or on an overlay instead.
type consentBlock struct {
	At  string `json:"at"`
	On  string `json:"on"` // layer | overlay
	Hit string `json:"hit"`
}

// consentLook is what the consent module saw in one document.
type consentLook struct {
	Found        bool           `json:"found"`
	At           float64        `json:"at"` // the document's clock, epoch ms
	CMP          string         `json:"cmp"`
	Layer        string         `json:"layer"`
	Cover        int            `json:"cover"`
	Blocked      []consentBlock `json:"blocked"`
	ScrollLocked bool           `json:"scrollLocked"`
	Accept       *consentButton `json:"accept"`
	Reject       *consentButton `json:"reject"`
	LCPInLayer   bool           `json:"lcpInLayer"`
	Frames       []struct {
		Src   string `json:"src"`
		Cover int    `json:"cover"`
		Desc  string `json:"desc"`
	} `json:"frames"`

	frame *browser.Frame // where the buttons are
}

// consentBlocks judges a layer: it blocks when the visitor cannot reach
// what they came for until they choose — a click at the content lands on
// the layer or on an overlay, or the page refuses to scroll. A notice in
// a corner that leaves the content reachable blocks nothing, whatever its
// name or size. why says what the visitor meets.
func consentBlocks(l consentLook) (blocks bool, why string) {
	var parts []string
	for _, b := range l.Blocked {
		parts = append(parts, fmt.Sprintf("a click at %s lands on the %s (%s)", b.At, b.On, b.Hit))
	}
	if l.ScrollLocked {
		parts = append(parts, "the page does not scroll")
	}
	if len(parts) == 0 {
		return false, "the content stays reachable"
	}
	return true, strings.Join(parts, "; ")
}

// ConsentSeen is the consent layer a visit met (Result.Consent).
type ConsentSeen struct {
	CMP   string `json:"cmp"`   // the consent manager's name, "unnamed", or "iframe HOST"
	Layer string `json:"layer"` // the element
	Cover int    `json:"cover_percent"`
	// Blocks: the visitor could not reach the content until they chose;
	// else a notice, noted and not judged.
	Blocks bool   `json:"blocks"`
	Why    string `json:"why"`
	// ShownSeconds: when the check first saw it, since navigation start.
	ShownSeconds float64 `json:"shown_seconds"`
	Action       string  `json:"action"`            // accept | reject | leave
	Clicked      string  `json:"clicked,omitempty"` // the button's text
	Attempts     int     `json:"attempts,omitempty"`
	// UsableSeconds: when the page showed the layer gone (or no longer in
	// the way), since navigation start; absent while it stayed.
	UsableSeconds *float64 `json:"usable_seconds,omitempty"`
	// InteractionSeconds: the first click's input to the next paint.
	InteractionSeconds *float64 `json:"interaction_seconds,omitempty"`
	// LCPInLayer: the largest contentful paint is the layer's own text
	// (common on a phone, where the banner is the largest thing).
	LCPInLayer bool `json:"lcp_in_layer,omitempty"`
}

// checkConsent finds the consent layer while the page loads, judges
// whether it blocks the page, and — once the first impression is measured
// — acts per the plan with trusted clicks, believing only what the page
// then shows: the layer gone, or no longer in the way.
func checkConsent(ctx context.Context, pg *Page) Outcome {
	defer pg.consentDone()
	var out Outcome
	l, ok := findConsent(ctx, pg)
	if !ok {
		return out
	}
	blocks, why := consentBlocks(l)
	seen := &ConsentSeen{CMP: l.CMP, Layer: l.Layer, Cover: l.Cover, Blocks: blocks, Why: why,
		ShownSeconds: pg.Since(l.At), Action: pg.Plan.Consent, LCPInLayer: l.LCPInLayer}
	out.Consent = seen
	pg.Logf("consent: %s layer %s (%d%% of the view) at %.2fs: blocks %v (%s)", l.CMP, l.Layer, l.Cover, seen.ShownSeconds, blocks, why)

	// The first trusted input ends LCP: not before the first impression.
	select {
	case <-pg.Session.FirstImpression():
	case <-ctx.Done():
		return out
	}
	if pg.Plan.Consent != ConsentLeave {
		actOnConsent(ctx, pg, l, seen)
	}
	if l2, err := lookConsent(ctx, pg, l.frame); err == nil && l2.LCPInLayer {
		seen.LCPInLayer = true
	}
	if !blocks {
		return out // a notice: noted (Result.Consent), not judged
	}
	msg := fmt.Sprintf("a consent layer (%s, %d%% of the viewport) blocks the page at %.2fs until the visitor chooses: %s", l.CMP, l.Cover, seen.ShownSeconds, why)
	switch {
	case pg.Plan.Consent == ConsentLeave:
		out.Reasons = append(out.Reasons, Reason{Code: CodeConsentLayer, Message: msg + "; left in place"})
	case seen.UsableSeconds != nil:
		out.Reasons = append(out.Reasons, Reason{Code: CodeConsentLayer, Message: fmt.Sprintf("%s; %sed (%q, %d click(s)), page usable at %.2fs",
			msg, pg.Plan.Consent, seen.Clicked, seen.Attempts, *seen.UsableSeconds)})
	default:
		detail := fmt.Sprintf("no %s button found", pg.Plan.Consent)
		if seen.Attempts > 0 {
			detail = fmt.Sprintf("%d click(s) on %q over %.0fs did not clear it", seen.Attempts, seen.Clicked, consentPersist.Seconds())
		}
		out.Reasons = append(out.Reasons, Reason{Code: ReasonConsentBlocked, Failure: true, Touchpoint: TouchPage,
			Message: msg + "; " + detail + ": the visitor cannot use the page"})
	}
	return out
}

// findConsent looks for a layer — in the page, or in a consent manager's
// iframe over it — until one shows, the page went quiet without one, or
// the first impression is in and consentWait has passed.
func findConsent(ctx context.Context, pg *Page) (consentLook, bool) {
	var found consentLook
	minimum := pg.Session.NavStart().Add(consentWait)
	err := browser.Until(ctx, pg.WindowEnd, 100*time.Millisecond, func(ctx context.Context) (bool, error) {
		l, err := lookConsent(ctx, pg, nil)
		if err == nil && !l.Found && len(l.Frames) > 0 {
			l, err = lookConsentFrames(ctx, pg, l)
		}
		if err == nil && l.Found {
			found = l
			return true, nil
		}
		// A page that went quiet shows nothing more on its own; else the
		// first impression and consentWait bound the looking.
		select {
		case <-pg.Session.Settled():
			return true, nil
		default:
		}
		if time.Now().Before(minimum) {
			return false, nil
		}
		select {
		case <-pg.Session.FirstImpression():
			return true, nil
		default:
			return false, nil
		}
	})
	return found, err == nil && found.Found
}

// lookConsent asks the consent module of frame (nil: the main document).
func lookConsent(ctx context.Context, pg *Page, frame *browser.Frame) (consentLook, error) {
	if frame == nil {
		frame = pg.Landing().Main()
	}
	var l consentLook
	fn := "consent.look"
	if !frame.IsMain() {
		fn = "consent.frameButtons"
	}
	err := frame.Call(ctx, fn, nil, &l)
	l.frame = frame
	return l, err
}

// lookConsentFrames finds the buttons of a consent manager's banner drawn
// in an iframe over the page (same-site, or cross-site in a process of
// its own): the iframe's own document is the banner.
func lookConsentFrames(ctx context.Context, pg *Page, main consentLook) (consentLook, error) {
	frames, err := pg.Landing().Frames(ctx)
	if err != nil {
		return main, err
	}
	for _, fr := range main.Frames {
		if fr.Cover < 1 {
			continue
		}
		for _, f := range frames {
			if f.IsMain() || !sameDocument(f.URL(), fr.Src) {
				continue
			}
			l, err := lookConsent(ctx, pg, f)
			if err != nil || !(l.Accept != nil || l.Reject != nil) {
				continue
			}
			host := fr.Src
			if u, err := url.Parse(fr.Src); err == nil && u.Host != "" {
				host = u.Host
			}
			l.Found, l.CMP, l.Layer, l.Cover = true, "iframe "+host, fr.Desc, fr.Cover
			// The hit test at the content lands on the iframe when it
			// covers the page; one in a corner leaves it reachable.
			if fr.Cover >= 30 {
				l.Blocked = []consentBlock{{At: "the page", On: "layer", Hit: fr.Desc}}
			}
			return l, nil
		}
	}
	return main, nil
}

// sameDocument compares two addresses without their fragments.
func sameDocument(a, b string) bool {
	a, _, _ = strings.Cut(a, "#")
	b, _, _ = strings.Cut(b, "#")
	return a != "" && a == b
}

// actOnConsent clicks the plan's button and believes only what the page
// then shows: the layer gone or out of the way. A click that did nothing
// (the handlers not attached yet) is repeated at a visitor's pace, for a
// bounded time.
func actOnConsent(ctx context.Context, pg *Page, l consentLook, seen *ConsentSeen) {
	pg.hands.Lock()
	defer pg.hands.Unlock()
	deadline := time.Now().Add(consentPersist)
	if deadline.After(pg.WindowEnd) {
		// Near the window's end: still a few tries.
		deadline = pg.WindowEnd
		if least := time.Now().Add(3 * time.Second); least.After(deadline) {
			deadline = least
		}
	}
	cur := l
	for ctx.Err() == nil && time.Now().Before(deadline) {
		btn := cur.Accept
		if pg.Plan.Consent == ConsentReject {
			btn = cur.Reject
		}
		if btn == nil {
			pg.Logf("consent: no %s button", pg.Plan.Consent)
			return
		}
		el := cur.frame.ElementByHandle(btn.Handle, btn.Text)
		in, err := el.Click(ctx)
		seen.Attempts++
		seen.Clicked = btn.Text
		var na *browser.NotActionable
		switch {
		case errors.As(err, &na):
			pg.Logf("consent: %q not clickable: %s", btn.Text, na)
		case err != nil:
			pg.Logf("consent: click on %q: %v", btn.Text, err)
		default:
			pg.Logf("consent: clicked %q (attempt %d)", btn.Text, seen.Attempts)
		}
		if in.Measured && seen.InteractionSeconds == nil {
			v := in.Seconds
			seen.InteractionSeconds = &v
		}
		// Watch the layer go for a moment, then click again.
		next := time.Now().Add(consentRetry)
		cleared := false
		_ = browser.Until(ctx, next, 50*time.Millisecond, func(ctx context.Context) (bool, error) {
			now, err := lookConsent(ctx, pg, nil)
			if err != nil {
				return false, nil
			}
			if gone := consentGone(ctx, pg, l, now); gone {
				at := pg.Since(now.At)
				seen.UsableSeconds = &at
				cleared = true
				return true, nil
			}
			if now.Found && l.frame.IsMain() {
				cur = now // fresh handles
			}
			return false, nil
		})
		if cleared {
			pg.Logf("consent: the page is usable at %.2fs", *seen.UsableSeconds)
			pg.mu.Lock()
			pg.consentGoneAt = *seen.UsableSeconds
			pg.mu.Unlock()
			return
		}
		if wait := time.Until(next); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
	}
}

// consentGone says whether the layer first seen as first is out of the
// visitor's way in now: not shown, or shown and no longer blocking (a
// banner that shrinks to a badge). A banner in an iframe is gone when
// the iframe is.
func consentGone(ctx context.Context, pg *Page, first, now consentLook) bool {
	if !first.frame.IsMain() {
		if now.Found {
			return false
		}
		for _, f := range now.Frames {
			if f.Desc == first.Layer && f.Cover > 0 {
				return false
			}
		}
		return true
	}
	if !now.Found {
		return true
	}
	if now.Layer != first.Layer {
		return false // another layer of the same manager (its preferences): still in the way
	}
	blocks, _ := consentBlocks(now)
	firstBlocks, _ := consentBlocks(first)
	return firstBlocks && !blocks
}
