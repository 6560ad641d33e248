package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// checkForm finds the contact form as a first-time visitor does — on the
// landing page, else on the contact page a link leads to (the configured
// page, or a link that says contact) — and proves that its fields take
// input (docs/visitor.md): the watcher (checks/js/form.js) dates when it
// looked usable while the page loaded untouched; after the first impression
// the visitor types into its fields with trusted input and the field must
// hold the text, which is then cleared. It never sends the form unless the
// configured plan opts in (Plan.MaySubmitForm), and then times the
// confirmation.
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
	landing := landingPlace(pg)
	landing.start(ctx) // right after commit: the watcher sees the page from its first moments
	var (
		pl      = landing
		st      formState
		contact *browser.Tab
		link    contactLink
		openErr error
	)
	defer func() {
		logGuards(ctx, pg, landing, pl)
		if contact != nil {
			contact.Close()
		}
	}()
	if spec.Page == "" {
		st = lookForForm(ctx, pg, landing)
		link = st.contactLink(landing)
	} else {
		// The configured page: the link to it only tells when the visitor
		// could have followed it; a form on the landing page is not the one.
		link = waitForLink(ctx, pg, landing)
		link.Href = resolve(pg.Plan.URL, spec.Page)
	}
	if !st.Found && link.Href != "" && ctx.Err() == nil && pg.beforeActing(ctx) {
		// The visitor dealt with the consent layer and follows the link:
		// the contact page opens in another tab of the same visitor.
		link = followable(ctx, pg, link)
		tp.Page, tp.Menu = link.Href, link.Menu
		contact, pl, openErr = openContactPage(ctx, pg, link)
		if openErr == nil {
			st = lookForForm(ctx, pg, pl)
		} else {
			pg.Logf("contact form: opening %s: %v", link.Href, openErr)
		}
	}
	o := formOutcome{st: st, problem: st.problem()}
	if st.Found && pg.beforeActing(ctx) {
		o = useForm(ctx, pg, pl, st)
		st = o.st
		_ = pl.tab.Main().Call(ctx, "form.stop", nil, nil) // the visitor used it: no more looking
	}
	if o.interaction > 0 {
		tp.InteractionSeconds = ptr(o.interaction)
	}
	tp.Selector = st.Selector
	switch {
	case o.ready:
		tp.Up = true
		tp.ReadySeconds = ptr(o.at)
		out.Milestones[MilestoneFormReady] = o.at
		if pg.Plan.MaySubmitForm() {
			page := pg.Plan.URL
			if contact != nil {
				page = link.Href
			}
			submitForm(ctx, pg, page, st.Selector, &tp)
		}
	case openErr != nil:
		tp.Reason, tp.Detail = ReasonFormMissing, "the contact page "+link.Href+" did not open: "+openErr.Error()
	case !st.Found:
		tp.Reason, tp.Detail = ReasonFormMissing, "no contact form (an e-mail field and a message field) on "+pl.where
		if spec.Page == "" && link.Href == "" {
			tp.Detail += ", and no link to a contact page"
		}
	case o.problem.Layer == "consent":
		// Whatever the plan said to the layer: one the visitor could not
		// clear keeps them from the form.
		tp.Reason = ReasonConsentBlocked
		tp.Detail = fmt.Sprintf("%s is covered by the consent layer %s on %s", o.problem.Field, o.problem.CoveredBy, pl.where)
	default:
		tp.Reason, tp.Detail = ReasonFormUnusable, o.problem.String()
	}
	out.Touchpoints[TouchContactForm] = tp
	return out
}

// formOutcome is what the visitor's use of the form came to.
type formOutcome struct {
	ready bool
	at    float64 // contact_form_ready, seconds since the landing page's start
	st    formState
	// problem: what stopped the visitor last, when not ready.
	problem formProblem
	// interaction: the slowest answer to the visitor's clicks into the
	// fields (seconds, input to next paint).
	interaction float64
	tries       int
}

