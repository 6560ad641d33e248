package checks

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// contactLink is the link to a contact page a visitor could follow, and
// when they could first have seen it (seconds since the landing page's start).
type contactLink struct {
	Found   bool    `json:"found"`
	Visible bool    `json:"visible"`
	Href    string  `json:"href"`
	Text    string  `json:"text"`
	At      float64 `json:"at"` // epoch ms in the page clock
	Since   float64 `json:"-"`
}

// lookLink evaluates the link finder once; a visible link replaces one
// seen only in a closed menu, and the first sighting's time is kept.
func lookLink(ctx context.Context, pl place, js string, prev contactLink) contactLink {
	tctx, cancel := pl.bound(ctx, 2*time.Second)
	defer cancel()
	l, err := chromedp.Run(tctx, chromedp.Evaluate[contactLink](js))
	if err != nil || !l.Found || (prev.Found && !l.Visible) {
		return prev
	}
	l.Since = pl.since(l.At)
	return l
}

// waitLink waits on the landing page for a link to the configured contact
// page path until the page went quiet. Not finding one is no failure: the
// visitor may come to that page directly (the link's time is then 0).
func waitLink(ctx context.Context, pg *Page, pl place, path string) contactLink {
	js := fmt.Sprintf(contactLinkJS, jsString(path))
	var link contactLink
	for !link.Visible && !pl.done() && time.Now().Before(pl.deadline) && ctx.Err() == nil {
		link = lookLink(ctx, pl, js, link)
		time.Sleep(50 * time.Millisecond)
	}
	if !link.Found {
		pg.Logf("contact form: no link to %s on the landing page; timed from 0", path)
	}
	return link
}

// openContactPage opens the contact page in another tab of the visit's
// incognito context, like a visitor following the link, with the form
// guard and the readiness watcher installed as the page starts. Its form
// times count from when the link was there to be followed.
func openContactPage(ctx context.Context, pg *Page, link contactLink) (*browser.Tab, place, error) {
	tab, err := pg.Session.OpenTab(ctx)
	if err != nil {
		return nil, place{}, err
	}
	boot := formWatch(pg.Plan) + ";"
	if !pg.Plan.MaySubmitForm() {
		boot = formGuardJS + ";" + boot
	}
	if err := tab.OnNewDocument(ctx, boot); err != nil {
		tab.Close()
		return nil, place{}, err
	}
	errText, start, err := tab.Navigate(ctx, link.Href, pg.Plan.Window)
	if err != nil {
		tab.Close()
		return nil, place{}, err
	}
	if errText != "" {
		tab.Close()
		return nil, place{}, fmt.Errorf("%s", errText)
	}
	tctx, cancel := tab.Bound(ctx, 2*time.Second)
	origin, err := chromedp.Run(tctx, chromedp.Evaluate[float64](`performance.timeOrigin`))
	cancel()
	if err != nil {
		tab.Close()
		return nil, place{}, err
	}
	offset := link.Since
	pg.Logf("contact form: following %q to %s (link there at %.3fs)", link.Text, link.Href, offset)
	u, _ := url.Parse(link.Href)
	where := "the contact page"
	if u != nil {
		where += " " + u.Path
	}
	var complete time.Time
	return tab, place{
		bound:    tab.Bound,
		since:    func(ms float64) float64 { return offset + (ms-origin)/1000 },
		deadline: start.Add(pg.Plan.Window),
		where:    where,
		// Quiet: loaded, and a second more for a form rendered by script.
		done: func() bool {
			if !complete.IsZero() {
				return time.Since(complete) > time.Second
			}
			tctx, cancel := tab.Bound(ctx, time.Second)
			defer cancel()
			if rs, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.readyState`)); err == nil && rs == "complete" {
				complete = time.Now()
			}
			return false
		},
	}, nil
}

// pathOf is the path of a configured page (a path or a URL).
func pathOf(page string) string {
	if u, err := url.Parse(page); err == nil && u.Path != "" {
		return u.Path
	}
	return page
}

// resolve makes a configured page absolute against the target's URL.
func resolve(base, page string) string {
	b, err := url.Parse(base)
	if err != nil {
		return page
	}
	r, err := b.Parse(page)
	if err != nil {
		return page
	}
	return r.String()
}
