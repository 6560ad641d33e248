package checks_test

import (
	"math"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
)

// chatTolerance bounds how far a measured chat time may be from the
// fixture's own (the box is shared and noisy).
const chatTolerance = 0.300

// chatPlan is a configured target whose only touchpoint is the chat.
func chatPlan(query string, chat checks.ChatSpec) checks.Plan {
	if chat.Mode == checks.Auto && !chat.Send {
		chat.Mode = checks.Required
	}
	return checks.Plan{Target: "chat", URL: fixture.URL + "/?fcp=100&lcp=200&" + query, Configured: true,
		Chat: chat, Form: checks.FormSpec{Mode: checks.Off}, Phone: checks.Off, Email: checks.Off}
}

// fixtureTime waits briefly for the widget's report of kind (its fetch may
// trail the visit) and returns it in seconds since navigation start.
func fixtureTime(t *testing.T, kind string) float64 {
	t.Helper()
	for i := 0; i < 40; i++ {
		if at, ok := fixture.LastChatEvent(kind); ok {
			return at / 1000
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the fixture never reported chat event %q (events %+v)", kind, fixture.ChatEvents())
	return 0
}

// near asserts a measured time is within the tolerance of the fixture's.
func near(t *testing.T, name string, got, want float64) {
	t.Helper()
	err := got - want
	t.Logf("%s: measured %.3fs, fixture %.3fs, error %+.0f ms", name, got, want, err*1000)
	if math.Abs(err) > chatTolerance {
		t.Errorf("%s = %.3fs, want %.3fs ± %.0f ms", name, got, want, chatTolerance*1000)
	}
}

func chatOf(t *testing.T, res checks.Result) checks.Touchpoint {
	t.Helper()
	tp, ok := res.Touchpoints[checks.TouchChat]
	if !ok {
		t.Fatalf("no chat touchpoint; touchpoints %+v; log:\n%s", res.Touchpoints, strings.Join(res.Log, "\n"))
	}
	return tp
}

func dumpOnFailure(t *testing.T, res checks.Result) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("CHAT_LOG") != "" {
			t.Logf("verdict %s reasons %+v milestones %v\nlog:\n%s", res.Verdict, res.Reasons, res.Milestones, strings.Join(res.Log, "\n"))
		}
	})
}

// answered runs a sending visit and checks ready and answer against the
// fixture's timeline.
func answered(t *testing.T, query string, spec checks.ChatSpec, answerMS int) checks.Result {
	t.Helper()
	fixture.ResetChatEvents()
	before := fixture.Stats().ChatMessages.Load()
	spec.Send = true
	if spec.Timeout == 0 {
		spec.Timeout = 15 * time.Second
	}
	res := visitPlan(t, chatPlan(query, spec))
	dumpOnFailure(t, res)
	tp := chatOf(t, res)
	if !tp.Up || !tp.Sent {
		t.Fatalf("chat up=%v sent=%v reason %s (%s)", tp.Up, tp.Sent, tp.Reason, tp.Detail)
	}
	if got := fixture.Stats().ChatMessages.Load() - before; got != 1 {
		t.Errorf("the fixture got %d chat messages, want 1", got)
	}
	ready, ok := res.Milestones[checks.MilestoneChatReady]
	if !ok {
		t.Fatal("no chat_ready milestone")
	}
	// The launcher showed at "ui"; the visitor clicked it once they might
	// act (after the first impression), and the panel opened at "open":
	// chat_ready is when a visitor clicking at once would have had it.
	near(t, "chat_ready", ready, fixtureTime(t, "ui"))
	if open := fixtureTime(t, "open"); open < fixtureTime(t, "ui") {
		t.Errorf("the panel opened at %.3fs, before its launcher showed", open)
	}
	ans, ok := res.Milestones[checks.MilestoneChatAnswered]
	if !ok {
		t.Fatal("no chat_answered milestone")
	}
	near(t, "chat_answered", ans, fixtureTime(t, "answer"))
	if tp.ResponseSeconds == nil {
		t.Fatal("no response_seconds")
	}
	// The fixture's own timers run late on a loaded box: its answer came
	// "answer" - "sent" after the message (answerMS when idle).
	near(t, "response_seconds", *tp.ResponseSeconds, fixtureTime(t, "answer")-fixtureTime(t, "sent"))
	t.Logf("response_seconds %.3fs for an answer knob of %d ms", *tp.ResponseSeconds, answerMS)
	if ans < ready {
		t.Errorf("answered at %.3fs before ready at %.3fs", ans, ready)
	}
	return res
}

func TestChatInThePageIsReadyAndAnswered(t *testing.T) {
	res := answered(t, "chat=page&chatui=1000&answer=1500", checks.ChatSpec{}, 1500)
	if tp := chatOf(t, res); tp.Detail[:11] != "in the page" || tp.FoundBy != "auto" || tp.Selectors["input"] == "" || tp.Selectors["launcher"] == "" {
		t.Errorf("found_by %q selectors %v, want auto with launcher and input", tp.FoundBy, tp.Selectors)
	}
}

