package checks

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// WriteText prints the visit as a person reads it: the first seconds in
// order, each against its promise, the touchpoints, and the verdict.
func (r *Result) WriteText(w io.Writer) {
	name := r.Target
	if name == "" {
		name = "adhoc"
	}
	fmt.Fprintf(w, "touchprobe visit of %s (%s)\n", r.URL, name)
	if r.FinalURL != "" && r.FinalURL != r.URL {
		fmt.Fprintf(w, "  landed on %s\n", r.FinalURL)
	}
	if r.HTTPStatus != 0 {
		fmt.Fprintf(w, "  HTTP %d", r.HTTPStatus)
		if r.Redirects > 0 {
			fmt.Fprintf(w, " after %d redirect(s)", r.Redirects)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\nThe first %.0f seconds (ms since navigation start):\n", r.Window)
	keys := sortedMilestones(r.Milestones)
	if len(keys) == 0 {
		fmt.Fprintln(w, "  (no milestone reached)")
	}
	for _, k := range keys {
		v := r.Milestones[k]
		line := fmt.Sprintf("  %7.0f  %-26s", v*1000, k)
		if p, ok := r.Promises[k]; ok {
			mark := "kept"
			if v > p {
				mark = "BROKEN"
			}
			line += fmt.Sprintf(" promise %5.0f ms  %s", p*1000, mark)
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	if r.LayoutShift > 0 || len(keys) > 0 {
		fmt.Fprintf(w, "  layout shift score %.3f", r.LayoutShift)
		if r.LCPElement != "" {
			fmt.Fprintf(w, "; largest element %s", r.LCPElement)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\nTouchpoints:")
	names := slices.Clone(Touchpoints)
	for _, name := range slices.Sorted(maps.Keys(r.Touchpoints)) {
		if !slices.Contains(names, name) {
			names = append(names, name) // the business's own key points
		}
	}
	for _, name := range names {
		tp, ok := r.Touchpoints[name]
		if !ok {
			continue
		}
		state := "up"
		if !tp.Up {
			state = "DOWN " + tp.Reason
			if !tp.Required {
				state = "not found"
				if tp.Reason != ReasonFormMissing && tp.Reason != ReasonChatMissing &&
					tp.Reason != ReasonPhoneMissing && tp.Reason != ReasonEmailMissing {
					state = "DOWN " + tp.Reason
				}
			}
		}
		var extra []string
		if tp.ReadySeconds != nil && name != TouchPage {
			extra = append(extra, fmt.Sprintf("ready at %.0f ms", *tp.ReadySeconds*1000))
		}
		if tp.ResponseSeconds != nil {
			extra = append(extra, fmt.Sprintf("answered %.1f s after the message", *tp.ResponseSeconds))
		}
		if tp.VisibleWithoutScrolling != nil {
			if *tp.VisibleWithoutScrolling {
				extra = append(extra, "visible without scrolling")
			} else {
				extra = append(extra, "only after scrolling")
			}
		}
		if tp.Selector != "" {
			extra = append(extra, tp.Selector)
		} else if tp.Detail != "" {
			extra = append(extra, tp.Detail)
		}
		fmt.Fprintf(w, "  %-13s %-22s %s\n", name, state, strings.Join(extra, "; "))
	}
	if c := r.Consent; c != nil {
		fmt.Fprintln(w, "\n"+c.line())
	}
	fmt.Fprintf(w, "\nVerdict: %s (the visit took %.2f s)\n", strings.ToUpper(string(r.Verdict)), r.DurationSeconds)
	for _, rs := range r.Reasons {
		fmt.Fprintf(w, "  - %s: %s\n", rs.Code, rs.Message)
	}
	if r.Verdict != Pleasant {
		r.writeWhy(w)
	}
}

// writeWhy prints what the evidence says about a visit that was not
// pleasant: the causes, most important first, and the numbers behind them.
func (r *Result) writeWhy(w io.Writer) {
	d := r.Diagnosis
	if d == nil {
		return
	}
	fmt.Fprintln(w, "\nWhy:")
	if len(d.Causes) == 0 {
		fmt.Fprintln(w, "  (the evidence names no cause)")
	}
	for _, c := range d.Causes {
		fmt.Fprintf(w, "  - %s\n", c)
	}
	s := d.Summary
	fmt.Fprintf(w, "  %d request(s), %d failed; %d console error(s), %d uncaught exception(s); total blocking time %.0f ms; third parties %.0f %% of the bytes\n",
		s.Requests, s.FailedRequests, s.ConsoleErrors, s.Exceptions, s.TotalBlockingSeconds*1000, s.ThirdPartyByteShare*100)
	if l := s.LCP; l != nil {
		fmt.Fprintf(w, "  largest contentful paint %.0f ms = first byte %.0f + load delay %.0f + load %.0f + render delay %.0f",
			l.Seconds*1000, l.TTFBSeconds*1000, l.LoadDelaySeconds*1000, l.LoadSeconds*1000, l.RenderDelaySeconds*1000)
		if l.Element != "" {
			fmt.Fprintf(w, " (%s)", l.Element)
		}
		fmt.Fprintln(w)
	}
}

// line is the consent layer in one sentence.
func (c *ConsentSeen) line() string {
	s := fmt.Sprintf("Consent: %s layer %s (%d%% of the view) at %.2fs — ", c.CMP, c.Layer, c.Cover, c.ShownSeconds)
	if c.Blocks {
		s += "blocks the page (" + c.Why + ")"
	} else {
		s += "a notice, the content stays reachable"
	}
	switch {
	case c.Action == ConsentLeave:
		s += "; left in place"
	case c.UsableSeconds != nil:
		s += fmt.Sprintf("; %sed (%q, %d click(s)), gone at %.2fs", c.Action, c.Clicked, c.Attempts, *c.UsableSeconds)
	case c.Attempts > 0:
		s += fmt.Sprintf("; %d click(s) on %q did not clear it", c.Attempts, c.Clicked)
	default:
		s += "; no " + c.Action + " button"
	}
	if c.LCPInLayer {
		s += "; its text is the largest contentful paint"
	}
	return s
}
