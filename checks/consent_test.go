package checks_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
)

// consentTruth waits for the fixture's consent marks that the page reported
// (fx.mark consent-*: Site.ChatEvents, kind mark-NAME) and returns them in
// seconds since navigation start.
func consentTruth(t *testing.T, want ...string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for i := 0; i < 40; i++ {
		for _, ev := range fixture.ChatEvents() {
			if name, ok := strings.CutPrefix(ev.Kind, "mark-"); ok {
				if _, seen := out[name]; !seen {
					out[name] = ev.At / 1000
				}
			}
		}
		all := true
		for _, w := range want {
			_, ok := out[w]
			all = all && ok
		}
		if all {
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the fixture never reported %v (it did %v)", want, out)
	return nil
}

// visitConsent visits a page with the plan's consent action and requires
// that a consent layer was seen.
func visitConsent(t *testing.T, path, act string, window time.Duration) checks.Result {
	t.Helper()
	fixture.ResetChatEvents()
	p := checks.AutoPlan(fixture.URL + path)
	p.Consent, p.Window = act, window
	res := visitPlan(t, p)
	if res.Consent == nil {
		t.Fatalf("no consent layer seen on %s; reasons %+v; log %q", path, res.Reasons, res.Log)
	}
	t.Logf("%s: %+v", path, *res.Consent)
	return res
}

func hasCode(res checks.Result, code string) bool {
	for _, r := range res.Reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

// consentTolerance: the check looks again every 50 ms after a click; a
// loaded machine adds a little.
const consentTolerance = 0.25

// TestConsentWallWithLateHandlers: a wall is painted before the script
// that gives its buttons their handlers (held back by a stylesheet). A
// click before then does nothing; the visitor clicks again, and the page
// is usable only when the wall really went — never at the first click.
func TestConsentWallWithLateHandlers(t *testing.T) {
	const handlersAt = 2500
	res := visitConsent(t, "/fx/late-consent?lateconsent=2500", checks.ConsentAccept, 10*time.Second)
	c := res.Consent
	truth := consentTruth(t, "consent-handlers", "consent-accept")
	if !c.Blocks {
		t.Errorf("a full-viewport wall judged a notice: %s", c.Why)
	}
	if c.UsableSeconds == nil {
		t.Fatalf("the wall was never seen gone: %+v; log %q", c, res.Log)
	}
	if *c.UsableSeconds < truth["consent-handlers"] {
		t.Errorf("usable at %.3fs, before the wall's handlers existed (%.3fs)", *c.UsableSeconds, truth["consent-handlers"])
	}
	if d := *c.UsableSeconds - truth["consent-accept"]; d < -0.02 || d > consentTolerance {
		t.Errorf("usable at %.3fs, the wall went at %.3fs (fixture)", *c.UsableSeconds, truth["consent-accept"])
	}
	if early, ok := truth["consent-click-early"]; ok && c.Attempts < 2 {
		t.Errorf("a click at %.3fs did nothing, yet %d attempt(s) reported", early, c.Attempts)
	}
	if truth["consent-handlers"] < handlersAt/1000.0-0.05 {
		t.Errorf("the fixture attached its handlers at %.3fs, before the %d ms it was asked", truth["consent-handlers"], handlersAt)
	}
	if res.Verdict == checks.Problematic || !hasCode(res, checks.CodeConsentLayer) {
		t.Errorf("verdict %s, reasons %+v: want the wall noted (indifferent), the page usable", res.Verdict, res.Reasons)
	}
	if tp := res.Touchpoints[checks.TouchContactForm]; !tp.Up {
		t.Errorf("the form behind the wall: %+v", tp)
	}
}

// TestConsentUnnamedWall: vanilla-cookieconsent with disablePageInteraction
// — a consent manager touchprobe does not name — is found by what it does
// to the page (a click at the content lands on its overlay), accepted, and
// the page is usable when the fixture says the wall went.
func TestConsentUnnamedWall(t *testing.T) {
	res := visitConsent(t, "/3p/cookieconsent-wall", checks.ConsentAccept, 10*time.Second)
	c := res.Consent
	// The wall fades after the choice: the page is usable between the
	// choice and the end of the fade.
	truth := consentTruth(t, "consent-accept", "consent-visible-gone")
	if c.CMP != "unnamed" || !c.Blocks {
		t.Errorf("consent %+v: want an unnamed layer that blocks", c)
	}
	if c.UsableSeconds == nil || *c.UsableSeconds < truth["consent-accept"]-0.02 || *c.UsableSeconds > truth["consent-visible-gone"]+consentTolerance {
		t.Errorf("usable at %s, the fixture accepted at %.3fs and the wall was gone at %.3fs", secs(c.UsableSeconds), truth["consent-accept"], truth["consent-visible-gone"])
	}
	if tp := res.Touchpoints[checks.TouchContactForm]; !tp.Up {
		t.Errorf("the form behind the wall: %+v; log %q", tp, res.Log)
	}
}

// TestConsentUnnamedWallLeftInPlace: the same wall left in place keeps
// the visitor from the form: consent_blocked, naming the layer.
func TestConsentUnnamedWallLeftInPlace(t *testing.T) {
	res := visitConsent(t, "/3p/cookieconsent-wall", checks.ConsentLeave, 6*time.Second)
	tp := res.Touchpoints[checks.TouchContactForm]
	if tp.Up || tp.Reason != checks.ReasonConsentBlocked || !strings.Contains(tp.Detail, "consent layer") {
		t.Errorf("form %+v, want consent_blocked by the consent layer", tp)
	}
}

// TestConsentNotices: a consent notice that blocks nothing (Klaro's in a
// corner, Osano's bar, vanilla-cookieconsent's default box — shown only to
// a browser that does not say it is automated) is noted and handled, never
// judged: no consent reason, and the fixture's own record shows the
// visitor's choice.
func TestConsentNotices(t *testing.T) {
	for _, tc := range []struct {
		path, cmp, truth string
	}{
		{"/3p/klaro", "klaro", "consent-saved-save"},
		{"/3p/osano", "cookieconsent", "consent-accept"},
		{"/3p/cookieconsent", "unnamed", "consent-accept"},
	} {
		t.Run(strings.TrimPrefix(tc.path, "/3p/"), func(t *testing.T) {
			res := visitConsent(t, tc.path, checks.ConsentAccept, 8*time.Second)
			c := res.Consent
			if c.Blocks || c.CMP != tc.cmp {
				t.Errorf("consent %+v: want a %s notice that blocks nothing", c, tc.cmp)
			}
			if hasCode(res, checks.CodeConsentLayer) || hasCode(res, checks.ReasonConsentBlocked) {
				t.Errorf("a notice judged: reasons %+v", res.Reasons)
			}
			truth := consentTruth(t, tc.truth)
			if c.UsableSeconds == nil || *c.UsableSeconds < truth[tc.truth]-0.02 {
				t.Errorf("gone at %s, the fixture recorded %s at %.3fs", secs(c.UsableSeconds), tc.truth, truth[tc.truth])
			}
			if tp := res.Touchpoints[checks.TouchContactForm]; !tp.Up {
				t.Errorf("form %+v beside a notice", tp)
			}
		})
	}
}

// TestConsentClicksLeaveLCPAlone: the probe's clicks come after the first
// impression, so the page's largest contentful paint is the same whether
// the visitor accepts the layer or leaves it.
func TestConsentClicksLeaveLCPAlone(t *testing.T) {
	lcp := map[string]float64{}
	for _, act := range []string{checks.ConsentLeave, checks.ConsentAccept} {
		p := checks.AutoPlan(fixture.URL + "/?fcp=200&lcp=1500&form=300&consent=bar&phone=1")
		p.Consent, p.Window = act, 6*time.Second
		res := visitPlan(t, p)
		v, ok := res.Milestones[checks.MilestoneLCP]
		if !ok || res.Consent == nil {
			t.Fatalf("%s: LCP %v, consent %+v", act, ok, res.Consent)
		}
		lcp[act] = v
	}
	if lcp[checks.ConsentAccept] < 1.5 || math.Abs(lcp[checks.ConsentAccept]-lcp[checks.ConsentLeave]) > 0.1 {
		t.Errorf("LCP %.3fs accepting, %.3fs leaving the layer; the hero comes at 1.5s", lcp[checks.ConsentAccept], lcp[checks.ConsentLeave])
	}
}

// TestLCPInTheConsentLayer: vanilla-cookieconsent's banner text is larger
// than anything the fixture page paints, so it is the largest contentful
// paint (its elements are named cm__…), and the result says so.
func TestLCPInTheConsentLayer(t *testing.T) {
	res := visitConsent(t, "/3p/cookieconsent-wall", checks.ConsentLeave, 5*time.Second)
	if !res.Consent.LCPInLayer || !strings.Contains(res.LCPElement, "cm__") {
		t.Errorf("lcp_in_layer %v, LCP element %q: want the banner's text, reported inside the layer", res.Consent.LCPInLayer, res.LCPElement)
	}
}

func secs(v *float64) string {
	if v == nil {
		return "never"
	}
	return fmt.Sprintf("%.3fs", *v)
}
