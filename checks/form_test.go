package checks_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
)

// formTolerance: the box is shared and noisy; the fixture's times are exact.
const formTolerance = 0.3

func formPlan(query string, window time.Duration) checks.Plan {
	p := checks.AutoPlan(fixture.URL + "/?fcp=100&lcp=200" + query)
	p.Window = window
	return p
}

func TestFormReadyAtFixtureTime(t *testing.T) {
	res := visitPlan(t, formPlan("&form=800&formready=1500", 8*time.Second))
	tp := res.Touchpoints[checks.TouchContactForm]
	got, ok := res.Milestones[checks.MilestoneFormReady]
	if !tp.Up || !ok {
		t.Fatalf("form not ready: %+v, log %v", tp, res.Log)
	}
	t.Logf("contact_form_ready %.3fs, fixture 1.500s, error %+.0f ms", got, (got-1.5)*1000)
	if math.Abs(got-1.5) > formTolerance {
		t.Errorf("contact_form_ready %.3fs, want 1.5s ± %.1fs", got, formTolerance)
	}
	if tp.Selector != "#contact" {
		t.Errorf("selector %q, want #contact", tp.Selector)
	}
}

func TestFormOutcomes(t *testing.T) {
	for _, tc := range []struct{ name, query, reason, detail string }{
		{"missing", "&phone=1", checks.ReasonFormMissing, ""},
		{"disabled", "&form=300&formstate=disabled", checks.ReasonFormUnusable, "disabled"},
		{"readonly", "&form=300&formstate=readonly", checks.ReasonFormUnusable, "read-only"},
		{"hidden", "&form=300&formstate=hidden", checks.ReasonFormUnusable, "hidden"},
		{"covered", "&form=300&formstate=covered", checks.ReasonFormUnusable, "covered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := visitPlan(t, formPlan(tc.query, 3*time.Second))
			tp := res.Touchpoints[checks.TouchContactForm]
			if tp.Up || tp.Reason != tc.reason || !strings.Contains(tp.Detail, tc.detail) {
				t.Fatalf("form %+v, want reason %s detail ~%q", tp, tc.reason, tc.detail)
			}
			if _, ok := res.Milestones[checks.MilestoneFormReady]; ok {
				t.Errorf("contact_form_ready set for an unusable form")
			}
		})
	}
}

func TestFormRequiredMissingIsProblematic(t *testing.T) {
	p := formPlan("&phone=1", 3*time.Second)
	p.Form.Mode = checks.Required
	res := visitPlan(t, p)
	if res.Verdict != checks.Problematic {
		t.Fatalf("verdict %s, want problematic; reasons %+v", res.Verdict, res.Reasons)
	}
	// Auto-detected and missing, but a phone link is there: not a failure.
	res = visitPlan(t, formPlan("&phone=1", 3*time.Second))
	for _, r := range res.Reasons {
		if r.Failure && r.Code == checks.ReasonFormMissing {
			t.Errorf("auto form missing counted as failure: %+v", r)
		}
	}
}

func TestFormNeverSubmittedByDefault(t *testing.T) {
	before := fixture.Stats().FormPosts.Load()
	res := visitPlan(t, formPlan("&form=200&autosubmit=1200", 4*time.Second))
	if !res.Touchpoints[checks.TouchContactForm].Up {
		t.Errorf("form not up: %+v final %s posts %d log %v", res.Touchpoints[checks.TouchContactForm], res.FinalURL, fixture.Stats().FormPosts.Load()-before, res.Log)
	}
	if n := fixture.Stats().FormPosts.Load() - before; n != 0 {
		t.Fatalf("%d form submissions reached the fixture with the default plan", n)
	}
}

func TestConsentActions(t *testing.T) {
	for _, tc := range []struct {
		name, query, act string
		formUp           bool
		formReason       string
	}{
		{"wall-accept", "&form=300&consent=wall", checks.ConsentAccept, true, ""},
		{"onetrust-reject", "&form=300&consent=onetrust", checks.ConsentReject, true, ""},
		{"bar-accept", "&form=300&consent=bar", checks.ConsentAccept, true, ""},
		{"wall-leave", "&form=300&consent=wall", checks.ConsentLeave, false, checks.ReasonConsentBlocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := formPlan(tc.query, 4*time.Second)
			p.Consent = tc.act
			res := visitPlan(t, p)
			var layer *checks.Reason
			for i, r := range res.Reasons {
				if r.Code == checks.CodeConsentLayer {
					layer = &res.Reasons[i]
				}
			}
			if layer == nil {
				t.Fatalf("no consent_layer reason: %+v", res.Reasons)
			}
			t.Logf("%s", layer.Message)
			tp := res.Touchpoints[checks.TouchContactForm]
			if tp.Up != tc.formUp || tp.Reason != tc.formReason {
				t.Fatalf("form %+v, want up=%v reason %q", tp, tc.formUp, tc.formReason)
			}
			if tc.formUp && res.Verdict == checks.Pleasant {
				t.Errorf("verdict pleasant despite a consent layer")
			}
		})
	}
}
