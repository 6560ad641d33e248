// Package probe is the prober daemon: it visits every configured target on
// its schedule in a supervised Chromium, keeps each target's latest visits,
// and exports them as Prometheus metrics.
package probe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
	"github.com/touchprobe/touchprobe/probe/config"
)

// Options configure a Daemon beyond its config file.
type Options struct {
	// ConfigFile is re-read on Reload; empty: the config given to New is
	// fixed (the demo) and Reload re-applies it.
	ConfigFile string
	// Shard ("i/n", the -shard flag) overrides global.shard.
	Shard   string
	Logger  *slog.Logger
	Version string
	// MaxFirstOffset bounds the random first visit offset (0: the
	// target's interval), so the demo shows metrics within seconds.
	MaxFirstOffset time.Duration
	// ExtraFlags are added to the browser's flags (after the config's);
	// TOUCHPROBE_CHROMIUM_FLAGS adds more ("--a --b=c").
	ExtraFlags map[string]any
	// Visit replaces checks.Visit (tests of the scheduler).
	Visit func(ctx context.Context, s checks.Sessions, p checks.Plan) checks.Result
}

// Daemon runs the schedule. It implements Prober for the HTTP server.
type Daemon struct {
	opts Options
	log  *slog.Logger
	reg  *prometheus.Registry
	hist *prometheus.HistogramVec

	reloadMu sync.Mutex // one reload at a time

	mu         sync.Mutex
	cfg        *config.Config
	shownURLs  map[string]string // target URLs as the config file has them (status page)
	location   string
	labelNames []string
	infoDesc   *prometheus.Desc
	targets    map[string]*target
	order      []string // target names, sorted
	sup        *browserRef
	sem        chan struct{}
	runCtx     context.Context // nil until Run
	wg         sync.WaitGroup  // target loops

	internal       map[string]float64
	reloads        map[string]float64
	reloadOK       bool
	reloadTS       time.Time
	restartsBefore int64 // of supervisors replaced by reloads
	recyclesBefore int64

	inFlight atomic.Int64
	started  atomic.Bool // the browser started once
}

var _ Prober = (*Daemon)(nil)

// browserRef is a supervisor with the visits that use it, so a reload can
// close a replaced browser once its last visit ends.
type browserRef struct {
	sup  *browser.Supervisor
	opts browser.Options
	wg   sync.WaitGroup
}

// New makes a daemon for cfg (already loaded; Load errors are the
// caller's to report). Nothing runs before Run.
func New(cfg *config.Config, opts Options) (*Daemon, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	if err := cfg.SetShard(opts.Shard); err != nil {
		return nil, err
	}
	d := &Daemon{
		opts:     opts,
		log:      opts.Logger,
		reg:      prometheus.NewRegistry(),
		hist:     newMilestoneHistogram(),
		targets:  map[string]*target{},
		internal: map[string]float64{},
		reloads:  map[string]float64{},
	}
	d.reg.MustRegister(collector{d}, d.hist,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	d.apply(cfg)
	d.reloadOK, d.reloadTS = true, time.Now()
	return d, nil
}

// Run visits the targets until ctx ends, then cancels the visits still
// running (each within its own bound), waits for them and closes the
// browser.
func (d *Daemon) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d.mu.Lock()
	if d.runCtx != nil {
		d.mu.Unlock()
		return errors.New("probe: Run called twice")
	}
	d.runCtx = ctx
	for _, name := range d.order {
		d.startLoop(d.targets[name], true)
	}
	sup := d.sup
	d.mu.Unlock()

	go func() {
		if err := sup.sup.Start(ctx); err != nil {
			d.log.Error("browser did not start; visits will retry", "err", err)
			return
		}
		d.started.Store(true)
		d.log.Info("browser started", "version", sup.sup.Version())
	}()

	<-ctx.Done()
	d.log.Info("stopping: cancelling visits in flight", "in_flight", d.inFlight.Load())
	d.wg.Wait()
	d.mu.Lock()
	last := d.sup
	d.mu.Unlock()
	last.wg.Wait()
	err := last.sup.Close()
	d.log.Info("stopped")
	return err
}