func TestChatInASameOriginIframeIsReadyAndAnswered(t *testing.T) {
	res := answered(t, "chat=same&chatui=1200&answer=1500", checks.ChatSpec{}, 1500)
	if tp := chatOf(t, res); !strings.HasPrefix(tp.Detail, "in an iframe #chat") {
		t.Errorf("detail %q: want the chat in the same-origin iframe #chat", tp.Detail)
	}
	if sel := chatOf(t, res).Selectors; sel["frame"] == "" {
		t.Errorf("selectors %v: want the frame", sel)
	}
}

func TestChatInACrossSiteIframeIsReadyAndAnswered(t *testing.T) {
	res := answered(t, "chat=cross&chatui=1200&answer=1500", checks.ChatSpec{}, 1500)
	if tp := chatOf(t, res); !strings.HasPrefix(tp.Detail, "in an out-of-process iframe #chat") {
		t.Errorf("detail %q: want the chat in the cross-site (out-of-process) iframe #chat", tp.Detail)
	}
}

func TestChatFoundByConfiguredSelectorsInACrossSiteIframe(t *testing.T) {
	spec := checks.ChatSpec{Frame: "iframe#chat", Launcher: ".chat-launcher", Input: ".chat-input",
		SendButton: ".chat-send", AgentMessage: ".chat-msg.agent"}
	res := answered(t, "chat=cross&chatui=800&answer=1000&greet=1", spec, 1000)
	tp := chatOf(t, res)
	if tp.FoundBy != "config" || tp.Selectors["agent_message"] != ".chat-msg.agent" {
		t.Errorf("found_by %q selectors %v", tp.FoundBy, tp.Selectors)
	}
}

func TestChatGreetingAndTypingAreNoAnswer(t *testing.T) {
	// The widget greets at 0.8 s and shows "typing" 0.2 s after the message;
	// the answer comes 2.5 s after it.
	res := answered(t, "chat=same&chatui=800&answer=2500&greet=1&typing=1", checks.ChatSpec{}, 2500)
	if tp := chatOf(t, res); strings.Contains(tp.Detail, "Hi there") || strings.Contains(tp.Detail, "typing") {
		t.Errorf("counted %q as the answer", tp.Detail)
	}
	if _, ok := fixture.LastChatEvent("typing"); !ok {
		t.Error("the fixture showed no typing indicator: the test proves nothing")
	}
}

func TestChatLateAnswerIsTimedBeyondTheWindow(t *testing.T) {
	// A short window makes 5 s "late": the answer is still waited for.
	fixture.ResetChatEvents()
	plan := chatPlan("chat=same&chatui=500&answer=5000", checks.ChatSpec{Mode: checks.Required, Send: true, Timeout: 15 * time.Second})
	plan.Window = 3 * time.Second
	res := visitPlan(t, plan)
	dumpOnFailure(t, res)
	tp := chatOf(t, res)
	if !tp.Up || tp.ResponseSeconds == nil {
		t.Fatalf("chat up=%v reason %s (%s)", tp.Up, tp.Reason, tp.Detail)
	}
	near(t, "response_seconds", *tp.ResponseSeconds, fixtureTime(t, "answer")-fixtureTime(t, "sent"))
	near(t, "chat_answered", res.Milestones[checks.MilestoneChatAnswered], fixtureTime(t, "answer"))
	if !hasReason(res, checks.ReasonLate, checks.MilestoneChatAnswered) || res.Verdict != checks.Problematic {
		t.Errorf("verdict %s reasons %+v: want problematic, chat_answered late", res.Verdict, res.Reasons)
	}
}

func TestChatThatNeverAnswersIsUnanswered(t *testing.T) {
	fixture.ResetChatEvents()
	before := fixture.Stats().ChatMessages.Load()
	res := visitPlan(t, chatPlan("chat=cross&chatui=500&answer=0&greet=1&typing=1",
		checks.ChatSpec{Mode: checks.Required, Send: true, Timeout: 3 * time.Second}))
	dumpOnFailure(t, res)
	tp := chatOf(t, res)
	if tp.Up || tp.Reason != checks.ReasonChatUnanswered || !tp.Sent {
		t.Errorf("chat up=%v reason %q sent=%v, want chat_unanswered after sending", tp.Up, tp.Reason, tp.Sent)
	}
	if _, ok := res.Milestones[checks.MilestoneChatAnswered]; ok {
		t.Error("chat_answered set for a chat that never answers")
	}
	if !hasReason(res, checks.ReasonChatUnanswered, "") || res.Verdict != checks.Problematic {
		t.Errorf("verdict %s reasons %+v", res.Verdict, res.Reasons)
	}
	if got := fixture.Stats().ChatMessages.Load() - before; got != 1 {
		t.Errorf("chat messages %d, want 1", got)
	}
	if _, ok := fixture.LastChatEvent("typing"); !ok {
		t.Error("the fixture showed no typing indicator: the test proves nothing")
	}
}

