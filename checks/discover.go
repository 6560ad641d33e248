package checks

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
)

// chatSelectorKeys are the chat config keys discover writes, in config order.
var chatSelectorKeys = []string{"frame", "launcher", "input", "send_button", "agent_message"}

var notLabelSafe = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// DiscoverName derives a target name from the URL's host: the characters a
// target name allows ([a-zA-Z0-9_.-]), "site" when nothing is left.
func DiscoverName(raw string) string {
	host := raw
	if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	name := strings.Trim(notLabelSafe.ReplaceAllString(strings.TrimPrefix(host, "www."), "_"), "_")
	if len(name) > 128 {
		name = name[:128]
	}
	if name == "" {
		return "site"
	}
	return name
}

// DiscoverYAML turns an automatic visit (AutoPlan) into a config with one
// target: what was found is configured (so it becomes required), what was
// not is switched off with a comment saying why. Nothing is ever sent.
// phone, when not nil, is a second visit of the same page as the mobile
// visitor: what it saw differently is written as comments, and the target
// is visited as both.
func DiscoverYAML(res Result, phone *Result) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }

	visits := "one visit"
	if phone != nil {
		visits = "a desktop and a phone visit"
	}
	w("# Written by `touchprobe discover` from %s to %s", visits, res.URL)
	w("# at %s: verdict %s. Review before use.", res.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"), res.Verdict)
	if page, ok := res.Touchpoints[TouchPage]; ok && !page.Up {
		w("# The page itself failed (%s): what follows may be incomplete.", why(page))
	}
	if len(res.Milestones) > 0 {
		w("# Measured milestones (seconds since navigation start):")
		for _, m := range Milestones {
			if v, ok := res.Milestones[m]; ok {
				w("#   %s: %.3f", m, v)
			}
		}
	}
	w("targets:")
	w("  - name: %s", yamlString(DiscoverName(res.URL)))
	w("    url: %s", yamlString(res.URL))
	w("    consent: accept")
	if phone != nil {
		for _, line := range phoneDifferences(res, *phone) {
			w("    # %s", line)
		}
		if !phone.Internal() {
			w("    visitors: [desktop, %s]   # most first-time visitors come on a phone; each visit of the target becomes two", phone.Visitor)
		}
	}

	if tp, ok := res.Touchpoints[TouchContactForm]; ok && tp.Up && tp.Selector != "" {
		w("    contact_form:")
		if tp.Page != "" {
			w("      page: %s        # found through the landing page's contact link", yamlString(pathAndQuery(tp.Page)))
		}
		w("      selector: %s", yamlString(tp.Selector))
		w("      submit: false")
	} else {
		w("    # contact form not found: %s", why(tp))
		w("    contact_form: false")
	}

	tp, ok := res.Touchpoints[TouchChat]
	switch provider, isProvider := strings.CutPrefix(tp.FoundBy, "provider:"); {
	case ok && tp.Up && isProvider && provider != "":
		w("    chat:")
		w("      provider: %s", yamlString(provider))
		w("      send: false # true sends a message to a real person: opt in knowingly")
	case ok && tp.Up && len(tp.Selectors) > 0:
		w("    chat:")
		for _, k := range chatSelectorKeys {
			if v := tp.Selectors[k]; v != "" {
				w("      %s: %s", k, yamlString(v))
			}
		}
		if tp.Selectors["agent_message"] == "" {
			w("      # agent_message: unknown (discover sends nothing, so no answer was seen)")
		}
		w("      send: false # true sends a message to a real person: opt in knowingly")
	default:
		w("    # chat not found: %s", why(tp))
		w("    chat: false")
	}

	for _, name := range []string{TouchPhone, TouchEmail} {
		tp := res.Touchpoints[name]
		if tp.Up {
			w("    %s: true", name)
			continue
		}
		w("    # %s link not found: %s", name, why(tp))
		w("    %s: false", name)
	}
	if len(res.Actions) > 0 {
		// Key points to consider (docs/keypoints.md): the first step is
		// the click; what the visitor should then see is the business's
		// to say.
		w("    # Calls to action on the landing page, as key points to consider:")
		w("    # touchpoints:")
		seen := map[string]bool{}
		for _, a := range res.Actions {
			name := keyPointName(a.Text)
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			w("    #   - name: %s", name)
			w("    #     steps:")
			w("    #       - click: {text: %s}", yamlString(a.Text))
			w("    #       - visible: 'SELECTOR OF WHAT IT OPENS'   # or usable:, text:, url:")
		}
	}
	return b.String()
}

