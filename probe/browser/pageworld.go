package browser

import (
	"context"
	"encoding/json"

	"github.com/chromedp/chromedp"
)

// PageValue evaluates a script in the landing document's own world, where
// the page's scripts and their globals live (a chat provider's API, say),
// and decodes its JSON value into out. It is for reading what the page's
// scripts know; the visitor's actions go through the hands (hands.go).
func (t *Tab) PageValue(ctx context.Context, script string, out any) error {
	tctx, cancel := t.Bound(ctx, callTimeout)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[json.RawMessage](script))
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(v, out)
}
