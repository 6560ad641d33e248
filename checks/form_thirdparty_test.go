package checks_test

import (
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
)

// TestFormOnTheStartBootstrapTheme: Start Bootstrap's Creative theme as a
// company deploys it (internal/site, /3p/theme): its contact form
// #contactForm lies at the bottom of the landing page, below the fold, with
// tel: and mailto: links beside it. The visitor scrolls to the form and
// types; nothing is sent.
func TestFormOnTheStartBootstrapTheme(t *testing.T) {
	site.RequireThirdParty(t)
	before := fixture.Stats().FormPosts.Load()
	res := visitTyped(t, fixture.URL+"/3p/theme", 8*time.Second)
	if tp := res.Touchpoints[checks.TouchContactForm]; tp.Selector != "#contactForm" {
		t.Errorf("form %+v, want #contactForm", tp)
	}
	for name, href := range map[string]string{checks.TouchPhone: "tel:+15551234567", checks.TouchEmail: "mailto:hello@acme.example"} {
		if l := res.Touchpoints[name]; !l.Up || l.Detail != href {
			t.Errorf("%s %+v, want %s", name, l, href)
		}
	}
	if n := fixture.Stats().FormPosts.Load() - before; n != 0 {
		t.Errorf("%d form submissions reached the fixture", n)
	}
	t.Logf("contact_form_ready %.3fs; log %v", res.Milestones[checks.MilestoneFormReady], res.Log)
}

// TestFormOnTheStartBootstrapThemesContactPage: the theme's navbar link
// "Contact" leads to a page of its own (contactpage=1); the landing page
// has no form. The contact page opens in another tab of the same visitor.
func TestFormOnTheStartBootstrapThemesContactPage(t *testing.T) {
	site.RequireThirdParty(t)
	p := checks.AutoPlan(fixture.URL + "/3p/theme?contactpage=1")
	p.Window = 8 * time.Second
	res := visitPlan(t, p)
	tp := res.Touchpoints[checks.TouchContactForm]
	if !tp.Up || !strings.Contains(tp.Page, "/3p/theme/contact") || tp.Selector != "#contactForm" {
		t.Fatalf("form %+v, want #contactForm on /3p/theme/contact; log %v", tp, res.Log)
	}
	if !logSays(res, `following "Contact"`) {
		t.Errorf("the navbar's Contact link was not followed; log %v", res.Log)
	}
}

// TestFormAndLinksOfACompanyWithoutChat: /fx/company has a contact form (at
// 0.8 s) and a phone link, no chat and no e-mail link. Found automatically,
// the missing ones are not found, not down, and the visit is not
// problematic.
func TestFormAndLinksOfACompanyWithoutChat(t *testing.T) {
	fixture.ResetChatEvents()
	p := checks.AutoPlan(fixture.URL + "/fx/company")
	p.Window = 6 * time.Second
	res := visitPlan(t, p)
	form := res.Touchpoints[checks.TouchContactForm]
	if !form.Up {
		t.Fatalf("form %+v; log %v", form, res.Log)
	}
	got, want := res.Milestones[checks.MilestoneFormReady], formReadyTruth(t)
	if got < want-0.02 || got > want+formTolerance {
		t.Errorf("contact_form_ready %.3fs, want the fixture's %.3fs", got, want)
	}
	if !res.Touchpoints[checks.TouchPhone].Up {
		t.Errorf("phone %+v, want up", res.Touchpoints[checks.TouchPhone])
	}
	for _, name := range []string{checks.TouchChat, checks.TouchEmail} {
		if tp := res.Touchpoints[name]; tp.Up || !tp.NotFound() {
			t.Errorf("%s %+v, want not found", name, tp)
		}
	}
	if res.Verdict == checks.Problematic {
		t.Errorf("verdict problematic for a company reachable by form and phone: %+v", res.Reasons)
	}
}

// TestFormGuardLeavesBotUIsComposerAlone: BotUI's composer is a <form> on the
// company page next to the contact form (/3p/botui). The visitor writes to
// the chat (send: true); the message reaches the chat's agent, and the
// contact form is neither sent nor kept from the visitor.
func TestFormGuardLeavesBotUIsComposerAlone(t *testing.T) {
	site.RequireThirdParty(t)
	posts, chats := fixture.Stats().FormPosts.Load(), len(fixture.Stats().ChatTexts())
	p := checks.Plan{Target: "botui", URL: fixture.URL + "/3p/botui?chatui=300&answer=500", Configured: true, Window: 6 * time.Second,
		Form: checks.FormSpec{Mode: checks.Required}, Phone: checks.Off, Email: checks.Off,
		Chat: checks.ChatSpec{Mode: checks.Required, Send: true, Launcher: "#chat-launcher", Input: ".botui-actions-text-input",
			SendButton: "form.botui-actions-text button[type=submit]", AgentMessage: ".botui-message-content:not(.human)",
			Message: "Automated check from touchprobe, no reply needed"}}
	res := visitPlan(t, p)
	deadline := time.Now().Add(2 * time.Second)
	for len(fixture.Stats().ChatTexts()) == chats && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	texts := fixture.Stats().ChatTexts()[chats:]
	if len(texts) != 1 || texts[0] != p.Chat.Message {
		t.Errorf("the chat's agent got %q, want the visitor's one message; chat %+v; log %v", texts, res.Touchpoints[checks.TouchChat], res.Log)
	}
	if n := fixture.Stats().FormPosts.Load() - posts; n != 0 {
		t.Errorf("%d contact-form POSTs reached the fixture", n)
	}
	if !res.Touchpoints[checks.TouchContactForm].Up {
		t.Errorf("form %+v, want up", res.Touchpoints[checks.TouchContactForm])
	}
}
