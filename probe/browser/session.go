package browser

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Page milestone names (the `milestone` label values of the page itself).
const (
	TTFB                   = "ttfb"
	FirstPaint             = "first_paint"
	FirstContentfulPaint   = "first_contentful_paint"
	LargestContentfulPaint = "largest_contentful_paint"
	DOMContentLoaded       = "dom_content_loaded"
	Load                   = "load"
)

// SyntheticHeader is sent with every document request of a visit (pages and
// iframes), valued with the user-agent marker; the User-Agent carries the
// marker on every request. Not on every request: an extra header on a
// script's cross-origin fetch makes the browser send a CORS preflight, which
// third-party APIs (chat widgets) refuse, so the site would break for us
// alone. A Sec- name is no way out: Chromium then fails every subresource
// with ERR_INVALID_ARGUMENT (both measured).
const SyntheticHeader = "X-Touchprobe"

// Viewport of every visit, a common laptop size.
const (
	ViewportWidth  = 1280
	ViewportHeight = 720
)

//go:embed observer.js
var observerJS string

// bindingName is how the page's observer tells the monitor it went quiet; a
// random suffix keeps pages from guessing it.
var bindingName = func() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "__touchprobeNotify" + hex.EncodeToString(b)
}()

// NavOptions tune one navigation.
type NavOptions struct {
	Window    time.Duration // the first impression; 20 s when zero
	Quiet     time.Duration // how long the page must stay still to end early; 150 ms when zero
	Filmstrip bool          // record screencast frames
	// MaxNavigations beyond the first main-frame navigation mark a
	// navigation loop; 5 when zero.
	MaxNavigations int
	// Scripts run in every document of the visit before the page's own,
	// in the page's world.
	Scripts []string
	// Modules are installed in every document of the visit's tabs, in
	// their isolated world (see Module).
	Modules []Module
	// HAR keeps what a HAR file needs (headers, timing parts) beyond the
	// evidence: for `visit -har`, not for the daemon.
	HAR bool
	// NoEvidence records no evidence: only for the benchmark that weighs
	// what recording it costs.
	NoEvidence bool
	// Starts run in the landing page's main document at its start, after
	// the modules are installed (watchers that must not begin late).
	Starts []Start
	// Profile is the visitor's device and network (nil: the desktop
	// visitor the session was prepared as).
	Profile *Profile
}

// Dialog is a JavaScript dialog the page opened; it was dismissed.
type Dialog struct {
	Type    string  `json:"type"`
	Message string  `json:"message"`
	At      float64 `json:"at_seconds"`
}

// Shot is one filmstrip picture.
type Shot struct {
	Offset time.Duration // since navigation start
	JPEG   []byte
}

// Timeline is what the page did in the first seconds.
type Timeline struct {
	URL         string
	Status      int
	Failure     Failure
	Detail      string
	Milestones  map[string]float64 // seconds since navigation start
	LayoutShift float64
	LCPElement  string
	Dialogs     []Dialog
	Redirects   int
	Navigations int
	// Ended says why the observation stopped: "quiet", "window" or "failure".
	Ended  string
	Frames []Shot
}

// Session is one first-time visitor: a fresh incognito browser context with
// one tab. Close it when done.
type Session struct {
	in      *instance
	tab     *Tab            // the landing page's tab
	ctx     context.Context // the tab's context
	cancel  context.CancelFunc
	frame   cdp.FrameID
	modules []Module
	rec     *recorder // the visit's evidence

	closeOnce sync.Once
	nextOnce  sync.Once
	settled   chan struct{}
	still     chan struct{} // the first impression is measured: see FirstImpression
	stillOnce sync.Once
	wake      chan struct{}

	mu          sync.Mutex
	opts        NavOptions
	navigating  bool
	navStart    time.Time // wall clock when Page.navigate was sent
	loader      cdp.LoaderID
	docs        map[cdp.LoaderID]*document
	navs        int
	dialogs     []Dialog
	crashed     bool
	pageQuiet   bool
	pageStill   bool
	navAsked    time.Time // the page asked to navigate away, not yet done
	inflight    map[network.RequestID]time.Time
	frames      []Shot
	lifecycle   map[cdp.LoaderID]map[string]float64
	failure     Failure
	detail      string
	ended       string
	dialogCount int
	downloading bool
}

