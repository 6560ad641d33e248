package config

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/touchprobe/touchprobe/checks"
)

// Providers is the closed set of chat.provider values.
var Providers = []string{"auto", "generic", "intercom", "zendesk", "drift", "tawkto", "livechat", "crisp", "hubspot", "tidio"}

// ReservedLabels are label names touchprobe sets itself (plus those
// Prometheus attaches to every scraped series): a target's labels may not
// use them.
var ReservedLabels = []string{"target", "location", "milestone", "touchpoint", "verdict", "reason", "job", "instance"}

var (
	targetName = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	flagName   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

const (
	maxNameLen  = 128
	maxLabelLen = 256
)

type checker struct {
	c    *Config
	errs Errors
}

func (k *checker) errorf(path, format string, args ...any) {
	k.errs = append(k.errs, &FieldError{File: k.c.File, Line: k.c.meta.line(path), Field: path, Msg: fmt.Sprintf(format, args...)})
}

// show quotes a value for a message, unless it came from the environment.
func (k *checker) show(path, s string) string {
	if sec, ok := k.c.meta.secrets[path]; ok {
		return "the value of ${" + strings.Join(sec.vars, "}, ${") + "}"
	}
	return strconv.Quote(s)
}

func (k *checker) positive(path string, d Duration) {
	if d <= 0 {
		k.errorf(path, "must be more than 0 (got %s)", d)
	}
}

func (c *Config) validate() Errors {
	k := &checker{c: c}
	g := &c.Global
	k.positive("global.interval", g.Interval)
	k.positive("global.timeout", g.Timeout)
	k.positive("global.window", g.Window)
	k.positive("global.recheck_after", g.RecheckAfter)
	k.positive("global.chat_interval", g.ChatInterval)
	if g.Window > g.Timeout && g.Timeout > 0 {
		if k.c.meta.set["global.window"] {
			k.errorf("global.window", "%s is longer than global.timeout %s: the visit would end before the first impression", g.Window, g.Timeout)
		} else {
			k.errorf("global.timeout", "%s is shorter than global.window %s: the visit would end before the first impression", g.Timeout, g.Window)
		}
	}
	if g.Concurrency < 1 {
		k.errorf("global.concurrency", "must be at least 1 (got %d)", g.Concurrency)
	}
	if g.HistoryLength < 1 || g.HistoryLength > 10000 {
		k.errorf("global.history_length", "must be between 1 and 10000 (got %d)", g.HistoryLength)
	}
	k.labelValue("global.location", g.Location)
	k.marker("global.user_agent_marker", g.UserAgentMarker)
	k.languages("global.languages", g.Languages)
	if g.Shard != "" {
		if _, _, err := ParseShard(g.Shard); err != nil {
			k.errorf("global.shard", "%s %v", k.show("global.shard", g.Shard), err)
		}
	}
	for i, s := range g.DenyNetworks {
		if _, err := parseNet(s); err != nil {
			p := indexPath("global.deny_networks", i)
			k.errorf(p, "%s is not a network (write e.g. 169.254.169.254/32 or fd00:ec2::254/128)", k.show(p, s))
		}
	}
	k.browser(&g.Browser)
	k.visitorProfiles()
	k.visitorList("global.visitors", g.Visitors)

	if len(c.Targets) == 0 {
		k.errorf("targets", "no targets: add at least one (name and url)")
	}
	names := map[string]string{} // name → path of its first use
	for i := range c.Targets {
		k.target(indexPath("targets", i), &c.Targets[i], names)
	}
	return k.errs
}

func (k *checker) labelValue(path, s string) {
	if !utf8.ValidString(s) || len(s) > maxLabelLen {
		k.errorf(path, "must be UTF-8 text of at most %d bytes", maxLabelLen)
	}
}

func (k *checker) marker(path, s string) {
	if s == "" || len(s) > 100 {
		k.errorf(path, "must be 1 to 100 characters")
		return
	}
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			k.errorf(path, "%s: only printable ASCII goes into a User-Agent and a header", k.show(path, s))
			return
		}
	}
}

