package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/touchprobe/touchprobe/probe/browser"
)

type formState struct {
	Found    bool    `json:"found"`
	Selector string  `json:"selector"`
	Ready    bool    `json:"ready"`
	Problem  string  `json:"problem"`
	Detail   string  `json:"detail"`
	Cover    string  `json:"cover"`
	Field    string  `json:"field"`
	At       float64 `json:"at"`
}

// place is where the form is looked for: the landing page, or the contact
// page a visitor opens from it (another tab of the same incognito context).
type place struct {
	bound func(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc)
	// since converts a page-clock reading of this place (epoch ms) to
	// seconds since the landing page's navigation start.
	since func(epochMS float64) float64
	// done says the place went quiet: a form not there by now is not coming.
	done     func() bool
	deadline time.Time
	where    string // for messages: "the landing page", "the contact page /contact"
}

// checkForm waits for the contact form to become usable — on the landing
// page, else on the contact page a visitor reaches from it (the configured
// page, or a link that says contact) — and proves its fields accept real
// keystrokes. It never submits unless the configured plan opts in, and then
// times the confirmation.
func checkForm(ctx context.Context, pg *Page) Outcome {
	out := Outcome{Touchpoints: map[string]Touchpoint{}, Milestones: map[string]float64{}}
	spec := pg.Plan.Form
	if spec.Mode == Off {
		return out
	}
	tp := Touchpoint{Checked: true, Required: spec.Mode == Required, FoundBy: "auto"}
	if spec.Selector != "" {
		tp.FoundBy = "config"
	}
	landing := place{
		bound:    pg.Tab,
		since:    pg.Since,
		deadline: pg.WindowEnd,
		where:    "the landing page",
		done: func() bool {
			select {
			case <-pg.Session.Settled():
				return true
			default:
				return false
			}
		},
	}
	var st formState
	var link contactLink
	var ready bool
	var at float64
	var tab *browser.Tab
	where := landing.where // where the form was last looked for
	defer func() {
		if tab != nil {
			tab.Close()
		}
	}()
	if spec.Page == "" {
		st, link, ready, at = waitForm(ctx, pg, landing, true)
	} else {
		// The configured page: the link to it only tells when the visitor
		// could have clicked; a form on the landing page is not the one.
		link = waitLink(ctx, pg, landing, pathOf(spec.Page))
		link.Href = resolve(pg.Plan.URL, spec.Page)
	}
	if !ready && !st.Found && link.Href != "" && ctx.Err() == nil {
		tp.Page = link.Href
		var contact place
		var err error
		tab, contact, err = openContactPage(ctx, pg, link)
		if err != nil {
			pg.Logf("contact form: opening %s: %v", link.Href, err)
			tp.Detail = "the contact page " + link.Href + " did not open: " + err.Error()
		} else {
			st, _, ready, at = waitForm(ctx, pg, contact, false)
			where = contact.where
		}
	}
	switch {
	case ready:
		tp.Up, tp.Selector = true, st.Selector
		tp.ReadySeconds = ptr(at)
		out.Milestones[MilestoneFormReady] = at
		if pg.Plan.MaySubmitForm() {
			submitForm(ctx, pg, tab, st.Selector, &tp)
		}
	case tp.Detail != "":
		tp.Reason = ReasonFormMissing
	case !st.Found:
		tp.Reason, tp.Detail = ReasonFormMissing, "no contact form (an e-mail field and a message field) on "+where
		if spec.Page == "" && link.Href == "" {
			tp.Detail += ", and no link to a contact page"
		}
	case st.Problem == "covered" && pg.Plan.Consent == ConsentLeave && consentCover(st.Cover):
		tp.Reason, tp.Detail, tp.Selector = ReasonConsentBlocked, st.Detail, st.Selector
	default:
		tp.Reason, tp.Selector = ReasonFormUnusable, st.Selector
		tp.Detail = st.Problem
		if st.Detail != "" {
			tp.Detail = st.Problem + ": " + st.Detail
		}
	}
	out.Touchpoints[TouchContactForm] = tp
	return out
}

// waitForm polls the form probe every 50 ms at a place until the form is
// usable, the place went quiet without a form, or the window ends. On the
// landing page it also notes the first contact link a visitor could follow.
// at is contact_form_ready, in seconds since the landing page's start.
func waitForm(ctx context.Context, pg *Page, pl place, withLink bool) (last formState, link contactLink, ready bool, at float64) {
	js := fmt.Sprintf(formProbeJS, jsString(pg.Plan.Form.Selector), pg.Plan.MaySubmitForm(), formGuardJS)
	linkJS := fmt.Sprintf(contactLinkJS, jsString(""))
	for {
		tctx, cancel := pl.bound(ctx, 2*time.Second)
		st, err := chromedp.Run(tctx, chromedp.Evaluate[formState](js))
		cancel()
		if err == nil {
			last = st
			if st.Ready && typeProbe(ctx, pg, pl, st.Field) {
				at = st.At
				tctx, cancel := pl.bound(ctx, 2*time.Second)
				if first, err := chromedp.Run(tctx, chromedp.Evaluate[float64](`window.__tpFirstReady || 0`)); err == nil && first > 0 && first < at {
					at = first
				}
				cancel()
				return last, link, true, pl.since(at)
			}
			if withLink && !st.Found && !link.Visible {
				link = lookLink(ctx, pl, linkJS, link)
			}
		}
		if pl.done() && !last.Found {
			return last, link, false, 0
		}
		if time.Now().After(pl.deadline) || ctx.Err() != nil {
			return last, link, false, 0
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// typeProbe types real keystrokes into field, reads the value back and
// clears it again.
func typeProbe(ctx context.Context, pg *Page, pl place, field string) bool {
	const probe = "probe@example.com"
	tctx, cancel := pl.bound(ctx, 3*time.Second)
	defer cancel()
	sel, _ := json.Marshal(field)
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.value = ''; return true; })()`, sel))); err != nil {
		return false
	}
	if _, err := chromedp.Run(tctx, chromedp.SendKeys(chromedp.CSS(field), probe)); err != nil {
		pg.Logf("contact form: typing into %s: %v", field, err)
		return false
	}
	v, err := chromedp.Run(tctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const e = document.querySelector(%s); const v = e.value; e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); return v; })()`, sel)))
	return err == nil && v == probe
}

// consentCover: the element on top of the form looks like a consent layer.
func consentCover(s string) bool {
	for _, k := range []string{"consent", "cookie", "onetrust", "Cybot", "didomi", "qc-cmp", "cmp", "gdpr", "usercentrics", "truste", "cky-", "klaro", "osano", "Borlabs", "sp_message"} {
		if strings.Contains(strings.ToLower(s), strings.ToLower(k)) {
			return true
		}
	}
	return false
}
