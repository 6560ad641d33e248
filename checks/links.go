package checks

import (
	"context"
	_ "embed"
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

//go:embed js/links.js
var linksJS string

// linksModule finds the links a visitor reaches the company by: phone,
// e-mail, and the contact page (checks/js/links.js).
var linksModule = browser.Module{Name: "links", Source: linksJS}

type linkFound struct {
	Href     string `json:"href"`
	InView   bool   `json:"inView"`
	Selector string `json:"selector"`
}

// checkLinks looks for phone and e-mail links once the page has settled
// (links added by scripts count). In auto mode a link the site does not
// have is not found (Touchpoint.NotFound), never down.
func checkLinks(ctx context.Context, pg *Page) Outcome {
	out := Outcome{Touchpoints: map[string]Touchpoint{}}
	if pg.Plan.Phone == Off && pg.Plan.Email == Off {
		return out
	}
	select {
	case <-pg.Session.Settled():
	case <-ctx.Done():
	}
	var found struct {
		Phone *linkFound `json:"phone"`
		Email *linkFound `json:"email"`
	}
	// A page still busy (a huge document being parsed) may not answer at
	// once; one that never does was not looked at: that is no evidence of
	// missing links (it would make "no way to reach the company").
	var lastErr error
	err := browser.Until(ctx, pg.WindowEnd.Add(5*time.Second), 250*time.Millisecond, func(ctx context.Context) (bool, error) {
		lastErr = pg.Landing().Main().Call(ctx, "links.channels", nil, &found)
		return lastErr == nil, nil
	})
	if err != nil {
		pg.Logf("contact links: the page never answered (%v); phone and e-mail not looked at", lastErr)
		return out
	}
	add := func(name string, mode Mode, l *linkFound, missing string) {
		if mode == Off {
			return
		}
		tp := Touchpoint{Checked: true, Required: mode == Required, FoundBy: "auto"}
		if l == nil {
			tp.Reason, tp.Detail = missing, "no visible "+name+" link on the landing page"
		} else {
			tp.Up, tp.Selector, tp.Detail = true, l.Selector, l.Href
			tp.VisibleWithoutScrolling = ptr(l.InView)
		}
		out.Touchpoints[name] = tp
	}
	add(TouchPhone, pg.Plan.Phone, found.Phone, ReasonPhoneMissing)
	add(TouchEmail, pg.Plan.Email, found.Email, ReasonEmailMissing)
	// Calls to action, for `touchprobe discover` to suggest as key points.
	_ = pg.Landing().Main().Call(ctx, "links.actions", nil, &out.Actions)
	return out
}

// CallToAction is a prominent link or button of the landing page that may
// start one of the business's key points (book, quote, buy, pricing).
type CallToAction struct {
	Text   string `json:"text"`
	InView bool   `json:"inView"`
	Tag    string `json:"tag"`
}

// linkWant says which contact link the form's watcher dates (links.contact):
// one to the path Want, else ("") one that says contact.
type linkWant struct {
	Want string `json:"want"`
}

// contactLink is a link to a contact page as links.contact found it.
type contactLink struct {
	Found   bool    `json:"found"`
	Visible bool    `json:"visible"` // false: only in a closed menu
	Href    string  `json:"href"`
	Text    string  `json:"text"`
	Handle  int     `json:"handle"`
	Desc    string  `json:"desc"`
	At      float64 `json:"at"` // when it was seen, epoch ms of the page clock
	Since   float64 `json:"-"`  // when it could first be followed, seconds since navigation start
	Menu    string  `json:"-"`  // the toggler opened to show it, if any
}

// followable is the contact link as the visitor follows it, after the
// first impression and the consent layer. The link is followed in another
// tab (checks/form_contact.go): the landing page keeps its own timeline.
//
// A link the watcher saw only in a closed menu (a hamburger on a phone's
// narrow view) is reached as a visitor does: holding the hands, tap the
// menu's toggler, and wait for the link to show. It is dated from when
// the hidden link was there plus what opening the menu took (tap to
// shown): the time a visitor who opened the menu at once would have had.
func followable(ctx context.Context, pg *Page, l contactLink) contactLink {
	if l.Visible || !l.Found {
		return l
	}
	pg.hands.Lock()
	defer pg.hands.Unlock()
	main := pg.Landing().Main()
	var tg struct {
		Found  bool   `json:"found"`
		Handle int    `json:"handle"`
		Desc   string `json:"desc"`
	}
	if err := main.Call(ctx, "links.toggler", map[string]int{"handle": l.Handle}, &tg); err != nil || !tg.Found {
		pg.Logf("contact form: the contact link %s is in a closed menu with no toggler found; followed without opening it", l.Desc)
		return l
	}
	in, err := main.ElementByHandle(tg.Handle, tg.Desc).Click(ctx)
	if err != nil {
		pg.Logf("contact form: the menu toggler %s: %v; the link followed without opening it", tg.Desc, err)
		return l
	}
	var shown contactLink
	_ = browser.Until(ctx, time.Now().Add(3*time.Second), 50*time.Millisecond, func(ctx context.Context) (bool, error) {
		err := main.Call(ctx, "links.contact", linkWant{}, &shown)
		return err == nil && shown.Visible, nil
	})
	if !shown.Visible {
		pg.Logf("contact form: %s (%s) opened no menu showing the contact link; followed without it", tg.Desc, in.Kind)
		return l
	}
	took := max(0, shown.At-in.At) / 1000
	pg.Logf("contact form: opened the menu (%s %s) and the contact link %s showed %.0f ms after", in.Kind, tg.Desc, shown.Desc, took*1000)
	shown.Since = l.Since + took
	shown.Menu = tg.Desc
	return shown
}
