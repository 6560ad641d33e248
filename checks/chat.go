package checks

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// The live chat: found by the configured selectors, by a known provider, or
// by a launcher that looks like one. The visitor opens it with a click (a
// tap on a phone) once the first impression is measured and the consent
// layer dealt with; chat_ready is when its panel showed an input. Only
// with `send: true` does the visitor write: the message is typed and sent
// with trusted input, must then show in the transcript (or leave the
// input) — else chat_send_failed — and chat_answered is the first new
// message from the company's side after it.

//go:embed js/chat.js
var chatJS string

// chatModule looks for the chat in every document of the landing tab
// (checks/js/chat.js).
var chatModule = browser.Module{Name: "chat", Source: chatJS}

// chatRef is an element the module found.
type chatRef struct {
	Handle int    `json:"handle"`
	Desc   string `json:"desc"`
	Path   string `json:"path"`
}

// chatLook is what the module saw in one document.
type chatLook struct {
	T        float64  `json:"t"` // epoch ms
	URL      string   `json:"url"`
	Framed   bool     `json:"framed"`
	Input    *chatRef `json:"input"`
	Send     *chatRef `json:"send"`
	Launcher *chatRef `json:"launcher"`

	frame    *browser.Frame
	frameSel string // the iframe's selector in the page ("" for the page)
	chatty   bool
}

// chatAnswer is the first answer after the visitor's message.
type chatAnswer struct {
	T        float64 `json:"t"` // epoch ms
	Text     string  `json:"text"`
	Selector string  `json:"selector"`
}

// chatFound is the widget once ready.
type chatFound struct {
	look     chatLook
	launcher *chatLook // where the launcher was clicked, if one was
	provider string
	readyAt  float64 // seconds since navigation start
}

const chatPoll = 100 * time.Millisecond

// chatPanelWait is how long a clicked launcher's panel may take to show
// its input before the chat counts as not opening (bounded by the window).
const chatPanelWait = 5 * time.Second

func checkChat(ctx context.Context, pg *Page) Outcome {
	spec := pg.Plan.Chat
	out := Outcome{Touchpoints: map[string]Touchpoint{}, Milestones: map[string]float64{}}
	if spec.Mode == Off {
		return out
	}
	tp := Touchpoint{Checked: true, Required: spec.Mode == Required, FoundBy: "auto"}
	if spec.Frame != "" || spec.Launcher != "" || spec.Input != "" {
		tp.FoundBy = "config"
	}
	found, blocked, detail := findChat(ctx, pg, spec, &tp)
	switch {
	case blocked:
		tp.Reason, tp.Detail = ReasonConsentBlocked, detail
		out.Touchpoints[TouchChat] = tp
		return out
	case found == nil:
		tp.Reason, tp.Detail = ReasonChatMissing, detail
		out.Touchpoints[TouchChat] = tp
		return out
	}
	if found.provider != "" && tp.FoundBy == "auto" {
		tp.FoundBy = "provider:" + found.provider
	}
	tp.Up = true
	tp.ReadySeconds = ptr(found.readyAt)
	tp.Selector = found.look.Input.Path
	tp.Selectors = chatSelectors(found, spec)
	out.Milestones[MilestoneChatReady] = found.readyAt
	tp.Detail = found.where()
	pg.Logf("chat ready at %.3fs (%s, input %s %s)", found.readyAt, tp.FoundBy, found.look.Input.Desc, tp.Detail)

	// Only a configured target that opted in ever writes (AutoPlan can't).
	if !pg.Plan.MaySendChat() {
		out.Touchpoints[TouchChat] = tp
		return out
	}
	res := converse(ctx, pg, found, spec)
	tp.Sent = res.sentAt > 0
	if res.interaction > 0 && (tp.InteractionSeconds == nil || res.interaction > *tp.InteractionSeconds) {
		tp.InteractionSeconds = ptr(res.interaction)
	}
	switch {
	case res.sendFailed != "":
		tp.Up, tp.Reason, tp.Detail = false, ReasonChatSendFailed, tp.Detail+"; "+res.sendFailed
	case res.answer == nil:
		tp.Up, tp.Reason = false, ReasonChatUnanswered
		tp.Detail += fmt.Sprintf("; no answer %.1fs after the visitor's message (chat timeout %s)", res.waited.Seconds(), spec.Timeout)
	default:
		ans := res.answer
		at := chatSeconds(pg, ans.T)
		out.Milestones[MilestoneChatAnswered] = at
		tp.ResponseSeconds = ptr((ans.T - res.sentAt) / 1000)
		tp.Detail += "; answered: " + ans.Text
		if ans.Selector != "" && spec.AgentMessage == "" {
			tp.Selectors["agent_message"] = ans.Selector
		}
		pg.Logf("chat answered at %.3fs, %.3fs after the message: %q", at, *tp.ResponseSeconds, ans.Text)
	}
	out.Touchpoints[TouchChat] = tp
	return out
}

