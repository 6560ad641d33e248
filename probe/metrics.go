package probe

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/touchprobe/touchprobe/checks"
)

// Label names. Every per-target series carries target, location and
// visitor (the profile the visits are made as: desktop by default); a
// target's configured labels go on touchprobe_target_info only (join with
// `* on(target) group_left(team) touchprobe_target_info`), so every metric
// family keeps one bounded label set whatever the config says.
const (
	labelTarget     = "target"
	labelLocation   = "location"
	labelVisitor    = "visitor"
	labelPhase      = "phase"
	labelCause      = "cause"
	labelMilestone  = "milestone"
	labelTouchpoint = "touchpoint"
	labelVerdict    = "verdict"
	labelReason     = "reason"
	labelResult     = "result"
)

// MilestoneBuckets span the first impression (0.1–20 s) and beyond.
var MilestoneBuckets = []float64{.1, .25, .5, .75, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 20, 30, 60}

// Internal error reasons (the bounded `reason` label of touchprobe_internal_errors_total).
const (
	internalVisit = "visit" // a visit ended with verdict unknown: the monitor broke, not the site
	internalPanic = "panic" // a visit panicked (recovered)
)

var internalReasons = []string{internalVisit, internalPanic}

// AllVerdicts is the `verdict` label of touchprobe_visits_total: the three
// verdicts and "unknown" (the monitor broke).
var AllVerdicts = append(slices.Clone(checks.Verdicts), checks.VerdictUnknown)

// family is what a cached per-target series needs to be gathered without
// going through a registry: its family's name, HELP and type.
type family struct {
	name, help string
	typ        dto.MetricType
}

// families maps every per-target Desc to its family (filled at init; the
// target_info desc is added by apply under Daemon.mu).
var (
	familiesMu sync.RWMutex
	families   = map[*prometheus.Desc]family{}
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	d := prometheus.NewDesc(name, help, labels, nil)
	typ := dto.MetricType_GAUGE
	if strings.HasSuffix(name, "_total") {
		typ = dto.MetricType_COUNTER
	}
	familiesMu.Lock()
	families[d] = family{name, help, typ}
	familiesMu.Unlock()
	return d
}

var tl = []string{labelTarget, labelLocation, labelVisitor}

func with(extra ...string) []string { return append(slices.Clone(tl), extra...) }

// Latest visit per target (also the /probe output).
var (
	descSuccess   = desc("touchprobe_visit_success", "Whether the target's latest conclusive visit was not problematic (1) or was (0).", tl...)
	descDuration  = desc("touchprobe_visit_duration_seconds", "How long the target's latest conclusive visit took.", tl...)
	descTimestamp = desc("touchprobe_visit_timestamp_seconds", "When the target's latest conclusive visit started (Unix time); visits where the monitor broke do not move it.", tl...)
	descMilestone = desc("touchprobe_milestone_seconds", "When a milestone was reached in the latest conclusive visit, in seconds since navigation start (absent: not reached).", with(labelMilestone)...)
	descTouch     = desc("touchprobe_touchpoint_up", "Whether a touchpoint was there and usable in the latest conclusive visit; only touchpoints the config requires or the visit found (one looked for automatically and not on the site is absent: see touchprobe_touchpoint_found).", with(labelTouchpoint)...)
	descFound     = desc("touchprobe_touchpoint_found", "Whether a touchpoint looked for in the latest conclusive visit was on the site (1) or not (0): not found is information, not down.", with(labelTouchpoint)...)
	descVerdict   = desc("touchprobe_verdict", "The latest conclusive visit's verdict, one-hot: 1 for the verdict, 0 for the others.", with(labelVerdict)...)
	descShift     = desc("touchprobe_layout_shift_score", "Cumulative layout shift of the latest conclusive visit (unitless).", tl...)
	descChat      = desc("touchprobe_chat_response_seconds", "From the visitor's chat message to the first answer, in the latest conclusive visit that sent one.", tl...)
	descFormSent  = desc("touchprobe_contact_form_response_seconds", "From sending the contact form to its confirmation, in the latest conclusive visit (only with submit: true).", tl...)
	descReasonNow = desc("touchprobe_visit_failure", "Failure reasons of the latest conclusive visit (1 per reason present).", with(labelReason)...)
	descInteract  = desc("touchprobe_interaction_seconds", "From the visitor's input on a touchpoint (a click, a tap, a key) to the page's next paint, in the latest conclusive visit (Event Timing; the measure behind Interaction to Next Paint).", with(labelTouchpoint)...)
)

