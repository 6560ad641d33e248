package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"
)

// Options configure the Chromium supervisor.
type Options struct {
	ExecPath  string // empty: FindExecPath
	RemoteURL string // ws://host:port/... of a browser run elsewhere; no process is started
	// UserAgentMarker is appended to the User-Agent and sent in the
	// X-Touchprobe header, so analytics can filter synthetic visits.
	UserAgentMarker string
	// Recycle the browser after this many visits (0: never) or once its
	// process tree holds more than this many bytes (PSS; 0: never).
	RecycleAfterVisits int
	RecycleAboveBytes  int64
	// Spares is how many fresh incognito contexts are kept ready, so that
	// creating one is off the visit's path (0: none, for one-off visits).
	Spares int
	// Languages are the visitor's, most preferred first (navigator.languages,
	// Accept-Language); empty: DefaultLanguages.
	Languages []string
	// Flags adds or overrides Chromium command-line flags.
	Flags  map[string]any
	Logger *slog.Logger
}

// Supervisor owns one Chromium at a time: it starts it on demand, restarts it
// when it dies, recycles it after a number of visits, and kills its whole
// process group when it goes.
type Supervisor struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	cur      *instance
	closed   bool
	restarts atomic.Int64 // unplanned: the browser died
	recycles atomic.Int64 // planned: visit count or memory
	version  atomic.Value // string
	wg       sync.WaitGroup
}

// ErrClosed is returned by Session after Close.
var ErrClosed = errors.New("browser supervisor closed")

// NewSupervisor makes a supervisor; the browser starts at the first Session.
func NewSupervisor(opts Options) *Supervisor {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Supervisor{opts: opts, log: opts.Logger}
	s.version.Store("")
	return s
}

// Restarts counts browsers that died and were replaced.
func (s *Supervisor) Restarts() int64 { return s.restarts.Load() }

// Recycles counts browsers replaced on purpose (visit count or memory).
func (s *Supervisor) Recycles() int64 { return s.recycles.Load() }

// Version is the running browser's product string, e.g. "Chrome/156.0.8078.79".
func (s *Supervisor) Version() string { return s.version.Load().(string) }

// Stats describes the current browser's process tree (zero for a remote browser).
func (s *Supervisor) Stats() ProcStats {
	s.mu.Lock()
	inst := s.cur
	s.mu.Unlock()
	if inst == nil {
		return ProcStats{}
	}
	return groupStats(inst.pgid)
}

// ProcessGroup is the current browser's process group (0: none or remote).
func (s *Supervisor) ProcessGroup() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return 0
	}
	return s.cur.pgid
}

// Start launches the browser now rather than at the first visit.
func (s *Supervisor) Start(ctx context.Context) error {
	_, err := s.instance(ctx)
	return err
}

// instance returns a live browser, starting or replacing one as needed.
func (s *Supervisor) instance(ctx context.Context) (*instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if inst := s.cur; inst != nil {
		switch {
		case !inst.alive():
			s.restarts.Add(1)
			s.log.Warn("browser died; starting a new one", "pid", inst.pgid)
			s.retire(inst)
		case inst.exhausted(s.opts):
			s.recycles.Add(1)
			s.log.Info("recycling browser", "pid", inst.pgid, "visits", inst.visits.Load())
			s.retire(inst)
		default:
			return inst, nil
		}
	}
	inst, err := s.launch(ctx)
	if err != nil {
		return nil, err
	}
	s.cur = inst
	return inst, nil
}

// retire closes inst once its sessions are done. Called with s.mu held.
func (s *Supervisor) retire(inst *instance) {
	s.cur = nil
	s.wg.Go(func() { inst.close() })
}

// Session gives a fresh incognito browser context with one tab: a first-time
// visitor with no cookies, cache or storage.
func (s *Supervisor) Session(ctx context.Context) (*Session, error) {
	for attempt := 0; ; attempt++ {
		inst, err := s.instance(ctx)
		if err != nil {
			return nil, err
		}
		sess, err := inst.session(ctx)
		if err == nil {
			return sess, nil
		}
		if ctx.Err() != nil || attempt > 0 || inst.alive() {
			return nil, err
		}
		// The browser died between the check and the call: one more try
		// on a new one.
	}
}