// Ready: the config is loaded and the browser started once.
func (d *Daemon) Ready() bool { return d.started.Load() }

// Location is the configured location label.
func (d *Daemon) Location() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.location
}

// Config is the config running now.
func (d *Daemon) Config() *config.Config {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cfg
}

// Reload re-reads the config file. An invalid file keeps the old config
// running and sets touchprobe_config_last_reload_successful to 0.
func (d *Daemon) Reload() error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	if d.opts.ConfigFile == "" {
		d.noteReload(nil)
		return nil
	}
	cfg, err := config.Load(d.opts.ConfigFile)
	if err == nil {
		err = cfg.SetShard(d.opts.Shard)
	}
	if err != nil {
		d.noteReload(err)
		d.log.Error("config reload failed; the old config keeps running", "file", d.opts.ConfigFile, "err", err)
		return err
	}
	d.apply(cfg)
	d.noteReload(nil)
	d.log.Info("config reloaded", "file", d.opts.ConfigFile, "targets", len(cfg.Selected()))
	return nil
}

func (d *Daemon) noteReload(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		d.reloadOK = false
		d.reloads["failure"]++
		return
	}
	d.reloadOK, d.reloadTS = true, time.Now()
	d.reloads["success"]++
}

// apply makes cfg the running config: removed targets stop (and their
// series go), new ones start, changed ones restart with their counters and
// history kept; a changed browser setting gets a new browser.
func (d *Daemon) apply(cfg *config.Config) {
	d.mu.Lock()
	defer d.mu.Unlock()
	g := cfg.Global
	bopts := d.browserOptions(g)
	if d.sup == nil || !reflect.DeepEqual(d.sup.opts, bopts) {
		old := d.sup
		d.sup = &browserRef{sup: browser.NewSupervisor(bopts), opts: bopts}
		if old != nil {
			d.log.Info("browser settings changed: starting a new browser")
			d.restartsBefore += old.sup.Restarts()
			d.recyclesBefore += old.sup.Recycles()
			go func() { old.wg.Wait(); _ = old.sup.Close() }()
			if d.runCtx != nil {
				go func() { _ = d.sup.sup.Start(d.runCtx) }()
			}
		}
	}
	if g.Location != d.location {
		d.hist.Reset()
	}
	d.cfg, d.location = cfg, g.Location
	d.labelNames = cfg.LabelNames()
	d.shownURLs = shownURLs(cfg)
	if d.infoDesc != nil {
		familiesMu.Lock()
		delete(families, d.infoDesc)
		familiesMu.Unlock()
	}
	d.infoDesc = desc("touchprobe_target_info",
		"A configured target: its URL and its configured labels (join on target); the value is 1.",
		append([]string{labelTarget, labelLocation, "url"}, promLabelNames(d.labelNames)...)...)
	if d.sem == nil || cap(d.sem) != max(1, g.Concurrency) {
		// Visits holding the old semaphore finish under it.
		d.sem = make(chan struct{}, max(1, g.Concurrency))
	}

	next := map[string]*target{}
	for _, tc := range cfg.Selected() {
		for _, v := range cfg.VisitorsOf(&tc) {
			key := unitKey(tc.Name, v)
			t := newTarget(cfg, tc, v)
			if old, ok := d.targets[key]; ok {
				if old.key == t.key {
					old.cfg, old.plan, old.series = tc, t.plan, nil
					next[key] = old
					continue
				}
				t.inherit(old)
				old.stopLoop()
			}
			next[key] = t
			if d.runCtx != nil {
				d.startLoop(t, false)
			}
		}
	}
	for key, old := range d.targets {
		if _, ok := next[key]; !ok {
			old.stopLoop()
		}
	}
	d.targets = next
	d.order = sortedKeys(next)
	for _, t := range next {
		t.series = nil // location and label names may have changed
	}
}

