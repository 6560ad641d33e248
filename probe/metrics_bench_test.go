package probe

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/config"
)

// BenchmarkScrape times one /metrics scrape (text format, as Prometheus
// asks without protobuf) of n targets' synthesized state and reports its
// size. Target: at most 50 ms at 1,000 targets.
//
//	go test ./probe -run '^$' -bench BenchmarkScrape -benchtime 20x -count 1 -p 1
func BenchmarkScrape(b *testing.B) {
	for _, c := range []struct {
		n    int
		gzip bool
	}{{10, false}, {100, false}, {1000, false}, {1000, true}} {
		n := c.n
		b.Run(fmt.Sprintf("targets=%d/gzip=%v", n, c.gzip), func(b *testing.B) {
			d := synthesized(b, n)
			h := promhttp.HandlerFor(d.Gatherer(), promhttp.HandlerOpts{})
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.Header.Set("Accept", "text/plain;version=0.0.4")
			if c.gzip { // as Prometheus asks
				req.Header.Set("Accept-Encoding", "gzip")
			}
			size, lines := 0, 0
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				size = rec.Body.Len()
				lines = strings.Count(rec.Body.String(), "\n")
			}
			b.ReportMetric(float64(size), "bytes/scrape")
			b.ReportMetric(float64(lines), "lines/scrape")
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/scrape")
		})
	}
}

// synthesized is a daemon (not running) whose n targets each hold a full
// visit result, counters and history.
func synthesized(b *testing.B, n int) *Daemon {
	b.Helper()
	var y strings.Builder
	y.WriteString("global:\n  location: bench\ntargets:\n")
	for i := range n {
		fmt.Fprintf(&y, "  - name: target-%04d\n    url: https://www%d.example.com/\n    labels: {team: t%d}\n", i, i, i%7)
	}
	cfg, err := config.Parse("bench.yml", []byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	d, err := New(cfg, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for i, name := range d.order {
		t := d.targets[name]
		res := sampleResult(name, i)
		d.record(t, res, false)
		for range 3 {
			d.record(t, res, false)
		}
		t.next = time.Now().Add(time.Minute)
	}
	return d
}

func sampleResult(name string, i int) checks.Result {
	ms := map[string]float64{}
	for j, m := range checks.Milestones {
		ms[m] = 0.1 + float64(j)*0.4 + float64(i%10)/10
	}
	rs := 2.5
	tp := map[string]checks.Touchpoint{}
	for _, n := range checks.Touchpoints {
		tp[n] = checks.Touchpoint{Up: true, Checked: true}
	}
	tp[checks.TouchChat] = checks.Touchpoint{Up: true, Checked: true, ResponseSeconds: &rs}
	v := checks.Pleasant
	var reasons []checks.Reason
	if i%10 == 0 {
		v = checks.Problematic
		reasons = []checks.Reason{{Code: checks.ReasonFormUnusable, Failure: true, Touchpoint: checks.TouchContactForm}}
	}
	return checks.Result{Target: name, URL: "https://example.com/", Verdict: v, Success: v != checks.Problematic,
		StartedAt: time.Now(), DurationSeconds: 4.2, Milestones: ms, Touchpoints: tp, Reasons: reasons, LayoutShift: 0.02}
}

// BenchmarkDaemonHeap runs TOUCHPROBE_BENCH_VISITS visits (default 50; the
// issue's target is 500) of two fixture pages at concurrency 2 in the real
// Chromium through the daemon, and prints its heap after a GC at the start
// (after two warm-up visits) and at the end.
//
//	TOUCHPROBE_BENCH_VISITS=500 go test ./probe -run '^$' -bench BenchmarkDaemonHeap -benchtime 1x -count 1 -p 1 -timeout 60m
func BenchmarkDaemonHeap(b *testing.B) {
	visits := 50
	if s := os.Getenv("TOUCHPROBE_BENCH_VISITS"); s != "" {
		visits, _ = strconv.Atoi(s)
	}
	fx, err := site.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer fx.Close()
	cfg, err := config.Parse("heap.yml", []byte(fmt.Sprintf(`global:
  interval: 1h
  concurrency: 2
targets:
  - name: landing
    url: "%[1]s/%[2]s"
  - name: slow
    url: "%[1]s/?fcp=1500&lcp=2500&phone=1"
`, fx.URL, site.DemoPath)))
	if err != nil {
		b.Fatal(err)
	}
	d, err := New(cfg, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- d.Run(ctx) }()
	defer func() { cancel(); <-runDone }()

	heap := func() (uint64, uint64) {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc, m.HeapInuse
	}
	for b.Loop() {
		for _, n := range []string{"landing", "slow"} {
			if _, err := d.ProbeNow(ctx, n, ""); err != nil {
				b.Fatal(err)
			}
		}
		startAlloc, startInuse := heap()
		var wg sync.WaitGroup
		var mu sync.Mutex
		verdicts := map[checks.Verdict]int{}
		for w, name := range []string{"landing", "slow"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < visits; i += 2 {
					res, err := d.ProbeNow(ctx, name, "")
					if err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					verdicts[res.Verdict]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		endAlloc, endInuse := heap()
		st := d.sup.sup.Stats()
		b.Logf("%d visits %v: heap alloc %.1f MiB -> %.1f MiB, heap in use %.1f MiB -> %.1f MiB; chromium %d processes, PSS %.0f MiB, restarts %d, recycles %d",
			visits, verdicts, mib(startAlloc), mib(endAlloc), mib(startInuse), mib(endInuse), st.Count, float64(st.PSSBytes)/(1<<20), d.sup.sup.Restarts(), d.sup.sup.Recycles())
		b.ReportMetric(mib(startAlloc), "MiB-heap-start")
		b.ReportMetric(mib(endAlloc), "MiB-heap-end")
	}
}

func mib(v uint64) float64 { return float64(v) / (1 << 20) }
