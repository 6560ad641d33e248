package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// TestBenchKeyPoints is issue 15's benchmark: a configured touchpoint's
// ready time against the fixture's mark (the booking form usable 1.5 s
// after the click), a slow click's interaction time against the handler's
// busy time, and what a visit with two key points costs above its latest
// milestone.
func TestBenchKeyPoints(t *testing.T) {
	n := size(t, 20)
	fx, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	sup := browser.NewSupervisor(browser.Options{UserAgentMarker: "touchprobe-bench", Spares: 1})
	defer sup.Close()
	page := fx.URL + "/fx/restaurant?bookready=1500&slowclick=300"
	plan := checks.AutoPlan(page)
	plan.Configured = true
	plan.Form.Mode, plan.Chat.Mode, plan.Phone, plan.Email = checks.Off, checks.Off, checks.Off, checks.Off
	plan.KeyPoints = []checks.KeyPoint{
		{Name: "booking", Page: page, Required: true, Steps: []checks.Step{{Kind: checks.StepClick, Text: "Book a table"}, {Kind: checks.StepUsable, CSS: "#booking-form"}}},
		{Name: "hours", Page: page, Required: true, Steps: []checks.Step{{Kind: checks.StepClick, CSS: "#hours-btn"}, {Kind: checks.StepVisible, CSS: "#hours"}}},
	}
	visit := func() (checks.Result, time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		start := time.Now()
		res := checks.Visit(ctx, sup, plan)
		return res, time.Since(start)
	}
	visit() // browser start, off the books
	mark := func(name string) (float64, bool) {
		for i := 0; i < 40; i++ {
			for _, ev := range fx.ChatEvents() {
				if strings.TrimPrefix(ev.Kind, "mark-") == name && strings.HasPrefix(ev.Kind, "mark-") {
					return ev.At / 1000, true
				}
			}
			time.Sleep(25 * time.Millisecond)
		}
		return 0, false
	}
	var readyErr, inpErr, over []float64
	for i := 0; i < n; i++ {
		fx.ResetChatEvents()
		res, wall := visit()
		if tp := res.Touchpoints["booking"]; tp.Up && tp.ReadySeconds != nil {
			if truth, ok := mark("booking-ready"); ok {
				readyErr = append(readyErr, (*tp.ReadySeconds-truth)*1000)
			}
		}
		if tp := res.Touchpoints["hours"]; tp.Up && tp.InteractionSeconds != nil {
			start, ok1 := mark("slow-start")
			end, ok2 := mark("slow-end")
			if ok1 && ok2 {
				inpErr = append(inpErr, (*tp.InteractionSeconds-(end-start))*1000)
			}
		}
		// The latest milestone on the visit's clock: the landing page's,
		// and the key points' (which start after its first impression, so
		// their ready times are counted from the landing page's start).
		latest := 0.0
		for _, v := range res.Milestones {
			latest = max(latest, v)
		}
		over = append(over, (wall.Seconds()-latest)*1000)
	}
	fmt.Printf("BENCH keypoints page %s (two key points: booking, hours)\n", "/fx/restaurant?bookready=1500&slowclick=300")
	fmt.Printf("BENCH keypoint error booking_ready     median %+5.0f ms  max |%4.0f| ms  (%d of %d visits; the fixture's booking-ready mark)\n", median(readyErr), maxAbs(readyErr), len(readyErr), n)
	fmt.Printf("BENCH keypoint error interaction       median %+5.0f ms  max |%4.0f| ms  (%d of %d visits; the handler's busy time)\n", median(inpErr), maxAbs(inpErr), len(inpErr), n)
	fmt.Printf("BENCH keypoint visit (two key points): above its latest milestone median %.0f ms, max %.0f ms (%d visits)\n", median(over), maxAbs(over), len(over))
}
