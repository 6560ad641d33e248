package checks

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// Sessions hands out fresh first-time-visitor sessions (browser.Supervisor).
type Sessions interface {
	Session(ctx context.Context) (*browser.Session, error)
}

// Page is what a touchpoint check works on: the visit's landing tab, its
// clock, and the order in which checks may touch it.
type Page struct {
	Session *browser.Session
	Plan    *Plan
	// Origin is the main document's performance.timeOrigin (ms since the
	// epoch): page-clock readings of any frame convert through it.
	Origin float64
	// WindowEnd is when the first impression is over.
	WindowEnd time.Time

	// consentActed is closed once the consent check has done what the
	// plan says to the consent layer (or found none): the layer covers
	// what the others would touch.
	consentActed     chan struct{}
	consentActedOnce sync.Once
	// hands is held by the check that is acting on the landing tab: a
	// visitor does one thing at a time (a click elsewhere would take the
	// focus from the field being typed into).
	hands sync.Mutex

	mu  sync.Mutex
	log []string
	// consentGoneAt: when the consent layer was seen gone (seconds since
	// navigation start; 0: none, or it stayed).
	consentGoneAt float64
}

// mayAct says, without waiting, whether the visitor may touch the landing
// page now (see beforeActing).
func (p *Page) mayAct() bool {
	for _, ch := range []<-chan struct{}{p.Session.FirstImpression(), p.consentActed} {
		select {
		case <-ch:
		default:
			return false
		}
	}
	return true
}

// consentGone is when the consent layer went (0: none went).
func (p *Page) consentGone() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.consentGoneAt
}

// Landing is the landing page's tab.
func (p *Page) Landing() *browser.Tab { return p.Session.Landing() }

// beforeActing waits until the visitor may touch the landing page: its
// first impression is measured (the first input ends LCP) and the consent
// layer has been dealt with. It reports false when the visit ended first.
func (p *Page) beforeActing(ctx context.Context) bool {
	for _, ch := range []<-chan struct{}{p.Session.FirstImpression(), p.consentActed} {
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// consentDone lets the other checks act (called once by the consent
// check, whatever it found).
func (p *Page) consentDone() { p.consentActedOnce.Do(func() { close(p.consentActed) }) }

// Logf adds a line to the visit's debug log.
func (p *Page) Logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.log) < 200 {
		p.log = append(p.log, fmt.Sprintf("%6.3fs ", time.Since(p.Session.NavStart()).Seconds())+fmt.Sprintf(format, args...))
	}
}

// Since converts an epoch-ms page clock reading (performance.timeOrigin +
// performance.now() in any frame) to seconds since navigation start.
func (p *Page) Since(epochMS float64) float64 { return (epochMS - p.Origin) / 1000 }

// Tab returns a context for actions on the tab, bounded by ctx and d.
func (p *Page) Tab(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return p.Session.Bound(ctx, d)
}

// Outcome is what one check found.
type Outcome struct {
	Touchpoints map[string]Touchpoint
	Milestones  map[string]float64
	Reasons     []Reason // non-failure reasons, e.g. a consent layer
	Consent     *ConsentSeen
	Actions     []CallToAction
}

// check is one touchpoint the visitor looks for (docs/visitor.md): it
// looks at the landing page while it loads, without input, then — after
// pg.beforeActing — acts as the visitor would, holding pg.hands while it
// touches the landing tab.
type check func(ctx context.Context, pg *Page) Outcome

// touchpointChecks are the visit's checks, run side by side once the
// landing page committed. The consent check acts first: the layer covers
// the page the others act on (they wait for it in beforeActing).
var touchpointChecks = []check{checkConsent, checkForm, checkChat, checkLinks, checkKeyPoints}

// checkModules are the checks' page modules (docs/visitor.md,
// "JavaScript"), in every document of the visit's tabs; a check starts what
// it needs with a call right after commit.
var checkModules = []browser.Module{consentModule, formModule, linksModule, chatModule, stepsModule}

// checkStarts are the watchers that start with the landing page's
// document, before its scripts (a watcher started by a call after commit
// began up to a second late on a busy machine).
func checkStarts(plan *Plan) []browser.Start {
	var out []browser.Start
	if plan.Form.Mode != Off {
		out = append(out, browser.Start{Fn: "form.watch", Arg: landingWatchArg(plan)})
	}
	return out
}

