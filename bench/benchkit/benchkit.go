// Package benchkit is what the benchmarks share: the page part of a
// first-time visit, timed, with the fixture's own marks for ground truth.
package benchkit

import (
	"context"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// PageVisit is one measured page visit.
type PageVisit struct {
	Wall     time.Duration // from asking for a fresh context to the marks read
	Timeline browser.Timeline
	// Marks are the fixture's performance.mark("fx-NAME") times, by NAME,
	// in seconds of the page clock: when the page really changed.
	Marks map[string]float64
}

// marksJS reads the fixture's marks.
const marksJS = `Object.fromEntries(performance.getEntriesByType('mark').filter(m => m.name.startsWith('fx-')).map(m => [m.name.slice(3), m.startTime / 1000]))`

// VisitPage does the page part of a visit, as the daemon does it before
// the touchpoint checks: a fresh incognito context, navigation, the page
// settled, its timeline; then the fixture's marks.
func VisitPage(ctx context.Context, s *browser.Supervisor, url string) (PageVisit, error) {
	start := time.Now()
	sess, err := s.Session(ctx)
	if err != nil {
		return PageVisit{}, err
	}
	defer sess.Close()
	if err := sess.Navigate(ctx, url, browser.NavOptions{}); err != nil {
		return PageVisit{}, err
	}
	select {
	case <-sess.Settled():
	case <-ctx.Done():
		return PageVisit{}, ctx.Err()
	}
	v := PageVisit{Timeline: sess.Timeline(ctx)}
	mctx, cancel := sess.Bound(ctx, 2*time.Second)
	v.Marks, _ = chromedp.Run(mctx, chromedp.Evaluate[map[string]float64](marksJS))
	cancel()
	v.Wall = time.Since(start)
	return v, nil
}