// chatSeconds converts an epoch-ms reading of any frame to seconds since
// navigation start; without the page's origin, the Go clock stands in.
func chatSeconds(pg *Page, epochMS float64) float64 {
	if pg.Origin > 0 && epochMS > 0 {
		return pg.Since(epochMS)
	}
	return time.Since(pg.Session.NavStart()).Seconds()
}

// chatDeadline is how long the chat is looked for: a configured one until
// the window ends; one looked for automatically until a second after the
// page went quiet (a widget building itself in an iframe is not seen by
// the page's observer).
func chatDeadline(ctx context.Context, pg *Page) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		window := time.NewTimer(time.Until(pg.WindowEnd))
		defer window.Stop()
		settled := pg.Session.Settled()
		if pg.Plan.Chat.Mode == Required {
			settled = nil
		}
		select {
		case <-window.C:
			return
		case <-ctx.Done():
			return
		case <-settled:
		}
		grace := time.NewTimer(time.Second)
		defer grace.Stop()
		select {
		case <-grace.C:
		case <-window.C:
		case <-ctx.Done():
		}
	}()
	return done
}

// findChat looks for the chat until it is ready or the deadline passes:
// an input that shows without a click, else a launcher, which the visitor
// clicks once they may act. blocked: the consent layer kept the visitor
// from the launcher.
func findChat(ctx context.Context, pg *Page, spec ChatSpec, tp *Touchpoint) (found *chatFound, blocked bool, detail string) {
	deadline := chatDeadline(ctx, pg)
	tick := time.NewTicker(chatPoll)
	defer tick.Stop()
	var provider string
	var launcher *chatLook      // the launcher as first seen
	var clicked *chatLook       // where it was clicked
	var clickAt, seenAt float64 // epoch ms: the click; the launcher's first sighting
	tries := 0
	var clickedAt time.Time
	var lastProblem string
	for {
		if provider == "" && spec.Provider != "generic" {
			if st, err := detectProvider(ctx, pg, spec.Provider); err == nil && st.Name != "" {
				provider = st.Name
				pg.Logf("chat provider %s detected (loaded %v)", st.Name, st.Loaded)
			}
		}
		looks := lookChat(ctx, pg, spec)
		for i := range looks {
			l := looks[i]
			if l.Input == nil {
				continue
			}
			f := &chatFound{look: l, launcher: clicked, provider: provider, readyAt: chatSeconds(pg, l.T)}
			if clicked != nil && clickAt > 0 && seenAt > 0 {
				// Ready when a visitor who clicked as the launcher
				// showed would have had the input: its sighting plus
				// what the panel took after the click.
				f.readyAt = chatSeconds(pg, seenAt+max(0, l.T-clickAt))
				if g := pg.consentGone(); g > f.readyAt {
					f.readyAt = g
				}
			}
			return f, false, ""
		}
		if clicked == nil {
			for i := range looks {
				if looks[i].Launcher != nil && launcher == nil {
					launcher = &looks[i]
					seenAt = looks[i].T
					pg.Logf("chat launcher %s seen in %s", launcher.Launcher.Desc, launcher.where())
				}
			}
		}
		// The visitor clicks the launcher once they may act; a click that
		// could not be made (covered, moving) is tried again.
		if launcher != nil && clicked == nil && tries < 20 && pg.mayAct() {
			l := launcher
			for i := range looks {
				if looks[i].Launcher != nil && looks[i].frame == launcher.frame {
					l = &looks[i] // a fresh handle
				}
			}
			in, err := clickLauncher(ctx, pg, l)
			tries++
			var na *browser.NotActionable
			switch {
			case errors.As(err, &na) && na.Layer == "consent":
				lastProblem = fmt.Sprintf("the chat launcher %s is covered by the consent layer %s", l.Launcher.Desc, na.CoveredBy)
				if pg.Plan.Consent == ConsentLeave || tries > 3 {
					return nil, true, lastProblem
				}
			case err != nil:
				lastProblem = fmt.Sprintf("the chat launcher %s could not be clicked: %v", l.Launcher.Desc, err)
				pg.Logf("chat: %s", lastProblem)
			default:
				clicked, clickAt, clickedAt = l, in.At, time.Now()
				if in.Measured {
					tp.InteractionSeconds = ptr(in.Seconds)
				}
				pg.Logf("chat launcher %s clicked (%s) in %s", l.Launcher.Desc, in.Kind, l.where())
			}
		}
		// A launcher seen and not yet clicked is waited for until the
		// visitor may act; a clicked one gets chatPanelWait for its panel.
		if (launcher != nil && clicked == nil && tries < 20) || (clicked != nil && time.Since(clickedAt) < chatPanelWait) {
			if time.Now().Before(pg.WindowEnd) {
				select {
				case <-ctx.Done():
					return nil, false, "no chat found before the visit ended"
				case <-tick.C:
				}
				continue
			}
		}
		select {
		case <-deadline:
			switch {
			case clicked != nil:
				return nil, false, fmt.Sprintf("a chat launcher (%s) opened no panel with an input", clicked.Launcher.Desc)
			case lastProblem != "":
				return nil, false, lastProblem
			case provider != "":
				return nil, false, fmt.Sprintf("%s chat detected, but no launcher or input a visitor could use", provider)
			}
			return nil, false, "no chat launcher or chat input found"
		case <-ctx.Done():
			return nil, false, "no chat found before the visit ended"
		case <-tick.C:
		}
	}
}

