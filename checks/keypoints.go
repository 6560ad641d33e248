package checks

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// The business's own key points (a target's `touchpoints:`): a few steps a
// visitor takes — click, type, select, and what they wait to see — each
// key point in a tab of its own of the same first-time visitor, after the
// landing page's first impression. Ready when the last step is done, timed
// since that tab's navigation start; a step that fails names itself and
// why (touchpoint_broken).

//go:embed js/steps.js
var stepsJS string

// stepsModule reads what steps wait for (checks/js/steps.js).
var stepsModule = browser.Module{Name: "steps", Source: stepsJS}

// ReadySuffix makes a key point's milestone: NAME_ready.
const ReadySuffix = "_ready"

// ReasonTouchpointBroken: a configured touchpoint's step failed.
const ReasonTouchpointBroken = "touchpoint_broken"

// Step kinds.
const (
	StepClick   = "click"
	StepType    = "type"
	StepSelect  = "select"
	StepVisible = "visible"
	StepUsable  = "usable"
	StepText    = "text"
	StepURL     = "url"
)

// KeyPoint is a configured touchpoint.
type KeyPoint struct {
	Name, Page string // Page: the absolute address the visitor starts at
	Steps      []Step
	Promise    time.Duration
	Required   bool
	Submit     bool     // the steps may send a form
	AllowHosts []string // other sites the steps may lead to
}

// Step is one thing the visitor does or waits for: click CSS or Text
// (a link or button by its text); type Text into CSS; select option Text
// from CSS; visible/usable CSS; text Text shows; url matches Text.
type Step struct {
	Kind, CSS, Text string
	Timeout         time.Duration
}

func (s Step) String() string {
	switch s.Kind {
	case StepClick:
		if s.Text != "" {
			return fmt.Sprintf("click {text: %q}", s.Text)
		}
		return fmt.Sprintf("click %q", s.CSS)
	case StepType:
		return fmt.Sprintf("type into %q", s.CSS)
	case StepSelect:
		return fmt.Sprintf("select %q from %q", s.Text, s.CSS)
	case StepText, StepURL:
		return fmt.Sprintf("%s %q", s.Kind, s.Text)
	}
	return fmt.Sprintf("%s %q", s.Kind, s.CSS)
}

// stepPoll is how often a step looks again.
const stepPoll = 50 * time.Millisecond

