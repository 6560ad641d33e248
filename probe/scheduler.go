package probe

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/config"
)

// target is one scheduled target as one of its visitors (a target
// visited as desktop and mobile is two); fields below cfg are guarded by
// Daemon.mu.
type target struct {
	cfg     config.Target
	visitor string
	// firstVisitor: the target's first visitor, which carries the
	// target's own series (touchprobe_target_info).
	firstVisitor bool
	plan         checks.Plan
	every        time.Duration
	recheck      time.Duration
	chatEvery    time.Duration // 0: sends no chat message
	deny         config.Global // for DenyPrefixes
	history      int
	key          string // what, when changed, makes the target restart

	last       *checks.Result // latest visit of any kind
	conclusive *checks.Result // latest visit with a verdict (not unknown)
	hist       []checks.Result
	next       time.Time
	visiting   bool
	rechecking bool
	lastSend   time.Time
	visits     map[checks.Verdict]float64
	failures   map[string]float64

	series []chunk // cached metrics of the state above (nil: rebuild)

	stop context.CancelFunc
	done chan struct{}
}

func newTarget(cfg *config.Config, tc config.Target, visitor string) *target {
	g := cfg.Global
	t := &target{
		cfg:          tc,
		visitor:      visitor,
		firstVisitor: visitor == cfg.VisitorsOf(&tc)[0],
		plan:         visitorPlan(cfg, tc, visitor),
		every:        tc.Interval.Duration(),
		recheck:      g.RecheckAfter.Duration(),
		chatEvery:    tc.ChatInterval(g),
		deny:         g,
		history:      g.HistoryLength,
		visits:       map[checks.Verdict]float64{},
		failures:     map[string]float64{},
	}
	if t.every <= 0 {
		t.every = g.Interval.Duration()
	}
	if t.every <= 0 {
		t.every = config.DefaultInterval.Duration()
	}
	if t.recheck <= 0 || t.recheck > t.every {
		t.recheck = t.every
	}
	plan := t.plan
	plan.Chat.Send = false // decided per visit
	t.key = fmt.Sprintf("%#v|%v|%v|%v|%v|%d", plan, t.every, t.recheck, t.chatEvery, g.DenyPrefixes, g.HistoryLength)
	return t
}

// unitKey names one scheduled visitor of a target: targets sort by name,
// then by visitor.
func unitKey(target, visitor string) string { return target + "\x00" + visitor }

// inherit keeps a changed target's counters and history.
func (t *target) inherit(old *target) {
	t.last, t.conclusive, t.hist = old.last, old.conclusive, old.hist
	t.lastSend, t.visits, t.failures = old.lastSend, old.visits, old.failures
}

// overdue: the scheduled visit is late by more than a quarter of the
// interval (at least 30 s) and has not started.
func (t *target) overdue(now time.Time) bool {
	if t.visiting || t.next.IsZero() {
		return false
	}
	return now.Sub(t.next) > max(30*time.Second, t.every/4)
}

func (t *target) stopLoop() {
	if t.stop != nil {
		t.stop()
	}
}

// startLoop runs t's schedule; d.mu is held. first: the daemon is starting,
// so the first visit comes at a random offset (no burst at start).
func (d *Daemon) startLoop(t *target, first bool) {
	span := t.every
	if d.opts.MaxFirstOffset > 0 {
		span = min(span, d.opts.MaxFirstOffset)
	}
	wait := time.Duration(rand.Int64N(int64(span)))
	if !first && t.last != nil {
		// A changed target keeps its rhythm where it can.
		wait = max(0, time.Until(t.last.StartedAt.Add(t.every)))
		wait = min(wait, time.Duration(rand.Int64N(int64(span))))
	}
	ctx, cancel := context.WithCancel(d.runCtx)
	t.stop = cancel
	t.done = make(chan struct{})
	t.next = time.Now().Add(wait)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer close(t.done)
		d.loop(ctx, t, wait)
	}()
}

// loop visits t at its interval; after a problematic visit (or one where
// the monitor broke) it re-checks after recheck_after until the target
// recovers.
func (d *Daemon) loop(ctx context.Context, t *target, wait time.Duration) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		start := time.Now()
		res, ok := d.visit(ctx, t)
		if !ok {
			return
		}
		every := t.every
		if res.Verdict == checks.Problematic || res.Verdict == checks.VerdictUnknown {
			every = t.recheck
		}
		next := start.Add(every)
		d.mu.Lock()
		t.next = next
		d.mu.Unlock()
		timer.Reset(max(0, time.Until(next)))
	}
}

// visit runs one visit of t and records it; ok is false when ctx ended
// (shutdown, reload) before it finished: such a visit is not recorded.
func (d *Daemon) visit(ctx context.Context, t *target) (checks.Result, bool) {
	return d.visitOnce(ctx, t, true)
}

