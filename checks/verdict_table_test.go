package checks

import (
	"strings"
	"testing"
	"time"
)

// TestJudge: the verdict rule as a table — no browser, so a change to the
// rule is caught in a second. Each row is a visit's facts and the verdict
// and failure codes a visitor would expect.
func TestJudge(t *testing.T) {
	up := Touchpoint{Up: true, Checked: true}
	page := Touchpoint{Up: true, Checked: true, Required: true}
	fast := map[string]float64{MilestoneFCP: 0.5, MilestoneLCP: 1.0, MilestoneLoad: 1.2}
	with := func(m map[string]float64, k string, v float64) map[string]float64 {
		out := map[string]float64{}
		for kk, vv := range m {
			out[kk] = vv
		}
		out[k] = v
		return out
	}
	for _, tc := range []struct {
		name        string
		touchpoints map[string]Touchpoint
		milestones  map[string]float64
		reasons     []Reason
		want        Verdict
		failures    []string
	}{
		{"every promise kept", map[string]Touchpoint{TouchPage: page, TouchContactForm: up}, fast, nil, Pleasant, nil},
		{"a broken promise", map[string]Touchpoint{TouchPage: page, TouchContactForm: up}, with(fast, MilestoneLCP, 3.0), nil, Indifferent, nil},
		{"a consent layer that blocks the page", map[string]Touchpoint{TouchPage: page, TouchPhone: up}, fast,
			[]Reason{{Code: CodeConsentLayer, Message: "a consent layer blocks"}}, Indifferent, nil},
		{"the page failed", map[string]Touchpoint{TouchPage: {Checked: true, Required: true, Reason: ReasonHTTPStatus}}, map[string]float64{}, nil, Problematic, []string{ReasonHTTPStatus}},
		{"a required form missing", map[string]Touchpoint{TouchPage: page, TouchPhone: up,
			TouchContactForm: {Checked: true, Required: true, Reason: ReasonFormMissing}}, fast, nil, Problematic, []string{ReasonFormMissing}},
		{"not found is not down: no chat, no e-mail in auto mode", map[string]Touchpoint{TouchPage: page, TouchContactForm: up,
			TouchChat: {Checked: true, Reason: ReasonChatMissing}, TouchEmail: {Checked: true, Reason: ReasonEmailMissing}}, fast, nil, Pleasant, nil},
		{"a found form that cannot be used", map[string]Touchpoint{TouchPage: page, TouchPhone: up,
			TouchContactForm: {Checked: true, Reason: ReasonFormUnusable}}, fast, nil, Problematic, []string{ReasonFormUnusable}},
		{"a chat that did not take the message", map[string]Touchpoint{TouchPage: page, TouchPhone: up,
			TouchChat: {Checked: true, Reason: ReasonChatSendFailed}}, fast, nil, Problematic, []string{ReasonChatSendFailed}},
		{"no way at all to reach the company", map[string]Touchpoint{TouchPage: page,
			TouchChat: {Checked: true, Reason: ReasonChatMissing}, TouchPhone: {Checked: true, Reason: ReasonPhoneMissing}}, fast, nil, Problematic, []string{ReasonNoContact}},
		{"a milestone after the window", map[string]Touchpoint{TouchPage: page, TouchPhone: up}, with(fast, MilestoneLCP, 25), nil, Problematic, []string{ReasonLate}},
		{"the largest paint never came", map[string]Touchpoint{TouchPage: page, TouchPhone: up},
			map[string]float64{MilestoneFCP: 0.5, MilestoneLoad: 1}, nil, Problematic, []string{ReasonLate}},
		{"a required key point broke", map[string]Touchpoint{TouchPage: page, TouchPhone: up,
			"booking": {Checked: true, Required: true, Reason: ReasonTouchpointBroken}}, fast, nil, Problematic, []string{ReasonTouchpointBroken}},
		{"an optional key point broke", map[string]Touchpoint{TouchPage: page, TouchPhone: up,
			"pricing": {Checked: true, Reason: ReasonTouchpointBroken}}, fast, nil, Pleasant, nil},
		{"a key point later than its promise", map[string]Touchpoint{TouchPage: page, TouchPhone: up,
			"booking": {Up: true, Checked: true, Required: true}}, with(fast, "booking_ready", 4), nil, Indifferent, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Result{Touchpoints: tc.touchpoints, Milestones: tc.milestones, Reasons: tc.reasons}
			if tp := res.Touchpoints[TouchPage]; !tp.Up && tp.Reason != "" {
				res.Reasons = append(res.Reasons, Reason{Code: tp.Reason, Failure: true, Touchpoint: TouchPage, Message: "the page failed"})
			}
			plan := Plan{Window: 20 * time.Second, Promises: map[string]time.Duration{
				MilestoneFCP: 1800 * time.Millisecond, MilestoneLCP: 2500 * time.Millisecond, "booking_ready": 3 * time.Second}}
			Judge(&res, &plan)
			if res.Verdict != tc.want {
				t.Errorf("verdict %s, want %s (reasons %+v)", res.Verdict, tc.want, res.Reasons)
			}
			if got := strings.Join(res.Failures(), ","); got != strings.Join(tc.failures, ",") {
				t.Errorf("failures %q, want %q", got, tc.failures)
			}
			if res.Success != (tc.want != Problematic) {
				t.Errorf("success %v for %s", res.Success, tc.want)
			}
		})
	}
}

// TestJudgeInteractionPromise: a page slow to answer the visitor's input
// breaks the "interaction" promise (200 ms by default).
func TestJudgeInteractionPromise(t *testing.T) {
	for _, tc := range []struct {
		worst   float64
		promise bool
		want    Verdict
	}{{0.9, true, Indifferent}, {0.12, true, Pleasant}, {0.9, false, Pleasant}} {
		res := Result{Milestones: map[string]float64{MilestoneFCP: 0.5, MilestoneLCP: 1, MilestoneLoad: 1.2},
			Touchpoints:        map[string]Touchpoint{TouchPage: {Up: true, Checked: true, Required: true}, TouchPhone: {Up: true, Checked: true}},
			InteractionSeconds: ptr(tc.worst)}
		plan := Plan{Window: 20 * time.Second, Promises: map[string]time.Duration{}}
		if tc.promise {
			plan.Promises[PromiseInteraction] = 200 * time.Millisecond
		}
		Judge(&res, &plan)
		if res.Verdict != tc.want {
			t.Errorf("worst interaction %.2fs, promise %v: %s, want %s (%+v)", tc.worst, tc.promise, res.Verdict, tc.want, res.Reasons)
		}
	}
}
