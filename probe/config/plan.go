package config

import (
	"maps"
	"net/url"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// Plan is the visit of one configured target: a touchpoint the config
// names is Required, one set to `false` is Off, an absent one is Auto.
// Per-target interval, timeout and window override g's (Load has already
// filled them in; g fills them for a Target built by hand).
func (t *Target) Plan(g Global) checks.Plan {
	p := checks.Plan{
		Target:     t.Name,
		URL:        t.URL,
		Window:     pick(t.Window, g.Window),
		Timeout:    pick(t.Timeout, g.Timeout),
		Consent:    t.Consent,
		Promises:   map[string]time.Duration{},
		Phone:      boolMode(t.Phone),
		Email:      boolMode(t.Email),
		Filmstrip:  g.Filmstrip == nil || *g.Filmstrip,
		Configured: true,
	}
	for k, v := range t.Promises {
		p.Promises[k] = v.Duration()
	}
	f := t.ContactForm.Value
	p.Form = checks.FormSpec{
		Mode:         toggleMode(t.ContactForm.Set, t.ContactForm.Disabled),
		Page:         resolve(t.URL, f.Page),
		Selector:     f.Selector,
		Fields:       maps.Clone(f.Fields),
		Submit:       f.Submit,
		Confirmation: f.Confirmation,
	}
	ch := t.Chat.Value
	p.Chat = checks.ChatSpec{
		Mode:         toggleMode(t.Chat.Set, t.Chat.Disabled),
		Provider:     ch.Provider,
		Frame:        ch.Frame,
		Launcher:     ch.Launcher,
		Input:        ch.Input,
		SendButton:   ch.SendButton,
		AgentMessage: ch.AgentMessage,
		Message:      ch.Message,
		Send:         ch.Send,
		Timeout:      ch.Timeout.Duration(),
	}
	if p.Form.Mode == checks.Off {
		p.Form.Submit = false
	}
	if p.Chat.Mode == checks.Off {
		p.Chat.Send = false
	}
	p.KeyPoints = keyPlan(t)
	for _, kp := range p.KeyPoints {
		if kp.Promise > 0 {
			p.Promises[kp.Name+checks.ReadySuffix] = kp.Promise
		}
	}
	p.Defaults()
	return p
}

// ChatInterval is how often the daemon may send this target's chat
// message (chat.interval, else global.chat_interval); 0 when it sends none.
func (t *Target) ChatInterval(g Global) time.Duration {
	if t.Chat.Disabled || !t.Chat.Value.Send {
		return 0
	}
	return pick(t.Chat.Value.Interval, g.ChatInterval)
}

// BrowserOptions are the supervisor options of global.browser and
// global.user_agent_marker (Spares and Logger are the daemon's to set).
func (g Global) BrowserOptions() browser.Options {
	o := browser.Options{
		ExecPath:           g.Browser.ExecPath,
		RemoteURL:          g.Browser.RemoteURL,
		UserAgentMarker:    g.UserAgentMarker,
		Languages:          g.Languages,
		RecycleAfterVisits: g.Browser.RecycleAfterVisits,
		RecycleAboveBytes:  g.Browser.RecycleAboveMemory.Bytes(),
	}
	if o.RemoteURL != "" {
		o.ExecPath = ""
	}
	if len(g.Browser.Flags) > 0 {
		o.Flags = map[string]any{}
		for k, v := range g.Browser.Flags {
			// chromedp: true adds --k, false removes a default flag,
			// a string gives --k=v.
			switch v {
			case "true", "":
				o.Flags[k] = true
			case "false":
				o.Flags[k] = false
			default:
				o.Flags[k] = v
			}
		}
	}
	return o
}

func pick(d, def Duration) time.Duration {
	if d > 0 {
		return d.Duration()
	}
	return def.Duration()
}

func boolMode(b *bool) checks.Mode {
	switch {
	case b == nil:
		return checks.Auto
	case *b:
		return checks.Required
	}
	return checks.Off
}

func toggleMode(set, disabled bool) checks.Mode {
	switch {
	case disabled:
		return checks.Off
	case set:
		return checks.Required
	}
	return checks.Auto
}

// resolve makes a form page absolute against the target's URL.
func resolve(base, ref string) string {
	if ref == "" {
		return ""
	}
	b, err1 := url.Parse(base)
	r, err2 := url.Parse(ref)
	if err1 != nil || err2 != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}