// phoneDifferences says, in comment lines, what a phone visitor met that
// the desktop visitor did not: the verdict, milestones half a second or
// more apart (or reached by one only), the reasons only the phone had, the
// touchpoints found by one only, and a contact link behind a menu.
func phoneDifferences(desk, phone Result) []string {
	if phone.Internal() {
		page := phone.Touchpoints[TouchPage]
		return []string{"The visit as a phone (" + phone.Visitor + ") could not be made: " + why(page)}
	}
	out := []string{fmt.Sprintf("As a phone visitor (%s), the verdict is %s (desktop: %s).", phone.Visitor, phone.Verdict, desk.Verdict)}
	var diffs []string
	for _, m := range Milestones {
		d, dok := desk.Milestones[m]
		p, pok := phone.Milestones[m]
		switch {
		case dok && pok && math.Abs(p-d) >= 0.5:
			diffs = append(diffs, fmt.Sprintf("  %s: %.3f s on the phone, %.3f s on the desktop", m, p, d))
		case dok && !pok:
			diffs = append(diffs, fmt.Sprintf("  %s: not reached on the phone (%.3f s on the desktop)", m, d))
		case pok && !dok:
			diffs = append(diffs, fmt.Sprintf("  %s: %.3f s on the phone, not reached on the desktop", m, p))
		}
	}
	had := map[string]bool{}
	for _, r := range desk.Reasons {
		had[r.Code+"/"+r.Touchpoint+"/"+r.Milestone] = true
	}
	for _, r := range phone.Reasons {
		if !had[r.Code+"/"+r.Touchpoint+"/"+r.Milestone] {
			diffs = append(diffs, "  only on the phone: "+strings.Join(strings.Fields(r.Message), " "))
		}
	}
	for _, name := range []string{TouchContactForm, TouchChat, TouchPhone, TouchEmail} {
		d, p := desk.Touchpoints[name], phone.Touchpoints[name]
		switch {
		case d.Up && !p.Up:
			diffs = append(diffs, fmt.Sprintf("  %s: found on the desktop, not on the phone (%s)", name, why(p)))
		case p.Up && !d.Up:
			diffs = append(diffs, fmt.Sprintf("  %s: found on the phone, not on the desktop (%s)", name, why(d)))
		}
		if p.Menu != "" && d.Menu == "" {
			diffs = append(diffs, fmt.Sprintf("  %s: on the phone the contact link is in a collapsed menu, reached by tapping %s", name, p.Menu))
		}
	}
	if len(diffs) == 0 {
		return append(out, "  Nothing else differs from the desktop visit.")
	}
	return append(out, diffs...)
}

// keyPointName makes a touchpoint name of a call to action's text
// ("Book a table" → book_a_table); "" when no letter survives.
func keyPointName(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	name := strings.Trim(b.String(), "_")
	if len(name) > 40 {
		name = strings.Trim(name[:40], "_")
	}
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return ""
	}
	return name
}

// why says in one line why a touchpoint is not up.
func why(tp Touchpoint) string {
	s := tp.Reason
	if tp.Detail != "" {
		if s != "" {
			s += ": "
		}
		s += tp.Detail
	}
	if s == "" {
		s = "not looked for (the visit ended first)"
	}
	return strings.Join(strings.Fields(s), " ") // one comment line
}

// yamlString quotes s as a single-quoted YAML scalar (always safe).
func yamlString(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// pathAndQuery keeps a page URL's path and query: the config resolves it
// against the target's URL.
func pathAndQuery(page string) string {
	u, err := url.Parse(page)
	if err != nil || u.Path == "" {
		return page
	}
	return u.RequestURI()
}
