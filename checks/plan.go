package checks

import (
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// Mode says how a touchpoint is looked for.
type Mode int

const (
	// Auto: looked for; not finding it is reported, and is no failure by
	// itself (unless the visitor finds no way at all to reach the company).
	Auto Mode = iota
	// Off: not looked for (`contact_form: false`).
	Off
	// Required: the config names it, so it must be there.
	Required
)

// Consent actions for a cookie-consent banner.
const (
	ConsentAccept = "accept"
	ConsentReject = "reject"
	ConsentLeave  = "leave"
)

// DefaultPromises are the budgets a company promises a visitor unless its
// config says otherwise.
var DefaultPromises = map[string]time.Duration{
	MilestoneFCP:          1800 * time.Millisecond,
	MilestoneLCP:          2500 * time.Millisecond,
	MilestoneFormReady:    5 * time.Second,
	MilestoneChatAnswered: 20 * time.Second,
	// INP's "good": the slowest answer to the visitor's own input.
	PromiseInteraction: 200 * time.Millisecond,
}

// FormSpec says where the contact form is and what to do with it.
type FormSpec struct {
	Mode     Mode
	Page     string            // where the form lives (path or URL); empty: landing page, then a contact link
	Selector string            // CSS selector of the form; empty: found automatically
	Fields   map[string]string // field name (or kind: email, message, name, phone) → value typed
	// Submit sends the form (a test inbox or staging site only) and waits
	// for Confirmation (a CSS selector or text) to time the end of the contact.
	Submit       bool
	Confirmation string
}

// ChatSpec says how to find the live chat and whether to write to it.
type ChatSpec struct {
	Mode         Mode
	Provider     string // auto | generic | intercom | zendesk | drift | tawkto | livechat | crisp | hubspot | tidio
	Frame        string // CSS selector of the iframe that holds the widget
	Launcher     string
	Input        string
	SendButton   string
	AgentMessage string
	Message      string
	// Send writes Message to the chat and waits for an answer for Timeout.
	Send    bool
	Timeout time.Duration
}

// DefaultVisitor is the visitor profile of a plan that names none.
const DefaultVisitor = "desktop"

// Plan is one visit: the target and what to check on it.
type Plan struct {
	Target string
	URL    string
	// Visitor names the visitor profile (DefaultVisitor when empty);
	// Profile is it (nil: a built-in profile by that name, or desktop).
	Visitor   string
	Profile   *browser.Profile
	Window    time.Duration // the first impression (20 s)
	Timeout   time.Duration // bound on the whole visit (60 s)
	Promises  map[string]time.Duration
	Consent   string // accept | reject | leave
	Form      FormSpec
	Chat      ChatSpec
	Phone     Mode
	Email     Mode
	Filmstrip bool
	// KeyPoints are the business's own touchpoints (keypoints.go).
	KeyPoints []KeyPoint
	// HAR: keep what a HAR file of the visit needs (Result.HAR), whose
	// creator is touchprobe at Version.
	HAR     bool
	Version string
	// Configured is false for a bare URL: everything is auto-detected and
	// nothing is ever sent.
	Configured bool
}

// Defaults fills what a plan leaves empty.
func (p *Plan) Defaults() {
	if p.Visitor == "" {
		p.Visitor = DefaultVisitor
	}
	if p.Profile == nil && p.Visitor != DefaultVisitor {
		if bp, ok := browser.Profiles[p.Visitor]; ok {
			p.Profile = &bp
		}
	}
	if p.Window <= 0 {
		p.Window = 20 * time.Second
	}
	if p.Timeout <= 0 {
		p.Timeout = 60 * time.Second
	}
	if p.Promises == nil {
		p.Promises = map[string]time.Duration{}
	}
	for k, v := range DefaultPromises {
		if _, ok := p.Promises[k]; !ok {
			p.Promises[k] = v
		}
	}
	if p.Consent == "" {
		p.Consent = ConsentAccept
	}
	if p.Chat.Timeout <= 0 {
		p.Chat.Timeout = 60 * time.Second
	}
	if p.Chat.Provider == "" {
		p.Chat.Provider = "auto"
	}
	if p.Chat.Message == "" {
		p.Chat.Message = "Automated check from touchprobe, no reply needed"
	}
	if !p.Configured {
		// A bare URL never sends anything.
		p.Form.Submit = false
		p.Chat.Send = false
	}
}

// MaySubmitForm says whether the visit may send the contact form: only a
// configured target that opted in (`submit: true`), never a bare URL.
func (p *Plan) MaySubmitForm() bool { return p.Configured && p.Form.Submit }

// MaySendChat says whether the visit may write to the chat: only a
// configured target that opted in (`send: true`), never a bare URL.
func (p *Plan) MaySendChat() bool { return p.Configured && p.Chat.Send }

// AutoPlan is the plan for `touchprobe visit URL`: every touchpoint looked
// for, nothing sent.
func AutoPlan(url string) Plan {
	p := Plan{Target: "adhoc", URL: url}
	p.Defaults()
	return p
}
