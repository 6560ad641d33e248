package peers

import (
	"context"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/bench/benchkit"
	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
)

const marker = "touchprobe-bench"

// pageOnly is the page part of a visit, as bench/visit_test.go measures it:
// a fresh incognito context, navigation, the page settled, its timeline,
// plus the fixture's marks read from the page.
func pageOnly(t *testing.T, s *browser.Supervisor, url string) visit {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	v, err := benchkit.VisitPage(ctx, s, url)
	if err != nil {
		t.Fatal(err)
	}
	marks := map[string]float64{}
	for k, m := range v.Marks {
		marks[k] = m * 1000
	}
	return visit{Wall: ms(v.Wall), FCP: v.Timeline.Milestones[browser.FirstContentfulPaint] * 1000,
		LCP: v.Timeline.Milestones[browser.LargestContentfulPaint] * 1000, Marks: marks}
}

// fullVisit is what the daemon and `touchprobe visit` do: the page, every
// touchpoint check an automatic plan asks for, and the verdict.
func fullVisit(t *testing.T, s *browser.Supervisor, url string) visit {
	t.Helper()
	start := time.Now()
	res := checks.Visit(context.Background(), s, checks.AutoPlan(url))
	wall := time.Since(start)
	for _, r := range res.Reasons {
		if r.Code == checks.ReasonInternal {
			t.Fatalf("touchprobe visit broke: %s", r.Message)
		}
	}
	return visit{Wall: ms(wall), FCP: res.Milestones[checks.MilestoneFCP] * 1000, LCP: res.Milestones[checks.MilestoneLCP] * 1000}
}

type visitFunc func(*testing.T, *browser.Supervisor, string) visit

// reused runs n visits on one browser with a context kept ready, as the
// daemon runs it; the first visit (browser start) is off the books.
func reused(t *testing.T, f visitFunc, url string, n int) series {
	sup := browser.NewSupervisor(browser.Options{UserAgentMarker: marker, Spares: 1})
	defer sup.Close()
	f(t, sup, url)
	var s series
	for range n {
		s = append(s, f(t, sup, url))
	}
	return s
}

// fresh starts, uses and closes a browser per visit, as `touchprobe visit` does.
func fresh(t *testing.T, f visitFunc, url string, n int) series {
	var s series
	for range n {
		start := time.Now()
		sup := browser.NewSupervisor(browser.Options{UserAgentMarker: marker})
		v := f(t, sup, url)
		sup.Close()
		v.Wall = ms(time.Since(start))
		s = append(s, v)
	}
	return s
}

func ms(d time.Duration) float64 { return d.Seconds() * 1000 }
