package checks

import (
	"fmt"
	"maps"
	"slices"
)

// VerdictUnknown is given when the monitor broke: nothing can be said of the
// site, and it must not be reported as down.
const VerdictUnknown Verdict = "unknown"

// PromiseInteraction is the promise on the visit's slowest interaction
// (Result.InteractionSeconds): INP calls 200 ms good.
const PromiseInteraction = "interaction"

// expectedMilestones must arrive within the window on any page that loaded.
var expectedMilestones = []string{MilestoneFCP, MilestoneLCP, MilestoneLoad}

// Judge sets the verdict, success and the reasons that depend on the whole
// result. The rule (docs/design.md, "Verdict"):
//   - problematic: the page fails, a configured or detected touchpoint is
//     missing or unusable, or a milestone arrives later than the window;
//   - indifferent: all within the window, but a promise is broken, or a
//     consent layer blocks the page until the visitor clicks;
//   - pleasant: every promise kept, nothing in the visitor's way.
func Judge(res *Result, plan *Plan) {
	if res.Internal() {
		res.Verdict, res.Success = VerdictUnknown, false
		return
	}
	page := res.Touchpoints[TouchPage]
	pageFailed := !page.Up && page.Reason != "" && page.Reason != ReasonDialog
	window := plan.Window.Seconds()

	if !pageFailed {
		// Touchpoints: required ones must be up; found ones must work.
		for _, name := range Touchpoints[1:] {
			tp, ok := res.Touchpoints[name]
			if !ok || !tp.Checked || tp.Up {
				continue
			}
			if tp.Required || (tp.Reason != ReasonFormMissing && tp.Reason != ReasonChatMissing &&
				tp.Reason != ReasonPhoneMissing && tp.Reason != ReasonEmailMissing) {
				res.addFailure(tp.Reason, name, touchpointMessage(name, tp))
			}
		}
		// The business's own key points: a required one that failed.
		for _, name := range slices.Sorted(maps.Keys(res.Touchpoints)) {
			tp := res.Touchpoints[name]
			if slices.Contains(Touchpoints, name) || !tp.Checked || tp.Up || !tp.Required {
				continue
			}
			res.addFailure(tp.Reason, name, touchpointMessage(name, tp))
		}
		if noWayToReach(res) {
			res.addFailure(ReasonNoContact, "", "the visitor finds no way to reach the company: no contact form, chat, phone or e-mail link")
		}
		// Late: a milestone after the window, or an expected one that never came.
		for _, m := range Milestones {
			if v, ok := res.Milestones[m]; ok && v > window {
				res.addFailure(ReasonLate, "", fmt.Sprintf("%s at %.2fs, after the %.0fs window", m, v, window))
				res.Reasons[len(res.Reasons)-1].Milestone = m
			}
		}
		if page.Up || page.Reason == ReasonDialog {
			for _, m := range expectedMilestones {
				if _, ok := res.Milestones[m]; !ok {
					res.addFailure(ReasonLate, "", fmt.Sprintf("no %s within the %.0fs window", m, window))
					res.Reasons[len(res.Reasons)-1].Milestone = m
				}
			}
		}
		// Promises: the built-in milestones', then the key points'.
		promised := slices.Clone(Milestones)
		for _, m := range slices.Sorted(maps.Keys(plan.Promises)) {
			if !slices.Contains(promised, m) {
				promised = append(promised, m)
			}
		}
		for _, m := range promised {
			budget, ok := plan.Promises[m]
			v, reached := res.Milestones[m]
			if ok && reached && v > budget.Seconds() && v <= window {
				res.Reasons = append(res.Reasons, Reason{Code: CodeBrokenPromise, Milestone: m,
					Message: fmt.Sprintf("%s at %.2fs broke its promise of %.2fs", m, v, budget.Seconds())})
			}
		}
	}
	if b, ok := plan.Promises[PromiseInteraction]; ok && res.InteractionSeconds != nil && *res.InteractionSeconds > b.Seconds() && !pageFailed {
		res.Reasons = append(res.Reasons, Reason{Code: CodeBrokenPromise, Milestone: PromiseInteraction,
			Message: fmt.Sprintf("the page took %.0f ms to answer the visitor's input, more than the promised %.0f ms", *res.InteractionSeconds*1000, b.Seconds()*1000)})
	}
	failed := slices.ContainsFunc(res.Reasons, func(r Reason) bool { return r.Failure })
	switch {
	case failed:
		res.Verdict = Problematic
	case slices.ContainsFunc(res.Reasons, func(r Reason) bool { return !r.Failure }):
		res.Verdict = Indifferent
	default:
		res.Verdict = Pleasant
	}
	res.Success = res.Verdict != Problematic
	if res.Reasons == nil {
		res.Reasons = []Reason{}
	}
}

func (res *Result) addFailure(code, touchpoint, msg string) {
	for _, r := range res.Reasons {
		if r.Code == code && r.Touchpoint == touchpoint && r.Message == msg {
			return
		}
	}
	res.Reasons = append(res.Reasons, Reason{Code: code, Failure: true, Touchpoint: touchpoint, Message: msg})
}

// noWayToReach: every contact channel that was looked for is missing.
func noWayToReach(res *Result) bool {
	looked := 0
	for _, name := range Touchpoints[1:] {
		tp, ok := res.Touchpoints[name]
		if !ok || !tp.Checked {
			continue
		}
		looked++
		if tp.Up {
			return false
		}
	}
	return looked > 0
}

func touchpointMessage(name string, tp Touchpoint) string {
	msg := fmt.Sprintf("%s: %s", name, tp.Reason)
	if tp.Detail != "" {
		msg += " (" + tp.Detail + ")"
	}
	return msg
}
