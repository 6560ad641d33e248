package checks

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// The live chat: found by the configured selectors, by a known provider, or
// by a launcher that looks like one; chat_ready when its panel, opened, has
// an input. Only with `send: true` does it write, and chat_answered is the
// first new message from the company's side after that.

// chatScan is what the helper found in one document.
type chatScan struct {
	T        float64 `json:"t"` // epoch ms
	URL      string  `json:"url"`
	Launcher string  `json:"launcher"`
	Input    string  `json:"input"`
	Send     string  `json:"send"`
	Clicked  bool    `json:"clicked"`
}

// chatAnswer is the first answer after the visitor's message.
type chatAnswer struct {
	T        float64 `json:"t"` // epoch ms
	Text     string  `json:"text"`
	Selector string  `json:"selector"`
}

// chatFound is the widget once ready.
type chatFound struct {
	realm    *realm
	scan     chatScan
	launcher string // selector, and the realm it was in
	frameSel string
	provider string
	readyAt  float64 // seconds since navigation start
}

const chatPoll = 100 * time.Millisecond

func checkChat(ctx context.Context, pg *Page) Outcome {
	spec := pg.Plan.Chat
	out := Outcome{Touchpoints: map[string]Touchpoint{}, Milestones: map[string]float64{}}
	if spec.Mode == Off {
		return out
	}
	tab, cancel := pg.Tab(ctx, 0)
	defer cancel()
	rs := newRealms(tab, pg)
	defer rs.close()

	tp := Touchpoint{Checked: true, Required: spec.Mode == Required, FoundBy: "auto"}
	if spec.Frame != "" || spec.Launcher != "" || spec.Input != "" {
		tp.FoundBy = "config"
	}
	found, detail := findChat(ctx, pg, rs, spec)
	rs.stop(ctx)
	if found == nil {
		tp.Reason, tp.Detail = ReasonChatMissing, detail
		out.Touchpoints[TouchChat] = tp
		return out
	}
	if found.provider != "" && tp.FoundBy == "auto" {
		tp.FoundBy = "provider:" + found.provider
	}
	tp.Up = true
	tp.ReadySeconds = ptr(found.readyAt)
	tp.Selector = found.scan.Input
	tp.Selectors = chatSelectors(found, spec)
	out.Milestones[MilestoneChatReady] = found.readyAt
	tp.Detail = found.where()
	pg.Logf("chat ready at %.3fs (%s, input %s %s)", found.readyAt, tp.FoundBy, found.scan.Input, tp.Detail)

	// Only a configured target that opted in ever writes (AutoPlan can't).
	if !pg.Plan.MaySendChat() {
		out.Touchpoints[TouchChat] = tp
		return out
	}
	sendStart := time.Now()
	ans, sentAt, err := converse(ctx, pg, found, spec)
	tp.Sent = sentAt > 0
	switch {
	case err != nil:
		tp.Up, tp.Reason, tp.Detail = false, ReasonChatUnanswered, tp.Detail+"; "+err.Error()
	case ans == nil:
		tp.Up, tp.Reason = false, ReasonChatUnanswered
		tp.Detail += fmt.Sprintf("; no answer %.1fs after the visitor's message (chat timeout %s)", time.Since(sendStart).Seconds(), spec.Timeout)
	default:
		at := chatSeconds(pg, ans.T)
		out.Milestones[MilestoneChatAnswered] = at
		tp.ResponseSeconds = ptr((ans.T - sentAt) / 1000)
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
// the window ends; one looked for automatically until shortly after the
// page went quiet (widgets that load late keep the page busy until then).
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
		// The page's observer sees the main frame's timers and requests,
		// not those inside iframes: a widget building itself in an iframe
		// gets a second more; a page without iframes has nothing unseen.
		if !hasIframes(ctx, pg) {
			return
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

// hasIframes: the landing page holds at least one iframe (true when unsure).
func hasIframes(ctx context.Context, pg *Page) bool {
	tctx, cancel := pg.Tab(ctx, time.Second)
	defer cancel()
	n, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll('iframe, frame').length`))
	return err != nil || n > 0
}

// findChat looks for the chat until it is ready or the deadline passes.
func findChat(ctx context.Context, pg *Page, rs *realms, spec ChatSpec) (*chatFound, string) {
	deadline := chatDeadline(ctx, pg)
	tick := time.NewTicker(chatPoll)
	defer tick.Stop()
	var provider, launcher, launcherIn string
	opened := false
	clicked := map[string]bool{}
	for {
		if provider == "" && spec.Provider != "generic" {
			st, err := detectProvider(ctx, pg, spec.Provider)
			if err != nil {
				pg.Logf("chat: detecting a provider: %v", err)
			} else if st.Name != "" {
				provider = st.Name
				pg.Logf("chat provider %s detected (loaded %v)", st.Name, st.Loaded)
			}
		}
		if provider != "" && !opened {
			if st, err := detectProvider(ctx, pg, provider); err == nil && st.Loaded {
				if err := providerCall(ctx, pg, providerNamed(provider).Open); err != nil {
					pg.Logf("chat: opening %s through its API: %v", provider, err)
				}
				opened = true
			}
		}
		if f := scanRealms(ctx, pg, rs, spec, clicked, &launcher, &launcherIn); f != nil {
			if provider == "" && spec.Provider != "generic" {
				// It may have come with the widget, since the last look.
				if st, err := detectProvider(ctx, pg, spec.Provider); err == nil {
					provider = st.Name
				}
			}
			f.provider = provider
			if f.scan.Launcher == "" {
				f.scan.Launcher, f.launcher = launcher, launcherIn
			}
			return f, ""
		}
		select {
		case <-deadline:
			switch {
			case launcher != "":
				return nil, fmt.Sprintf("a chat launcher (%s) opened no panel with an input", launcher)
			case provider != "":
				return nil, fmt.Sprintf("%s chat detected, but its panel showed no input", provider)
			}
			return nil, "no chat launcher or chat input found"
		case <-ctx.Done():
			return nil, "no chat found before the visit ended"
		case <-tick.C:
		}
	}
}

// scanRealms looks once in the page and its likely iframes; a launcher is
// clicked once, and the panel's input may then show in any of them.
func scanRealms(ctx context.Context, pg *Page, rs *realms, spec ChatSpec, clicked map[string]bool, launcher, launcherIn *string) *chatFound {
	main, err := rs.main(ctx)
	if err != nil {
		pg.Logf("chat: page world: %v", err)
		return nil
	}
	var list []*realm
	if spec.Frame == "" {
		list = append(list, main)
	}
	list = append(list, rs.frames(ctx, main, spec)...)
	for _, r := range list {
		cfg := map[string]any{
			"launcher": spec.Launcher, "input": spec.Input, "send": spec.SendButton,
			"framed": r.framed, "chatFrame": r.framed && r.chatty,
			"click": true, // once per document; the helper keeps count
		}
		var s chatScan
		if err := r.eval(ctx, time.Second, "scan", &s, cfg); err != nil {
			if ctx.Err() == nil {
				pg.Logf("chat: looking in %s: %v", r.name, err)
				rs.forget(r) // found again, in its new document
			}
			continue
		}
		if r.framed && s.URL == "about:blank" {
			rs.forget(r) // the frame's own document is still to come
			continue
		}
		if s.Clicked && !clicked[r.name] {
			clicked[r.name] = true
			*launcher, *launcherIn = s.Launcher, r.frameSel
			pg.Logf("chat launcher %s clicked in %s", s.Launcher, r.name)
		}
		if s.Input != "" {
			return &chatFound{realm: r, scan: s, frameSel: r.frameSel, readyAt: chatSeconds(pg, s.T)}
		}
	}
	return nil
}

// where says in which document the chat is.
func (f *chatFound) where() string {
	switch {
	case !f.realm.framed:
		return "in the page"
	case f.realm.oopif:
		return "in an out-of-process iframe " + f.frameSel
	}
	return "in an iframe " + f.frameSel
}

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
	put("frame", spec.Frame, f.frameSel)
	put("launcher", spec.Launcher, f.scan.Launcher)
	put("input", spec.Input, f.scan.Input)
	put("send_button", spec.SendButton, f.scan.Send)
	put("agent_message", spec.AgentMessage, "")
	if f.launcher != f.frameSel && f.launcher != "" {
		sel["launcher_frame"] = f.launcher
	}
	return sel
}

// converse types the message, sends it, and waits for the first answer.
// It returns the answer (nil: none in time) and when the message left
// (epoch ms, the widget's clock).
func converse(ctx context.Context, pg *Page, f *chatFound, spec ChatSpec) (*chatAnswer, float64, error) {
	r := f.realm
	cfg := map[string]any{"input": spec.Input, "send": spec.SendButton, "agent": spec.AgentMessage,
		"framed": r.framed, "chatFrame": r.framed && r.chatty}
	var typed struct {
		OK  bool   `json:"ok"`
		Why string `json:"why"`
	}
	if err := r.eval(ctx, 5*time.Second, "type", &typed, cfg, spec.Message); err != nil || !typed.OK {
		return nil, 0, fmt.Errorf("the chat input took no text (%v%s)", err, typed.Why)
	}
	prov := providerNamed(f.provider)
	if err := armProvider(ctx, pg, prov); err != nil {
		pg.Logf("chat: %s answer hook: %v", f.provider, err)
	}
	var sent struct {
		OK  bool    `json:"ok"`
		T   float64 `json:"t"`
		By  string  `json:"by"`
		Why string  `json:"why"`
	}
	if err := r.eval(ctx, 5*time.Second, "send", &sent, cfg, spec.Message); err != nil || !sent.OK {
		return nil, 0, fmt.Errorf("the chat message could not be sent (%v%s)", err, sent.Why)
	}
	pg.Logf("chat message sent by %s at %.3fs", sent.By, chatSeconds(pg, sent.T))

	wait, cancel := context.WithTimeout(ctx, spec.Timeout)
	defer cancel()
	tick := time.NewTicker(chatPoll)
	defer tick.Stop()
	logged := false
	for {
		var st struct {
			Armed  bool        `json:"armed"`
			Answer *chatAnswer `json:"answer"`
			Typing bool        `json:"typing"`
		}
		err := r.eval(wait, 2*time.Second, "answer", &st)
		if err != nil && wait.Err() == nil && !logged {
			pg.Logf("chat: reading the answer: %v", err)
			logged = true
		}
		var best *chatAnswer
		if err == nil && st.Answer != nil {
			best = st.Answer
		}
		if prov != nil && prov.Hook != "" {
			if a := providerAnswer(wait, pg); a != nil && (best == nil || a.T < best.T) {
				best = a
			}
		}
		if best != nil {
			return best, sent.T, nil
		}
		select {
		case <-wait.Done():
			return nil, sent.T, nil
		case <-tick.C:
		}
	}
}