// formProblem is what keeps a visitor from the form, what covers it named.
type formProblem struct {
	Problem   string // hidden | disabled | read-only | outside | covered | moving | detached | no fields | input
	Detail    string
	Field     string
	CoveredBy string
	Layer     string // "consent" for the consent layer
}

func (p formProblem) String() string {
	if p.Detail == "" || strings.HasPrefix(p.Detail, p.Problem) {
		return p.Detail
	}
	return p.Problem + ": " + p.Detail
}

// Retry pace: the watcher is read often while the form is not usable yet;
// a failed attempt to type is tried again about every 500 ms
// (docs/visitor.md).
const (
	formPoll  = 100 * time.Millisecond
	formRetry = 500 * time.Millisecond
)

// lookForForm waits, without input, for the watcher to find the form at a
// place, until the place went quiet without one, or the window ended.
func lookForForm(ctx context.Context, pg *Page, pl *place) formState {
	var last formState
	var lastErr error
	_ = browser.Until(ctx, pl.deadline, formPoll, func(ctx context.Context) (bool, error) {
		st, err := pl.state(ctx)
		if err != nil {
			lastErr = err // a document on its way out: look again
			return false, nil
		}
		last, lastErr = st, nil
		return st.Found || pl.quiet(st), nil
	})
	switch {
	case last.Found:
		what := last.Problem
		if last.Detail != "" {
			what = last.Detail
		} else if what == "" {
			what = "usable"
		}
		pg.Logf("contact form: %s found on %s (%s; watched since %.3fs)", last.Form, pl.where, what, pl.since(last.Since))
	case lastErr != nil:
		pg.Logf("contact form: none seen on %s; the last look failed: %v", pl.where, lastErr)
	default:
		pg.Logf("contact form: none on %s (watched since %.3fs)", pl.where, pl.since(last.Since))
	}
	return last
}

// useForm acts on a form the watcher found, after the first impression:
// once it looks usable (or lies outside the view, which the watcher cannot
// judge), the visitor types into its fields. contact_form_ready is the
// watcher's first usable moment when the first attempt worked, else the
// moment an attempt really worked (docs/visitor.md, "Times"). Behind a
// consent layer it is no earlier than the watcher saw the layer go
// (ClearedAt).
func useForm(ctx context.Context, pg *Page, pl *place, st formState) formOutcome {
	o := formOutcome{st: st, problem: st.problem()}
	// An attempt under way runs to its end; a new one starts only before
	// the deadline (and one at least: the first impression may come late).
	for first := true; ctx.Err() == nil; first = false {
		if !first {
			if time.Now().After(pl.deadline) {
				return o
			}
			pause := formPoll
			if o.tries > 0 {
				pause = formRetry
			}
			select {
			case <-ctx.Done():
				return o
			case <-time.After(pause):
			}
			if fresh, err := pl.state(ctx); err == nil {
				o.st = fresh
			}
		}
		if !o.st.Found {
			o.problem = formProblem{Problem: "detached", Detail: "the form went away"}
			continue
		}
		if o.st.UsableAt == 0 && o.st.Problem != "outside" {
			o.problem = o.st.problem()
			continue
		}
		try := typeInto(ctx, pg, pl, o.st)
		o.tries++
		o.interaction = max(o.interaction, try.interaction)
		if !try.ok {
			if try.problem != o.problem || o.tries == 1 {
				pg.Logf("contact form: attempt %d on %s: %s", o.tries, pl.where, try.problem)
			}
			o.problem = try.problem
			continue
		}
		// The first attempt worked: the form was ready when it first
		// looked usable — behind a consent layer, when the layer was gone
		// (until the consent check dates its clearing, the watcher saw it
		// go).
		at, seen := try.at, o.st.UsableAt
		if o.st.ConsentAt > 0 {
			seen = o.st.ClearedAt
			pg.Logf("contact form: usable but for the consent layer at %.3fs; the layer gone at %.3fs", pl.since(o.st.ConsentAt), pl.since(o.st.ClearedAt))
		}
		if o.tries == 1 && seen > 0 && seen < at {
			at = seen
		}
		if o.st.UsableAt == 0 && o.st.OutsideAt > 0 {
			pg.Logf("contact form: usable but outside the view from %.3fs; ready when the visitor scrolled to it and typed", pl.since(o.st.OutsideAt))
		}
		o.ready, o.at = true, pl.since(at)
		pg.Logf("contact form: %s took the visitor's text (attempt %d); ready at %.3fs", pl.where, o.tries, o.at)
		return o
	}
	return o
}

