package checks

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

//go:embed chat_widget.js
var chatWidgetJS string

// realm is one document the chat may live in: the landing page, an iframe
// in the page's process, or an out-of-process iframe (a cross-site iframe,
// its own CDP target). The helper script runs in an isolated world of it.
type realm struct {
	name     string          // "page", or the frame's URL
	ctx      context.Context // chromedp context of the target that holds it
	world    runtime.ExecutionContextID
	frame    cdp.FrameID
	framed   bool   // an iframe
	oopif    bool   // in a process (and target) of its own
	chatty   bool   // the iframe speaks of chat (or is the configured one)
	frameSel string // selector of the iframe element in the page
	cancel   context.CancelFunc
}

// eval runs fn (a method of the helper) with args in the realm.
func (r *realm) eval(ctx context.Context, d time.Duration, fn string, out any, args ...any) error {
	if args == nil {
		args = []any{}
	}
	js, err := json.Marshal(args)
	if err != nil {
		return err
	}
	expr := fmt.Sprintf(`(() => { const C = globalThis.__touchprobeChat || (globalThis.__touchprobeChat = %s); return C.%s(...%s); })()`, chatWidgetJS, fn, js)
	return r.run(ctx, d, expr, out)
}

// run evaluates a script in the realm's world; out (if not nil) gets its
// JSON result.
func (r *realm) run(ctx context.Context, d time.Duration, expr string, out any) error {
	ectx, cancel := context.WithTimeout(r.ctx, d)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	v, err := chromedp.Run(ectx, chromedp.Evaluate[json.RawMessage](expr, func(p *runtime.EvaluateParams) { p.ContextID = r.world }))
	if err != nil {
		return err
	}
	if out != nil {
		return json.Unmarshal(v, out)
	}
	return nil
}

// frameInfo is an iframe of the page as the helper sees it.
type frameInfo struct {
	I      int    `json:"i"`
	Src    string `json:"src"`
	Shown  bool   `json:"shown"`
	Chatty bool   `json:"chatty"`
	Corner bool   `json:"corner"`
	Path   string `json:"path"`
}

// realms finds and keeps the documents of a visit the chat may be in.
type realms struct {
	pg    *Page
	tab   context.Context // the tab, for the whole check
	mu    sync.Mutex
	page  *realm
	byID  map[cdp.FrameID]*realm
	tried map[cdp.FrameID]int
}

func newRealms(tab context.Context, pg *Page) *realms {
	return &realms{pg: pg, tab: tab, byID: map[cdp.FrameID]*realm{}, tried: map[cdp.FrameID]int{}}
}

func (rs *realms) close() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, r := range rs.byID {
		if r.cancel != nil {
			r.cancel()
		}
	}
}

// stop ends the helper's watching in every document.
func (rs *realms) stop(ctx context.Context) {
	rs.mu.Lock()
	list := []*realm{}
	if rs.page != nil {
		list = append(list, rs.page)
	}
	for _, r := range rs.byID {
		list = append(list, r)
	}
	rs.mu.Unlock()
	for _, r := range list {
		_ = r.eval(ctx, time.Second, "stop", nil)
	}
}

// isolated creates the helper's world in frame of the target of tctx.
func isolated(ctx context.Context, tctx context.Context, frame cdp.FrameID) (runtime.ExecutionContextID, error) {
	cctx, cancel := context.WithTimeout(tctx, 2*time.Second)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	res, err := chromedp.Call(cctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: frame, WorldName: "touchprobe-chat"})
	if err != nil {
		return 0, err
	}
	return res.ExecutionContextID, nil
}

// main is the landing page's realm.
func (rs *realms) main(ctx context.Context) (*realm, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.page != nil {
		return rs.page, nil
	}
	c := chromedp.FromContext(rs.tab)
	if c == nil || c.Target == nil {
		return nil, errors.New("no tab")
	}
	frame := cdp.FrameID(c.Target.TargetID)
	w, err := isolated(ctx, rs.tab, frame)
	if err != nil {
		return nil, err
	}
	rs.page = &realm{name: "page", ctx: rs.tab, world: w, frame: frame}
	return rs.page, nil
}

// forget drops a realm whose document went away (it is found again).
func (rs *realms) forget(r *realm) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if r == rs.page {
		rs.page = nil
		return
	}
	if rs.byID[r.frame] == r {
		delete(rs.byID, r.frame)
		if r.cancel != nil {
			r.cancel()
		}
	}
}

