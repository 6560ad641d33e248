package checks_test

import (
	"math"
	"net/url"
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
				t.Fatalf("form %+v, want reason %s detail ~%q; log %v", tp, tc.reason, tc.detail, res.Log)
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
		{"iframe-cross-site-accept", "&form=300&consent=iframe", checks.ConsentAccept, true, ""},
		{"iframe-cross-site-leave", "&form=300&consent=iframe", checks.ConsentLeave, false, checks.ReasonConsentBlocked},
		{"usercentrics-shadow-accept", "&form=300&consent=usercentrics", checks.ConsentAccept, true, ""},
		{"usercentrics-shadow-leave", "&form=300&consent=usercentrics", checks.ConsentLeave, false, checks.ReasonConsentBlocked},
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

// TestFormNetworkGuardStopsWhatScriptsGetPast: the page keeps the browser's
// own submit() from before any guard of ours could run; the network refuses
// the POST anyway.
func TestFormNetworkGuardStopsWhatScriptsGetPast(t *testing.T) {
	before := fixture.Stats().FormPosts.Load()
	res := visitPlan(t, formPlan("&form=200&sneaky=700", 3*time.Second))
	if n := fixture.Stats().FormPosts.Load() - before; n != 0 {
		t.Fatalf("%d form submissions reached the fixture past the network guard; log %v", n, res.Log)
	}
	if !res.Touchpoints[checks.TouchContactForm].Up {
		t.Errorf("form not up: %+v", res.Touchpoints[checks.TouchContactForm])
	}
}

// contactPage: a menu link on the landing page leads to a contact page whose
// form is enabled at 0.9 s of its own clock.
const contactPage = "fcp%3D100%26form%3D500%26formready%3D900"

func TestFormOnAContactPageReachedByAMenuLink(t *testing.T) {
	for _, text := range []string{"Kontakt", "Contacto", "Επικοινωνία", "Контакты", "Yhteystiedot"} {
		t.Run(text, func(t *testing.T) {
			before := fixture.Stats().FormPosts.Load()
			res := visitPlan(t, formPlan("&contactlink="+url.QueryEscape(text)+"&contactq="+contactPage, 8*time.Second))
			tp := res.Touchpoints[checks.TouchContactForm]
			got, ok := res.Milestones[checks.MilestoneFormReady]
			if !tp.Up || !ok {
				t.Fatalf("form not found through the %q link: %+v, log %v", text, tp, res.Log)
			}
			if !strings.Contains(tp.Page, "/p/contact") {
				t.Errorf("page %q, want the contact page", tp.Page)
			}
			// The menu link is the first text painted: it is there to be
			// followed at first_contentful_paint; then 0.9 s on the contact page.
			want := res.Milestones[checks.MilestoneFCP] + 0.9
			t.Logf("contact_form_ready %.3fs, want %.3fs (FCP + 0.9s); log %v", got, want, res.Log)
			if math.Abs(got-want) > formTolerance {
				t.Errorf("contact_form_ready %.3fs, want %.3fs ± %.1fs", got, want, formTolerance)
			}
			if n := fixture.Stats().FormPosts.Load() - before; n != 0 {
				t.Errorf("%d submissions from the contact page", n)
			}
		})
	}
}

func TestFormMissingOnTheContactPageToo(t *testing.T) {
	res := visitPlan(t, formPlan("&contactlink=Contact+us&contactq=fcp%3D100", 4*time.Second))
	tp := res.Touchpoints[checks.TouchContactForm]
	if tp.Up || tp.Reason != checks.ReasonFormMissing || !strings.Contains(tp.Detail, "contact page") {
		t.Fatalf("form %+v, want form_missing on the contact page", tp)
	}
}

func TestFormOnTheConfiguredPage(t *testing.T) {
	p := formPlan("&phone=1", 6*time.Second)
	p.Configured = true
	p.Form = checks.FormSpec{Mode: checks.Required, Page: fixture.URL + "/p/contact?fcp=100&form=400"}
	res := visitPlan(t, p)
	tp := res.Touchpoints[checks.TouchContactForm]
	if !tp.Up {
		t.Fatalf("form on the configured page not up: %+v, log %v", tp, res.Log)
	}
	if got := res.Milestones[checks.MilestoneFormReady]; got < 0.4 || got > 0.4+formTolerance+0.2 {
		t.Errorf("contact_form_ready %.3fs, want 0.4s (no link to the page: timed from its own start)", got)
	}
}

func TestFormSubmitTimesTheConfirmation(t *testing.T) {
	for _, tc := range []struct {
		name, confirmation string
		up                 bool
	}{
		{"selector", "#thanks", true},
		{"text", "we will be in touch", true},
		{"page-moves-on", "", true},
		{"never", "#no-such-confirmation", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := fixture.Stats().FormPosts.Load()
			p := formPlan("&form=300&confirmdelay=700", 3*time.Second)
			p.Configured = true
			p.Form = checks.FormSpec{Mode: checks.Required, Submit: true, Confirmation: tc.confirmation,
				Fields: map[string]string{"message": "Automated test, please ignore"}}
			res := visitPlan(t, p)
			tp := res.Touchpoints[checks.TouchContactForm]
			if n := fixture.Stats().FormPosts.Load() - before; n != 1 || !tp.Sent {
				t.Fatalf("%d submissions reached the fixture (sent=%v), want 1; %+v log %v", n, tp.Sent, tp, res.Log)
			}
			if tp.Up != tc.up {
				t.Fatalf("form %+v, want up=%v", tp, tc.up)
			}
			if !tc.up {
				if tp.Reason != checks.ReasonFormUnconfirmed || res.Verdict != checks.Problematic {
					t.Errorf("reason %q verdict %s, want form_unconfirmed and problematic", tp.Reason, res.Verdict)
				}
				return
			}
			if tp.ResponseSeconds == nil {
				t.Fatalf("no response time: %+v", tp)
			}
			got := *tp.ResponseSeconds
			t.Logf("confirmation after %.3fs (server confirms after 0.7s)", got)
			if got < 0.7 || got > 0.7+formTolerance+0.2 {
				t.Errorf("response %.3fs, want 0.7s", got)
			}
			if _, ok := res.Milestones[checks.MilestoneFormReady]; !ok {
				t.Errorf("no contact_form_ready")
			}
		})
	}
}