// languageTag is a BCP 47 language tag as browsers send them (en, en-US,
// zh-Hant-TW, es-419).
var languageTag = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$`)

func (k *checker) languages(path string, langs []string) {
	if len(langs) > 10 {
		k.errorf(path, "at most 10 languages (got %d)", len(langs))
	}
	for i, l := range langs {
		if !languageTag.MatchString(l) {
			p := indexPath(path, i)
			k.errorf(p, "%s is not a language tag (write e.g. en-US, el or pt-BR)", k.show(p, l))
		}
	}
}

func (k *checker) browser(b *Browser) {
	const p = "global.browser"
	if b.RemoteURL != "" {
		if b.ExecPath != "" {
			k.errorf(p+".remote_url", "set either exec_path (a local Chromium) or remote_url (a browser elsewhere), not both")
		}
		u, err := url.Parse(b.RemoteURL)
		if err != nil || u.Host == "" || !slices.Contains([]string{"ws", "wss", "http", "https"}, u.Scheme) {
			k.errorf(p+".remote_url", "%s is not a DevTools address (write ws://host:9222/devtools/browser/... or http://host:9222)", k.show(p+".remote_url", b.RemoteURL))
		}
	}
	if b.RecycleAfterVisits < 0 {
		k.errorf(p+".recycle_after_visits", "must be 0 (never) or more (got %d)", b.RecycleAfterVisits)
	}
	if b.RecycleAboveMemory < 0 {
		k.errorf(p+".recycle_above_memory", "must be 0 (never) or more")
	}
	for _, name := range slices.Sorted(maps.Keys(b.Flags)) {
		if !flagName.MatchString(name) {
			k.errorf(joinPath(p+".flags", name), "%q is not a Chromium flag name (write it without leading dashes, e.g. lang: en-US)", name)
		}
	}
}

func (k *checker) target(p string, t *Target, names map[string]string) {
	switch {
	case t.Name == "":
		k.errorf(p+".name", "missing: every target needs a name (the target label)")
	case len(t.Name) > maxNameLen || !targetName.MatchString(t.Name):
		k.errorf(p+".name", "%s: use letters, digits, _ . - (at most %d)", k.show(p+".name", t.Name), maxNameLen)
	case names[t.Name] != "":
		k.errorf(p+".name", "%q is already the name of %s (line %d)", t.Name, names[t.Name], k.c.meta.line(names[t.Name]))
	default:
		names[t.Name] = p
	}
	k.targetURL(p+".url", t.URL)
	k.visitorList(p+".visitors", t.Visitors)
	k.keyPoints(p, t)

	for _, name := range slices.Sorted(maps.Keys(t.Labels)) {
		v := t.Labels[name]
		lp := joinPath(p+".labels", name)
		switch {
		case !labelName.MatchString(name) || strings.HasPrefix(name, "__"):
			k.errorf(lp, "%q is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)", name)
		case slices.Contains(ReservedLabels, name):
			k.errorf(lp, "%q is a label touchprobe or Prometheus sets itself; pick another name", name)
		}
		k.labelValue(lp, v)
	}
	if !slices.Contains([]string{checks.ConsentAccept, checks.ConsentReject, checks.ConsentLeave}, t.Consent) {
		k.errorf(p+".consent", "%s: must be accept, reject or leave", k.show(p+".consent", t.Consent))
	}
	for _, m := range slices.Sorted(maps.Keys(t.Promises)) {
		d := t.Promises[m]
		mp := joinPath(p+".promises", m)
		if !slices.Contains(checks.Milestones, m) && m != checks.PromiseInteraction {
			k.errorf(mp, "%q is not a milestone (one of %s) nor %s", m, strings.Join(checks.Milestones, ", "), checks.PromiseInteraction)
			continue
		}
		k.positive(mp, d)
	}
	// Values inherited from global were checked there.
	set := k.c.meta.set
	for _, f := range []struct {
		name string
		d    Duration
	}{{"interval", t.Interval}, {"timeout", t.Timeout}, {"window", t.Window}} {
		if set[p+"."+f.name] {
			k.positive(p+"."+f.name, f.d)
		}
	}
	if (set[p+".window"] || set[p+".timeout"]) && t.Window > t.Timeout && t.Window > 0 && t.Timeout > 0 {
		if set[p+".window"] {
			k.errorf(p+".window", "%s is longer than the timeout %s: the visit would end before the first impression", t.Window, t.Timeout)
		} else {
			k.errorf(p+".timeout", "%s is shorter than the window %s: the visit would end before the first impression", t.Timeout, t.Window)
		}
	}
	if k.c.Global.DenyPrefixes != nil {
		if u, err := url.Parse(t.URL); err == nil {
			if a, ok := literalIP(u.Hostname()); ok && denied(a, k.c.Global.DenyPrefixes) {
				k.errorf(p+".url", "%s is in global.deny_networks", a)
			}
		}
	}

	if t.ContactForm.Set && !t.ContactForm.Disabled {
		f := &t.ContactForm.Value
		fp := p + ".contact_form"
		if f.Page != "" {
			if u, err := url.Parse(f.Page); err != nil || (u.IsAbs() && u.Scheme != "http" && u.Scheme != "https") || (!u.IsAbs() && !strings.HasPrefix(f.Page, "/")) {
				k.errorf(fp+".page", "%s: write a path (/contact) or an http(s) URL", k.show(fp+".page", f.Page))
			}
		}
		for _, name := range slices.Sorted(maps.Keys(f.Fields)) {
			if strings.TrimSpace(name) == "" {
				k.errorf(fp+".fields", "a field needs a name")
			}
		}
		if f.Confirmation != "" && !f.Submit {
			k.errorf(fp+".confirmation", "is only used with submit: true")
		}
	}
	if t.Chat.Set && !t.Chat.Disabled {
		ch := &t.Chat.Value
		cp := p + ".chat"
		if !slices.Contains(Providers, ch.Provider) {
			k.errorf(cp+".provider", "%s: one of %s", k.show(cp+".provider", ch.Provider), strings.Join(Providers, ", "))
		}
		k.positive(cp+".interval", ch.Interval)
		k.positive(cp+".timeout", ch.Timeout)
		if strings.TrimSpace(ch.Message) == "" {
			k.errorf(cp+".message", "must not be blank: the message says it is an automated check")
		}
	}
}

func (k *checker) targetURL(path, raw string) {
	if raw == "" {
		k.errorf(path, "missing: every target needs a url")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		k.errorf(path, "%s is not an absolute http(s) URL", k.show(path, raw))
	}
}
