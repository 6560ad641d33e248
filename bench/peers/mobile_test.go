package peers

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// TestPeersMobile puts touchprobe's mobile profile beside Lighthouse 12's
// mobile preset run with --throttling-method=devtools, on the same page (a
// 1.5 MB hero) and the same Chromium: the LCP each measures, and the time
// each spends above the page's own LCP.
func TestPeersMobile(t *testing.T) {
	if os.Getenv("TOUCHPROBE_PEERS") == "" {
		t.Skip("peer benchmark: run bench/peers/run.sh (sets TOUCHPROBE_PEERS=1)")
	}
	if _, err := os.Stat("node_modules/lighthouse"); err != nil {
		t.Fatal("peers not installed: run bench/peers/run.sh")
	}
	n := count("PEERS_MOBILE_N", 3)
	fx, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	const path = "/3p/theme?heavy=1"
	url := fx.URL + path

	sup := browser.NewSupervisor(browser.Options{UserAgentMarker: "touchprobe-bench", Spares: 1})
	defer sup.Close()
	var tp series
	for i := 0; i <= n; i++ {
		p := checks.AutoPlan(url)
		p.Visitor = "mobile"
		start := time.Now()
		res := checks.Visit(context.Background(), sup, p)
		wall := time.Since(start)
		if i == 0 {
			continue // browser start, off the books
		}
		tp = append(tp, visit{Wall: ms(wall), FCP: res.Milestones[checks.MilestoneFCP] * 1000, LCP: res.Milestones[checks.MilestoneLCP] * 1000})
	}
	lh := node(t, "lighthouse.mjs", "mobile", url, strconv.Itoa(n))

	above := func(s series) float64 {
		var d []float64
		for _, v := range s {
			d = append(d, v.Wall-v.LCP)
		}
		return median(d)
	}
	fmt.Printf("PEERS mobile page %s, %d runs each, medians, ms\n", path, n)
	fmt.Printf("PEERS mobile %-38s | %6s | %6s | %8s | %s\n", "tool", "FCP", "LCP", "wall", "wall above LCP")
	fmt.Printf("PEERS mobile %-38s | %6.0f | %6.0f | %8.0f | %.0f\n", "touchprobe -visitor mobile (visit + checks)", tp.fcp(), tp.lcp(), tp.wall(), above(tp))
	fmt.Printf("PEERS mobile %-38s | %6.0f | %6.0f | %8.0f | %.0f\n", "lighthouse mobile, devtools throttling", lh.fcp(), lh.lcp(), lh.wall(), above(lh))
	met := map[bool]string{true: "met", false: "NOT met"}
	d := (tp.lcp() - lh.lcp()) / lh.lcp()
	fmt.Printf("PEERS mobile target LCP within 10%% of Lighthouse's: %+.1f %%, %s\n", d*100, met[d <= 0.1 && d >= -0.1])
	r := above(tp) / above(lh)
	fmt.Printf("PEERS mobile target time above LCP <= 1/5 of Lighthouse's: %.2f, %s\n", r, met[r <= 0.2])
}
