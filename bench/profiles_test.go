package bench

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// TestBenchTwoProfiles is issue 14's cost target: a target visited as
// desktop and mobile against the same target visited as desktop only, in
// rounds (one visit per profile) per minute at the daemon's concurrency of
// 2, and in Chromium CPU seconds per round. The phone visit's slow 4G is
// time the visitor really waits, not work the probe does: runs with the
// phone without slow 4G, and with its screen and touch only (no CPU
// slowdown either), tell the parts apart.
func TestBenchTwoProfiles(t *testing.T) {
	n := size(t, 20)
	fx, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	url := fx.URL + page
	sup := browser.NewSupervisor(browser.Options{UserAgentMarker: "touchprobe-bench", Spares: 1})
	defer sup.Close()

	phoneOnWiFi := browser.Mobile
	phoneOnWiFi.Name, phoneOnWiFi.Network = "mobile-wifi", browser.Network{}
	device := phoneOnWiFi // the phone's screen, touch and UA only
	device.Name, device.CPUSlowdown = "phone-device", 1
	plan := func(visitor string, prof *browser.Profile) checks.Plan {
		p := checks.AutoPlan(url)
		p.Visitor, p.Profile = visitor, prof
		p.Defaults()
		return p
	}
	desktop := plan("desktop", nil)
	mobile := plan("mobile", nil)
	wifi := plan("mobile-wifi", &phoneOnWiFi)
	dev := plan("phone-device", &device)
	var mu sync.Mutex
	walls := map[string][]float64{}
	visit := func(p checks.Plan) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		start := time.Now()
		if res := checks.Visit(ctx, sup, p); res.Internal() {
			t.Fatalf("%s visit: %+v", p.Visitor, res.Reasons)
		}
		mu.Lock()
		walls[p.Visitor] = append(walls[p.Visitor], time.Since(start).Seconds()*1000)
		mu.Unlock()
	}
	visit(desktop) // browser start, off the books
	visit(mobile)

	// rounds runs n rounds of the profiles, 2 visits at a time as the
	// daemon does, and returns rounds per minute and Chromium CPU seconds
	// per round.
	rounds := func(profiles ...checks.Plan) (float64, float64) {
		jobs := make(chan checks.Plan)
		var wg sync.WaitGroup
		cpu0 := browser.GroupStats(sup.ProcessGroup()).CPUSeconds
		start := time.Now()
		for range 2 {
			wg.Go(func() {
				for p := range jobs {
					visit(p)
				}
			})
		}
		for range n {
			for _, p := range profiles {
				jobs <- p
			}
		}
		close(jobs)
		wg.Wait()
		return float64(n) / time.Since(start).Minutes(), (browser.GroupStats(sup.ProcessGroup()).CPUSeconds - cpu0) / float64(n)
	}
	clear(walls)
	oneRate, oneCPU := rounds(desktop)
	twoRate, twoCPU := rounds(desktop, mobile)
	wifiRate, wifiCPU := rounds(desktop, wifi)
	devRate, devCPU := rounds(desktop, dev)
	fmt.Printf("BENCH profiles page %s, %d rounds each, 2 visits at a time\n", page, n)
	fmt.Printf("BENCH profiles [desktop]:              %5.1f rounds/min, Chromium CPU %.2f s per round\n", oneRate, oneCPU)
	fmt.Printf("BENCH profiles [desktop, mobile]:      %5.1f rounds/min, Chromium CPU %.2f s per round (rate %.2f of one profile, CPU %.2fx)\n", twoRate, twoCPU, twoRate/oneRate, twoCPU/oneCPU)
	fmt.Printf("BENCH profiles wall per visit median: desktop %.0f ms, mobile %.0f ms, mobile-wifi %.0f ms, phone-device %.0f ms\n",
		median(walls["desktop"]), median(walls["mobile"]), median(walls["mobile-wifi"]), median(walls["phone-device"]))
	// Were a round only as long as its visits (no contention for the
	// cores), two profiles would give desktop/(desktop+mobile) of one
	// profile's rate: what is left below that is the machine's.
	wd, wm := median(walls["desktop"]), median(walls["mobile"])
	fmt.Printf("BENCH profiles [desktop, mobile] from the visits' own lengths: rate %.2f of one profile (measured %.2f)\n", wd/(wd+wm), twoRate/oneRate)
	fmt.Printf("BENCH profiles [desktop, mobile-wifi]: %5.1f rounds/min, Chromium CPU %.2f s per round (rate %.2f of one profile, CPU %.2fx; the phone without slow 4G)\n", wifiRate, wifiCPU, wifiRate/oneRate, wifiCPU/oneCPU)
	fmt.Printf("BENCH profiles [desktop, phone-device]:%5.1f rounds/min, Chromium CPU %.2f s per round (rate %.2f of one profile, CPU %.2fx; the phone's screen and touch only)\n", devRate, devCPU, devRate/oneRate, devCPU/oneCPU)
}
