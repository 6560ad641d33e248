// Package bench holds touchprobe's benchmarks. They print figures and assert
// nothing about speed; run them with TOUCHPROBE_BENCH=1 (see README.md).
package bench

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/bench/benchkit"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// page paints its text at 0.8 s and its hero at 1.5 s (the fixture's marks
// say when exactly).
const page = "/?ttfb=150&body=300&fcp=800&lcp=1500"

// size reads the number of visits from TOUCHPROBE_BENCH; unset skips.
func size(t *testing.T, def int) int {
	v := os.Getenv("TOUCHPROBE_BENCH")
	if v == "" {
		t.Skip("benchmark: set TOUCHPROBE_BENCH=1 (or a number of visits)")
	}
	if n, err := strconv.Atoi(v); err == nil && n > 1 {
		return n
	}
	return def
}

// one is a measured visit.
type one struct {
	wall, settle time.Duration
	milestones   map[string]float64
	marks        map[string]float64
}

func visitOnce(t *testing.T, s *browser.Supervisor, url string) one {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	v, err := benchkit.VisitPage(ctx, s, url)
	if err != nil {
		t.Fatal(err)
	}
	o := one{wall: v.Wall, milestones: v.Timeline.Milestones, marks: v.Marks}
	for _, m := range v.Timeline.Milestones {
		if d := time.Duration(m * float64(time.Second)); d > o.settle {
			o.settle = d
		}
	}
	return o
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func maxAbs(xs []float64) float64 {
	var m float64
	for _, x := range xs {
		if x < 0 {
			x = -x
		}
		m = max(m, x)
	}
	return m
}

// TestBenchVisit is issue 2's benchmark: wall time per visit (reused and
// fresh browser), milestone error against the fixture's marks, memory per
// concurrent visit, and processes left.
func TestBenchVisit(t *testing.T) {
	n := size(t, 20)
	fx, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	url := fx.URL + page

	sup := browser.NewSupervisor(browser.Options{UserAgentMarker: "touchprobe-bench", Spares: 1})
	visitOnce(t, sup, url) // browser start, off the books
	procsAfterOne := sup.Stats().Count
	var walls, over []float64
	errs := map[string][]float64{}
	truth := map[string]string{browser.FirstPaint: "body", browser.FirstContentfulPaint: "fcp", browser.LargestContentfulPaint: "lcp"}
	for i := 0; i < n; i++ {
		o := visitOnce(t, sup, url)
		walls = append(walls, o.wall.Seconds()*1000)
		over = append(over, (o.wall-o.settle).Seconds()*1000)
		for m, mark := range truth {
			if got, ok := o.milestones[m]; ok && o.marks[mark] > 0 {
				errs[m] = append(errs[m], (got-o.marks[mark])*1000)
			}
		}
		if got, ok := o.milestones[browser.TTFB]; ok {
			errs[browser.TTFB] = append(errs[browser.TTFB], (got-0.150)*1000)
		}
	}
	fmt.Printf("BENCH visit reused browser: %d visits, wall median %.0f ms, above settle median %.0f ms max %.0f ms\n",
		n, median(walls), median(over), maxAbs(over))
	for _, m := range []string{browser.TTFB, browser.FirstPaint, browser.FirstContentfulPaint, browser.LargestContentfulPaint} {
		fmt.Printf("BENCH milestone error %-26s median %+5.0f ms  max |%3.0f| ms  (%d visits; fixture mark %q)\n",
			m, median(errs[m]), maxAbs(errs[m]), len(errs[m]), truth[m])
	}

	// A fresh browser per visit: start, visit, close.
	var fresh []float64
	for i := 0; i < max(3, n/4); i++ {
		start := time.Now()
		s := browser.NewSupervisor(browser.Options{UserAgentMarker: "touchprobe-bench"})
		visitOnce(t, s, url)
		s.Close()
		fresh = append(fresh, time.Since(start).Seconds()*1000)
	}
	fmt.Printf("BENCH visit fresh browser: %d visits, wall median %.0f ms (reused/fresh = %.2f)\n",
		len(fresh), median(fresh), median(walls)/median(fresh))

	// Memory per concurrent visit, and visits per minute.
	for _, c := range []int{1, 2, 4} {
		peak, rate := concurrent(t, sup, url, c, max(4, n/5)*c)
		fmt.Printf("BENCH concurrency %d: %.0f visits/min, Chromium peak RSS %.0f MiB (%.0f per visit), PSS %.0f MiB (%.0f per visit)\n",
			c, rate, mib(peak.RSSBytes), mib(peak.RSSBytes)/float64(c), mib(peak.PSSBytes), mib(peak.PSSBytes)/float64(c))
	}

	// Processes: after 100 visits the tree is the size it was after one.
	for i := 0; i < 100-n; i++ {
		visitOnce(t, sup, url)
	}
	pgid := sup.ProcessGroup()
	fmt.Printf("BENCH processes: %d after 1 visit, %d after 100+ visits (zombies %d)\n",
		procsAfterOne, sup.Stats().Count, sup.Stats().Zombies)
	sup.Close()
	time.Sleep(time.Second)
	fmt.Printf("BENCH processes after shutdown: %d in the browser's group, %d Chromium processes on the machine\n",
		browser.GroupStats(pgid).Count, browser.ChromiumProcesses())
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// concurrent runs total visits c at a time, sampling the Chromium tree.
func concurrent(t *testing.T, sup *browser.Supervisor, url string, c, total int) (browser.ProcStats, float64) {
	var peak browser.ProcStats
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				st := sup.Stats()
				peak.RSSBytes, peak.PSSBytes = max(peak.RSSBytes, st.RSSBytes), max(peak.PSSBytes, st.PSSBytes)
			}
		}
	})
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Go(func() {
			for range jobs {
				visitOnce(t, sup, url)
			}
		})
	}
	for i := 0; i < total; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	sampler.Wait()
	return peak, float64(total) / elapsed.Minutes()
}
