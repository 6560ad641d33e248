package checks

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// waitForLink waits, without input, for the landing page's link to the
// configured contact page until the page went quiet. Not finding one is no
// failure: the visitor may come to that page directly (the link's time is
// then 0).
func waitForLink(ctx context.Context, pg *Page, landing *place) contactLink {
	var link contactLink
	_ = browser.Until(ctx, landing.deadline, formPoll, func(ctx context.Context) (bool, error) {
		st, err := landing.state(ctx)
		if err != nil {
			return false, nil
		}
		link = st.contactLink(landing)
		return link.Visible || landing.quiet(st), nil
	})
	if !link.Found {
		pg.Logf("contact form: no link to %s on the landing page; timed from 0", landing.arg.Link.Want)
		return contactLink{}
	}
	return link
}

// contactLink is the link the watcher saw, dated: Since is when the
// visitor could first have followed it (seconds since the landing page's
// start).
func (st formState) contactLink(landing *place) contactLink {
	if st.Link == nil || !st.Link.Found {
		return contactLink{}
	}
	l := *st.Link
	at := l.At
	if l.Visible && st.LinkAt > 0 {
		at = st.LinkAt
	}
	l.Since = landing.since(at)
	return l
}

// openContactPage opens the contact page in another tab of the visit's
// incognito context, like a visitor following the link, and starts the
// form's watcher there right after commit. The page's times count from
// when the link was there to be followed.
func openContactPage(ctx context.Context, pg *Page, link contactLink) (*browser.Tab, *place, error) {
	tab, err := pg.Session.OpenTab(ctx)
	if err != nil {
		return nil, nil, err
	}
	errText, start, err := tab.Navigate(ctx, link.Href, pg.Plan.Window)
	if err == nil && errText != "" {
		err = fmt.Errorf("%s", errText)
	}
	if err != nil {
		tab.Close()
		return nil, nil, err
	}
	where := "the contact page"
	if u, err := url.Parse(link.Href); err == nil {
		where += " " + u.Path
	}
	pl := &place{
		tab: tab, where: where,
		arg:      watchArg{Selector: pg.Plan.Form.Selector, ForMS: pg.Plan.Window.Milliseconds()},
		deadline: start.Add(pg.Plan.Window),
	}
	pl.start(ctx)
	var clk struct {
		Origin float64 `json:"origin"`
	}
	if err := tab.Main().Call(ctx, "hands.clock", nil, &clk); err != nil {
		tab.Close()
		return nil, nil, err
	}
	offset := link.Since
	pl.since = func(ms float64) float64 { return offset + (ms-clk.Origin)/1000 }
	// Quiet: loaded, and a second more for a form rendered by script.
	var complete time.Time
	pl.quiet = func(st formState) bool {
		if complete.IsZero() && st.ReadyState == "complete" {
			complete = time.Now()
		}
		return !complete.IsZero() && time.Since(complete) > time.Second
	}
	pg.Logf("contact form: following %q to %s (link there at %.3fs)", link.Text, link.Href, offset)
	return tab, pl, nil
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
