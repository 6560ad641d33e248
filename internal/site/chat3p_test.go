package site

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// chatRound sends one visitor message through a real widget (send: "enter"
// or a selector to click) and checks that it reached the agent and that the
// agent's answer came answer ms later.
func chatRound(t *testing.T, ctx context.Context, s *Site, n int, input, send, answerSel string, answer int) {
	t.Helper()
	text := fmt.Sprintf("Automated check %d from the fixture test", n)
	click(t, ctx, input)
	typeText(t, ctx, text)
	if send == "enter" {
		pressEnter(t, ctx)
	} else {
		click(t, ctx, send)
	}
	waitFor(t, ctx, fmt.Sprintf("sent mark %d", n), fmt.Sprintf(`performance.getEntriesByName('fx-chat-sent', 'mark').length === %d`, n), 5*time.Second)
	// The page marks the message sent as it starts the request.
	for deadline := time.Now().Add(5 * time.Second); s.Stats().ChatMessages.Load() < int64(n) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.Stats().ChatMessages.Load(); got != int64(n) {
		t.Fatalf("the agent has %d messages, want %d", got, n)
	}
	if texts := s.Stats().ChatTexts(); len(texts) != n || texts[n-1] != text {
		t.Fatalf("the agent got %q, want %q last", texts, text)
	}
	waitFor(t, ctx, fmt.Sprintf("answer %d", n), fmt.Sprintf(`performance.getEntriesByName('fx-chat-answer', 'mark').length === %d`, n), time.Duration(answer)*time.Millisecond+10*time.Second)
	sent := eval[float64](t, ctx, fmt.Sprintf(`performance.getEntriesByName('fx-chat-sent', 'mark')[%d].startTime`, n-1))
	got := eval[float64](t, ctx, fmt.Sprintf(`performance.getEntriesByName('fx-chat-answer', 'mark')[%d].startTime`, n-1))
	t.Logf("message %d sent at %.0f ms, answered at %.0f ms (%.0f ms later; knob %d ms)", n, sent, got, got-sent, answer)
	if got-sent < float64(answer) || got-sent > float64(answer)+3000 {
		t.Fatalf("answered %.0f ms after the message, want about %d ms", got-sent, answer)
	}
	if shown := eval[string](t, ctx, fmt.Sprintf(`(() => { const a = document.querySelectorAll(%q); return a.length ? a[a.length-1].textContent.trim() : ''; })()`, answerSel)); shown != AgentAnswer {
		t.Fatalf("the last answer in the transcript is %q", shown)
	}
}

// openChat loads a chat page with its launcher at ui ms and the agent's
// answer after answer ms, checks that the panel is closed until the launcher
// is clicked, clicks it and waits for the mark open.
func openChat(t *testing.T, path string, ui, answer int, panel, launcher, open string) (*Site, context.Context) {
	t.Helper()
	s, ctx := openPage(t, false, fmt.Sprintf("%s?chatui=%d&answer=%d", path, ui, answer))
	if at := waitMark(t, ctx, "chat-ui", 10*time.Second); at < float64(ui)-timerSlack {
		t.Fatalf("launcher at %.0f ms, before chatui=%d", at, ui)
	}
	if visible(t, ctx, panel) {
		t.Fatalf("%s is open before the launcher was clicked", panel)
	}
	click(t, ctx, launcher)
	waitMark(t, ctx, open, 5*time.Second)
	return s, ctx
}

func TestBotUIComposerIsAFormAndTrustedInputSends(t *testing.T) {
	RequireThirdParty(t)
	const answer = 1500
	s, ctx := openChat(t, "/3p/botui", 300, answer, "#chat-box", "#chat-launcher", "chat-open")
	waitMark(t, ctx, "chat-greeting", 5*time.Second)
	waitFor(t, ctx, "BotUI's text action", `!!document.querySelector('form.botui-actions-text input.botui-actions-text-input')`, 5*time.Second)
	if m := marks(t, ctx); m["chat-answer"] != 0 {
		t.Fatal("the greeting counted as an answer")
	}
	if !eval[bool](t, ctx, `(() => { const i = document.querySelector('.botui-actions-text-input'); return !!i.form && i.form.tagName === 'FORM' && i.form.classList.contains('botui-actions-text'); })()`) {
		t.Fatal("BotUI's composer is not a <form>")
	}
	chatRound(t, ctx, s, 1, ".botui-actions-text-input", "enter", ".botui-message-content:not(.human)", answer)
	if h := eval[string](t, ctx, `(() => { const a = document.querySelectorAll('.botui-message-content.human'); return a.length ? a[a.length-1].textContent.trim() : ''; })()`); h != "Automated check 1 from the fixture test" {
		t.Fatalf("the visitor's message in the transcript: %q", h)
	}
	waitFor(t, ctx, "BotUI asking again", `!!document.querySelector('form.botui-actions-text input.botui-actions-text-input')`, 5*time.Second)
	chatRound(t, ctx, s, 2, ".botui-actions-text-input", "form.botui-actions-text button[type=submit]", ".botui-message-content:not(.human)", answer)
}

func TestReactChatWidgetTrustedInputSends(t *testing.T) {
	RequireThirdParty(t)
	const answer = 1000
	s, ctx := openChat(t, "/3p/chatwidget", 400, answer, ".rcw-conversation-container", ".rcw-launcher", "chat-open-shown")
	if !eval[bool](t, ctx, `(() => { const i = document.querySelector('.rcw-sender .rcw-input'); return !!i && i.isContentEditable && !i.closest('form'); })()`) {
		t.Fatal("react-chat-widget's composer is not a contenteditable div outside any form")
	}
	chatRound(t, ctx, s, 1, ".rcw-input", "enter", ".rcw-response .rcw-message-text", answer)
	if h := eval[string](t, ctx, `(() => { const a = document.querySelectorAll('.rcw-client .rcw-message-text'); return a.length ? a[a.length-1].textContent.trim() : ''; })()`); h != "Automated check 1 from the fixture test" {
		t.Fatalf("the visitor's message in the transcript: %q", h)
	}
	chatRound(t, ctx, s, 2, ".rcw-input", ".rcw-send", ".rcw-response .rcw-message-text", answer)
}