// TestChatProviderIsDetectedAndOpenedByAClick: a provider's widget is
// named by its API, and opened as a visitor opens it — a click on its
// launcher, never its API.
func TestChatProviderIsDetectedAndOpenedByAClick(t *testing.T) {
	res := answered(t, "chat=same&chatui=700&answer=1200&provider=tawkto", checks.ChatSpec{Mode: checks.Auto}, 1200)
	if tp := chatOf(t, res); tp.FoundBy != "provider:tawkto" || tp.Selectors["launcher"] == "" || tp.InteractionSeconds == nil {
		t.Errorf("found_by %q selectors %v interaction %v, want provider:tawkto opened by a click on its launcher", tp.FoundBy, tp.Selectors, tp.InteractionSeconds)
	}
}

// TestChatWithoutALauncherIsNotOpenedThroughItsAPI: a provider whose
// panel only its API opens (no launcher) is no chat a visitor can use.
func TestChatWithoutALauncherIsNotOpenedThroughItsAPI(t *testing.T) {
	res := visitPlan(t, chatPlan("chat=same&chatui=700&provider=tawkto&nolauncher=1", checks.ChatSpec{Mode: checks.Required}))
	if tp := chatOf(t, res); tp.Up || tp.Reason != checks.ReasonChatMissing {
		t.Errorf("chat %+v, want missing: the visitor has nothing to click", tp)
	}
}

func TestChatDefaultsSendNothing(t *testing.T) {
	before := fixture.Stats().ChatMessages.Load()
	// A bare URL: found, opened, never written to.
	res := visitPlan(t, checks.AutoPlan(fixture.URL+"/?fcp=100&lcp=200&chat=page&chatui=300&answer=300&provider=intercom&phone=1"))
	dumpOnFailure(t, res)
	tp := chatOf(t, res)
	if !tp.Up || tp.Sent || tp.FoundBy != "provider:intercom" {
		t.Errorf("auto: chat up=%v sent=%v found_by %q, want up, provider:intercom, nothing sent", tp.Up, tp.Sent, tp.FoundBy)
	}
	// A configured chat with send: false.
	res = visitPlan(t, chatPlan("chat=cross&chatui=300&answer=300", checks.ChatSpec{Mode: checks.Required}))
	dumpOnFailure(t, res)
	if tp := chatOf(t, res); !tp.Up || tp.Sent {
		t.Errorf("configured: chat up=%v sent=%v", tp.Up, tp.Sent)
	}
	// Even a plan that asks to send, when it is not a configured target.
	plan := checks.AutoPlan(fixture.URL + "/?fcp=100&chat=same&chatui=300&answer=300")
	plan.Chat.Send = true
	plan.Defaults()
	res = visitPlan(t, plan)
	if tp := chatOf(t, res); tp.Sent {
		t.Error("a bare-URL plan sent a chat message")
	}
	time.Sleep(300 * time.Millisecond)
	if got := fixture.Stats().ChatMessages.Load() - before; got != 0 {
		t.Errorf("the fixture got %d chat messages without send: true", got)
	}
}

func TestChatMissing(t *testing.T) {
	res := visitPlan(t, chatPlan("", checks.ChatSpec{Mode: checks.Required}))
	dumpOnFailure(t, res)
	if tp := chatOf(t, res); tp.Up || tp.Reason != checks.ReasonChatMissing {
		t.Errorf("configured: chat up=%v reason %q, want chat_missing", tp.Up, tp.Reason)
	}
	if !hasReason(res, checks.ReasonChatMissing, "") {
		t.Errorf("configured missing chat is no failure: %+v", res.Reasons)
	}
	// Found automatically, its absence is reported but no failure by itself.
	res = visitPlan(t, checks.AutoPlan(fixture.URL+"/?fcp=100&lcp=200&phone=1&email=1"))
	dumpOnFailure(t, res)
	if tp := chatOf(t, res); tp.Up || tp.Reason != checks.ReasonChatMissing || tp.Required {
		t.Errorf("auto: chat up=%v reason %q required %v", tp.Up, tp.Reason, tp.Required)
	}
	if hasReason(res, checks.ReasonChatMissing, "") {
		t.Errorf("an auto-detected chat's absence failed the visit: %+v", res.Reasons)
	}
}

func hasReason(res checks.Result, code, milestone string) bool {
	for _, r := range res.Reasons {
		if r.Code == code && r.Failure && (milestone == "" || r.Milestone == milestone) {
			return true
		}
	}
	return false
}

