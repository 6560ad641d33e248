package browser

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// prepareTab presents a tab as the visitor's browser (presentation.go),
// pauses its document requests (pages and iframes only, so the page's own
// requests are untouched) for passDocument, and the targets its documents
// start until they are set up (relay.go).
func prepareTab(pres presentation) chromedp.Action[struct{}] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := pres.tab()(ctx, t); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{
			URLPattern: "*", ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageRequest,
		}}}); err != nil {
			return err
		}
		return pauseChildren(ctx, t, true)
	})
}

// installModules has every new document of a target start with the
// modules in its isolated world.
func installModules(mods []Module) chromedp.Action[struct{}] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: bundle(mods), WorldName: worldName, RunImmediately: new(true),
		})
		return err
	})
}

// passDocument lets a paused document request go on with the synthetic
// header (cookies are attached later by the network stack), or answers a
// POST — a form being sent — itself with "204 No Content", unless posts are
// allowed: nothing reaches the site, and the browser stays on the page (a
// failed request would replace it with an error page).
func passDocument(tab context.Context, e *fetch.EventRequestPaused, marker string, allowPosts bool) {
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	if e.Request != nil && e.Request.Method == "POST" && !allowPosts {
		refuseDocument(tab, e)
		return
	}
	var headers []*fetch.HeaderEntry
	if marker != "" {
		headers = append(headers, &fetch.HeaderEntry{Name: SyntheticHeader, Value: marker})
	}
	if e.Request != nil {
		for k, v := range e.Request.Headers {
			if !strings.EqualFold(k, SyntheticHeader) {
				headers = append(headers, &fetch.HeaderEntry{Name: k, Value: fmt.Sprint(v)})
			}
		}
	}
	_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID, Headers: headers})
}

// Tab is one tab of a visitor's incognito context: the landing page, or
// another tab of the same visitor (the contact page, a configured key
// point), sharing cookies (and so the consent choice), the User-Agent and
// the marker. It is the visitor's hands and eyes: frames, elements, input.
type Tab struct {
	ctx     context.Context
	cancel  context.CancelFunc
	marker  string
	modules []Module
	touch   bool // the visitor taps rather than clicks
	pres    presentation

	mu         sync.Mutex
	allowPosts bool
	refused    []RefusedPost // see posts.go
	stayOn     func(host string) bool
	leaving    []string // top-document navigations stayOn refused, see posts.go
	frames     map[cdp.FrameID]*Frame
	children   map[target.ID]*child
	relays     map[target.SessionID]*relay // auto-attached targets (relay.go)
	background map[network.RequestID]bool  // requests of service and shared workers
	observers  []func(ev any)
	closed     bool
}

// child is a target of its own inside a tab: a cross-site iframe.
type child struct {
	id     target.ID
	ctx    context.Context
	cancel context.CancelFunc
}

func newTab(marker string, mods []Module, pres presentation) *Tab {
	return &Tab{
		marker: marker, modules: append([]Module{handsModule}, mods...), touch: pres.touch, pres: pres,
		frames: map[cdp.FrameID]*Frame{}, children: map[target.ID]*child{},
		relays: map[target.SessionID]*relay{}, background: map[network.RequestID]bool{},
	}
}

// observe adds a function that sees every event of the tab and of its
// child targets, in the read loop of each (it must not send commands).
func (t *Tab) observe(fn func(ev any)) {
	t.mu.Lock()
	t.observers = append(t.observers, fn)
	t.mu.Unlock()
}

// onEvent is the tab's own listener.
func (t *Tab) onEvent(ev any) { t.dispatch(nil, ev) }

// childEvent is the listener of a cross-site iframe's flat session: the
// frame's network events and its own children come through its relay (the
// session that paused it), not twice.
func (t *Tab) childEvent(ev any) {
	switch ev.(type) {
	case *network.EventRequestWillBeSent, *network.EventResponseReceived, *network.EventLoadingFinished, *network.EventLoadingFailed,
		*target.EventAttachedToTarget, *target.EventDetachedFromTarget, *target.EventReceivedMessageFromTarget:
		return
	}
	t.dispatch(nil, ev)
}