// frames returns the realms of the page's iframes that may hold the chat,
// likeliest first: chatty ones, then those fixed in a bottom corner.
func (rs *realms) frames(ctx context.Context, main *realm, spec ChatSpec) []*realm {
	var infos []frameInfo
	// A consent banner's iframe is no chat: clicking about in it would
	// choose for the visitor.
	if err := main.eval(ctx, 2*time.Second, "frames", &infos, map[string]any{"frame": spec.Frame, "skip": consentFrameSelector}); err != nil {
		rs.pg.Logf("chat: listing iframes: %v", err)
		return nil
	}
	var out, later []*realm
	for _, fi := range infos {
		if !fi.Chatty && !fi.Corner && spec.Frame == "" {
			continue // an ad or a video is no chat
		}
		r := rs.frameRealm(ctx, main, fi)
		if r == nil {
			continue
		}
		r.chatty = fi.Chatty
		if fi.Chatty {
			out = append(out, r)
		} else {
			later = append(later, r)
		}
	}
	return append(out, later...)
}

// frameRealm finds (or makes) the realm of one iframe of the page.
func (rs *realms) frameRealm(ctx context.Context, main *realm, fi frameInfo) *realm {
	frame, err := frameIDOf(ctx, main, fi.I)
	if err != nil || frame == "" {
		return nil
	}
	rs.mu.Lock()
	if r, ok := rs.byID[frame]; ok {
		rs.mu.Unlock()
		return r
	}
	if rs.tried[frame] > 20 {
		rs.mu.Unlock()
		return nil
	}
	rs.tried[frame]++
	rs.mu.Unlock()

	r := &realm{name: fi.Src, frame: frame, framed: true, frameSel: fi.Path}
	if w, err := isolated(ctx, rs.tab, frame); err == nil {
		r.ctx, r.world = rs.tab, w
	} else if fctx, cancel, ok := rs.attach(ctx, target.ID(frame)); ok {
		// A cross-site iframe: its own target; the frame ID is the target ID.
		w, err := isolated(ctx, fctx, frame)
		if err != nil {
			cancel()
			rs.pg.Logf("chat: world in out-of-process frame %s: %v", fi.Src, err)
			return nil
		}
		r.ctx, r.world, r.oopif, r.cancel = fctx, w, true, cancel
	} else {
		rs.pg.Logf("chat: frame %s not reachable yet: %v", fi.Src, err)
		return nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if old, ok := rs.byID[frame]; ok { // another caller was quicker
		if r.cancel != nil {
			r.cancel()
		}
		return old
	}
	rs.byID[frame] = r
	rs.pg.Logf("chat: looking into iframe %s (out of process: %v)", fi.Src, r.oopif)
	return r
}

// attach gives a chromedp context on the out-of-process iframe id, if the
// browser lists it as a target of this visit.
func (rs *realms) attach(ctx context.Context, id target.ID) (context.Context, context.CancelFunc, bool) {
	lctx, lcancel := context.WithTimeout(rs.tab, 2*time.Second)
	defer lcancel()
	infos, err := chromedp.Targets(lctx)
	if err != nil {
		return nil, nil, false
	}
	for _, in := range infos {
		if in.TargetID != id || in.Type != "iframe" {
			continue
		}
		// Detach on cancel: closing the iframe's target is not ours to do.
		fctx, cancel := chromedp.NewContext(rs.tab, chromedp.WithTargetID(id), chromedp.WithDetachOnCancel())
		// The first Do attaches, and the attachment lives as long as the
		// context of that Do: no deadline of its own, a timer instead.
		timer := time.AfterFunc(3*time.Second, cancel)
		stop := context.AfterFunc(ctx, cancel)
		err := chromedp.Do(fctx)
		timer.Stop()
		stop()
		if err != nil {
			cancel()
			rs.pg.Logf("chat: attaching to frame target: %v", err)
			return nil, nil, false
		}
		return fctx, cancel, true
	}
	return nil, nil, false
}

// frameIDOf returns the frame ID of the i-th iframe the helper listed.
func frameIDOf(ctx context.Context, main *realm, i int) (cdp.FrameID, error) {
	ectx, cancel := context.WithTimeout(main.ctx, 2*time.Second)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	obj, err := chromedp.Run(ectx, chromedp.Evaluate[*runtime.RemoteObject](
		fmt.Sprintf(`globalThis.__touchprobeChat.frameEl(%d)`, i), func(p *runtime.EvaluateParams) { p.ContextID = main.world }))
	if err != nil || obj == nil || obj.ObjectID == "" {
		return "", fmt.Errorf("iframe %d: %v", i, err)
	}
	defer chromedp.Call(ectx, runtime.ReleaseObject, runtime.ReleaseObjectParams{ObjectID: obj.ObjectID})
	res, err := chromedp.Call(ectx, dom.DescribeNode, dom.DescribeNodeParams{ObjectID: obj.ObjectID})
	if err != nil || res.Node == nil {
		return "", err
	}
	return res.Node.FrameID, nil
}