// Close stops the browser and waits until its processes are gone.
func (s *Supervisor) Close() error {
	s.mu.Lock()
	s.closed = true
	if s.cur != nil {
		s.retire(s.cur)
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// Kill terminates the browser's process group at once, as a crash would;
// tests and the crash drill use it.
func (s *Supervisor) Kill() {
	s.mu.Lock()
	inst := s.cur
	s.mu.Unlock()
	if inst != nil && inst.pgid > 0 {
		_ = syscall.Kill(-inst.pgid, syscall.SIGKILL)
	}
}

// instance is one running browser.
type instance struct {
	sup           *Supervisor
	allocCancel   context.CancelFunc
	browserCtx    context.Context
	browserCancel context.CancelFunc
	lost          <-chan struct{}
	pgid          int // 0 for a remote browser
	dataDir       string
	userAgent     string
	version       string // the full version, e.g. 156.0.8078.114

	visits atomic.Int64
	inUse  sync.WaitGroup

	mu       sync.Mutex
	spares   []*Session
	warming  int
	closing  bool
	closeErr error
	// committed is closed (and replaced) whenever a visit's page commits:
	// the moment the browser's housekeeping no longer delays a first byte.
	committed chan struct{}
}

// nextCommit returns a channel closed at the next visit's commit.
func (in *instance) nextCommit() <-chan struct{} {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.committed == nil {
		in.committed = make(chan struct{})
	}
	return in.committed
}

// signalCommit tells the housekeeping waiting for a commit that one came.
func (in *instance) signalCommit() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.committed != nil {
		close(in.committed)
		in.committed = nil
	}
}

func (s *Supervisor) launch(ctx context.Context) (*instance, error) {
	inst := &instance{sup: s}
	var actx context.Context
	if s.opts.RemoteURL != "" {
		actx, inst.allocCancel = remote.NewAllocator(context.Background(), s.opts.RemoteURL)
	} else {
		execPath, err := FindExecPath(s.opts.ExecPath)
		if err != nil {
			return nil, err
		}
		root, err := profileRoot()
		if err != nil {
			return nil, err
		}
		inst.dataDir, err = os.MkdirTemp(root, "profile-"+strconv.Itoa(os.Getpid())+"-")
		if err != nil {
			return nil, err
		}
		tmp := filepath.Join(inst.dataDir, "tmp")
		if err := os.Mkdir(tmp, 0o700); err != nil {
			return nil, err
		}
		opts := launchFlags(execPath, s.opts.Flags)
		opts = append(opts,
			chromedp.UserDataDir(filepath.Join(inst.dataDir, "data")),
			// Chromium's own temporary files (SingletonSocket dirs) go inside
			// the instance directory, so removing it removes every leftover.
			chromedp.Env("TMPDIR="+tmp),
			chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) {
				// A process group of its own, so that one kill ends the
				// whole tree; Pdeathsig ends it with us if we are killed.
				cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
			}),
		)
		actx, inst.allocCancel = chromedp.NewExecAllocator(context.Background(), opts...)
	}
	// The browser's life is bound to this context: no deadline on it.
	inst.browserCtx, inst.browserCancel = chromedp.NewContext(actx)
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(inst.browserCtx) }()
	select {
	case err := <-started:
		if err != nil {
			inst.close()
			return nil, fmt.Errorf("starting browser: %w", err)
		}
	case <-ctx.Done():
		inst.close()
		return nil, fmt.Errorf("starting browser: %w", ctx.Err())
	}
	c := chromedp.FromContext(inst.browserCtx)
	inst.lost = c.Browser.LostConnection
	if p := c.Browser.Process(); p != nil {
		inst.pgid = p.Pid
	}
	v, err := chromedp.CallBrowser(inst.browserCtx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		inst.close()
		return nil, fmt.Errorf("browser version: %w", err)
	}
	s.version.Store(v.Product)
	inst.userAgent = visitorUserAgent(v.UserAgent, s.opts.UserAgentMarker)
	_, inst.version, _ = strings.Cut(v.Product, "/")
	s.log.Info("browser started", "product", v.Product, "pid", inst.pgid, "remote", s.opts.RemoteURL != "")
	inst.refill()
	return inst, nil
}

// visitorUserAgent drops the "Headless" that sites block on and appends the
// synthetic-traffic marker.
func visitorUserAgent(ua, marker string) string {
	ua = strings.Replace(ua, "HeadlessChrome/", "Chrome/", 1)
	if marker != "" {
		ua += " " + marker
	}
	return ua
}