// dispatch handles an event of the tab's session (from == nil) or of a
// relay, then passes it to the observers.
func (t *Tab) dispatch(from *relay, ev any) {
	switch e := ev.(type) {
	case *fetch.EventRequestPaused:
		t.mu.Lock()
		allow := t.allowPosts
		if t.leavesLocked(e) {
			t.mu.Unlock()
			go refuseDocument(t.ctx, e)
			return
		}
		t.noteRefusedLocked(e, allow)
		t.mu.Unlock()
		go passDocument(t.ctx, e, t.marker, allow)
	case *target.EventAttachedToTarget:
		t.adopt(from, e)
	case *target.EventReceivedMessageFromTarget:
		t.mu.Lock()
		r := t.relays[e.SessionID]
		t.mu.Unlock()
		if r != nil {
			if inner := r.deliver(e.Message); inner != nil {
				t.dispatch(r, inner)
			}
		}
		return
	case *target.EventDetachedFromTarget:
		t.mu.Lock()
		r := t.relays[e.SessionID]
		delete(t.relays, e.SessionID)
		t.mu.Unlock()
		if r != nil {
			r.close()
			if r.kind == "iframe" {
				t.detach(r.targetID)
			}
		}
	case *page.EventFrameNavigated:
		if e.Frame != nil {
			t.mu.Lock()
			if f := t.frames[e.Frame.ID]; f != nil {
				f.mu.Lock()
				f.world, f.url = 0, e.Frame.URL
				f.mu.Unlock()
			}
			t.mu.Unlock()
		}
	case *page.EventFrameDetached:
		t.mu.Lock()
		delete(t.frames, e.FrameID)
		t.mu.Unlock()
	}
	t.mu.Lock()
	if q, ok := ev.(*network.EventRequestWillBeSent); ok && from != nil && from.background() {
		t.background[q.RequestID] = true
	}
	obs := t.observers
	t.mu.Unlock()
	for _, fn := range obs {
		fn(ev)
	}
}

// inBackground tells whether a request is a service or shared worker's:
// recorded, but not the page's loading.
func (t *Tab) inBackground(id network.RequestID) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.background[id]
}

// adopt takes a target a document of the tab started, paused (relay.go):
// it is set up as the visitor's and let run; a cross-site iframe then gets
// a flat session of its own for its frames.
func (t *Tab) adopt(from *relay, e *target.EventAttachedToTarget) {
	if e.TargetInfo == nil {
		return
	}
	var parent cdp.Session = from
	if from == nil {
		parent = chromedp.FromContext(t.ctx).Target
	}
	r := newRelay(parent, e.SessionID, e.TargetInfo.TargetID, string(e.TargetInfo.Type))
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	t.relays[e.SessionID] = r
	t.mu.Unlock()
	go func() {
		_ = r.start(t.ctx, t.presentation())
		if r.kind == "iframe" {
			t.attach(r.targetID)
		}
	}()
}

// attach opens a flat session on a cross-site iframe's target (once its
// relay let it run: a target without a document takes none), so that its
// frames can be reached and its events seen.
func (t *Tab) attach(id target.ID) {
	t.mu.Lock()
	if t.closed || t.children[id] != nil {
		t.mu.Unlock()
		return
	}
	c := &child{id: id}
	t.children[id] = c
	t.mu.Unlock()
	// Detach on cancel: closing the iframe's target is not ours to do.
	c.ctx, c.cancel = chromedp.NewContext(t.ctx, chromedp.WithTargetID(id), chromedp.WithDetachOnCancel(), chromedp.WithListener(t.childEvent))
	// The first Do attaches, and the attachment lives as long as the
	// context of that Do: no deadline of its own, a timer instead.
	timer := time.AfterFunc(5*time.Second, c.cancel)
	err := chromedp.Do(c.ctx, installModules(t.mods()))
	timer.Stop()
	if err != nil {
		c.cancel()
		t.mu.Lock()
		if t.children[id] == c {
			delete(t.children, id)
		}
		t.mu.Unlock()
	}
}

func (t *Tab) detach(id target.ID) {
	if id == "" {
		return
	}
	t.mu.Lock()
	c := t.children[id]
	delete(t.children, id)
	delete(t.frames, cdp.FrameID(id))
	t.mu.Unlock()
	if c != nil && c.cancel != nil {
		c.cancel()
	}
}

