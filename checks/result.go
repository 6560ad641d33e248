// Package checks is what a first-time visitor looks for on a company's site:
// the page itself, the contact form, the live chat, the consent banner, phone
// and e-mail links, and the verdict on the whole visit. It knows nothing of
// Prometheus or schedules.
package checks

import (
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// Verdict is how the visit leaves the visitor.
type Verdict string

const (
	Pleasant    Verdict = "pleasant"
	Indifferent Verdict = "indifferent"
	Problematic Verdict = "problematic"
)

// Verdicts in label order.
var Verdicts = []Verdict{Pleasant, Indifferent, Problematic}

// Milestone names (the `milestone` label); the page's own come from browser.
const (
	MilestoneTTFB           = browser.TTFB
	MilestoneFirstPaint     = browser.FirstPaint
	MilestoneFCP            = browser.FirstContentfulPaint
	MilestoneLCP            = browser.LargestContentfulPaint
	MilestoneDOMContentLoad = browser.DOMContentLoaded
	MilestoneLoad           = browser.Load
	MilestoneFormReady      = "contact_form_ready"
	MilestoneChatReady      = "chat_ready"
	MilestoneChatAnswered   = "chat_answered"
)

// Milestones in timeline order: the bounded `milestone` label set.
var Milestones = []string{
	MilestoneTTFB, MilestoneFirstPaint, MilestoneFCP, MilestoneLCP, MilestoneDOMContentLoad,
	MilestoneLoad, MilestoneFormReady, MilestoneChatReady, MilestoneChatAnswered,
}

// Touchpoint names (the `touchpoint` label).
const (
	TouchPage        = "page"
	TouchContactForm = "contact_form"
	TouchChat        = "chat"
	TouchPhone       = "phone"
	TouchEmail       = "email"
)

// Touchpoints in label order.
var Touchpoints = []string{TouchPage, TouchContactForm, TouchChat, TouchPhone, TouchEmail}

// Failure reasons: the closed `reason` label set. The page-level ones come
// from the browser; the rest are the touchpoints'.
const (
	ReasonDNS            = string(browser.FailDNS)
	ReasonConnect        = string(browser.FailConnect)
	ReasonTLS            = string(browser.FailTLS)
	ReasonHTTPStatus     = string(browser.FailHTTPStatus)
	ReasonRedirectLoop   = string(browser.FailRedirectLoop)
	ReasonTimeout        = string(browser.FailTimeout)
	ReasonDialog         = string(browser.FailDialog)
	ReasonNavigationLoop = string(browser.FailNavLoop)
	ReasonDownload       = string(browser.FailDownload)
	ReasonBlocked        = string(browser.FailBlocked)
	ReasonBrowserCrash   = string(browser.FailBrowserCrash)
	ReasonInternal       = string(browser.FailInternal)
	ReasonLate           = "late" // a milestone arrived after the window
	ReasonConsentBlocked = "consent_blocked"
	ReasonFormMissing    = "form_missing"
	ReasonFormUnusable   = "form_unusable"
	// ReasonFormUnconfirmed: a form sent (submit: true) got no confirmation.
	ReasonFormUnconfirmed = "form_unconfirmed"
	ReasonChatMissing     = "chat_missing"
	ReasonChatUnanswered  = "chat_unanswered"
	// ReasonChatSendFailed: the widget did not take the visitor's message
	// (it never showed in the transcript, the input kept it).
	ReasonChatSendFailed = "chat_send_failed"
	ReasonPhoneMissing   = "phone_missing"
	ReasonEmailMissing   = "email_missing"
	ReasonNoContact      = "no_contact" // no way at all to reach the company
)

// FailureReasons is the bounded `reason` label set, in a stable order.
var FailureReasons = []string{
	ReasonDNS, ReasonConnect, ReasonTLS, ReasonHTTPStatus, ReasonRedirectLoop, ReasonTimeout,
	ReasonDialog, ReasonNavigationLoop, ReasonDownload, ReasonBlocked, ReasonBrowserCrash,
	ReasonLate, ReasonConsentBlocked, ReasonFormMissing, ReasonFormUnusable, ReasonFormUnconfirmed, ReasonChatMissing,
	ReasonChatUnanswered, ReasonChatSendFailed, ReasonPhoneMissing, ReasonEmailMissing, ReasonNoContact, ReasonTouchpointBroken, ReasonInternal,
}

// Codes of reasons that are not failures: they make a visit indifferent.
const (
	CodeBrokenPromise = "broken_promise"
	CodeConsentLayer  = "consent_layer"
)

// Reason explains the verdict: a failure, a broken promise, or something in
// the visitor's way.
type Reason struct {
	Code       string `json:"code"` // a FailureReasons value, or CodeBrokenPromise / CodeConsentLayer
	Failure    bool   `json:"failure"`
	Touchpoint string `json:"touchpoint,omitempty"`
	Milestone  string `json:"milestone,omitempty"`
	Message    string `json:"message"`
}

// Touchpoint is the outcome of one way to reach the company.
type Touchpoint struct {
	Up     bool   `json:"up"`
	Reason string `json:"reason,omitempty"` // a FailureReasons value when not up
	Detail string `json:"detail,omitempty"`
	// Checked is false when the touchpoint was not looked for (config
	// says false): it is then left out of metrics.
	Checked bool `json:"-"`
	// Required: the config names it, so its absence is a failure. Found
	// automatically, its absence is only reported.
	Required bool   `json:"required"`
	FoundBy  string `json:"found_by,omitempty"` // config | auto | a chat provider name
	Selector string `json:"selector,omitempty"`
	// Page: the contact page the form was found on, when not the landing page.
	Page string `json:"page,omitempty"`
	// Menu: the collapsed menu's toggler the visitor opened to reach the
	// contact link (a phone's hamburger), when it was hidden in one.
	Menu string `json:"menu,omitempty"`
	// Selectors found, under the config's key names (chat: frame, launcher,
	// input, send_button, agent_message), for `touchprobe discover`.
	Selectors map[string]string `json:"selectors,omitempty"`
	// ReadySeconds is the milestone the touchpoint reached, since navigation start.
	ReadySeconds *float64 `json:"ready_seconds,omitempty"`
	// ResponseSeconds: chat, from the visitor's message to the first
	// answer; contact form (submit: true), from sending to the confirmation.
	ResponseSeconds *float64 `json:"response_seconds,omitempty"`
	// VisibleWithoutScrolling: phone and e-mail links.
	VisibleWithoutScrolling *bool `json:"visible_without_scrolling,omitempty"`
	// Sent: a form was submitted or a chat message sent (config opted in).
	Sent bool `json:"sent,omitempty"`
	// InteractionSeconds: the slowest answer of the page to the visitor's
	// input on this touchpoint, from the input to the next paint (Event
	// Timing, the measure behind Interaction to Next Paint).
	InteractionSeconds *float64 `json:"interaction_seconds,omitempty"`
}

// NotFound says the touchpoint was looked for automatically and the site
// does not have it: information, not a failure ("not found is not down").
func (tp Touchpoint) NotFound() bool {
	if tp.Up || tp.Required || !tp.Checked {
		return false
	}
	switch tp.Reason {
	case ReasonFormMissing, ReasonChatMissing, ReasonPhoneMissing, ReasonEmailMissing:
		return true
	}
	return false
}

// Result is one first-time visit: the JSON of `touchprobe visit -json`.
type Result struct {
	Target string `json:"target"`
	URL    string `json:"url"`
	// Visitor is the visitor profile the visit was made as (desktop,
	// mobile or a configured one): a label on every per-target series.
	Visitor         string                `json:"visitor"`
	Success         bool                  `json:"success"`
	Verdict         Verdict               `json:"verdict"`
	Reasons         []Reason              `json:"reasons"`
	Milestones      map[string]float64    `json:"milestones"`
	Touchpoints     map[string]Touchpoint `json:"touchpoints"`
	DurationSeconds float64               `json:"duration_seconds"`

	// Beyond the contract, for people and dashboards.
	StartedAt   time.Time `json:"started_at"`
	FinalURL    string    `json:"final_url,omitempty"`
	HTTPStatus  int       `json:"http_status,omitempty"`
	LayoutShift float64   `json:"layout_shift_score"`
	LCPElement  string    `json:"lcp_element,omitempty"`
	// InteractionSeconds: the visit's slowest answer to the visitor's own
	// input (a consent button, the chat launcher, a form field, a key
	// point's click): its INP-like figure, judged against the promise
	// "interaction" (200 ms unless the config says otherwise).
	InteractionSeconds *float64 `json:"interaction_seconds,omitempty"`
	// Actions: the landing page's calls to action (book, quote, buy,
	// pricing), which `touchprobe discover` suggests as key points.
	Actions []CallToAction `json:"calls_to_action,omitempty"`
	// Consent: the consent layer the visitor met, what it did to the page
	// and what the visitor did to it.
	Consent   *ConsentSeen       `json:"consent,omitempty"`
	Promises  map[string]float64 `json:"promises,omitempty"` // budgets, seconds
	Window    float64            `json:"window_seconds"`
	Dialogs   []browser.Dialog   `json:"dialogs,omitempty"`
	Redirects int                `json:"redirects,omitempty"`
	Ended     string             `json:"ended,omitempty"` // quiet | window | failure
	Log       []string           `json:"log,omitempty"`

	Frames []browser.Shot `json:"-"`

	// Diagnosis: the visit's evidence (requests, console errors,
	// exceptions, long tasks, LCP parts) and the causes it shows.
	Diagnosis *Diagnosis `json:"diagnosis,omitempty"`
	// HAR is the visit as a HAR 1.2 file, when the plan asked for it.
	HAR []byte `json:"-"`
}

// Failures lists the failure codes of the result, for counting.
func (r *Result) Failures() []string {
	var out []string
	for _, rs := range r.Reasons {
		if rs.Failure {
			out = append(out, rs.Code)
		}
	}
	return out
}

// Internal reports whether the monitor, not the site, broke during the visit.
func (r *Result) Internal() bool {
	for _, rs := range r.Reasons {
		if rs.Code == ReasonInternal {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }
