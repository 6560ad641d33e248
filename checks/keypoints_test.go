package checks_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
)

// keyPlan is an automatic plan of path with one configured key point and
// nothing else looked for.
func keyPlan(path string, kps ...checks.KeyPoint) checks.Plan {
	p := checks.AutoPlan(fixture.URL + path)
	p.Configured, p.Window = true, 10*time.Second
	p.Form.Mode, p.Chat.Mode, p.Phone, p.Email = checks.Off, checks.Off, checks.Off, checks.Off
	for i := range kps {
		if kps[i].Page == "" {
			kps[i].Page = p.URL
		}
		kps[i].Required = true
	}
	p.KeyPoints = kps
	return p
}

// keyTruth is a fixture mark of the key point's tab (its page clock).
func keyTruth(t *testing.T, name string) float64 {
	t.Helper()
	return consentTruth(t, name)[name]
}

// TestKeyPointBookingModal: "Book a table" opens a modal whose booking
// widget loads on the click and is usable 1.5 s later: the key point is
// ready when the form really is (the fixture's mark), with the click's
// interaction time measured.
func TestKeyPointBookingModal(t *testing.T) {
	fixture.ResetChatEvents()
	res := visitPlan(t, keyPlan("/fx/restaurant?bookready=1500", checks.KeyPoint{Name: "booking",
		Steps: []checks.Step{{Kind: checks.StepClick, Text: "Book a table"}, {Kind: checks.StepUsable, CSS: "#booking-form"}}}))
	tp := res.Touchpoints["booking"]
	if !tp.Up || tp.ReadySeconds == nil || tp.InteractionSeconds == nil {
		t.Fatalf("booking %+v; log %q", tp, res.Log)
	}
	truth := keyTruth(t, "booking-ready")
	if d := *tp.ReadySeconds - truth; d < -0.02 || d > 0.15 {
		t.Errorf("booking ready at %.3fs, the fixture's form was usable at %.3fs", *tp.ReadySeconds, truth)
	}
	if res.Milestones["booking_ready"] != *tp.ReadySeconds || res.Verdict != checks.Pleasant {
		t.Errorf("milestones %v, verdict %s %+v", res.Milestones, res.Verdict, res.Reasons)
	}
}

// TestKeyPointBrokenQuoteButton: the quote button's handler throws, the
// modal never opens: the touchpoint fails at its second step, named, and
// the visit is problematic.
func TestKeyPointBrokenQuoteButton(t *testing.T) {
	fixture.ResetChatEvents()
	p := keyPlan("/fx/mover", checks.KeyPoint{Name: "quote",
		Steps: []checks.Step{{Kind: checks.StepClick, CSS: "#quote-btn"}, {Kind: checks.StepVisible, CSS: "#quote-modal", Timeout: 2 * time.Second}}})
	res := visitPlan(t, p)
	tp := res.Touchpoints["quote"]
	if tp.Up || tp.Reason != checks.ReasonTouchpointBroken || !strings.HasPrefix(tp.Detail, `step 2 (visible "#quote-modal")`) {
		t.Errorf("quote %+v, want touchpoint_broken at step 2", tp)
	}
	keyTruth(t, "quote-click") // the visitor's click reached the handler
	if res.Verdict != checks.Problematic {
		t.Errorf("verdict %s, want problematic", res.Verdict)
	}
}

// TestKeyPointClientSideRoute: two clicks through a single-page app's
// routes; the url step sees the address change without a load, timed
// against the fixture's mark.
func TestKeyPointClientSideRoute(t *testing.T) {
	fixture.ResetChatEvents()
	res := visitPlan(t, keyPlan("/shop/?routedelay=300", checks.KeyPoint{Name: "pricing",
		Steps: []checks.Step{{Kind: checks.StepClick, CSS: "#nav-pricing"}, {Kind: checks.StepClick, Text: "See our plans"},
			{Kind: checks.StepURL, Text: "/shop/pricing/plans"}, {Kind: checks.StepVisible, CSS: "#plans"}}}))
	tp := res.Touchpoints["pricing"]
	if !tp.Up || tp.ReadySeconds == nil {
		t.Fatalf("pricing %+v; log %q", tp, res.Log)
	}
	truth := keyTruth(t, "route-plans")
	if d := *tp.ReadySeconds - truth; d < -0.02 || d > 0.15 {
		t.Errorf("pricing ready at %.3fs, the fixture showed the plans at %.3fs", *tp.ReadySeconds, truth)
	}
}