// formTry is one attempt to type into the form's fields.
type formTry struct {
	ok          bool
	at          float64 // the first input's time, the frame's clock (epoch ms)
	problem     formProblem
	interaction float64
}

// typeInto types into every field the form is for — a trusted click into
// it, one insertion of text, and the field must hold it — and clears each
// field it typed into. On the landing page it holds the visitor's hands.
func typeInto(ctx context.Context, pg *Page, pl *place, st formState) formTry {
	if pl.landing {
		pg.hands.Lock()
		defer pg.hands.Unlock()
	}
	var try formTry
	main := pl.tab.Main()
	var typed []*browser.Element
	defer func() {
		for _, el := range typed {
			if err := el.Clear(ctx); err != nil {
				pg.Logf("contact form: clearing %s: %v", el, err)
			}
		}
	}()
	for _, f := range st.Fields {
		el := main.ElementByHandle(f.Handle, f.Desc)
		in, err := el.Type(ctx, probeText(f))
		if in.At > 0 && try.at == 0 {
			try.at = in.At
		}
		if in.Measured {
			try.interaction = max(try.interaction, in.Seconds)
		}
		var na *browser.NotActionable
		switch {
		case errors.As(err, &na):
			try.problem = formProblem{Problem: na.Problem, Detail: na.Detail, Field: f.Desc, CoveredBy: na.CoveredBy, Layer: na.Layer}
			if na.Problem == "covered" && na.Layer == "" {
				// A layer no module registered: the form module knows
				// consent managers by their markup.
				var l struct {
					Layer string `json:"layer"`
				}
				if main.Call(ctx, "form.layerAt", map[string]float64{"x": na.X, "y": na.Y}, &l) == nil {
					try.problem.Layer = l.Layer
				}
			}
			return try
		case err != nil:
			typed = append(typed, el)
			try.problem = formProblem{Problem: "input", Detail: err.Error(), Field: f.Desc}
			return try
		}
		typed = append(typed, el)
	}
	try.ok = len(typed) > 0
	if !try.ok {
		try.problem = formProblem{Problem: "no fields", Detail: "the form has no field to write in"}
	}
	return try
}

// probeText is what the visitor types into a field to see it take input
// (cleared again at once).
func probeText(f formField) string {
	switch {
	case f.Kind == "email" || f.Type == "email":
		return "probe@example.com"
	case f.Type == "tel" || f.Type == "number":
		return "5550100"
	case f.Type == "url":
		return "https://example.com/"
	case f.Kind == "message":
		return "Automated availability check, please ignore"
	}
	return "touchprobe"
}

// logGuards reports what the guards stopped: the page's attempts to send
// the contact form, cancelled in the page, and the document POSTs the tabs
// answered themselves (nothing reached the site).
func logGuards(ctx context.Context, pg *Page, places ...*place) {
	for i, pl := range places {
		if i > 0 && pl == places[0] {
			continue
		}
		lctx, cancel := context.WithTimeout(ctx, time.Second)
		_, _ = pl.state(lctx) // what the page tried since it was last looked at
		cancel()
		for _, s := range pl.stopped {
			pg.Logf("contact form: the page tried to send %s on %s at %.3fs (by %s): stopped in the page", s.Form, pl.where, pl.since(s.At), s.By)
		}
		for _, p := range pl.tab.RefusedPosts() {
			pg.Logf("contact form: a document POST to %s from %s was answered by the visitor's tab with 204: stopped in the network", p.URL, pl.where)
		}
	}
}