func (d *Daemon) visitOnce(ctx context.Context, t *target, record bool) (res checks.Result, ok bool) {
	d.mu.Lock()
	sem := d.sem
	d.mu.Unlock()
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return checks.Result{Target: t.cfg.Name, URL: t.cfg.URL, Verdict: checks.VerdictUnknown}, false
	}
	defer func() { <-sem }()

	d.mu.Lock()
	plan := t.plan
	plan.Chat.Send = false
	now := time.Now()
	if t.chatEvery > 0 && t.plan.Chat.Send && (t.lastSend.IsZero() || now.Sub(t.lastSend) >= t.chatEvery) {
		plan.Chat.Send = true
		if record {
			t.lastSend = now
		}
	}
	if record {
		t.visiting = true
	}
	sup := d.sup
	sup.wg.Add(1)
	d.mu.Unlock()
	d.inFlight.Add(1)
	defer func() {
		d.inFlight.Add(-1)
		sup.wg.Done()
		if record {
			d.mu.Lock()
			t.visiting = false
			d.mu.Unlock()
		}
	}()

	panicked := false
	res = func() (res checks.Result) {
		defer func() {
			if r := recover(); r != nil {
				panicked = true
				d.log.Error("visit panicked", "target", t.cfg.Name, "panic", r)
				res = internalResult(plan, now, fmt.Sprint("the monitor broke: ", r))
			}
		}()
		if err := config.CheckDenied(ctx, plan.URL, t.deny.DenyPrefixes, nil); errors.Is(err, config.ErrDenied) {
			return blockedResult(plan, now, err)
		}
		visit := checks.Visit
		if d.opts.Visit != nil {
			visit = d.opts.Visit
		}
		return visit(ctx, sup.sup, plan)
	}()
	if ctx.Err() != nil {
		return res, false
	}
	codes := make([]string, 0, len(res.Reasons))
	for _, r := range res.Reasons {
		codes = append(codes, r.Code)
	}
	d.log.Info("visit", "target", t.cfg.Name, "verdict", res.Verdict, "duration_seconds", res.DurationSeconds,
		"reasons", codes, "chat_sent", plan.Chat.Send, "recorded", record)
	if record {
		d.record(t, res, panicked)
	}
	return res, true
}

// record counts a finished visit and keeps it as the target's latest.
func (d *Daemon) record(t *target, res checks.Result, panicked bool) {
	// The evidence is kept compressed: a thousand targets' visits must fit
	// in a few MiB (Diagnosis.Unpack brings it back for the status page).
	res.Diagnosis = res.Diagnosis.Pack()
	d.mu.Lock()
	defer d.mu.Unlock()
	r := res
	t.series = nil
	t.last = &r
	t.visits[res.Verdict]++
	for _, f := range res.Failures() {
		t.failures[f]++
	}
	if res.Verdict == checks.VerdictUnknown {
		d.internal[internalVisit]++
		if panicked {
			d.internal[internalPanic]++
		}
	} else {
		t.conclusive = &r
		for m, v := range res.Milestones {
			// The fleet histogram keeps the built-in milestones: key
			// points' are per target (touchprobe_milestone_seconds).
			if slices.Contains(checks.Milestones, m) {
				d.hist.WithLabelValues(m).Observe(v)
			}
		}
	}
	t.rechecking = res.Verdict == checks.Problematic
	t.hist = addHistory(t.hist, res, t.history)
}

// blockedResult is the visit that did not happen: the target's address
// is in deny_networks.
func blockedResult(p checks.Plan, at time.Time, err error) checks.Result {
	msg := "not visited: " + err.Error()
	return checks.Result{
		Target: p.Target, URL: p.URL, Visitor: p.Visitor, StartedAt: at, Verdict: checks.Problematic,
		Reasons:     []checks.Reason{{Code: checks.ReasonBlocked, Failure: true, Touchpoint: checks.TouchPage, Message: msg}},
		Milestones:  map[string]float64{},
		Touchpoints: map[string]checks.Touchpoint{checks.TouchPage: {Up: false, Reason: checks.ReasonBlocked, Detail: msg, Checked: true, Required: true}},
		Window:      p.Window.Seconds(),
	}
}

// internalResult is a visit where the monitor broke (verdict unknown).
func internalResult(p checks.Plan, at time.Time, msg string) checks.Result {
	return checks.Result{
		Target: p.Target, URL: p.URL, Visitor: p.Visitor, StartedAt: at, Verdict: checks.VerdictUnknown,
		Reasons:     []checks.Reason{{Code: checks.ReasonInternal, Failure: true, Message: msg}},
		Milestones:  map[string]float64{},
		Touchpoints: map[string]checks.Touchpoint{},
		Window:      p.Window.Seconds(),
	}
}

// visitorPlan is tc's plan as visitor.
func visitorPlan(cfg *config.Config, tc config.Target, visitor string) checks.Plan {
	p := tc.Plan(cfg.Global)
	p.Visitor = visitor
	if prof, ok := cfg.Profile(visitor); ok && visitor != checks.DefaultVisitor {
		p.Profile = &prof
	}
	return p
}
