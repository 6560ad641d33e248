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

// formReadyTruth is when the fixture's form became usable (its report of
// form-ready, page-clock seconds of the page that holds the form): the
// first report since the visit began.
func formReadyTruth(t *testing.T) float64 {
	t.Helper()
	for i := 0; i < 40; i++ {
		for _, ev := range fixture.ChatEvents() {
			if ev.Kind == "form-ready" {
				return ev.At / 1000
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the fixture never reported form-ready (events %+v)", fixture.ChatEvents())
	return 0
}

// logSays: a line of the visit's log contains every one of parts.
func logSays(res checks.Result, parts ...string) bool {
	for _, l := range res.Log {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			return true
		}
	}
	return false
}

// visitTyped visits url as an automatic plan and requires the contact form
// typed into and up.
func visitTyped(t *testing.T, url string, window time.Duration) checks.Result {
	t.Helper()
	p := checks.AutoPlan(url)
	p.Window = window
	res := visitPlan(t, p)
	if tp := res.Touchpoints[checks.TouchContactForm]; !tp.Up || tp.InteractionSeconds == nil {
		t.Fatalf("form %+v, want typed into and up; log %v", tp, res.Log)
	}
	return res
}

func TestFormReadyAtFixtureTime(t *testing.T) {
	fixture.ResetChatEvents()
	res := visitPlan(t, formPlan("&form=800&formready=1500", 8*time.Second))
	tp := res.Touchpoints[checks.TouchContactForm]
	got, ok := res.Milestones[checks.MilestoneFormReady]
	if !tp.Up || !ok {
		t.Fatalf("form not ready: %+v, log %v", tp, res.Log)
	}
	want := formReadyTruth(t)
	t.Logf("contact_form_ready %.3fs, fixture %.3fs, error %+.0f ms", got, want, (got-want)*1000)
	if got < want-0.02 || got > want+formTolerance {
		t.Errorf("contact_form_ready %.3fs, want %.3fs (+%.1fs)", got, want, formTolerance)
	}
	if tp.Selector != "#contact" {
		t.Errorf("selector %q, want #contact", tp.Selector)
	}
	// The fields were typed into with trusted clicks; the page's answer
	// to them is measured.
	if tp.InteractionSeconds == nil {
		t.Errorf("no interaction_seconds: the visitor's typing was not measured; log %v", res.Log)
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

// TestFormCoveredByAnotherLayerIsUnusable: a promotion over the page (the
// fixture's div#promo-overlay) is not a consent layer: the form is
// unusable, and what covers it is named.
func TestFormCoveredByAnotherLayerIsUnusable(t *testing.T) {
	res := visitPlan(t, formPlan("&form=300&formstate=covered", 3*time.Second))
	tp := res.Touchpoints[checks.TouchContactForm]
	if tp.Up || tp.Reason != checks.ReasonFormUnusable || !strings.Contains(tp.Detail, "covered by div#promo-overlay") {
		t.Fatalf("form %+v, want form_unusable covered by div#promo-overlay; log %v", tp, res.Log)
	}
	t.Logf("%s", tp.Detail)
}

// TestFormUnderAConsentLayerLeftInPlace: a consent layer the visitor does
// not clear (consent: leave) keeps them from the form: consent_blocked,
// with the layer named — in the page, in a cross-site iframe, in a shadow
// root.
func TestFormUnderAConsentLayerLeftInPlace(t *testing.T) {
	for _, tc := range []struct{ kind, layer string }{
		{"wall", "div#cookie-wall"},
		{"iframe", "iframe#sp_message_iframe_1"},
		{"usercentrics", "We use cookies"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			p := formPlan("&form=300&consent="+tc.kind, 4*time.Second)
			p.Consent = checks.ConsentLeave
			res := visitPlan(t, p)
			tp := res.Touchpoints[checks.TouchContactForm]
			if tp.Up || tp.Reason != checks.ReasonConsentBlocked || !strings.Contains(tp.Detail, "consent layer") || !strings.Contains(tp.Detail, tc.layer) {
				t.Fatalf("form %+v, want consent_blocked naming the layer %q; log %v", tp, tc.layer, res.Log)
			}
			t.Logf("%s", tp.Detail)
		})
	}
}

// TestFormBehindAConsentLayerIsReadyWhenItWent: the consent layer is over
// the page from the start and the visitor accepts: the form is ready no
// earlier than the layer went (the fixture's fx-consent-accept mark).
func TestFormBehindAConsentLayerIsReadyWhenItWent(t *testing.T) {
	ms := startMarkSite(t)
	p := checks.AutoPlan(ms.URL + "/?fcp=100&lcp=200&form=300&consent=wall&tid=accept")
	p.Window, p.Consent = 4*time.Second, checks.ConsentAccept
	res := visitPlan(t, p)
	tp := res.Touchpoints[checks.TouchContactForm]
	gone, ok := ms.mark("accept", "consent-accept")
	if !tp.Up || !ok {
		t.Fatalf("form %+v, layer accepted %v; log %v", tp, ok, res.Log)
	}
	got := res.Milestones[checks.MilestoneFormReady]
	t.Logf("contact_form_ready %.3fs, the layer went at %.3fs", got, gone)
	if got < gone-0.02 || got > gone+formTolerance {
		t.Errorf("contact_form_ready %.3fs, want when the consent layer went (%.3fs); log %v", got, gone, res.Log)
	}
}

// TestFormUsableThenCoveredByConsent: the form is usable at 0.2 s, the
// consent layer comes over it at 1 s and is left in place: the visitor's
// attempt to type finds the layer, and the form is consent_blocked.
func TestFormUsableThenCoveredByConsent(t *testing.T) {
	p := formPlan("&form=200&consent=wall&consentat=1000", 4*time.Second)
	p.Consent = checks.ConsentLeave
	res := visitPlan(t, p)
	tp := res.Touchpoints[checks.TouchContactForm]
	// The watcher starts with the document (checkStarts): it sees the form
	// usable before the layer comes at 1 s.
	if !logSays(res, "found on the landing page (usable") {
		t.Fatalf("the watcher never saw the form usable before the layer came; log %v", res.Log)
	}
	if tp.Up || tp.Reason != checks.ReasonConsentBlocked || !strings.Contains(tp.Detail, "div#cookie-wall") {
		t.Fatalf("form %+v, want consent_blocked by div#cookie-wall; log %v", tp, res.Log)
	}
	if !logSays(res, "attempt 1", "covered") {
		t.Errorf("no attempt found the layer; log %v", res.Log)
	}
}

// TestFormBelowTheFold: the watcher does not scroll (that would change what
// the visitor sees first, and the page's LCP), so a form below the fold is
// ready when the visitor scrolled to it and typed: after the first
// impression, not when it was rendered out of sight.
func TestFormBelowTheFold(t *testing.T) {
	ms := startMarkSite(t)
	res := visitTyped(t, ms.URL+"/own/below?tid=below", 4*time.Second)
	form, ok := ms.mark("below", "form")
	got := res.Milestones[checks.MilestoneFormReady]
	t.Logf("contact_form_ready %.3fs, form rendered at %.3fs, LCP %.3fs", got, form, res.Milestones[checks.MilestoneLCP])
	if !ok || got < form || got < res.Milestones[checks.MilestoneLCP] || !logSays(res, "outside the view") {
		t.Errorf("contact_form_ready %.3fs, want after the first impression (form at %.3fs); log %v", got, form, res.Log)
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

func TestConsentActions(t *testing.T) {
	for _, tc := range []struct {
		name, query, act string
		blocks           bool // a wall; else a notice the content stays reachable beside
		formUp           bool
		formReason       string
	}{
		{"wall-accept", "&form=300&consent=wall", checks.ConsentAccept, true, true, ""},
		{"onetrust-reject", "&form=300&consent=onetrust", checks.ConsentReject, true, true, ""},
		{"bar-accept", "&form=300&consent=bar", checks.ConsentAccept, false, true, ""},
		{"wall-leave", "&form=300&consent=wall", checks.ConsentLeave, true, false, checks.ReasonConsentBlocked},
		{"iframe-cross-site-accept", "&form=300&consent=iframe", checks.ConsentAccept, true, true, ""},
		{"iframe-cross-site-leave", "&form=300&consent=iframe", checks.ConsentLeave, true, false, checks.ReasonConsentBlocked},
		{"usercentrics-shadow-accept", "&form=300&consent=usercentrics", checks.ConsentAccept, true, true, ""},
		{"usercentrics-shadow-leave", "&form=300&consent=usercentrics", checks.ConsentLeave, true, false, checks.ReasonConsentBlocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := formPlan(tc.query, 4*time.Second)
			p.Consent = tc.act
			res := visitPlan(t, p)
			c := res.Consent
			if c == nil {
				t.Fatalf("no consent layer seen; reasons %+v; log %v", res.Reasons, res.Log)
			}
			if c.Blocks != tc.blocks {
				t.Errorf("blocks = %v (%s), want %v", c.Blocks, c.Why, tc.blocks)
			}
			if cleared := c.UsableSeconds != nil; cleared != (tc.act != checks.ConsentLeave) {
				t.Errorf("consent %+v: cleared %v, want %v", c, cleared, tc.act != checks.ConsentLeave)
			}
			var layer *checks.Reason
			for i, r := range res.Reasons {
				if r.Code == checks.CodeConsentLayer {
					layer = &res.Reasons[i]
				}
			}
			if (layer != nil) != tc.blocks {
				t.Fatalf("consent_layer reason %+v; want one only for a layer that blocks", layer)
			}
			if layer != nil {
				t.Logf("%s", layer.Message)
			}
			tp := res.Touchpoints[checks.TouchContactForm]
			if tp.Up != tc.formUp || tp.Reason != tc.formReason {
				t.Fatalf("form %+v, want up=%v reason %q", tp, tc.formUp, tc.formReason)
			}
			if tc.blocks && res.Verdict == checks.Pleasant {
				t.Errorf("verdict pleasant despite a consent layer that blocks the page")
			}
		})
	}
}

// TestFormGuard: the page's own script tries to send the contact form. The
// test sees the attempt (the page's mark), which guard stopped it (the
// visit's log: the guard in the page, or the tab's 204 in the network),
// that the form's own handler never ran, and that the site saw no POST.
//   - autosubmit: requestSubmit(), a click on its button, then form.submit()
//     at 1.2 s. The first two fire a submit event, which the guard in the
//     page cancels; form.submit() fires none and makes a document POST,
//     which the tab answers itself.
//   - sneaky: the page keeps the browser's own submit() from before any
//     guard could run and sends with it at 0.7 s: no submit event; only the
//     network stops it.
//   - fetch: the form's handler would send it with fetch (no document POST
//     the network could refuse): only the guard in the page stops it, before
//     the handler runs; fetch-at-once tries while the page is still loading.
func TestFormGuard(t *testing.T) {
	ms := startMarkSite(t)
	for _, tc := range []struct {
		name, page, attempt, handler string
		window                       time.Duration
		inPage, inNetwork            bool
	}{
		{"autosubmit", "/?fcp=100&lcp=200&form=200&autosubmit=1200", "autosubmit", "", 4 * time.Second, true, true},
		{"sneaky", "/?fcp=100&lcp=200&form=200&sneaky=700", "sneaky", "", 3 * time.Second, false, true},
		{"fetch", "/own/guarded?attack=1000", "attack", "contact-handler", 4 * time.Second, true, false},
		// At once: before the check's first call; the guard is on from the
		// document's start.
		{"fetch-at-once", "/own/guarded?attack=1", "attack", "contact-handler", 3 * time.Second, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := fixture.Stats().FormPosts.Load()
			p := checks.AutoPlan(ms.URL + tc.page + "&tid=" + tc.name)
			p.Window = tc.window
			res := visitPlan(t, p)
			at, ok := ms.mark(tc.name, tc.attempt)
			if !ok {
				t.Fatalf("the page never tried to send the form (no fx-%s mark); log %v", tc.attempt, res.Log)
			}
			t.Logf("the page tried to send the form at %.3fs", at)
			if n := fixture.Stats().FormPosts.Load() - before; n != 0 {
				t.Fatalf("%d contact-form POSTs reached the fixture; log %v", n, res.Log)
			}
			if _, ran := ms.mark(tc.name, tc.handler); tc.handler != "" && ran {
				t.Errorf("the contact form's own handler ran: nothing stopped the submit event")
			}
			if got := logSays(res, "tried to send form#contact", "stopped in the page"); got != tc.inPage {
				t.Errorf("stopped in the page: %v, want %v; log %v", got, tc.inPage, res.Log)
			}
			if got := logSays(res, "/contact-submit", "stopped in the network"); got != tc.inNetwork {
				t.Errorf("stopped in the network: %v, want %v; log %v", got, tc.inNetwork, res.Log)
			}
			if !res.Touchpoints[checks.TouchContactForm].Up {
				t.Errorf("form not up: %+v log %v", res.Touchpoints[checks.TouchContactForm], res.Log)
			}
		})
	}
}

// TestFormGuardLeavesTheChatComposerAlone: the guard protects the contact
// form only. A chat composer that is a <form> on the same page sends its
// message (the fixture's chat endpoint counts it) while the contact form,
// sent by the same script a moment later, is stopped.
func TestFormGuardLeavesTheChatComposerAlone(t *testing.T) {
	ms := startMarkSite(t)
	posts, chats := fixture.Stats().FormPosts.Load(), fixture.Stats().ChatMessages.Load()
	p := checks.AutoPlan(ms.URL + "/own/guarded?chat=800&attack=1000&tid=composer")
	p.Window = 4 * time.Second
	res := visitPlan(t, p)
	if _, ok := ms.mark("composer", "chat-submit"); !ok {
		t.Fatalf("the page never sent the chat message (no fx-chat-submit mark); log %v", res.Log)
	}
	if _, ok := ms.mark("composer", "chat-sent"); !ok {
		t.Errorf("the chat composer's handler never ran: its submit was blocked; log %v", res.Log)
	}
	deadline := time.Now().Add(2 * time.Second)
	for fixture.Stats().ChatMessages.Load() == chats && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := fixture.Stats().ChatMessages.Load() - chats; n != 1 {
		t.Errorf("the fixture got %d chat messages, want 1", n)
	}
	if n := fixture.Stats().FormPosts.Load() - posts; n != 0 {
		t.Errorf("%d contact-form POSTs reached the fixture", n)
	}
	if _, ran := ms.mark("composer", "contact-handler"); ran {
		t.Errorf("the contact form's handler ran")
	}
}

// TestFormTypingLeavesLCPAlone: the form is usable at 0.7 s, the hero comes
// at 1.5 s. Typing is trusted input, and the first input ends LCP: the
// visitor types only after the first impression, so LCP stays the hero's
// (the fixture's fx-lcp mark), and the form is still dated 0.7 s.
func TestFormTypingLeavesLCPAlone(t *testing.T) {
	ms := startMarkSite(t)
	res := visitTyped(t, ms.URL+"/?fcp=100&form=700&lcp=1500&tid=lcp", 6*time.Second)
	hero, ok1 := ms.mark("lcp", "lcp")
	form, ok2 := ms.mark("lcp", "form")
	if !ok1 || !ok2 {
		t.Fatalf("the fixture's marks are missing (lcp %v form %v)", ok1, ok2)
	}
	lcp, ready := res.Milestones[checks.MilestoneLCP], res.Milestones[checks.MilestoneFormReady]
	t.Logf("LCP %.3fs (hero marked at %.3fs, %s), contact_form_ready %.3fs (form marked at %.3fs)", lcp, hero, res.LCPElement, ready, form)
	if lcp < hero-0.02 || lcp > hero+formTolerance {
		t.Errorf("LCP %.3fs, want the hero's %.3fs: the typing ended LCP early?", lcp, hero)
	}
	if !strings.Contains(res.LCPElement, "hero") {
		t.Errorf("LCP element %q, want the hero", res.LCPElement)
	}
	if ready < form-0.02 || ready > form+formTolerance {
		t.Errorf("contact_form_ready %.3fs, want the form's %.3fs", ready, form)
	}
}

// contactPage: a menu link on the landing page leads to a contact page whose
// form is enabled at 0.9 s of its own clock.
const contactPage = "fcp%3D100%26form%3D500%26formready%3D900"

func TestFormOnAContactPageReachedByAMenuLink(t *testing.T) {
	for _, text := range []string{"Kontakt", "Contacto", "Επικοινωνία", "Контакты", "Yhteystiedot"} {
		t.Run(text, func(t *testing.T) {
			before := fixture.Stats().FormPosts.Load()
			fixture.ResetChatEvents()
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
			// followed at first_contentful_paint; then the contact page's
			// form is ready when it says (its own clock).
			want := res.Milestones[checks.MilestoneFCP] + formReadyTruth(t)
			t.Logf("contact_form_ready %.3fs, want %.3fs (FCP + the contact page's form-ready); log %v", got, want, res.Log)
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