func TestChatLauncherHeuristicSpeaksTheVisitorsLanguages(t *testing.T) {
	for _, c := range []struct {
		label string
		chat  bool
	}{
		{"Hilfe", true}, // German: help
		{"Чат", true},   // Russian/Ukrainian: chat
		{"¿Necesitas ayuda?", true},
		{"Nach oben", false}, // "back to top", a fixed corner button that is no chat
	} {
		t.Run(c.label, func(t *testing.T) {
			res := visitPlan(t, checks.AutoPlan(fixture.URL+"/?fcp=100&lcp=200&phone=1&chat=page&chatui=300&chatlabel="+url.QueryEscape(c.label)))
			dumpOnFailure(t, res)
			tp := chatOf(t, res)
			if tp.Up != c.chat {
				t.Errorf("launcher %q: chat up=%v (%s %s), want %v", c.label, tp.Up, tp.Reason, tp.Detail, c.chat)
			}
		})
	}
}

// TestChatThatSwallowsTheMessageFailsToSend: the widget's send button
// takes nothing — the text stays in the input, nothing reaches the
// transcript or the server — so the visitor's message was not sent:
// chat_send_failed, and the answer clock never starts.
func TestChatThatSwallowsTheMessageFailsToSend(t *testing.T) {
	before := fixture.Stats().ChatMessages.Load()
	res := visitPlan(t, chatPlan("chat=same&chatui=300&answer=500&swallow=1", checks.ChatSpec{Mode: checks.Auto, Send: true, Timeout: 5 * time.Second}))
	dumpOnFailure(t, res)
	tp := chatOf(t, res)
	if tp.Up || tp.Reason != checks.ReasonChatSendFailed || tp.Sent {
		t.Errorf("chat %+v, want chat_send_failed, not sent", tp)
	}
	if got := fixture.Stats().ChatMessages.Load() - before; got != 0 {
		t.Errorf("the fixture got %d messages: the swallowing widget sent after all", got)
	}
	if res.Verdict != checks.Problematic {
		t.Errorf("verdict %s, want problematic", res.Verdict)
	}
}

// TestThirdPartyChatsSend: real chat UIs from npm, used as a visitor uses
// them — BotUI's composer is a <form> (the contact-form guard must not
// stop it), react-chat-widget's a contenteditable — send the message, and
// the answer is timed against the fixture's own record.
func TestThirdPartyChatsSend(t *testing.T) {
	for _, path := range []string{"/3p/botui?chatui=500&answer=1000", "/3p/chatwidget?chatui=500&answer=1000"} {
		t.Run(path, func(t *testing.T) {
			fixture.ResetChatEvents()
			before := fixture.Stats().ChatMessages.Load()
			p := checks.Plan{Target: "chat", URL: fixture.URL + path, Configured: true,
				Chat: checks.ChatSpec{Mode: checks.Required, Send: true, Timeout: 10 * time.Second},
				Form: checks.FormSpec{Mode: checks.Off}, Phone: checks.Off, Email: checks.Off}
			res := visitPlan(t, p)
			dumpOnFailure(t, res)
			tp := chatOf(t, res)
			if !tp.Up || !tp.Sent {
				t.Fatalf("chat %+v, want sent and answered", tp)
			}
			if got := fixture.Stats().ChatMessages.Load() - before; got != 1 {
				t.Errorf("the fixture's agent got %d messages, want 1", got)
			}
			near(t, "chat_answered", res.Milestones[checks.MilestoneChatAnswered], fixtureTime(t, "answer"))
		})
	}
}

// TestChatUnderAConsentWall: the launcher sits under a consent wall. Left
// in place, the wall keeps the visitor from the chat (consent_blocked,
// naming the layer); accepted, the chat opens once the wall went.
func TestChatUnderAConsentWall(t *testing.T) {
	for _, act := range []string{checks.ConsentLeave, checks.ConsentAccept} {
		t.Run(act, func(t *testing.T) {
			p := chatPlan("", checks.ChatSpec{Mode: checks.Required})
			p.URL, p.Consent = fixture.URL+"/fx/chat-under-wall", act
			res := visitPlan(t, p)
			dumpOnFailure(t, res)
			tp := chatOf(t, res)
			if act == checks.ConsentLeave {
				if tp.Up || tp.Reason != checks.ReasonConsentBlocked || !strings.Contains(tp.Detail, "consent layer") {
					t.Errorf("chat %+v, want consent_blocked by the consent layer", tp)
				}
				return
			}
			if !tp.Up || res.Consent == nil || res.Consent.UsableSeconds == nil || *tp.ReadySeconds < *res.Consent.UsableSeconds {
				t.Errorf("chat %+v, consent %+v: want the chat ready once the wall went", tp, res.Consent)
			}
		})
	}
}