type document struct {
	start      float64 // monotonic seconds of the first request
	status     int
	statusTxt  string
	errText    string
	redirects  int
	url        string
	ttfb       float64 // ms, from resource timing
	headersEnd float64 // ms, when the headers had crossed an emulated network (see visitorTTFB)
}

// newSession creates a fresh incognito context and tab, and prepares it so
// that the visit itself only has to navigate.
func newSession(ctx context.Context, in *instance) (*Session, error) {
	s := &Session{
		in:        in,
		settled:   make(chan struct{}),
		still:     make(chan struct{}),
		wake:      make(chan struct{}, 1),
		docs:      map[cdp.LoaderID]*document{},
		inflight:  map[network.RequestID]time.Time{},
		lifecycle: map[cdp.LoaderID]map[string]float64{},
	}
	s.tab = newTab(in.sup.opts.UserAgentMarker, nil, desktopPresentation(in))
	s.tab.observe(s.onEvent)
	s.rec = newRecorder(false, s.tab.ownWorld)
	s.tab.observe(s.rec.onEvent)
	s.ctx, s.cancel = chromedp.NewContext(in.browserCtx,
		chromedp.WithNewBrowserContext(),
		chromedp.WithListener(s.tab.onEvent))
	s.tab.ctx, s.tab.cancel = s.ctx, s.cancel
	ok := false
	defer func() {
		if !ok {
			s.cancel()
		}
	}()
	stop := context.AfterFunc(ctx, s.cancel) // honour the caller's deadline while preparing
	defer stop()
	if err := chromedp.Do(s.ctx); err != nil {
		return nil, err
	}
	c := chromedp.FromContext(s.ctx)
	s.frame = cdp.FrameID(c.Target.TargetID)
	cfg, _ := json.Marshal(map[string]any{
		"binding": bindingName, "quietMs": 150, "windowMs": 20000, "maxTimerChain": 3, "stillMs": 1000, "soonMs": 3000,
	})
	script := strings.Replace(observerJS, "__TOUCHPROBE_CONFIG__", string(cfg), 1)
	err := chromedp.Do(s.ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, runtime.AddBinding, runtime.AddBindingParams{Name: bindingName}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script}); err != nil {
			return err
		}
		return nil
	}), prepareTab(s.tab.pres), installModules(s.tab.mods()))
	if err != nil {
		return nil, err
	}
	// A visitor does not download files; a page that pushes one gets nothing.
	if _, err := chromedp.CallBrowser(s.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorDeny, BrowserContextID: c.BrowserContextID,
	}); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// Context is the tab's chromedp context, for actions on the page.
func (s *Session) Context() context.Context { return s.ctx }

// Landing is the landing page's tab: the visitor's hands and eyes on it.
func (s *Session) Landing() *Tab { return s.tab }

// Bound derives a context for actions on the tab that also ends when ctx
// ends or after d (no limit when d <= 0).
func (s *Session) Bound(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	var bctx context.Context
	var cancel context.CancelFunc
	if d > 0 {
		bctx, cancel = context.WithTimeout(s.ctx, d)
	} else {
		bctx, cancel = context.WithCancel(s.ctx)
	}
	stop := context.AfterFunc(ctx, cancel)
	return bctx, func() { stop(); cancel() }
}

// NavStart is the wall-clock time at which the navigation was sent.
func (s *Session) NavStart() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.navStart
}

// Settled is closed when the page went quiet, failed, or the window ended.
func (s *Session) Settled() <-chan struct{} { return s.settled }

