package checks

import (
	"context"
	"time"

	"github.com/chromedp/chromedp"
)

// linksJS finds the first visible tel: and mailto: links of the landing page
// and whether each is in view without scrolling.
const linksJS = `(() => {
  const find = (prefix) => {
    let best = null;
    for (const a of document.querySelectorAll('a[href^="' + prefix + '" i]')) {
      const r = a.getBoundingClientRect();
      const visible = r.width > 0 && r.height > 0 && a.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
      if (!visible) continue;
      const inView = r.top < window.innerHeight && r.bottom > 0 && r.left < window.innerWidth && r.right > 0;
      const c = {href: a.getAttribute('href').slice(0, 120), inView, selector: 'a[href="' + a.getAttribute('href').replace(/"/g, '\\"') + '"]'};
      if (!best || (inView && !best.inView)) best = c;
    }
    return best;
  };
  return {phone: find('tel:'), email: find('mailto:')};
})()`

type linkFound struct {
	Href     string `json:"href"`
	InView   bool   `json:"inView"`
	Selector string `json:"selector"`
}

// checkLinks looks for phone and e-mail links once the page has settled
// (links added by scripts count).
func checkLinks(ctx context.Context, pg *Page) Outcome {
	out := Outcome{Touchpoints: map[string]Touchpoint{}}
	if pg.Plan.Phone == Off && pg.Plan.Email == Off {
		return out
	}
	select {
	case <-pg.Session.Settled():
	case <-ctx.Done():
	}
	tctx, cancel := pg.Tab(ctx, 3*time.Second)
	defer cancel()
	found, err := chromedp.Run(tctx, chromedp.Evaluate[struct {
		Phone *linkFound `json:"phone"`
		Email *linkFound `json:"email"`
	}](linksJS))
	if err != nil {
		pg.Logf("contact links: %v", err)
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
	return out
}
