package probe

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// TestNotFoundIsNotDown: a touchpoint the site does not have, looked for
// automatically, is absent from touchprobe_touchpoint_up (no alert or
// panel reads it as broken) and 0 in touchprobe_touchpoint_found; one the
// config requires that broke is 0 in _up. The evidence's numbers and the
// top cause's kind are there too, all promlint clean.
func TestNotFoundIsNotDown(t *testing.T) {
	res := checks.Result{Target: "acme", Visitor: "mobile", Verdict: checks.Problematic,
		Touchpoints: map[string]checks.Touchpoint{
			checks.TouchPage:        {Up: true, Checked: true, Required: true},
			checks.TouchChat:        {Checked: true, Reason: checks.ReasonChatMissing},                  // auto: not on the site
			checks.TouchEmail:       {Checked: true, Reason: checks.ReasonEmailMissing},                 // auto: not on the site
			checks.TouchContactForm: {Checked: true, Required: true, Reason: checks.ReasonFormUnusable}, // configured, broken
			checks.TouchPhone:       {Up: true, Checked: true, InteractionSeconds: ptr(0.25)},
		},
		Diagnosis: &checks.Diagnosis{Causes: []string{"first_contentful_paint at 3.21 s waited 3.0 s for render-blocking script http://tags.example.net/tag.js (third party)"},
			Summary: checks.EvidenceSummary{FailedRequests: 2, ConsoleErrors: 1, Exceptions: 3, TotalBlockingSeconds: 0.45, ThirdPartyByteShare: 0.25, ThirdPartyBlockingShare: -1,
				LCP: &browser.LCPParts{Seconds: 2, TTFBSeconds: 0.1, LoadDelaySeconds: 0.2, LoadSeconds: 1.5, RenderDelaySeconds: 0.2}}},
	}
	reg := resultRegistry(res, "lab")
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, l.GetName()+"="+l.GetValue())
			}
			lines = append(lines, fmt.Sprintf("%s{%s} %g", mf.GetName(), strings.Join(ls, ","), m.GetGauge().GetValue()))
		}
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{
		"touchprobe_touchpoint_up{location=lab,target=acme,touchpoint=contact_form,visitor=mobile} 0",
		"touchprobe_touchpoint_up{location=lab,target=acme,touchpoint=phone,visitor=mobile} 1",
		"touchprobe_touchpoint_found{location=lab,target=acme,touchpoint=chat,visitor=mobile} 0",
		"touchprobe_touchpoint_found{location=lab,target=acme,touchpoint=email,visitor=mobile} 0",
		"touchprobe_touchpoint_found{location=lab,target=acme,touchpoint=contact_form,visitor=mobile} 1",
		"touchprobe_interaction_seconds{location=lab,target=acme,touchpoint=phone,visitor=mobile} 0.25",
		"touchprobe_failed_requests{location=lab,target=acme,visitor=mobile} 2",
		"touchprobe_page_exceptions{location=lab,target=acme,visitor=mobile} 3",
		"touchprobe_lcp_phase_seconds{location=lab,phase=load,target=acme,visitor=mobile} 1.5",
		"touchprobe_visit_top_cause{cause=render_blocking,location=lab,target=acme,visitor=mobile} 1",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("lacks %s", want)
		}
	}
	for _, bad := range []string{"touchprobe_touchpoint_up{location=lab,target=acme,touchpoint=chat", "touchprobe_touchpoint_up{location=lab,target=acme,touchpoint=email", "touchprobe_third_party_blocking_ratio"} {
		if strings.Contains(all, bad) {
			t.Errorf("has %s…: a touchpoint not on the site (or an unknown share) must be absent", bad)
		}
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
	if t.Failed() {
		t.Log(all)
	}
}

// TestCauseKind: the bounded kind of each cause sentence diagnose writes.
func TestCauseKind(t *testing.T) {
	for cause, want := range map[string]string{
		"first_contentful_paint at 3.21 s waited 3.0 s for render-blocking script http://x/tag.js (third party)": "render_blocking",
		"largest_contentful_paint: 5.9 s loading a 1.5 MB image (http://x/hero.png)":                             "slow_lcp_resource",
		"largest_contentful_paint at 4.00 s: image http://x/h.png was requested only 2.0 s after the first byte": "late_lcp_resource",
		"chat: the widget script http://vendor.example/loader.js failed: 404":                                    "failed_request",
		"chat: the page threw \"TypeError\" at 1.20 s":                                                           "exception",
		"the server's first byte came at 3.00 s":                                                                 "slow_server",
		"something new":                                                                                          "other",
	} {
		if got := checks.CauseKind(cause); got != want {
			t.Errorf("CauseKind(%q) = %s, want %s", cause, got, want)
		}
	}
}