// The evidence of the latest conclusive visit (checks.EvidenceSummary).
var (
	descFailedReqs = desc("touchprobe_failed_requests", "Requests of the latest conclusive visit that failed or answered with a status of 400 or more.", tl...)
	descConsole    = desc("touchprobe_console_errors", "Console errors the page logged in the latest conclusive visit.", tl...)
	descExceptions = desc("touchprobe_page_exceptions", "Uncaught exceptions the page threw in the latest conclusive visit.", tl...)
	descTBT        = desc("touchprobe_total_blocking_seconds", "Total blocking time of the main thread within the first impression of the latest conclusive visit (long tasks' time over 50 ms each).", tl...)
	descThirdBytes = desc("touchprobe_third_party_bytes_ratio", "Share (0-1) of the latest conclusive visit's transferred bytes that came from other sites than the page's.", tl...)
	descThirdBlock = desc("touchprobe_third_party_blocking_ratio", "Share (0-1) of the main thread's script time in long animation frames that other sites' scripts took, in the latest conclusive visit (absent when unknown).", tl...)
	descLCPPhase   = desc("touchprobe_lcp_phase_seconds", "The largest contentful paint of the latest conclusive visit in its four parts (phase: ttfb, load_delay, load, render_delay; they add up to it).", with(labelPhase)...)
	descTopCause   = desc("touchprobe_visit_top_cause", "The kind of the first cause the evidence gives for the latest conclusive visit's failures and broken promises (1; absent when none): render_blocking, slow_server, long_tasks, slow_lcp_resource, late_lcp_resource, render_delay, failed_request, exception, page_failed, other.", with(labelCause)...)
)

// Per-target counters and configuration.
var (
	descVisits   = desc("touchprobe_visits_total", "Visits finished, by verdict (unknown: the monitor broke).", with(labelVerdict)...)
	descFailures = desc("touchprobe_visit_failures_total", "Failure reasons seen in visits (a visit can count several); a reason appears at its first occurrence.", with(labelReason)...)
	descInterval = desc("touchprobe_target_interval_seconds", "The target's configured visit interval.", tl...)
	descRecheck  = desc("touchprobe_target_rechecking", "1 while a problematic target is visited at the faster re-check cadence.", tl...)
	descPromise  = desc("touchprobe_promise_seconds", "The target's promised budget for a milestone.", with(labelMilestone)...)
)

// The monitor itself.
var (
	descBuildInfo    = desc("touchprobe_build_info", "Build and browser version; the value is 1.", "version", "chromium")
	descRestarts     = desc("touchprobe_browser_restarts_total", "Browsers that died and were replaced.")
	descRecycles     = desc("touchprobe_browser_recycles_total", "Browsers replaced on purpose (visit count or memory).")
	descInFlight     = desc("touchprobe_visits_in_flight", "Visits running now.")
	descInternal     = desc("touchprobe_internal_errors_total", "Times the monitor broke (not the site), by reason.", labelReason)
	descReloadOK     = desc("touchprobe_config_last_reload_successful", "Whether the last config reload succeeded (1) or failed and the old config still runs (0).")
	descReloadTS     = desc("touchprobe_config_last_reload_success_timestamp_seconds", "When the config was last loaded successfully (Unix time).")
	descReloads      = desc("touchprobe_config_reloads_total", "Config reloads, by result (success or failure).", labelResult)
	descTargets      = desc("touchprobe_targets", "Targets this instance visits (its shard of the config).")
	descTargetsLate  = desc("touchprobe_targets_overdue", "Targets whose scheduled visit is late by more than a quarter of their interval (at least 30s).")
	descBrowserProcs = desc("touchprobe_browser_processes", "Live processes of the local browser's process tree (0 for a remote browser).")
	descBrowserMem   = desc("touchprobe_browser_memory_bytes", "Proportional set size (PSS) of the local browser's process tree.")
)

func newMilestoneHistogram() *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "touchprobe_milestone_duration_seconds",
		Help:    "Milestones of every visit, in seconds since navigation start, over all targets of this instance (per-target values: touchprobe_milestone_seconds).",
		Buckets: MilestoneBuckets,
	}, []string{labelMilestone})
}