// Visit is one first-time visit of plan's site: a fresh browser context,
// the page's first seconds, every touchpoint the plan asks for, and the
// verdict. A broken site is a result, never an error.
func Visit(ctx context.Context, sessions Sessions, plan Plan) Result {
	plan.Defaults()
	start := time.Now()
	res := Result{
		Target: plan.Target, URL: plan.URL, Visitor: plan.Visitor, StartedAt: start,
		Milestones: map[string]float64{}, Touchpoints: map[string]Touchpoint{},
		Window: plan.Window.Seconds(), Promises: map[string]float64{},
	}
	for k, v := range plan.Promises {
		res.Promises[k] = v.Seconds()
	}
	ctx, cancel := context.WithTimeout(ctx, plan.Timeout)
	defer cancel()
	finish := func() Result {
		res.DurationSeconds = time.Since(start).Seconds()
		Judge(&res, &plan)
		if d := res.Diagnosis; d != nil {
			d.Causes = diagnose(&res, &d.Evidence)
			d.Summary = summarize(&d.Evidence)
		}
		return res
	}

	sess, err := sessions.Session(ctx)
	if err != nil {
		res.Reasons = append(res.Reasons, Reason{Code: ReasonInternal, Failure: true,
			Message: "no browser for the visit: " + err.Error()})
		return finish()
	}
	defer sess.Close()
	if err := sess.Navigate(ctx, plan.URL, browser.NavOptions{Window: plan.Window, Filmstrip: plan.Filmstrip, Modules: checkModules, Starts: checkStarts(&plan), HAR: plan.HAR, Profile: plan.Profile}); err != nil {
		res.Reasons = append(res.Reasons, Reason{Code: ReasonInternal, Failure: true, Message: err.Error()})
		return finish()
	}
	pg := &Page{Session: sess, Plan: &plan, WindowEnd: sess.NavStart().Add(plan.Window), consentActed: make(chan struct{})}
	if f, _ := sess.Failure(); f == browser.FailNone || f == browser.FailHTTPStatus {
		pg.Origin, _ = sess.TimeOrigin(ctx)
		runChecks(ctx, pg, &res)
		pg.Logf("touchpoints checked")
	}
	// The page's own observation ends when it went quiet (or failed, or
	// the window is over); the touchpoints were waited for above.
	select {
	case <-sess.Settled():
	case <-ctx.Done():
	}
	tl := sess.Timeline(ctx)
	if pg.Session != nil && pg.Origin > 0 {
		pg.Logf("page observation ended (%s)", tl.Ended)
	}
	addTimeline(&res, tl)
	res.Diagnosis = &Diagnosis{Evidence: sess.Evidence(ctx)}
	if plan.HAR {
		if har, err := sess.HAR(tl, plan.Version, false); err == nil {
			res.HAR = har
		}
	}
	res.Log = pg.log
	return finish()
}

// runChecks runs every touchpoint check the plan asks for, side by side,
// and merges what they found.
func runChecks(ctx context.Context, pg *Page, res *Result) {
	outs := make([]Outcome, len(touchpointChecks))
	var wg sync.WaitGroup
	for i, fn := range touchpointChecks {
		wg.Go(func() { outs[i] = fn(ctx, pg) })
	}
	wg.Wait()
	for _, o := range outs {
		for k, v := range o.Touchpoints {
			res.Touchpoints[k] = v
		}
		for k, v := range o.Milestones {
			res.Milestones[k] = v
		}
		res.Reasons = append(res.Reasons, o.Reasons...)
		if o.Consent != nil {
			res.Consent = o.Consent
		}
		res.Actions = append(res.Actions, o.Actions...)
	}
	// The visit's INP-like figure: its slowest answer to the visitor.
	worst := func(v *float64) {
		if v != nil && (res.InteractionSeconds == nil || *v > *res.InteractionSeconds) {
			res.InteractionSeconds = ptr(*v)
		}
	}
	for _, tp := range res.Touchpoints {
		worst(tp.InteractionSeconds)
	}
	if res.Consent != nil {
		worst(res.Consent.InteractionSeconds)
	}
}

// addTimeline puts the page's timeline into the result.
func addTimeline(res *Result, tl browser.Timeline) {
	for k, v := range tl.Milestones {
		res.Milestones[k] = v
	}
	res.FinalURL, res.HTTPStatus = tl.URL, tl.Status
	res.LayoutShift, res.LCPElement = tl.LayoutShift, tl.LCPElement
	res.Dialogs, res.Redirects, res.Ended, res.Frames = tl.Dialogs, tl.Redirects, tl.Ended, tl.Frames
	page := Touchpoint{Up: true, Checked: true, Required: true, FoundBy: "config"}
	if tl.Failure != browser.FailNone {
		page.Up, page.Reason, page.Detail = false, string(tl.Failure), tl.Detail
		res.Reasons = append(res.Reasons, Reason{Code: string(tl.Failure), Failure: true,
			Touchpoint: TouchPage, Message: pageMessage(tl)})
	}
	if len(tl.Dialogs) > 0 && tl.Failure != browser.FailDialog {
		d := tl.Dialogs[0]
		res.Reasons = append(res.Reasons, Reason{Code: ReasonDialog, Failure: true, Touchpoint: TouchPage,
			Message: fmt.Sprintf("the page opened %d JavaScript dialog(s), first a %s at %.1fs: %q", len(tl.Dialogs), d.Type, d.At, d.Message)})
		if page.Up {
			page.Up, page.Reason = false, ReasonDialog
		}
	}
	if v, ok := res.Milestones[MilestoneFCP]; ok {
		page.ReadySeconds = ptr(v)
	}
	res.Touchpoints[TouchPage] = page
}

func pageMessage(tl browser.Timeline) string {
	switch tl.Failure {
	case browser.FailHTTPStatus:
		return fmt.Sprintf("the page answered HTTP %d", tl.Status)
	case browser.FailInternal:
		return "the monitor broke during the visit (not the site): " + tl.Detail
	}
	return fmt.Sprintf("the page failed (%s): %s", tl.Failure, tl.Detail)
}

// sortedKeys returns the keys of m in timeline order, unknown ones last.
func sortedMilestones(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] < m[keys[j]] })
	return keys
}