// FirstImpression is closed when the landing page's largest paint is final
// enough for the visitor to start acting (the first input ends LCP): when
// the page settled, or earlier when no larger paint came for a second
// after the DOM was parsed, with no picture in view still loading and no
// request still holding the page. Checks look before it and touch after.
func (s *Session) FirstImpression() <-chan struct{} { return s.still }

func (s *Session) markStill() { s.stillOnce.Do(func() { close(s.still) }) }

// Failure is the page's failure so far.
func (s *Session) Failure() (Failure, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failure, s.detail
}

// prepareNext has the browser prepare the next visit's spare context, once:
// when this page's document has arrived (or, failing that, when the visit
// settles or closes). Done while the page is still being requested, it
// delays the page's first byte (measured: +300 ms to TTFB when the paused
// document request waited behind the new context's set-up).
func (s *Session) prepareNext() {
	s.nextOnce.Do(s.in.refill)
}

// disposeWait bounds how long a closed context waits for a quiet moment.
const disposeWait = time.Second

// Close disposes the incognito context off the caller's path, and off the
// next visit's: at that visit's commit, or after disposeWait when none
// comes. Disposed while the next page is requested, it delays that page's
// first byte (measured: +30 ms to TTFB).
func (s *Session) Close() {
	s.prepareNext()
	s.closeOnce.Do(func() {
		go s.tab.releaseCPU()
		commit := s.in.nextCommit()
		go func() {
			t := time.NewTimer(disposeWait)
			defer t.Stop()
			select {
			case <-commit:
			case <-t.C:
			case <-s.in.browserCtx.Done():
			}
			s.cancel()
			s.in.release()
		}()
	})
}

// dispose closes a spare that was never used.
func (s *Session) dispose() {
	s.closeOnce.Do(func() {
		s.cancel()
		s.in.release()
	})
}

// Navigate sends the page to url and returns once the document committed or
// the navigation failed; the page keeps being observed until Settled. The
// error is the monitor's own failure (FailInternal); the page's failures are
// in Failure and Timeline.
func (s *Session) Navigate(ctx context.Context, url string, o NavOptions) error {
	if o.Window <= 0 {
		o.Window = 20 * time.Second
	}
	if o.Quiet <= 0 {
		o.Quiet = 150 * time.Millisecond
	}
	if o.MaxNavigations <= 0 {
		o.MaxNavigations = 5
	}
	if o.Profile != nil {
		// The visitor's device and network, on the tab and every tab and
		// cross-site iframe it opens (their targets take them at attach).
		pres := presentationFor(*o.Profile, s.tab.pres)
		s.tab.setPresentation(pres)
		if err := chromedp.Do(s.ctx, pres.tab(), pres.throttle()); err != nil {
			return s.internal(err)
		}
	}
	if o.Filmstrip {
		q := int64(60)
		w, h := s.tab.size()
		if _, err := chromedp.Call(s.ctx, page.StartScreencast, page.StartScreencastParams{
			Format: page.StartScreencastFormatJpeg, Quality: &q,
			MaxWidth: w, MaxHeight: h, EveryNthFrame: 1,
		}); err != nil {
			return s.internal(err)
		}
	}
	s.rec.setDetail(o.HAR)
	s.rec.setOff(o.NoEvidence)
	if !o.NoEvidence {
		o.Modules = append([]Module{evidenceModule}, o.Modules...)
	}
	if len(o.Modules) > 0 {
		s.modules = o.Modules
		s.tab.addModules(o.Modules)
		if err := chromedp.Do(s.ctx, installModules(s.tab.mods())); err != nil {
			return s.internal(err)
		}
	}
	if len(o.Starts) > 0 {
		src, err := startScript(o.Starts)
		if err != nil {
			return s.internal(err)
		}
		if _, err := chromedp.Call(s.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src, WorldName: worldName, RunImmediately: new(true)}); err != nil {
			return s.internal(err)
		}
	}
	for _, src := range o.Scripts {
		if _, err := chromedp.Call(s.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
			return s.internal(err)
		}
	}
	s.mu.Lock()
	s.opts = o
	s.navigating = true
	s.navStart = time.Now()
	s.pageQuiet, s.pageStill = false, false
	s.mu.Unlock()
	go s.watch()

	nctx, cancel := s.Bound(ctx, o.Window)
	defer cancel()
	res, err := chromedp.Call(nctx, page.Navigate, page.NavigateParams{URL: url})
	switch {
	case err == nil:
	case isBrowserGone(err) || s.ctx.Err() != nil:
		return s.internal(err)
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		s.fail(FailTimeout, fmt.Sprintf("the page did not start within %s", o.Window))
		return nil
	case ctx.Err() != nil:
		s.fail(FailTimeout, "visit cancelled before the page started")
		return nil
	default:
		return s.internal(err)
	}
	s.mu.Lock()
	s.loader = res.LoaderID
	doc := s.docs[res.LoaderID]
	s.mu.Unlock()
	// The document has arrived: the next visit's context can be made, and
	// closed ones disposed, without delaying this one's first byte.
	s.in.signalCommit()
	s.prepareNext()
	switch {
	case res.IsDownload:
		s.fail(FailDownload, "the address starts a download, not a page")
	case res.ErrorText != "":
		f := classifyNetError(res.ErrorText)
		if res.ErrorText == "net::ERR_HTTP_RESPONSE_CODE_FAILURE" && doc != nil {
			f = FailHTTPStatus
		}
		s.fail(f, res.ErrorText)
	case doc != nil && doc.status >= 400:
		s.fail(FailHTTPStatus, fmt.Sprintf("HTTP %d %s", doc.status, doc.statusTxt))
	}
	return nil
}