// emitResult sends the latest-visit series of one result.
func emitResult(ch chan<- prometheus.Metric, res *checks.Result, target, location string) {
	visitor := res.Visitor
	if visitor == "" {
		visitor = checks.DefaultVisitor
	}
	g := func(d *prometheus.Desc, v float64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{target, location, visitor}, lv...)...)
	}
	g(descSuccess, b2f(res.Success))
	g(descDuration, res.DurationSeconds)
	g(descTimestamp, float64(res.StartedAt.UnixNano())/1e9)
	for _, m := range sortedKeys(res.Milestones) {
		g(descMilestone, res.Milestones[m], m)
	}
	for _, name := range sortedKeys(res.Touchpoints) {
		tp := res.Touchpoints[name]
		if !tp.Checked {
			continue
		}
		g(descFound, b2f(!tp.NotFound()), name)
		if !tp.NotFound() {
			g(descTouch, b2f(tp.Up), name)
		}
		if tp.InteractionSeconds != nil {
			g(descInteract, *tp.InteractionSeconds, name)
		}
		if name == checks.TouchChat && tp.ResponseSeconds != nil {
			g(descChat, *tp.ResponseSeconds)
		}
		if name == checks.TouchContactForm && tp.ResponseSeconds != nil {
			g(descFormSent, *tp.ResponseSeconds)
		}
	}
	for _, v := range checks.Verdicts {
		g(descVerdict, b2f(res.Verdict == v), string(v))
	}
	g(descShift, res.LayoutShift)
	seen := map[string]bool{}
	for _, r := range res.Failures() {
		if !seen[r] {
			seen[r] = true
			g(descReasonNow, 1, r)
		}
	}
	if d := res.Diagnosis; d != nil {
		s := d.Summary
		g(descFailedReqs, float64(s.FailedRequests))
		g(descConsole, float64(s.ConsoleErrors))
		g(descExceptions, float64(s.Exceptions))
		g(descTBT, s.TotalBlockingSeconds)
		g(descThirdBytes, s.ThirdPartyByteShare)
		if s.ThirdPartyBlockingShare >= 0 {
			g(descThirdBlock, s.ThirdPartyBlockingShare)
		}
		if l := s.LCP; l != nil {
			g(descLCPPhase, l.TTFBSeconds, "ttfb")
			g(descLCPPhase, l.LoadDelaySeconds, "load_delay")
			g(descLCPPhase, l.LoadSeconds, "load")
			g(descLCPPhase, l.RenderDelaySeconds, "render_delay")
		}
		if len(d.Causes) > 0 {
			g(descTopCause, 1, checks.CauseKind(d.Causes[0]))
		}
	}
}

// collector exports the monitor's own metrics; the per-target series come
// from the cache in Gather.
type collector struct{ d *Daemon }

func (c collector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(c, ch) }

func (c collector) Collect(ch chan<- prometheus.Metric) {
	d := c.d
	now := time.Now()
	d.mu.Lock()
	late := 0
	for _, name := range d.order {
		if d.targets[name].overdue(now) {
			late++
		}
	}
	n := len(d.order)
	internal := maps.Clone(d.internal)
	reloads := maps.Clone(d.reloads)
	reloadOK, reloadTS := d.reloadOK, d.reloadTS
	sup := d.sup
	restarts, recycles := d.restartsBefore, d.recyclesBefore
	d.mu.Unlock()

	gauge := func(ds *prometheus.Desc, v float64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(ds, prometheus.GaugeValue, v, lv...)
	}
	counter := func(ds *prometheus.Desc, v float64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(ds, prometheus.CounterValue, v, lv...)
	}
	chromium := ""
	if sup != nil {
		restarts += sup.sup.Restarts()
		recycles += sup.sup.Recycles()
		chromium = sup.sup.Version()
		st := sup.sup.Stats()
		gauge(descBrowserProcs, float64(st.Count))
		gauge(descBrowserMem, float64(st.PSSBytes))
	}
	gauge(descBuildInfo, 1, d.opts.Version, chromium)
	counter(descRestarts, float64(restarts))
	counter(descRecycles, float64(recycles))
	gauge(descInFlight, float64(d.inFlight.Load()))
	for _, r := range internalReasons {
		counter(descInternal, internal[r], r)
	}
	gauge(descReloadOK, b2f(reloadOK))
	gauge(descReloadTS, float64(reloadTS.UnixNano())/1e9)
	for _, r := range []string{"success", "failure"} {
		counter(descReloads, reloads[r], r)
	}
	gauge(descTargets, float64(n))
	gauge(descTargetsLate, float64(late))
}

// Gatherer is the daemon's /metrics: the monitor's registry and every
// current target's series. Built from the targets the daemon has now, so a
// target removed by a reload leaves no series behind. A target's series
// are built once per visit (const metrics, written to their protobuf form
// and cached): a scrape of 1,000 targets only assembles them.
func (d *Daemon) Gatherer() prometheus.Gatherer { return gatherer{d} }

type gatherer struct{ d *Daemon }

func (g gatherer) Gather() ([]*dto.MetricFamily, error) {
	d := g.d
	mfs, err := d.reg.Gather()
	byName := map[string]*dto.MetricFamily{}
	now := time.Now()
	d.mu.Lock()
	overdue := &dto.MetricFamily{Name: ptr("touchprobe_target_overdue"), Help: ptr(overdueHelp), Type: dto.MetricType_GAUGE.Enum()}
	for _, key := range d.order {
		t := d.targets[key]
		if t.series == nil {
			t.series = d.targetSeries(t)
		}
		for _, c := range t.series {
			mf := byName[c.fam.name]
			if mf == nil {
				mf = &dto.MetricFamily{Name: ptr(c.fam.name), Help: ptr(c.fam.help), Type: c.fam.typ.Enum()}
				byName[c.fam.name] = mf
			}
			mf.Metric = append(mf.Metric, c.metrics...)
		}
		overdue.Metric = append(overdue.Metric, &dto.Metric{
			Label: []*dto.LabelPair{{Name: ptr(labelLocation), Value: ptr(d.location)}, {Name: ptr(labelTarget), Value: ptr(t.cfg.Name)}, {Name: ptr(labelVisitor), Value: ptr(t.visitor)}},
			Gauge: &dto.Gauge{Value: ptr(b2f(t.overdue(now)))},
		})
	}
	d.mu.Unlock()
	if len(overdue.Metric) > 0 {
		mfs = append(mfs, overdue)
	}
	for _, mf := range byName {
		mfs = append(mfs, mf)
	}
	sort.Slice(mfs, func(i, j int) bool { return mfs[i].GetName() < mfs[j].GetName() })
	return mfs, err
}

const overdueHelp = "1 when the target's scheduled visit is late by more than a quarter of its interval (at least 30s): the monitor is not keeping up."

// chunk is one target's series of one family.
type chunk struct {
	fam     family
	metrics []*dto.Metric
}

func ptr[T any](v T) *T { return &v }

// targetSeries builds t's series (d.mu held). They are kept until the
// target's state changes (t.series = nil), so a scrape of many targets does
// not rebuild every metric each time.
func (d *Daemon) targetSeries(t *target) []chunk {
	name, loc := t.cfg.Name, d.location
	ch := make(chan prometheus.Metric, 64)
	var out []chunk
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range ch {
			familiesMu.RLock()
			fam, ok := families[m.Desc()]
			familiesMu.RUnlock()
			if !ok {
				continue // not possible: every desc is made by desc()
			}
			var pb dto.Metric
			if m.Write(&pb) != nil {
				continue
			}
			if n := len(out); n > 0 && out[n-1].fam.name == fam.name {
				out[n-1].metrics = append(out[n-1].metrics, &pb)
			} else {
				out = append(out, chunk{fam, []*dto.Metric{&pb}})
			}
		}
	}()
	if t.conclusive != nil {
		emitResult(ch, t.conclusive, name, loc)
	}
	cnt := func(ds *prometheus.Desc, v float64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(ds, prometheus.CounterValue, v, append([]string{name, loc, t.visitor}, lv...)...)
	}
	for _, v := range AllVerdicts {
		cnt(descVisits, t.visits[v], string(v))
	}
	for _, r := range sortedKeys(t.failures) {
		cnt(descFailures, t.failures[r], r)
	}
	g := func(ds *prometheus.Desc, v float64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(ds, prometheus.GaugeValue, v, append([]string{name, loc, t.visitor}, lv...)...)
	}
	g(descInterval, t.every.Seconds())
	g(descRecheck, b2f(t.rechecking))
	for _, m := range sortedKeys(t.plan.Promises) {
		g(descPromise, t.plan.Promises[m].Seconds(), m)
	}
	// target_info is the target's, once whatever its visitors.
	if t.firstVisitor {
		info := append([]string{name, loc, t.cfg.URL}, make([]string, len(d.labelNames))...)
		for i, k := range d.labelNames {
			info[3+i] = t.cfg.Labels[k]
		}
		ch <- prometheus.MustNewConstMetric(d.infoDesc, prometheus.GaugeValue, 1, info...)
	}
	close(ch)
	<-done
	return out
}

// resultRegistry holds the metrics of one visit, for the /probe endpoint
// (blackbox_exporter style: a fresh registry per probe).
func resultRegistry(res checks.Result, location string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(resultCollector{res: res, location: location})
	return reg
}

type resultCollector struct {
	res      checks.Result
	location string
}

func (c resultCollector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(c, ch) }
func (c resultCollector) Collect(ch chan<- prometheus.Metric) {
	emitResult(ch, &c.res, c.res.Target, c.location)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