// Main is the tab's top document.
func (t *Tab) Main() *Frame {
	c := chromedp.FromContext(t.ctx)
	id := cdp.FrameID(c.Target.TargetID)
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.frames[id]
	if f == nil {
		f = &Frame{tab: t, target: t.ctx, id: id}
		t.frames[id] = f
	}
	return f
}

// frame returns a known frame by id.
func (t *Tab) frame(id cdp.FrameID) *Frame {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.frames[id]
}

// Frames lists the tab's documents: the main frame first, then every
// iframe, in the tab's process or in a child target of its own.
func (t *Tab) Frames(ctx context.Context) ([]*Frame, error) {
	main := t.Main()
	out := []*Frame{main}
	seen := map[cdp.FrameID]bool{main.id: true}
	t.mu.Lock()
	kids := make([]*child, 0, len(t.children))
	for _, c := range t.children {
		if c.ctx != nil {
			kids = append(kids, c)
		}
	}
	t.mu.Unlock()
	roots := []struct {
		ctx    context.Context
		remote bool
	}{{t.ctx, false}}
	for _, c := range kids {
		roots = append(roots, struct {
			ctx    context.Context
			remote bool
		}{c.ctx, true})
	}
	for i, r := range roots {
		cctx, cancel := context.WithTimeout(r.ctx, callTimeout)
		stop := context.AfterFunc(ctx, cancel)
		res, err := chromedp.Call(cctx, page.GetFrameTree, cdp.Empty{})
		stop()
		cancel()
		if err != nil {
			if i == 0 {
				return out, err
			}
			continue // a child target that went away
		}
		var walk func(n *page.FrameTree, root bool)
		walk = func(n *page.FrameTree, root bool) {
			if n == nil || n.Frame == nil {
				return
			}
			f := t.track(r.ctx, n.Frame, r.remote && root)
			if !seen[f.id] {
				seen[f.id] = true
				out = append(out, f)
			}
			for _, c := range n.ChildFrames {
				walk(c, false)
			}
		}
		walk(res.FrameTree, true)
	}
	return out, nil
}

// track records a frame as the frame tree reports it.
func (t *Tab) track(tctx context.Context, pf *cdp.Frame, remote bool) *Frame {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.frames[pf.ID]
	if f == nil {
		f = &Frame{tab: t, id: pf.ID}
		t.frames[pf.ID] = f
	}
	f.mu.Lock()
	if f.target != tctx {
		f.world = 0
	}
	f.target, f.parent, f.url = tctx, pf.ParentID, pf.URL+pf.URLFragment
	if remote {
		f.remote = true
	}
	f.mu.Unlock()
	return f
}

// Bound derives a context for actions on the tab that also ends when ctx
// ends or after d (no limit when d <= 0).
func (t *Tab) Bound(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	var bctx context.Context
	var cancel context.CancelFunc
	if d > 0 {
		bctx, cancel = context.WithTimeout(t.ctx, d)
	} else {
		bctx, cancel = context.WithCancel(t.ctx)
	}
	stop := context.AfterFunc(ctx, cancel)
	return bctx, func() { stop(); cancel() }
}

// StayOn keeps the tab's top document on the hosts ok accepts: a
// navigation of it elsewhere (a link, a form, a script) is answered by the
// tab itself with "204 No Content", so the browser stays where it was and
// the other site is never asked; Leaving lists what was refused. Frames
// inside the page (a chat vendor's iframe) are not concerned.
func (t *Tab) StayOn(ok func(host string) bool) {
	t.mu.Lock()
	t.stayOn = ok
	t.mu.Unlock()
}

// AllowPosts lets the tab send forms from now on: only a tab of its own
// that a configured submission opened calls it.
func (t *Tab) AllowPosts() {
	t.mu.Lock()
	t.allowPosts = true
	t.mu.Unlock()
}

// Navigate opens url and returns once the document committed, with the
// error text of a failed navigation ("" when it committed) and the time the
// navigation was sent.
func (t *Tab) Navigate(ctx context.Context, url string, d time.Duration) (errText string, navStart time.Time, err error) {
	nctx, cancel := t.Bound(ctx, d)
	defer cancel()
	navStart = time.Now()
	res, err := chromedp.Call(nctx, page.Navigate, page.NavigateParams{URL: url})
	if err != nil {
		return "", navStart, err
	}
	return res.ErrorText, navStart, nil
}

