package checks

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// submitForm sends the contact form with the configured values (submit:
// true, a test inbox or staging site) and times its confirmation: the end of
// the contact, which visitors remember as well as its start. A form on the
// landing page is sent from a tab of its own, so the landing page's
// timeline stays the first impression's. The confirmation is waited for as
// long as the first impression's window.
func submitForm(ctx context.Context, pg *Page, tab *browser.Tab, selector string, tp *Touchpoint) {
	spec := pg.Plan.Form
	if tab == nil {
		t, err := pg.Session.OpenTab(ctx)
		if err != nil {
			pg.Logf("contact form: no tab to send from: %v", err)
			tp.Up, tp.Reason, tp.Detail = false, ReasonFormUnusable, "could not be sent: "+err.Error()
			return
		}
		defer t.Close()
		if errText, _, err := t.Navigate(ctx, pg.Plan.URL, pg.Plan.Window); err != nil || errText != "" {
			tp.Up, tp.Reason, tp.Detail = false, ReasonFormUnusable, fmt.Sprintf("could not be sent: reopening the page: %v %s", err, errText)
			return
		}
		if !waitSelector(ctx, t, selector, pg.Plan.Window) {
			tp.Up, tp.Reason, tp.Detail = false, ReasonFormUnusable, "could not be sent: the form did not come back on a second visit"
			return
		}
		tab = t
	}
	tab.AllowPosts()
	values := map[string]string{"email": "probe@example.com", "message": "Automated availability check from touchprobe, please ignore"}
	for k, v := range spec.Fields {
		values[k] = v
	}
	tctx, cancel := tab.Bound(ctx, 5*time.Second)
	sent, err := chromedp.Run(tctx, chromedp.Evaluate[string](fmt.Sprintf(formFillJS, jsString(selector), jsonObject(values))))
	cancel()
	start := time.Now()
	if err != nil || sent == "no form" {
		tp.Up, tp.Reason, tp.Detail = false, ReasonFormUnusable, fmt.Sprintf("could not be sent: %v %s", err, sent)
		return
	}
	tp.Sent = true
	pg.Logf("contact form: %s, waiting for %q", sent, spec.Confirmation)
	js := fmt.Sprintf(confirmationJS, jsString(spec.Confirmation), jsString(selector))
	for time.Since(start) < pg.Plan.Window && ctx.Err() == nil {
		tctx, cancel := tab.Bound(ctx, 2*time.Second)
		ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			tp.ResponseSeconds = ptr(time.Since(start).Seconds())
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tp.Up, tp.Reason = false, ReasonFormUnconfirmed
	tp.Detail = fmt.Sprintf("sent, but %q did not appear within %s", spec.Confirmation, pg.Plan.Window)
}

// waitSelector waits for a selector to match in a tab.
func waitSelector(ctx context.Context, tab *browser.Tab, selector string, d time.Duration) bool {
	end := time.Now().Add(d)
	js := fmt.Sprintf(`!!document.querySelector(%s)`, jsString(selector))
	for time.Now().Before(end) && ctx.Err() == nil {
		tctx, cancel := tab.Bound(ctx, 2*time.Second)
		ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}