// internal records that the monitor broke and returns the error.
func (s *Session) internal(err error) error {
	s.fail(FailInternal, err.Error())
	return fmt.Errorf("%w: %v", ErrMonitor, err)
}

// ErrMonitor wraps errors that are the monitor's failure, not the page's.
var ErrMonitor = errors.New("monitor failure")

// fail records the first fatal failure and wakes the watcher.
func (s *Session) fail(f Failure, detail string) {
	s.mu.Lock()
	if s.failure == FailNone || s.failure == FailHTTPStatus && f != FailHTTPStatus {
		s.failure, s.detail = f, detail
	}
	s.mu.Unlock()
	s.poke()
}

func (s *Session) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// fatal reports whether the observation cannot go on. An error status is not
// fatal: the page still paints, and its timings are worth having.
func (s *Session) fatalLocked() bool {
	return s.failure != FailNone && s.failure != FailHTTPStatus
}

// maxDialogs is how many JavaScript dialogs a page may open before the
// visit counts it as a dialog loop.
const maxDialogs = 50

// watch closes settled when the page is quiet, failed, or the window ended.
func (s *Session) watch() {
	s.mu.Lock()
	o, start := s.opts, s.navStart
	s.mu.Unlock()
	window := time.NewTimer(time.Until(start.Add(o.Window)))
	defer window.Stop()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	lost := s.in.lost
	end := func(why string) {
		s.mu.Lock()
		s.ended = why
		s.mu.Unlock()
		close(s.settled)
		s.markStill()
		s.prepareNext()
	}
	for {
		s.mu.Lock()
		leaving := !s.navAsked.IsZero() && time.Since(s.navAsked) < longRequest
		fatal, quiet := s.fatalLocked(), s.pageQuiet && s.blockingLocked() == 0 && !leaving
		still := s.pageStill && s.blockingLocked() == 0 && !leaving
		s.mu.Unlock()
		if still {
			s.markStill()
		}
		switch {
		case fatal:
			end("failure")
			return
		case quiet:
			end("quiet")
			return
		}
		select {
		case <-s.wake:
		case <-tick.C:
		case <-window.C:
			end("window")
			return
		case <-lost:
			s.fail(FailInternal, "the browser went away during the visit")
			lost = nil
		case <-s.ctx.Done():
			s.fail(FailInternal, "the tab was closed during the visit")
			end("failure")
			return
		}
	}
}

// longRequest is how long a request may stay open and still hold the page
// busy; beyond it, it is a long poll or a stream, not loading.
const longRequest = 2 * time.Second

func (s *Session) blockingLocked() int {
	n := 0
	for _, t := range s.inflight {
		if time.Since(t) < longRequest {
			n++
		}
	}
	return n
}

// onEvent runs in the tab's read loop: it records, and never sends commands.
func (s *Session) onEvent(ev any) {
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		background := s.tab.inBackground(e.RequestID)
		s.mu.Lock()
		if e.Type == network.ResourceTypeDocument && e.FrameID == s.frame && s.navigating {
			d := s.docs[e.LoaderID]
			if d == nil {
				d = &document{start: float64(e.Timestamp)}
				s.docs[e.LoaderID] = d
			}
			if e.RedirectResponse != nil {
				d.redirects++
			}
			d.url = e.Request.URL
		}
		// An iframe's document is not held open here: a cross-site one
		// finishes in a process (and a target) of its own, its end reported
		// there or never (it held every page with a chat widget busy for
		// longRequest); the page's load event waits for its iframes anyway.
		// A service worker's requests (a precache, on the phone's own
		// throttled link) are background work the visitor never waits for.
		subframeDoc := e.Type == network.ResourceTypeDocument && e.FrameID != s.frame
		if e.Type != network.ResourceTypeEventSource && e.Type != network.ResourceTypeWebSocket && !subframeDoc && !background {
			s.inflight[e.RequestID] = time.Now()
		}
		s.mu.Unlock()
	case *network.EventResponseReceived:
		if e.Type == network.ResourceTypeDocument && e.FrameID == s.frame {
			s.mu.Lock()
			if d := s.docs[e.LoaderID]; d != nil && e.Response != nil {
				d.status, d.statusTxt = int(e.Response.Status), e.Response.StatusText
				if tm := e.Response.Timing; tm != nil {
					d.ttfb = (tm.RequestTime-d.start)*1000 + tm.ReceiveHeadersStart
					d.headersEnd = (tm.RequestTime-d.start)*1000 + tm.ReceiveHeadersEnd
					if tm.ReceiveHeadersStart <= 0 {
						d.ttfb = d.headersEnd
					}
				}
			}
			s.mu.Unlock()
		}
	case *network.EventLoadingFinished:
		s.done(e.RequestID)
	case *network.EventLoadingFailed:
		s.mu.Lock()
		for id, d := range s.docs {
			if id == cdp.LoaderID(e.RequestID) && d.errText == "" {
				d.errText = e.ErrorText
			}
		}
		s.mu.Unlock()
		s.done(e.RequestID)
	case *page.EventLifecycleEvent:
		if e.FrameID == s.frame {
			s.mu.Lock()
			m := s.lifecycle[e.LoaderID]
			if m == nil {
				m = map[string]float64{}
				s.lifecycle[e.LoaderID] = m
			}
			if _, seen := m[e.Name]; !seen {
				m[e.Name] = float64(e.Timestamp)
			}
			s.mu.Unlock()
		}
	case *page.EventFrameRequestedNavigation:
		// A page on its way to another document is not quiet: its old
		// document went still only because it is being replaced.
		if e.FrameID == s.frame {
			s.mu.Lock()
			if s.navigating {
				s.navAsked = time.Now()
			}
			s.mu.Unlock()
		}
	case *page.EventFrameNavigated:
		if e.Frame != nil && e.Frame.ParentID == "" && e.Type == page.NavigationTypeNavigation {
			s.mu.Lock()
			s.navAsked = time.Time{}
			// A new document is not quiet until its own observer says so:
			// the old one's word (or about:blank's) does not carry over.
			s.pageQuiet = false
			if s.navigating {
				s.navs++
				if s.navs > 1+s.opts.MaxNavigations && s.failure == FailNone {
					s.failure, s.detail = FailNavLoop, fmt.Sprintf("the page navigated away %d times", s.navs-1)
				}
			}
			s.mu.Unlock()
			s.poke()
		}
	case *page.EventJavascriptDialogOpening:
		s.mu.Lock()
		var at float64
		if !s.navStart.IsZero() {
			at = time.Since(s.navStart).Seconds()
		}
		if len(s.dialogs) < 20 {
			s.dialogs = append(s.dialogs, Dialog{Type: string(e.Type), Message: truncate(e.Message, 200), At: at})
		}
		// A page that opens dialog after dialog would hold the visit for the
		// whole window, one dismissal at a time: past a bound it has failed.
		s.dialogCount++
		if s.dialogCount > maxDialogs && (s.failure == FailNone || s.failure == FailHTTPStatus) {
			s.failure, s.detail = FailDialog, fmt.Sprintf("the page opened more than %d JavaScript dialogs (a dialog loop)", maxDialogs)
			defer s.poke()
		}
		s.mu.Unlock()
		// A dialog blocks the page until answered: dismiss it at once, from
		// outside the read loop. beforeunload is accepted so we can leave.
		accept := e.Type == page.DialogTypeBeforeunload
		go chromedp.Call(s.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
	case *inspector.EventTargetCrashed:
		s.mu.Lock()
		s.crashed = true
		if s.failure == FailNone || s.failure == FailHTTPStatus {
			s.failure, s.detail = FailBrowserCrash, "the page's renderer crashed"
		}
		s.mu.Unlock()
		s.poke()
	case *runtime.EventBindingCalled:
		if e.Name != bindingName {
			return
		}
		var m struct {
			Quiet bool `json:"quiet"`
			Still bool `json:"still"`
		}
		if json.Unmarshal([]byte(e.Payload), &m) == nil {
			s.mu.Lock()
			s.pageQuiet = m.Quiet
			s.pageStill = s.pageStill || m.Still
			s.mu.Unlock()
			s.poke()
		}
	case *page.EventScreencastFrame:
		go chromedp.Call(s.ctx, page.ScreencastFrameAck, page.ScreencastFrameAckParams{SessionID: e.SessionID})
		if e.Metadata == nil {
			return
		}
		s.mu.Lock()
		if d := s.docs[s.loader]; d != nil && len(s.frames) < 400 {
			off := time.Duration((float64(e.Metadata.MonotonicTimestamp) - d.start) * float64(time.Second))
			if off >= 0 && off <= s.opts.Window {
				s.frames = append(s.frames, Shot{Offset: off, JPEG: e.Data})
			}
		}
		s.mu.Unlock()
	case *target.EventDetachedFromTarget:
		s.poke()
	}
}

