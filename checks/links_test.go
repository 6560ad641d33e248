package checks_test

import (
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
)

// linksPlan visits the fixture for its phone and e-mail links only.
func linksPlan(query string) checks.Plan {
	p := checks.AutoPlan(fixture.URL + "/?fcp=100&lcp=200" + query)
	p.Window = 3 * time.Second
	p.Form.Mode, p.Chat.Mode = checks.Off, checks.Off
	return p
}

// TestLinksInViewAndBelowTheFold: the phone link in the header is in view
// without scrolling; the e-mail link 1400 px down is found, and is not.
func TestLinksInViewAndBelowTheFold(t *testing.T) {
	res := visitPlan(t, linksPlan("&phone=1&email=below"))
	phone, email := res.Touchpoints[checks.TouchPhone], res.Touchpoints[checks.TouchEmail]
	if !phone.Up || phone.Detail != "tel:+15550100" || phone.VisibleWithoutScrolling == nil || !*phone.VisibleWithoutScrolling {
		t.Errorf("phone %+v, want up, tel:+15550100, in view", phone)
	}
	if !email.Up || email.Detail != "mailto:hello@acme.example" || email.VisibleWithoutScrolling == nil || *email.VisibleWithoutScrolling {
		t.Errorf("email %+v, want up, mailto:hello@acme.example, below the fold", email)
	}
	if phone.Selector != `a[href="tel:+15550100"]` {
		t.Errorf("phone selector %q", phone.Selector)
	}
}

// TestLinksNotFoundIsNotDown: in auto mode, a site without a phone link has
// none; that is reported, and is no failure (docs/visitor.md).
func TestLinksNotFoundIsNotDown(t *testing.T) {
	res := visitPlan(t, linksPlan("&email=1"))
	phone := res.Touchpoints[checks.TouchPhone]
	if phone.Up || !phone.NotFound() || phone.Reason != checks.ReasonPhoneMissing {
		t.Errorf("phone %+v, want not found (phone_missing, not required)", phone)
	}
	for _, r := range res.Reasons {
		if r.Failure && r.Code == checks.ReasonPhoneMissing {
			t.Errorf("an auto-detected phone link that is not there counted as a failure: %+v", r)
		}
	}
	if !res.Touchpoints[checks.TouchEmail].Up {
		t.Errorf("email %+v, want up", res.Touchpoints[checks.TouchEmail])
	}
}

// TestLinksRequiredMissingFails: a phone link the config names must be there.
func TestLinksRequiredMissingFails(t *testing.T) {
	p := linksPlan("&email=1")
	p.Configured, p.Phone = true, checks.Required
	res := visitPlan(t, p)
	phone := res.Touchpoints[checks.TouchPhone]
	if phone.Up || phone.NotFound() || phone.Reason != checks.ReasonPhoneMissing {
		t.Fatalf("phone %+v, want down (phone_missing, required)", phone)
	}
	if res.Verdict != checks.Problematic {
		t.Errorf("verdict %s, want problematic: %+v", res.Verdict, res.Reasons)
	}
}
