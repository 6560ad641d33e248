package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// touchPage: text at 0.3 s, hero at 0.6 s, a contact form shown at 0.7 s and
// enabled at 1.2 s, a chat in a cross-site iframe whose launcher shows 1 s
// after the iframe starts (the fixture reports when), phone and e-mail links.
const touchPage = "/?fcp=300&lcp=600&form=700&formready=1200&chat=cross&chatui=1000&phone=1&email=1"

// chatEvent gives the fixture's report of kind (its fetch may trail the
// visit) a moment, in seconds since navigation start.
func chatEvent(fx *site.Site, kind string) (float64, bool) {
	for i := 0; i < 40; i++ {
		if at, ok := fx.LastChatEvent(kind); ok {
			return at / 1000, true
		}
		time.Sleep(25 * time.Millisecond)
	}
	return 0, false
}

// TestBenchTouchpoints is issue 3's benchmark: each touchpoint's time
// against the fixture's own (median and max over the visits), and what a
// visit of a page with form and chat costs above its latest milestone.
func TestBenchTouchpoints(t *testing.T) {
	n := size(t, 20)
	fx, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	sup := browser.NewSupervisor(browser.Options{UserAgentMarker: "touchprobe-bench", Spares: 1})
	defer sup.Close()
	visit := func(p checks.Plan) (checks.Result, time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		start := time.Now()
		res := checks.Visit(ctx, sup, p)
		return res, time.Since(start)
	}
	visit(checks.AutoPlan(fx.URL + touchPage)) // browser start, off the books

	errs := map[string][]float64{}
	var over []float64
	for i := 0; i < n; i++ {
		fx.ResetChatEvents()
		res, wall := visit(checks.AutoPlan(fx.URL + touchPage))
		if got, ok := res.Milestones[checks.MilestoneFormReady]; ok {
			if ready, ok := chatEvent(fx, "form-ready"); ok {
				errs[checks.MilestoneFormReady] = append(errs[checks.MilestoneFormReady], (got-ready)*1000)
			}
		}
		if got, ok := res.Milestones[checks.MilestoneChatReady]; ok {
			if ui, ok := chatEvent(fx, "ui"); ok {
				errs[checks.MilestoneChatReady] = append(errs[checks.MilestoneChatReady], (got-ui)*1000)
			}
		}
		latest := 0.0
		for _, v := range res.Milestones {
			latest = max(latest, v)
		}
		over = append(over, (wall.Seconds()-latest)*1000)
	}
	// Sending (a configured plan on our own fixture): the answer 1.5 s after the message.
	for i := 0; i < n; i++ {
		fx.ResetChatEvents()
		p := checks.Plan{Target: "bench", URL: fx.URL + touchPage + "&answer=1500", Configured: true,
			Chat: checks.ChatSpec{Mode: checks.Required, Send: true, Timeout: 15 * time.Second}}
		res, _ := visit(p)
		got, ok := res.Milestones[checks.MilestoneChatAnswered]
		ans, ok2 := chatEvent(fx, "answer")
		if ok && ok2 {
			errs[checks.MilestoneChatAnswered] = append(errs[checks.MilestoneChatAnswered], (got-ans)*1000)
		}
	}
	fmt.Printf("BENCH touchpoints page %s\n", touchPage)
	for _, m := range []string{checks.MilestoneFormReady, checks.MilestoneChatReady, checks.MilestoneChatAnswered} {
		fmt.Printf("BENCH touchpoint error %-20s median %+5.0f ms  max |%4.0f| ms  (%d of %d visits)\n",
			m, median(errs[m]), maxAbs(errs[m]), len(errs[m]), n)
	}
	fmt.Printf("BENCH touchpoint visit (form + chat, nothing sent): above its latest milestone median %.0f ms, max %.0f ms (%d visits)\n",
		median(over), maxAbs(over), len(over))
}
