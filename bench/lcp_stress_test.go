package bench

import (
	"context"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// TestBenchLCPNeverMissing visits a simple page whose h1 paints at 0.2 s
// many times, as the daemon does (a spare context ready, two visits at
// once), and counts visits whose result has no largest_contentful_paint:
// a paint the page made must never go missing (target 0). Visits:
// TOUCHPROBE_LCP_STRESS (default 300).
func TestBenchLCPNeverMissing(t *testing.T) {
	size(t, 1)
	n := 300
	if v, err := strconv.Atoi(os.Getenv("TOUCHPROBE_LCP_STRESS")); err == nil && v > 0 {
		n = v
	}
	fx, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	sup := browser.NewSupervisor(browser.Options{UserAgentMarker: "touchprobe-bench", Spares: 1})
	defer sup.Close()

	const workers = 2
	var mu sync.Mutex
	var missing []string
	var lcps []float64
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for i := range next {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				res := checks.Visit(ctx, sup, checks.AutoPlan(fx.URL+"/?fcp=100&lcp=200&phone=1"))
				cancel()
				mu.Lock()
				if v, ok := res.Milestones[checks.MilestoneLCP]; ok {
					lcps = append(lcps, v)
				} else {
					var codes []string
					for _, r := range res.Reasons {
						codes = append(codes, r.Code+": "+r.Message)
					}
					missing = append(missing, strconv.Itoa(i)+" ended "+res.Ended+", verdict "+string(res.Verdict)+" ["+strings.Join(codes, "; ")+"]")
				}
				mu.Unlock()
			}
		})
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	sort.Float64s(lcps)
	med := 0.0
	if len(lcps) > 0 {
		med = lcps[len(lcps)/2]
	}
	t.Logf("BENCH lcp stress: %d visits (%d at once) in %s, %d without largest_contentful_paint (target 0); LCP median %.0f ms, max %.0f ms",
		n, workers, time.Since(start).Round(time.Second), len(missing), med*1000, lcps[len(lcps)-1]*1000)
	for _, m := range missing {
		t.Logf("BENCH lcp missing: visit %s", m)
	}
}