// TestKeyPointSlowClick: a button whose click handler is busy 300 ms: the
// click's input-to-next-paint time is the handler's busy time.
func TestKeyPointSlowClick(t *testing.T) {
	fixture.ResetChatEvents()
	res := visitPlan(t, keyPlan("/fx/restaurant?slowclick=300", checks.KeyPoint{Name: "hours",
		Steps: []checks.Step{{Kind: checks.StepClick, CSS: "#hours-btn"}, {Kind: checks.StepVisible, CSS: "#hours"}}}))
	tp := res.Touchpoints["hours"]
	if !tp.Up || tp.InteractionSeconds == nil {
		t.Fatalf("hours %+v", tp)
	}
	tr := consentTruth(t, "slow-start", "slow-end")
	busy := tr["slow-end"] - tr["slow-start"]
	if d := *tp.InteractionSeconds - busy; d < -0.01 || d > 0.05 {
		t.Errorf("interaction %.3fs, the handler was busy %.3fs", *tp.InteractionSeconds, busy)
	}
	// 300 ms breaks the default interaction promise (INP's good, 200 ms).
	broke := false
	for _, r := range res.Reasons {
		broke = broke || (r.Code == checks.CodeBrokenPromise && r.Milestone == checks.PromiseInteraction)
	}
	if !broke || res.Verdict != checks.Indifferent {
		t.Errorf("verdict %s, reasons %+v; want indifferent for the broken interaction promise", res.Verdict, res.Reasons)
	}
}

// TestKeyPointStaysOnTheSite: a step that leads to another site fails.
func TestKeyPointStaysOnTheSite(t *testing.T) {
	kp := checks.KeyPoint{Name: "elsewhere", Page: fixture.URL + "/fx/restaurant",
		Steps: []checks.Step{{Kind: checks.StepVisible, CSS: "#book-btn"}}}
	p := keyPlan("/fx/restaurant", kp)
	p.KeyPoints[0].Page = strings.Replace(fixture.URL, "127.0.0.1", "localhost", 1) + "/fx/restaurant"
	res := visitPlan(t, p)
	if tp := res.Touchpoints["elsewhere"]; tp.Up || !strings.Contains(tp.Detail, "is on another site") {
		t.Errorf("elsewhere %+v, want a key point whose page is on another site to fail, not opened", tp)
	}
}

// TestKeyPointNeverLeavesTheSite: a click on a link to another site is
// refused in the network: the other site is never asked (its server says
// so), the step fails naming the host; with the host in allow_hosts the
// visitor goes there.
func TestKeyPointNeverLeavesTheSite(t *testing.T) {
	asked := func() bool {
		for _, ev := range fixture.ChatEvents() {
			if ev.Kind == "reviews-asked" {
				return true
			}
		}
		return false
	}
	steps := []checks.Step{{Kind: checks.StepClick, CSS: "#reviews"}, {Kind: checks.StepText, Text: "What our guests say", Timeout: 3 * time.Second}}
	fixture.ResetChatEvents()
	res := visitPlan(t, keyPlan("/fx/restaurant", checks.KeyPoint{Name: "reviews", Steps: steps}))
	if tp := res.Touchpoints["reviews"]; tp.Up || !strings.HasPrefix(tp.Detail, `step 1 (click "#reviews"): it would have left the site for `) {
		t.Errorf("reviews %+v, want step 1 refused for leaving the site", tp)
	}
	time.Sleep(300 * time.Millisecond)
	if asked() {
		t.Errorf("the other site was asked for the page: the visitor left the site")
	}

	fixture.ResetChatEvents()
	p := keyPlan("/fx/restaurant", checks.KeyPoint{Name: "reviews", Steps: steps})
	tpURL, err := url.Parse(fixture.ThirdPartyURL)
	if err != nil {
		t.Fatal(err)
	}
	host := tpURL.Hostname()
	p.KeyPoints[0].AllowHosts = []string{host}
	res = visitPlan(t, p)
	if tp := res.Touchpoints["reviews"]; !tp.Up {
		t.Errorf("reviews with %s allowed: %+v; log %q", host, tp, res.Log)
	}
	if !asked() {
		t.Errorf("allowed, the visitor never reached the other site")
	}
}
