// Package peers compares touchprobe with Playwright and Lighthouse on the same
// page and the same Chromium (issue 7). It prints figures and asserts nothing
// about speed; run it with bench/peers/run.sh (see bench/README.md).
package peers

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/touchprobe/touchprobe/internal/site"
)

// page paints its text at 0.8 s and its hero at 1.5 s, as in bench/visit_test.go.
const page = "/?ttfb=150&body=300&fcp=800&lcp=1500"

// count reads a number of visits from env, def when unset or not a number.
func count(env string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(env)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestPeers measures touchprobe, Playwright and Lighthouse one after the other.
func TestPeers(t *testing.T) {
	if os.Getenv("TOUCHPROBE_PEERS") == "" {
		t.Skip("peer benchmark: run bench/peers/run.sh (sets TOUCHPROBE_PEERS=1)")
	}
	if _, err := os.Stat("node_modules/playwright-core"); err != nil {
		t.Fatal("peers not installed: run bench/peers/run.sh")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node not found: run bench/peers/run.sh")
	}
	n := count("PEERS_N", 10)
	nLH := count("PEERS_LIGHTHOUSE_N", 3)
	fx, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	url := fx.URL + page
	N, NL := strconv.Itoa(n), strconv.Itoa(nLH)

	// Reused browsers first, then a browser per visit.
	tpFull := reused(t, fullVisit, url, n)
	tpPage := reused(t, pageOnly, url, n)
	pwQuiet := node(t, "playwright.mjs", "reused", "quiet", url, N)
	pwHero := node(t, "playwright.mjs", "reused", "element", url, N)
	lhReused := node(t, "lighthouse.mjs", "reused", url, NL)
	tpFullFresh := fresh(t, fullVisit, url, n)
	tpPageFresh := fresh(t, pageOnly, url, n)
	pwQuietFresh := node(t, "playwright.mjs", "fresh", "quiet", url, N)
	pwHeroFresh := node(t, "playwright.mjs", "fresh", "element", url, N)
	lhFresh := node(t, "lighthouse.mjs", "fresh", url, NL)

	fmt.Printf("PEERS page %s, %d visits per row (Lighthouse %d runs), medians, ms\n", page, n, nLH)
	fmt.Printf("PEERS %-30s | %10s | %11s | %6s | %6s | %s\n", "tool", "wall fresh", "wall reused", "FCP", "LCP", "ratio touchprobe/peer (wall fresh, reused)")
	row := func(name string, f, r series, peer bool) {
		ratio := "-"
		if peer {
			ratio = fmt.Sprintf("%.2f, %.2f", tpFullFresh.wall()/f.wall(), tpFull.wall()/r.wall())
		}
		fmt.Printf("PEERS %-30s | %10.0f | %11.0f | %6.0f | %6.0f | %s\n", name, f.wall(), r.wall(), r.fcp(), r.lcp(), ratio)
	}
	row("touchprobe visit + checks", tpFullFresh, tpFull, false)
	row("touchprobe page only", tpPageFresh, tpPage, false)
	row(fmt.Sprintf("playwright load + quiet %s ms", quietMS()), pwQuietFresh, pwQuiet, true)
	row("playwright load + wait #hero", pwHeroFresh, pwHero, true)
	row("lighthouse (provided)", lhFresh, lhReused, true)

	// Paint readings: touchprobe minus Playwright, visit i against visit i
	// (reused browsers), and each against the page's own marks.
	for _, pw := range []struct {
		name string
		s    series
	}{{"quiet", pwQuiet}, {"#hero", pwHero}} {
		for _, m := range []struct {
			name string
			f    func(visit) float64
		}{{"FCP", func(v visit) float64 { return v.FCP }}, {"LCP", func(v visit) float64 { return v.LCP }}} {
			d := pairDiff(tpFull, pw.s, m.f)
			fmt.Printf("PEERS %s touchprobe - playwright(%s) per visit: median %+.0f ms, max |%.0f| ms (%d pairs)\n",
				m.name, pw.name, median(d), maxAbs(d), len(d))
		}
	}
	for _, e := range []struct {
		name string
		s    series
	}{{"touchprobe page only", tpPage}, {"playwright quiet", pwQuiet}, {"playwright #hero", pwHero}} {
		fe := e.s.markErr(func(v visit) float64 { return v.FCP }, "fcp")
		le := e.s.markErr(func(v visit) float64 { return v.LCP }, "lcp")
		fmt.Printf("PEERS vs fixture marks %-21s FCP median %+.0f max |%.0f|, LCP median %+.0f max |%.0f| ms (%d visits)\n",
			e.name, median(fe), maxAbs(fe), median(le), maxAbs(le), len(fe))
	}

	// The targets, stated plainly.
	met := map[bool]string{true: "met", false: "NOT met"}
	for _, pw := range []struct {
		name string
		s    series
	}{{"quiet", pwQuiet}, {"#hero", pwHero}} {
		r := tpFull.wall() / pw.s.wall()
		fmt.Printf("PEERS target reused wall <= 0.85 x playwright(%s): %.2f, %s (page only: %.2f)\n",
			pw.name, r, met[r <= 0.85], tpPage.wall()/pw.s.wall())
	}
	for _, lh := range []struct {
		name string
		s    series
	}{{"reused", lhReused}, {"fresh", lhFresh}} {
		r := tpFull.wall() / lh.s.wall()
		fmt.Printf("PEERS target reused wall <= 1/10 x lighthouse(%s): %.3f, %s\n", lh.name, r, met[r <= 0.1])
	}
	for _, m := range []struct {
		name string
		f    func(visit) float64
	}{{"FCP", func(v visit) float64 { return v.FCP }}, {"LCP", func(v visit) float64 { return v.LCP }}} {
		d := median(pairDiff(tpFull, pwQuiet, m.f))
		fmt.Printf("PEERS target %s within 30 ms of playwright(quiet), median per-visit difference: %+.0f ms, %s\n", m.name, d, met[maxAbs([]float64{d}) <= 30])
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("PEERS load average at the end: %s", load)
}

func quietMS() string {
	if v := os.Getenv("PEERS_QUIET_MS"); v != "" {
		return v
	}
	return "1000"
}

// pairDiff is a's reading minus b's, visit i against visit i.
func pairDiff(a, b series, f func(visit) float64) []float64 {
	var d []float64
	for i := range min(len(a), len(b)) {
		d = append(d, f(a[i])-f(b[i]))
	}
	return d
}
