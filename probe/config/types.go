// Package config is touchprobe's YAML configuration: strict (unknown keys are
// errors), with defaults, ${VAR} expansion, and errors that name the file,
// line and field. The key names are a contract (docs/design.md): add, rename none.
//
// For the daemon:
//
//	cfg, err := config.Load(file)       // err is an Errors: every problem, "FILE:LINE: FIELD: MESSAGE"
//	cfg.SetShard(flagShard)             // -shard i/n overrides global.shard
//	for _, t := range cfg.Selected() {  // this instance's targets (all without a shard)
//		plan := t.Plan(cfg.Global)      // the checks.Plan of one visit
//		every := t.Interval.Duration()  // effective per-target values (global filled in)
//		chat := t.ChatInterval(cfg.Global) // 0: the target sends no chat message
//		err := config.CheckDenied(ctx, t.URL, cfg.Global.DenyPrefixes, nil) // errors.Is(err, config.ErrDenied)
//	}
//	sup := browser.NewSupervisor(cfg.Global.BrowserOptions()) // + Spares, Logger
//	cfg.Global.Location, cfg.Global.Concurrency, cfg.Global.RecheckAfter, cfg.Global.HistoryLength
//	cfg.LabelNames()                    // union of target label names (one label set per metric family)
//
// Values that came from the environment are secrets: log the config as
// cfg (slog.LogValuer) or cfg.Redacted(), and pass any text that may hold
// one (errors, debug output, URLs) through cfg.Scrub.
package config

import (
	"net/netip"
	"time"
)

// Config is a whole configuration file.
type Config struct {
	Global  Global   `yaml:"global"`
	Targets []Target `yaml:"targets"`
	// VisitorProfiles are custom visitors (visitors.go); desktop and
	// mobile are built in.
	VisitorProfiles []VisitorProfile `yaml:"visitor_profiles,omitempty"`

	// File is where the config was read from (for messages).
	File string `yaml:"-"`

	// meta remembers, per field path, its line and whether its value came
	// from the environment (see Redacted, Scrub).
	meta *meta
}

// Global holds the settings for every target.
type Global struct {
	Interval        Duration `yaml:"interval"`           // how often each target is visited (5m)
	Timeout         Duration `yaml:"timeout"`            // bound on one whole visit (60s)
	Window          Duration `yaml:"window"`             // the first impression (20s)
	Location        string   `yaml:"location,omitempty"` // exported as a label
	Concurrency     int      `yaml:"concurrency"`        // visits at once (default from the CPU count)
	UserAgentMarker string   `yaml:"user_agent_marker"`  // appended to the User-Agent; also sent as a header
	Browser         Browser  `yaml:"browser"`

	// Beyond docs/design.md's example (additions, documented in the example config).
	Filmstrip     *bool    `yaml:"filmstrip"`       // record the first seconds as frames (true)
	RecheckAfter  Duration `yaml:"recheck_after"`   // after a problematic visit, confirm this soon (1m)
	Shard         string   `yaml:"shard,omitempty"` // "i/n": take only the targets that hash to shard i of n
	DenyNetworks  []string `yaml:"deny_networks"`   // CIDRs a target may not resolve to (cloud metadata by default)
	ChatInterval  Duration `yaml:"chat_interval"`   // default pace of chat messages where send is true (1h)
	HistoryLength int      `yaml:"history_length"`  // recent visits kept per target (successes; failures are kept longer)
	// Visitors are the profiles every target is visited as, unless it
	// names its own ([desktop]).
	Visitors []string `yaml:"visitors,omitempty"`
	// Languages are the visitor's browser languages, most preferred first
	// (navigator.languages, Accept-Language): [en-US, en].
	Languages []string `yaml:"languages"`

	// DenyPrefixes is DenyNetworks parsed (filled by Load; for CheckDenied).
	DenyPrefixes []netip.Prefix `yaml:"-"`
}

// Browser says which Chromium to drive.
type Browser struct {
	ExecPath           string            `yaml:"exec_path,omitempty"`            // default: /usr/lib/chromium/chromium
	RemoteURL          string            `yaml:"remote_url,omitempty"`           // ws://host:9222/... of a browser elsewhere
	RecycleAfterVisits int               `yaml:"recycle_after_visits"`           // restart the browser after this many visits (500)
	RecycleAboveMemory ByteSize          `yaml:"recycle_above_memory,omitempty"` // or once its processes hold more than this (e.g. 2GiB)
	Flags              map[string]string `yaml:"flags,omitempty"`                // extra Chromium flags
}

// Target is one site to visit.
type Target struct {
	Name     string              `yaml:"name"` // the `target` label
	URL      string              `yaml:"url"`
	Labels   map[string]string   `yaml:"labels,omitempty"`
	Consent  string              `yaml:"consent"`  // accept | reject | leave
	Promises map[string]Duration `yaml:"promises"` // milestone → budget
	// ContactForm and Chat: absent = found automatically; false = skipped;
	// a mapping = configured (must be there).
	ContactForm Toggle[ContactForm] `yaml:"contact_form,omitempty"`
	Chat        Toggle[Chat]        `yaml:"chat,omitempty"`
	Phone       *bool               `yaml:"phone,omitempty"` // true: a tel: link must be there; false: not looked for
	Email       *bool               `yaml:"email,omitempty"` // same for mailto:
	// Visitors: the profiles this target is visited as, each a fresh
	// first-time visitor (default global.visitors).
	Visitors []string `yaml:"visitors,omitempty"`
	// Touchpoints are the business's own key points (touchpoints.go).
	Touchpoints []KeyPoint `yaml:"touchpoints,omitempty"`

	// Per-target overrides of the global values (additions). After Load
	// they hold the effective values (the global ones where not set).
	Interval Duration `yaml:"interval"`
	Timeout  Duration `yaml:"timeout"`
	Window   Duration `yaml:"window"`

	// Line is where the target starts in its file (for messages).
	Line int `yaml:"-"`
}

// ContactForm configures the contact form check.
type ContactForm struct {
	Page         string            `yaml:"page,omitempty"`
	Selector     string            `yaml:"selector,omitempty"`
	Fields       map[string]string `yaml:"fields,omitempty"`
	Submit       bool              `yaml:"submit"`
	Confirmation string            `yaml:"confirmation,omitempty"` // selector or text shown after a submit (addition)
}

// Chat configures the live chat check.
type Chat struct {
	Provider     string   `yaml:"provider"`
	Frame        string   `yaml:"frame,omitempty"`
	Launcher     string   `yaml:"launcher,omitempty"`
	Input        string   `yaml:"input,omitempty"`
	SendButton   string   `yaml:"send_button,omitempty"`
	AgentMessage string   `yaml:"agent_message,omitempty"`
	Message      string   `yaml:"message"`
	Send         bool     `yaml:"send"`
	Interval     Duration `yaml:"interval"` // the daemon sends at this slower pace
	Timeout      Duration `yaml:"timeout"`  // how long to wait for an answer (60s)
}

// Toggle is a section that may be absent (auto), `false` (off), or a
// mapping (configured). `true` and an empty mapping `{}` configure it with
// the defaults; `~` (null) is the same as absent.
type Toggle[T any] struct {
	Set      bool // the key was present (not null)
	Disabled bool // the key was `false`
	Value    T
}

// Duration is a time.Duration written as "5m", "1.8s".
type Duration time.Duration

// ByteSize is a size written as "512MiB", "2GiB", "1500000".
type ByteSize int64