// clickLauncher clicks the launcher as the visitor, holding the hands.
func clickLauncher(ctx context.Context, pg *Page, l *chatLook) (browser.Interaction, error) {
	pg.hands.Lock()
	defer pg.hands.Unlock()
	return l.frame.ElementByHandle(l.Launcher.Handle, l.Launcher.Desc).Click(ctx)
}

// chatFrame is an iframe of the page as the chat module lists it.
type chatFrame struct {
	Src    string `json:"src"`
	Shown  bool   `json:"shown"`
	Chatty bool   `json:"chatty"`
	Corner bool   `json:"corner"`
	Path   string `json:"path"`
}

// lookChat asks every likely document of the landing tab — the page
// (unless the config names a frame), then iframes that speak of chat or
// sit in a corner, same-site or cross-site — what it shows of the chat.
func lookChat(ctx context.Context, pg *Page, spec ChatSpec) []chatLook {
	tab := pg.Landing()
	main := tab.Main()
	cfg := map[string]any{"launcher": spec.Launcher, "input": spec.Input, "send": spec.SendButton, "frame": spec.Frame, "skip": consentFrameSelector}
	var out []chatLook
	if spec.Frame == "" {
		var l chatLook
		if err := main.Call(ctx, "chat.look", cfg, &l); err == nil {
			l.frame = main
			out = append(out, l)
		}
	}
	var iframes []chatFrame
	if err := main.Call(ctx, "chat.frames", cfg, &iframes); err != nil || len(iframes) == 0 {
		return out
	}
	frames, err := tab.Frames(ctx)
	if err != nil {
		return out
	}
	for _, fi := range iframes {
		if !fi.Chatty && !fi.Corner && spec.Frame == "" {
			continue // an ad or a video is no chat
		}
		for _, f := range frames {
			if f.IsMain() || !sameDocument(f.URL(), fi.Src) {
				continue
			}
			fcfg := map[string]any{"launcher": spec.Launcher, "input": spec.Input, "send": spec.SendButton, "chatFrame": fi.Chatty}
			var l chatLook
			if err := f.Call(ctx, "chat.look", fcfg, &l); err != nil || l.URL == "about:blank" {
				continue
			}
			l.frame, l.frameSel, l.chatty = f, fi.Path, fi.Chatty
			out = append(out, l)
		}
	}
	return out
}

// where says in which document the chat is.
func (l *chatLook) where() string {
	switch {
	case l.frame == nil || l.frame.IsMain():
		return "in the page"
	case l.frame.CrossProcess():
		return "in an out-of-process iframe " + l.frameSel
	}
	return "in an iframe " + l.frameSel
}

func (f *chatFound) where() string { return f.look.where() }

// chatSelectors are the selectors found, under the config's key names, for
// `touchprobe discover`.
func chatSelectors(f *chatFound, spec ChatSpec) map[string]string {
	sel := map[string]string{}
	put := func(k, configured, found string) {
		if configured != "" {
			sel[k] = configured
		} else if found != "" {
			sel[k] = found
		}
	}
	put("frame", spec.Frame, f.look.frameSel)
	var launcher, launcherFrame string
	if f.launcher != nil {
		launcher, launcherFrame = f.launcher.Launcher.Path, f.launcher.frameSel
	}
	put("launcher", spec.Launcher, launcher)
	put("input", spec.Input, f.look.Input.Path)
	if f.look.Send != nil {
		put("send_button", spec.SendButton, f.look.Send.Path)
	} else {
		put("send_button", spec.SendButton, "")
	}
	put("agent_message", spec.AgentMessage, "")
	if launcherFrame != f.look.frameSel && launcherFrame != "" {
		sel["launcher_frame"] = launcherFrame
	}
	return sel
}

// conversation is how the visitor's message went.
type conversation struct {
	sentAt      float64 // epoch ms, the widget's clock: the send input
	sendFailed  string  // why the widget did not take the message
	answer      *chatAnswer
	waited      time.Duration
	interaction float64
}

// chatEcho bounds how long the visitor's message may take to show in the
// transcript (or leave the input) after the send.
const chatEcho = 5 * time.Second

// converse types the message and sends it as the visitor — a click into
// the input, the text, Enter or the send button — checks that the widget
// took it, then waits for the first answer.
func converse(ctx context.Context, pg *Page, f *chatFound, spec ChatSpec) conversation {
	var c conversation
	fr := f.look.frame
	if err := fr.Call(ctx, "chat.arm", map[string]any{"cfg": map[string]any{"agent": spec.AgentMessage}, "msg": spec.Message}, nil); err != nil {
		c.sendFailed = "the chat could not be watched: " + err.Error()
		return c
	}
	prov := providerNamed(f.provider)
	if err := armProvider(ctx, pg, prov); err != nil {
		pg.Logf("chat: %s answer hook: %v", f.provider, err)
	}
	input := fr.ElementByHandle(f.look.Input.Handle, f.look.Input.Desc)
	send, how, err := func() (browser.Interaction, string, error) {
		pg.hands.Lock()
		defer pg.hands.Unlock()
		// A panel still sliding in: the visitor waits for it to stop.
		var in browser.Interaction
		var err error
		_ = browser.Until(ctx, time.Now().Add(3*time.Second), 100*time.Millisecond, func(ctx context.Context) (bool, error) {
			in, err = input.Type(ctx, spec.Message)
			var na *browser.NotActionable
			return !errors.As(err, &na) || na.Problem != "moving", nil
		})
		if err != nil {
			return in, "", fmt.Errorf("the chat input took no text: %w", err)
		}
		if f.look.Send != nil {
			btn := fr.ElementByHandle(f.look.Send.Handle, f.look.Send.Desc)
			if s, err := btn.Click(ctx); err == nil {
				return s, "the send button", nil
			}
		}
		s, err := input.Press(ctx, "Enter")
		return s, "Enter", err
	}()
	if err != nil {
		c.sendFailed = err.Error()
		return c
	}
	if send.Measured {
		c.interaction = send.Seconds
	}
	pg.Logf("chat message sent with %s at %.3fs", how, chatSeconds(pg, send.At))

	// The widget took the message when it shows in the transcript or the
	// input lets go of it; only then does the answer clock start.
	echoed := false
	_ = browser.Until(ctx, time.Now().Add(chatEcho), 50*time.Millisecond, func(ctx context.Context) (bool, error) {
		var st struct {
			Echo *struct {
				T float64 `json:"t"`
			} `json:"echo"`
		}
		if err := fr.Call(ctx, "chat.answer", nil, &st); err == nil && st.Echo != nil {
			echoed = true
			return true, nil
		}
		if v, err := input.Value(ctx); err == nil && !strings.Contains(v, strings.TrimSpace(spec.Message)) {
			echoed = true
			return true, nil
		}
		return false, nil
	})
	if !echoed {
		c.sendFailed = fmt.Sprintf("the message was typed and sent with %s, but it never showed in the transcript and stayed in the input (%s)", how, chatEcho)
		return c
	}
	c.sentAt = send.At

	start := time.Now()
	wait, cancel := context.WithTimeout(ctx, spec.Timeout)
	defer cancel()
	tick := time.NewTicker(chatPoll)
	defer tick.Stop()
	logged := false
	for {
		var st struct {
			Answer *chatAnswer `json:"answer"`
		}
		err := fr.Call(wait, "chat.answer", nil, &st)
		if err != nil && wait.Err() == nil && !logged {
			pg.Logf("chat: reading the answer: %v", err)
			logged = true
		}
		best := st.Answer
		if prov != nil && prov.Hook != "" {
			if a := providerAnswer(wait, pg); a != nil && (best == nil || a.T < best.T) {
				best = a
			}
		}
		if best != nil {
			c.answer = best
			return c
		}
		select {
		case <-wait.Done():
			c.waited = time.Since(start)
			return c
		case <-tick.C:
		}
	}
}