// checkKeyPoints runs the plan's key points side by side, each in its own
// tab, once the landing page's first impression is in.
func checkKeyPoints(ctx context.Context, pg *Page) Outcome {
	out := Outcome{Touchpoints: map[string]Touchpoint{}, Milestones: map[string]float64{}}
	kps := pg.Plan.KeyPoints
	if len(kps) == 0 {
		return out
	}
	select {
	case <-pg.Session.FirstImpression():
	case <-ctx.Done():
		return out
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, kp := range kps {
		wg.Go(func() {
			tp, ready := runKeyPoint(ctx, pg, kp)
			mu.Lock()
			defer mu.Unlock()
			out.Touchpoints[kp.Name] = tp
			if ready > 0 {
				out.Milestones[kp.Name+ReadySuffix] = ready
			}
		})
	}
	wg.Wait()
	return out
}

// runKeyPoint takes one key point's steps in a tab of its own.
func runKeyPoint(ctx context.Context, pg *Page, kp KeyPoint) (tp Touchpoint, ready float64) {
	tp = Touchpoint{Checked: true, Required: kp.Required, FoundBy: "config", Page: kp.Page}
	fail := func(i int, why string) (Touchpoint, float64) {
		tp.Reason = ReasonTouchpointBroken
		if i >= 0 {
			tp.Detail = fmt.Sprintf("step %d (%s): %s", i+1, kp.Steps[i], why)
		} else {
			tp.Detail = why
		}
		pg.Logf("touchpoint %s: %s", kp.Name, tp.Detail)
		return tp, 0
	}
	tab, err := pg.Session.OpenTab(ctx)
	if err != nil {
		return fail(-1, "no tab for the visitor: "+err.Error())
	}
	defer tab.Close()
	if kp.Submit {
		tab.AllowPosts()
	}
	// Steps never leave the target's site: the tab refuses to take its
	// page elsewhere (the other site is never asked) unless allow_hosts
	// names the host.
	site, _ := url.Parse(pg.Plan.URL)
	onSite := func(host string) bool {
		return site == nil || browser.SameSite(host, site.Hostname()) || slices.Contains(kp.AllowHosts, host)
	}
	if u, err := url.Parse(kp.Page); err == nil && !onSite(u.Hostname()) {
		return fail(-1, fmt.Sprintf("the page %s is on another site, %s (not in allow_hosts): not opened", kp.Page, u.Hostname()))
	}
	tab.StayOn(onSite)
	leaving := func() string {
		if l := tab.Leaving(); len(l) > 0 {
			host := l[0]
			if u, err := url.Parse(l[0]); err == nil {
				host = u.Hostname()
			}
			return fmt.Sprintf("it would have left the site for %s (not in allow_hosts); the visitor's tab stayed", host)
		}
		return ""
	}
	window := pg.Plan.Window
	errText, navStart, err := tab.Navigate(ctx, kp.Page, window)
	switch {
	case err != nil:
		return fail(-1, "the page "+kp.Page+" did not open: "+err.Error())
	case errText != "":
		return fail(-1, "the page "+kp.Page+" did not open: "+errText)
	}
	windowEnd := navStart.Add(window)
	var origin float64 // the first document's time origin: the tab's navigation start, page clock
	var lastAt float64
	// The steps' inputs are answered (measured) once the steps are done:
	// waiting for each input's next paint would delay the next step and
	// misdate what it sees.
	var inputs []browser.Interaction
	defer func() {
		for i, in := range inputs {
			until := 0.0
			if i+1 < len(inputs) {
				until = inputs[i+1].At
			}
			if m := in.Answer(ctx, until); m.Measured && (tp.InteractionSeconds == nil || m.Seconds > *tp.InteractionSeconds) {
				tp.InteractionSeconds = ptr(m.Seconds)
			}
		}
	}()
	sctx := browser.DeferAnswers(ctx)
	lastInput := 0
	for i, st := range kp.Steps {
		deadline := windowEnd
		if st.Timeout > 0 {
			deadline = time.Now().Add(st.Timeout)
		}
		in, why := runStep(sctx, tab, st, deadline)
		if in.At > 0 {
			inputs = append(inputs, in)
			lastInput = i
		}
		if left := leaving(); left != "" {
			return fail(lastInput, left) // the input that led away, not the step that noticed
		}
		if why != "" {
			return fail(i, why)
		}
		var w struct {
			Href string  `json:"href"`
			At   float64 `json:"at"`
		}
		if err := tab.Main().Call(ctx, "steps.where", nil, &w); err == nil {
			if origin == 0 {
				origin = w.At - float64(time.Since(navStart).Milliseconds())
			}
			lastAt = w.At
			// A new tab or a scheme the guard does not see: the address
			// is the last word.
			if u, err := url.Parse(w.Href); err == nil && (u.Scheme == "http" || u.Scheme == "https") && !onSite(u.Hostname()) {
				return fail(i, fmt.Sprintf("it left the site for %s (not in allow_hosts)", u.Hostname()))
			}
		}
	}
	if len(inputs) > 0 && lastInput == len(kp.Steps)-1 {
		// A navigation the last step's input caused is asked for just
		// after it: give the guard a moment to see it.
		_ = browser.Until(ctx, time.Now().Add(300*time.Millisecond), stepPoll, func(context.Context) (bool, error) { return leaving() != "", nil })
		if left := leaving(); left != "" {
			return fail(lastInput, left)
		}
	}
	ready = time.Since(navStart).Seconds()
	if origin > 0 && lastAt > origin {
		ready = (lastAt - origin) / 1000
	}
	tp.Up, tp.ReadySeconds = true, ptr(ready)
	tp.Detail = fmt.Sprintf("%d step(s) done", len(kp.Steps))
	pg.Logf("touchpoint %s ready at %.3fs (its tab's clock)", kp.Name, ready)
	return tp, ready
}

// runStep does one step as the visitor, looking again until it can be
// done or the deadline; why says what stopped the visitor.
func runStep(ctx context.Context, tab *browser.Tab, st Step, deadline time.Time) (browser.Interaction, string) {
	var in browser.Interaction
	why := "timed out"
	err := browser.Until(ctx, deadline, stepPoll, func(ctx context.Context) (bool, error) {
		switch st.Kind {
		case StepText:
			var ok bool
			if err := tab.Main().Call(ctx, "steps.hasText", map[string]string{"text": st.Text}, &ok); err != nil || !ok {
				why = fmt.Sprintf("the text %q never showed", st.Text)
				return false, nil
			}
			return true, nil
		case StepURL:
			var w struct {
				Href string `json:"href"`
			}
			if err := tab.Main().Call(ctx, "steps.where", nil, &w); err != nil || !urlMatches(st.Text, w.Href) {
				why = fmt.Sprintf("the address stayed %s", w.Href)
				return false, nil
			}
			return true, nil
		}
		el, err := tab.Find(ctx, browser.Locator{CSS: st.CSS, Text: st.Text2()})
		if err != nil {
			why = "not found"
			if !errors.Is(err, browser.ErrNotFound) {
				why = err.Error()
			}
			return false, nil
		}
		a, err := el.Check(ctx)
		if err != nil {
			why = err.Error()
			return false, nil
		}
		switch st.Kind {
		case StepVisible:
			if a.Problem == "hidden" {
				why = a.String()
				return false, nil
			}
			return true, nil
		case StepUsable:
			if !a.OK {
				why = a.String()
				return false, nil
			}
			// A form (or a box of fields) is usable when its fields are:
			// the same test as the contact form's.
			fields := st.CSS + " input:not([type=hidden]), " + st.CSS + " select, " + st.CSS + " textarea"
			if f, err := tab.Find(ctx, browser.Locator{CSS: fields}); err == nil {
				if fa, err := f.Check(ctx); err != nil || !fa.OK {
					why = fa.String()
					return false, nil
				}
			}
			return true, nil
		}
		if !a.OK {
			why = a.String() // covered by X, disabled, moving, outside the view
			return false, nil
		}
		switch st.Kind {
		case StepClick:
			in, err = el.Click(ctx)
		case StepType:
			in, err = el.Type(ctx, st.Text)
		case StepSelect:
			in, err = el.Select(ctx, st.Text)
		}
		if err != nil {
			why = err.Error() // the visitor tries again until the deadline
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return in, why
	}
	return in, ""
}

// Text2 is the text a click step finds its element by (a type or select
// step's Text is what it types or picks).
func (s Step) Text2() string {
	if s.Kind == StepClick {
		return s.Text
	}
	return ""
}

// urlMatches: a pattern with * matches the whole address or its path
// (with the query); without, it must occur in the address.
func urlMatches(pattern, href string) bool {
	if !strings.Contains(pattern, "*") {
		return strings.Contains(href, pattern)
	}
	re, err := regexp.Compile("^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$")
	if err != nil {
		return false
	}
	if re.MatchString(href) {
		return true
	}
	if u, err := url.Parse(href); err == nil {
		return re.MatchString(u.RequestURI()) || re.MatchString(u.Path)
	}
	return false
}