// browserOptions are global.browser's, with the daemon's spares, logger and
// extra flags.
func (d *Daemon) browserOptions(g config.Global) browser.Options {
	o := g.BrowserOptions()
	o.Spares = 1
	o.Logger = d.log.With("component", "browser")
	extra := map[string]any{}
	for k, v := range d.opts.ExtraFlags {
		extra[k] = v
	}
	for k, v := range parseFlagList(os.Getenv("TOUCHPROBE_CHROMIUM_FLAGS")) {
		extra[k] = v
	}
	if len(extra) > 0 {
		if o.Flags == nil {
			o.Flags = map[string]any{}
		}
		for k, v := range extra {
			o.Flags[k] = v
		}
	}
	return o
}

// parseFlagList reads "--a --b=c" as {a: true, b: "c"}.
func parseFlagList(s string) map[string]any {
	out := map[string]any{}
	for _, f := range strings.Fields(s) {
		f = strings.TrimLeft(f, "-")
		if f == "" {
			continue
		}
		if k, v, ok := strings.Cut(f, "="); ok {
			out[k] = v
		} else {
			out[f] = true
		}
	}
	return out
}

// promLabelNames makes configured label names safe as Prometheus label
// names (the config validates them; this keeps the collector from panicking
// on a name it let through).
func promLabelNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		b := []byte(n)
		for j, c := range b {
			if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && c >= '0' && c <= '9') {
				b[j] = '_'
			}
		}
		s := string(b)
		if s == "" || s == labelTarget || s == labelLocation || s == "url" || strings.HasPrefix(s, "__") {
			s = "label_" + strings.TrimLeft(s, "_")
		}
		out[i] = s
	}
	return out
}

// Snapshot returns every target's state, sorted by name.
func (d *Daemon) Snapshot() []TargetState {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]TargetState, 0, len(d.order))
	for _, key := range d.order {
		t := d.targets[key]
		st := TargetState{
			Name: t.cfg.Name, Visitor: t.visitor, URL: t.cfg.URL, Labels: t.cfg.Labels, Interval: t.every,
			History: append([]checks.Result(nil), t.hist...), NextVisit: t.next,
			Visiting: t.visiting, Rechecking: t.rechecking,
		}
		if t.last != nil {
			last := *t.last
			st.Last = &last
		}
		out = append(out, st)
	}
	return out
}

// ProbeNow visits a configured target at once (under the concurrency
// limit), as visitor (empty: the target's first). A target of this
// instance's shard records the visit like a scheduled one; a target of
// another shard is visited without recording.
func (d *Daemon) ProbeNow(ctx context.Context, name, visitor string) (checks.Result, error) {
	d.mu.Lock()
	cfg := d.cfg
	var t *target
	if tc := cfg.Target(name); tc != nil {
		vs := cfg.VisitorsOf(tc)
		if visitor == "" {
			visitor = vs[0]
		}
		if !slices.Contains(vs, visitor) {
			d.mu.Unlock()
			return checks.Result{}, fmt.Errorf("%q as %q: %w", name, visitor, ErrUnknownTarget)
		}
		t = d.targets[unitKey(name, visitor)]
	}
	ours := t != nil
	d.mu.Unlock()
	if ours {
		res, ok := d.visit(ctx, t)
		if !ok {
			return res, fmt.Errorf("visit of %s cancelled: %w", name, ctx.Err())
		}
		return res, nil
	}
	tc := cfg.Target(name)
	if tc == nil {
		return checks.Result{}, fmt.Errorf("%q: %w", name, ErrUnknownTarget)
	}
	t = newTarget(cfg, *tc, visitor)
	res, _ := d.visitOnce(ctx, t, false)
	return res, nil
}