func (in *instance) alive() bool {
	select {
	case <-in.lost:
		return false
	default:
	}
	if in.pgid > 0 {
		if st, ok := procState(in.pgid); !ok || st == 'Z' {
			return false
		}
	}
	return true
}

func (in *instance) exhausted(o Options) bool {
	if o.RecycleAfterVisits > 0 && in.visits.Load() >= int64(o.RecycleAfterVisits) {
		return true
	}
	if o.RecycleAboveBytes > 0 && in.pgid > 0 && groupStats(in.pgid).PSSBytes > o.RecycleAboveBytes {
		return true
	}
	return false
}

// session hands out a spare context, or makes one when none is ready.
func (in *instance) session(ctx context.Context) (*Session, error) {
	in.mu.Lock()
	// A spare still being made is waited for rather than making another
	// beside it: two contexts made at once slow the visit's page.
	for wait := time.Now().Add(10 * time.Second); len(in.spares) == 0 && in.warming > 0 && time.Now().Before(wait) && ctx.Err() == nil; {
		in.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		in.mu.Lock()
	}
	if in.closing {
		in.mu.Unlock()
		return nil, ErrClosed
	}
	var sess *Session
	if n := len(in.spares); n > 0 {
		sess = in.spares[0]
		in.spares = in.spares[1:]
	} else {
		in.inUse.Add(1) // a spare already holds its count
	}
	in.mu.Unlock()
	in.visits.Add(1)
	if sess != nil {
		return sess, nil
	}
	sess, err := newSession(ctx, in)
	if err != nil {
		in.inUse.Done()
		return nil, err
	}
	return sess, nil
}

// refill prepares spare contexts in the background.
func (in *instance) refill() {
	in.mu.Lock()
	defer in.mu.Unlock()
	for !in.closing && len(in.spares)+in.warming < in.sup.opts.Spares {
		in.warming++
		in.inUse.Add(1) // a spare holds the browser open like a visit
		go func() {
			ctx, cancel := context.WithTimeout(in.browserCtx, 30*time.Second)
			defer cancel()
			sess, err := newSession(ctx, in)
			in.mu.Lock()
			in.warming--
			keep := err == nil && !in.closing
			if keep {
				in.spares = append(in.spares, sess)
			}
			in.mu.Unlock()
			if err != nil {
				in.inUse.Done()
				if in.alive() {
					in.sup.log.Debug("preparing a browser context failed", "err", err)
				}
				return
			}
			if !keep {
				sess.dispose()
			}
		}()
	}
}

// release is called when a session is done with the browser.
func (in *instance) release() { in.inUse.Done() }

// close waits for the sessions to finish (bounded), then ends the browser and
// kills whatever is left of its process group.
func (in *instance) close() {
	in.signalCommit() // closed sessions waiting for a quiet moment go now
	in.mu.Lock()
	in.closing = true
	spares := in.spares
	in.spares = nil
	in.mu.Unlock()
	for _, s := range spares {
		s.dispose()
	}
	done := make(chan struct{})
	go func() { in.inUse.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
	if in.browserCancel != nil {
		in.browserCancel()
	}
	if in.allocCancel != nil {
		in.allocCancel()
	}
	if in.pgid > 0 {
		killGroup(in.pgid, 5*time.Second)
	}
	if in.dataDir != "" {
		_ = os.RemoveAll(in.dataDir)
	}
}

// profileRoot is the directory under which every browser profile and
// Chromium temporary file of this host's touchprobe processes lives.
// Leftovers of processes that are gone are swept once per process.
func profileRoot() (string, error) {
	root := filepath.Join(os.TempDir(), "touchprobe-chromium")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", err
	}
	sweepOnce.Do(func() { sweepStale(root) })
	return root, nil
}

var sweepOnce sync.Once

// sweepStale removes profiles of touchprobe processes that no longer run
// (a daemon killed by SIGKILL cannot clean up after itself).
func sweepStale(root string) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(root, name)
		if rest, ok := strings.CutPrefix(name, "profile-"); ok {
			pidStr, _, _ := strings.Cut(rest, "-")
			if pid, err := strconv.Atoi(pidStr); err == nil && pid != os.Getpid() {
				if _, err := os.Stat("/proc/" + pidStr); err != nil {
					_ = os.RemoveAll(path)
				}
			}
		}
	}
}