func (s *Session) done(id network.RequestID) {
	s.mu.Lock()
	_, ok := s.inflight[id]
	delete(s.inflight, id)
	s.mu.Unlock()
	if ok {
		s.poke()
	}
}

// pageReading is what observer.js's read() returns.
type pageReading struct {
	TimeOrigin float64  `json:"timeOrigin"`
	URL        string   `json:"url"`
	ReadyState string   `json:"readyState"`
	TTFB       *float64 `json:"ttfb"`
	DCL        *float64 `json:"dcl"`
	Load       *float64 `json:"load"`
	FP         *float64 `json:"fp"`
	FCP        *float64 `json:"fcp"`
	LCP        *float64 `json:"lcp"`
	LCPElement string   `json:"lcpElement"`
	CLS        float64  `json:"cls"`
}

// visitorTTFB is the first byte as a visitor on an emulated network gets
// it. Chromium's network emulation holds the response back by the
// profile's latency after the server's first byte: the page's own
// responseStart (and the timing's receiveHeadersStart) is that server
// byte, measured: 13 ms on slow 4G where the document reached the page
// 568 ms after it was sent. The held-back headers' end is the visitor's.
func (s *Session) visitorTTFB(doc *document) (float64, bool) {
	if doc == nil || !s.tab.presentation().network.Throttled() {
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return doc.headersEnd, doc.headersEnd > 0
}

// Timeline stops the observation and reads what the page did. Call it after
// Settled (or whenever the visit must end).
func (s *Session) Timeline(ctx context.Context) Timeline {
	if o := s.opts; o.Filmstrip {
		sctx, cancel := s.Bound(ctx, time.Second)
		_, _ = chromedp.Call(sctx, page.StopScreencast, cdp.Empty{})
		cancel()
	}
	s.mu.Lock()
	tl := Timeline{
		Failure:    s.failure,
		Detail:     s.detail,
		Dialogs:    append([]Dialog(nil), s.dialogs...),
		Milestones: map[string]float64{},
		Ended:      s.ended,
		Frames:     s.frames,
	}
	if tl.Ended == "" {
		tl.Ended = "window"
	}
	if s.navs > 0 {
		tl.Navigations = s.navs - 1
	}
	doc := s.docs[s.loader]
	life := s.lifecycle[s.loader]
	committed := s.loader != "" && (s.failure == FailNone || s.failure == FailHTTPStatus ||
		s.failure == FailDialog || s.failure == FailNavLoop || s.failure == FailTimeout)
	s.mu.Unlock()
	if doc != nil {
		tl.Status, tl.Redirects, tl.URL = doc.status, doc.redirects, doc.url
	}
	if !committed {
		return tl
	}
	// The page's own clock first: its paint and LCP entries are the
	// visitor's truth. A page stuck in a script loop cannot answer, so
	// lifecycle events recorded on our side stand in.
	rctx, cancel := s.Bound(ctx, 2*time.Second)
	defer cancel()
	r, err := chromedp.Run(rctx, chromedp.Evaluate[pageReading](`window.__touchprobe && window.__touchprobe.read ? window.__touchprobe.read() : null`))
	if err == nil && r.TimeOrigin > 0 {
		set := func(name string, v *float64) {
			if v != nil && *v > 0 {
				tl.Milestones[name] = *v / 1000
			}
		}
		set(TTFB, r.TTFB)
		if ms, ok := s.visitorTTFB(doc); ok && ms/1000 > tl.Milestones[TTFB] {
			tl.Milestones[TTFB] = ms / 1000
		}
		set(FirstPaint, r.FP)
		set(FirstContentfulPaint, r.FCP)
		set(LargestContentfulPaint, r.LCP)
		set(DOMContentLoaded, r.DCL)
		set(Load, r.Load)
		tl.LayoutShift = r.CLS
		tl.LCPElement = r.LCPElement
		if r.URL != "" {
			tl.URL = r.URL
		}
		return tl
	}
	if doc != nil {
		if doc.ttfb > 0 {
			tl.Milestones[TTFB] = doc.ttfb / 1000
		}
		if ms, ok := s.visitorTTFB(doc); ok && ms > doc.ttfb {
			tl.Milestones[TTFB] = ms / 1000
		}
		for name, key := range map[string]string{
			FirstPaint: "firstPaint", FirstContentfulPaint: "firstContentfulPaint",
			DOMContentLoaded: "DOMContentLoaded", Load: "load",
		} {
			if ts, ok := life[key]; ok && ts > doc.start {
				tl.Milestones[name] = ts - doc.start
			}
		}
	}
	if err != nil && tl.Failure == FailNone && !isBrowserGone(err) {
		tl.Failure, tl.Detail = FailTimeout, "the page did not answer: "+err.Error()
	}
	return tl
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