// OnNewDocument runs script in every document the tab opens, before the
// page's own scripts, in the page's own world.
func (t *Tab) OnNewDocument(ctx context.Context, script string) error {
	bctx, cancel := t.Bound(ctx, 5*time.Second)
	defer cancel()
	_, err := chromedp.Call(bctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script})
	return err
}

// Close closes the tab.
func (t *Tab) Close() {
	t.mu.Lock()
	t.closed = true
	kids := t.children
	t.children = map[target.ID]*child{}
	relays := t.relays
	t.relays = map[target.SessionID]*relay{}
	t.mu.Unlock()
	for _, r := range relays {
		r.close()
	}
	for _, c := range kids {
		if c.cancel != nil {
			c.cancel()
		}
	}
	t.cancel()
}

// OpenTab opens another tab in the session's incognito context: the same
// visitor (cookies, User-Agent, marker, modules); Close it.
func (s *Session) OpenTab(ctx context.Context) (*Tab, error) {
	t := newTab(s.in.sup.opts.UserAgentMarker, s.modules, s.tab.presentation())
	t.ctx, t.cancel = chromedp.NewContext(s.ctx, chromedp.WithListener(t.onEvent))
	stop := context.AfterFunc(ctx, t.cancel)
	defer stop()
	if err := chromedp.Do(t.ctx, prepareTab(t.pres), t.pres.throttle(), installModules(t.mods())); err != nil {
		t.cancel()
		if isBrowserGone(err) || s.ctx.Err() != nil {
			return nil, fmt.Errorf("%w: %v", ErrMonitor, err)
		}
		return nil, err
	}
	return t, nil
}

// releaseCPU ends the CPU slowdown of a tab whose visit is over, on its
// renderer and its cross-site iframes'. Chromium slows a renderer by making
// its main thread spin, busy or idle, three quarters of the time at 4x: a
// closed visit waiting to be disposed (up to disposeWait) would burn most
// of a core per renderer for nothing.
func (t *Tab) releaseCPU() {
	if t.presentation().cpu <= 1 {
		return
	}
	ctx, cancel := context.WithTimeout(t.ctx, time.Second)
	defer cancel()
	off := emulation.SetCPUThrottlingRateParams{Rate: 1}
	_, _ = chromedp.Call(ctx, emulation.SetCPUThrottlingRate, off)
	t.mu.Lock()
	var frames []*relay
	for _, r := range t.relays {
		if r.kind == "iframe" {
			frames = append(frames, r)
		}
	}
	t.mu.Unlock()
	for _, r := range frames {
		_, _ = cdp.Call(ctx, r, emulation.SetCPUThrottlingRate, off)
	}
}

// mods is the tab's module list.
func (t *Tab) mods() []Module {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Module(nil), t.modules...)
}

// addModules adds modules the tab's documents get (a visit's checks are
// known only when it starts; a spare tab was made before).
func (t *Tab) addModules(mods []Module) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, m := range mods {
		dup := false
		for _, have := range t.modules {
			dup = dup || have.Name == m.Name
		}
		if !dup {
			t.modules = append(t.modules, m)
		}
	}
}

// ownWorld tells whether an execution context is one of the tab's isolated
// worlds (the modules'): their messages are not the page's.
func (t *Tab) ownWorld(id runtime.ExecutionContextID) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, f := range t.frames {
		f.mu.Lock()
		w := f.world
		f.mu.Unlock()
		if w == id {
			return true
		}
	}
	return false
}

// presentation is how the tab presents (guarded: a profile may change it
// before the navigation while child targets attach).
func (t *Tab) presentation() presentation {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pres
}

// setPresentation makes pres the tab's: its touch input and what its new
// child targets take.
func (t *Tab) setPresentation(pres presentation) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pres, t.touch = pres, pres.touch
}

// size is the tab's viewport in CSS pixels.
func (t *Tab) size() (int64, int64) {
	p := t.presentation()
	return p.width, p.height
}
