package browser

import (
	"context"
	"time"

	"github.com/chromedp/chromedp"
)

// TimeOrigin is the landing document's performance.timeOrigin (ms since
// the epoch): a page-clock reading of any frame of the visit converts to
// seconds since navigation start through it.
func (s *Session) TimeOrigin(ctx context.Context) (float64, error) {
	tctx, cancel := s.Bound(ctx, 2*time.Second)
	defer cancel()
	return chromedp.Run(tctx, chromedp.Evaluate[float64](`performance.timeOrigin`))
}
