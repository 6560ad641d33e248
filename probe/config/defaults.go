package config

import (
	"maps"
	"net/netip"
	"runtime"
	"slices"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// Defaults (docs/design.md "Config").
const (
	DefaultInterval           = Duration(5 * time.Minute)
	DefaultTimeout            = Duration(60 * time.Second)
	DefaultWindow             = Duration(20 * time.Second)
	DefaultUserAgentMarker    = "touchprobe"
	DefaultRecycleAfterVisits = 500
	DefaultRecheckAfter       = Duration(time.Minute)
	DefaultChatInterval       = Duration(time.Hour)
	DefaultChatTimeout        = Duration(60 * time.Second)
	DefaultHistoryLength      = 50
	// DefaultConsent: a first-time visitor mostly clicks "accept" to get
	// the banner out of the way; the same default as checks.Plan, so that
	// `visit URL` and a configured target behave alike.
	DefaultConsent = checks.ConsentAccept
	// DefaultChatMessage marks a message as an automated check.
	DefaultChatMessage = "Automated check from touchprobe, no reply needed"
	// maxDefaultConcurrency caps the CPU-count default: each visit is a
	// renderer that wants most of a core while the page loads.
	maxDefaultConcurrency = 8
)

// DefaultDenyNetworks are the cloud metadata endpoints: a target (or a
// hostile config) must not make the prober read its host's credentials.
// `deny_networks: []` turns the list off.
var DefaultDenyNetworks = []string{
	"169.254.169.254/32", // AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
	"fd00:ec2::254/128",  // AWS over IPv6
	"169.254.170.2/32",   // AWS ECS task metadata
	"100.100.100.200/32", // Alibaba Cloud
}

// DefaultConcurrency is the CPU count, at least 1 and at most 8.
func DefaultConcurrency() int { return max(1, min(runtime.NumCPU(), maxDefaultConcurrency)) }

// setDefaults fills what the file leaves out. Targets get the global
// interval, timeout and window where they set none, and every promise.
func (c *Config) setDefaults() {
	g := &c.Global
	m := c.meta
	dur := func(path string, d *Duration, def Duration) {
		if !m.set[path] {
			*d = def
		}
	}
	dur("global.interval", &g.Interval, DefaultInterval)
	dur("global.timeout", &g.Timeout, DefaultTimeout)
	dur("global.window", &g.Window, DefaultWindow)
	dur("global.recheck_after", &g.RecheckAfter, DefaultRecheckAfter)
	dur("global.chat_interval", &g.ChatInterval, DefaultChatInterval)
	if !m.set["global.concurrency"] {
		g.Concurrency = DefaultConcurrency()
	}
	if !m.set["global.user_agent_marker"] {
		g.UserAgentMarker = DefaultUserAgentMarker
	}
	if len(g.Languages) == 0 {
		g.Languages = slices.Clone(browser.DefaultLanguages)
	}
	if !m.set["global.history_length"] {
		g.HistoryLength = DefaultHistoryLength
	}
	if g.Filmstrip == nil {
		t := true
		g.Filmstrip = &t
	}
	if !m.set["global.deny_networks"] {
		g.DenyNetworks = append([]string(nil), DefaultDenyNetworks...)
	}
	g.DenyPrefixes = nil
	for _, s := range g.DenyNetworks {
		if p, err := parseNet(s); err == nil {
			g.DenyPrefixes = append(g.DenyPrefixes, p)
		}
	}
	b := &g.Browser
	if !m.set["global.browser.recycle_after_visits"] {
		b.RecycleAfterVisits = DefaultRecycleAfterVisits
	}
	if b.ExecPath == "" && b.RemoteURL == "" {
		// The Chromium found here now; empty if none (the supervisor then
		// says how to install one).
		b.ExecPath, _ = browser.FindExecPath("")
	}

	for i := range c.Targets {
		t := &c.Targets[i]
		p := indexPath("targets", i)
		c.inherit(p+".interval", &t.Interval, "global.interval", g.Interval)
		c.inherit(p+".timeout", &t.Timeout, "global.timeout", g.Timeout)
		c.inherit(p+".window", &t.Window, "global.window", g.Window)
		if t.Consent == "" {
			t.Consent = DefaultConsent
		}
		promises := maps.Clone(t.Promises)
		if promises == nil {
			promises = map[string]Duration{}
		}
		for k, v := range checks.DefaultPromises {
			if _, ok := promises[k]; !ok {
				promises[k] = Duration(v)
			}
		}
		t.Promises = promises
		ch := &t.Chat.Value
		if ch.Provider == "" {
			ch.Provider = "auto"
		}
		if ch.Message == "" {
			ch.Message = DefaultChatMessage
		}
		c.inherit(p+".chat.interval", &ch.Interval, "global.chat_interval", g.ChatInterval)
		if !m.set[p+".chat.timeout"] {
			ch.Timeout = DefaultChatTimeout
		}
	}
}

// inherit gives a target the global value it does not set, and with it the
// global value's secrecy.
func (c *Config) inherit(path string, d *Duration, from string, v Duration) {
	if c.meta.set[path] {
		return
	}
	*d = v
	if s, ok := c.meta.secrets[from]; ok {
		c.meta.secrets[path] = s
	}
}

// parseNet reads a CIDR, or a single address as its own /32 or /128.
func parseNet(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Addr().Is4In6() {
		// ::ffff:169.254.169.254/128 means the IPv4 address.
		if p.Bits() < 96 {
			return p.Masked(), nil
		}
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96).Masked(), nil
	}
	return p.Masked(), nil
}
