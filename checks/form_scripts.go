package checks

import (
	"context"
	_ "embed"
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

//go:embed js/form.js
var formJS string

// formModule is the contact form's watcher and guard (checks/js/form.js).
var formModule = browser.Module{Name: "form", Source: formJS}

// watchArg starts the form module's watcher in a document (form.watch).
type watchArg struct {
	Selector string `json:"selector,omitempty"`
	// Allow lets the document send the contact form: only in a tab of its
	// own that a configured submission opened (Tab.AllowPosts).
	Allow bool `json:"allow,omitempty"`
	// Link also dates the link to the contact page (nil: not looked for).
	Link  *linkWant `json:"link,omitempty"`
	ForMS int64     `json:"forMs"`
}

// formState is what the watcher saw (form.state): times are epoch ms of
// the document's clock.
type formState struct {
	Found     bool        `json:"found"`
	Form      string      `json:"form"`
	Selector  string      `json:"selector"`
	Fields    []formField `json:"fields"`
	Problem   string      `json:"problem"`
	Detail    string      `json:"detail"`
	Field     string      `json:"field"`
	CoveredBy string      `json:"coveredBy"`
	Layer     string      `json:"layer"`
	// UsableAt: the first moment the form looked usable; ConsentAt: the
	// first moment it did but for the consent layer over it, ClearedAt
	// the first moment after that it looked usable (the layer gone);
	// OutsideAt: the first moment it did but lay outside the view.
	UsableAt   float64      `json:"usableAt"`
	ConsentAt  float64      `json:"consentAt"`
	ClearedAt  float64      `json:"clearedAt"`
	OutsideAt  float64      `json:"outsideAt"`
	Link       *contactLink `json:"link"`
	LinkAt     float64      `json:"linkAt"`
	Stopped    []guardStop  `json:"stopped"`
	ReadyState string       `json:"readyState"`
	Since      float64      `json:"since"` // when the watcher started
	Error      string       `json:"error"`
}

// formField is a field the form is for, kept by handle in its frame.
type formField struct {
	Handle int    `json:"handle"`
	Desc   string `json:"desc"`
	Kind   string `json:"kind"` // email | message | text
	Type   string `json:"type"`
}

// guardStop is one attempt of the page to send the contact form that the
// in-page guard cancelled.
type guardStop struct {
	At   float64 `json:"at"`
	Form string  `json:"form"`
	By   string  `json:"by"` // the submit button, or requestSubmit()
}

// problem is what keeps the visitor from the form as the watcher saw it.
func (st formState) problem() formProblem {
	if st.Problem == "" && st.UsableAt > 0 {
		return formProblem{}
	}
	return formProblem{Problem: st.Problem, Detail: st.Detail, Field: st.Field, CoveredBy: st.CoveredBy, Layer: st.Layer}
}

// place is a tab the form is looked for in: the landing page, or the
// contact page a visitor opens from it (another tab of the same visitor).
type place struct {
	tab     *browser.Tab
	landing bool   // the landing tab: acting on it holds the visitor's hands
	where   string // for messages: "the landing page", "the contact page /contact"
	arg     watchArg
	// deadline: the first impression's end at the place.
	deadline time.Time
	// since converts a page-clock reading of the place (epoch ms) to
	// seconds since the landing page's navigation start.
	since func(epochMS float64) float64
	// quiet says the place went quiet: a form not there by now is not coming.
	quiet   func(st formState) bool
	stopped []guardStop
}

// landingWatchArg is what the landing page's watcher looks for; it starts
// with the document (checkStarts).
func landingWatchArg(plan *Plan) watchArg {
	link := &linkWant{}
	if plan.Form.Page != "" {
		link.Want = pathOf(plan.Form.Page)
	}
	return watchArg{Selector: plan.Form.Selector, Link: link, ForMS: plan.Window.Milliseconds()}
}

// landingPlace is the landing page, watched from its document's start.
func landingPlace(pg *Page) *place {
	return &place{
		tab: pg.Landing(), landing: true, where: "the landing page",
		arg:      landingWatchArg(pg.Plan),
		deadline: pg.WindowEnd,
		since:    pg.Since,
		quiet: func(formState) bool {
			select {
			case <-pg.Session.Settled():
				return true
			default:
				return false
			}
		},
	}
}

// start starts the watcher in the place's document.
func (pl *place) start(ctx context.Context) {
	_ = pl.tab.Main().Call(ctx, "form.watch", pl.arg, nil)
}

// state reads the watcher (starting it in a document that has none: the
// page may have moved on to another).
func (pl *place) state(ctx context.Context) (formState, error) {
	var st formState
	err := pl.tab.Main().Call(ctx, "form.state", pl.arg, &st)
	if err == nil && len(st.Stopped) > 0 {
		pl.stopped = st.Stopped
	}
	return st, err
}
