package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Frame is one document of a tab: the main frame or an iframe, in the
// tab's process or (a cross-site iframe) in a process and a CDP target of
// its own. Checks reach every frame the same way: Call runs a module
// function in it, Find locates an element in it.
type Frame struct {
	tab    *Tab
	target context.Context // chromedp context of the target holding the frame
	id     cdp.FrameID

	mu     sync.Mutex
	parent cdp.FrameID // "" for the main frame
	url    string
	remote bool // the root of a child target: another process
	world  runtime.ExecutionContextID
}

// ID is the frame's CDP id.
func (f *Frame) ID() string { return string(f.id) }

// URL is the frame's address when the frames were last listed.
func (f *Frame) URL() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.url
}

// IsMain says whether this is the tab's top document.
func (f *Frame) IsMain() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.parent == ""
}

// CrossProcess says whether the frame lives in a process of its own (a
// cross-site iframe).
func (f *Frame) CrossProcess() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.remote
}

// callTimeout bounds one call when the caller's context has no earlier end.
const callTimeout = 3 * time.Second

// ErrGone means the frame's document went away (navigated or removed).
var ErrGone = errors.New("the frame's document went away")

// Call runs fn ("module.function") with arg (any JSON value) in the frame's
// isolated world and decodes the result into out (nil: ignored). A
// promise is awaited.
func (f *Frame) Call(ctx context.Context, fn string, arg any, out any) error {
	module, name, ok := strings.Cut(fn, ".")
	if !ok {
		return fmt.Errorf("call %q: want module.function", fn)
	}
	argJSON, err := json.Marshal(arg)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		raw, err := f.callOnce(ctx, module, name, argJSON)
		switch {
		case err == nil && isMissing(raw):
			if attempt > 1 {
				return fmt.Errorf("call %s: module %s could not be installed", fn, module)
			}
			if err := f.install(ctx); err != nil {
				return err
			}
			continue
		case err == nil:
			if out == nil || len(raw) == 0 {
				return nil
			}
			return json.Unmarshal(raw, out)
		case staleContext(err) && attempt < 2 && ctx.Err() == nil:
			f.forgetWorld()
			continue
		case staleContext(err):
			return fmt.Errorf("call %s: %w", fn, ErrGone)
		}
		return fmt.Errorf("call %s: %w", fn, err)
	}
}

func isMissing(raw []byte) bool {
	return len(raw) > 0 && raw[0] == '{' && strings.Contains(string(raw), `"__tpMissing":true`)
}

// staleContext: the world's document is gone (a navigation, a removed
// iframe); the frame's new document gets a new world.
func staleContext(err error) bool {
	s := err.Error()
	return strings.Contains(s, "Cannot find context") || strings.Contains(s, "context was destroyed") ||
		strings.Contains(s, "No frame") || strings.Contains(s, "Frame with the given id was not found") ||
		strings.Contains(s, "Cannot find default execution context")
}

func (f *Frame) callOnce(ctx context.Context, module, name string, arg []byte) ([]byte, error) {
	w, err := f.worldID(ctx)
	if err != nil {
		return nil, err
	}
	cctx, cancel := f.bound(ctx)
	defer cancel()
	res, err := chromedp.Call(cctx, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
		FunctionDeclaration: callModule,
		ExecutionContextID:  w,
		Arguments:           []*runtime.CallArgument{{Value: quoteJSON(module)}, {Value: quoteJSON(name)}, {Value: arg}},
		ReturnByValue:       new(true),
		AwaitPromise:        new(true),
		Silent:              new(true),
	})
	if err != nil {
		return nil, err
	}
	if ex := res.ExceptionDetails; ex != nil {
		return nil, exceptionError(ex)
	}
	if res.Result == nil {
		return nil, nil
	}
	return res.Result.Value, nil
}

func exceptionError(ex *runtime.ExceptionDetails) error {
	msg := ex.Text
	if ex.Exception != nil && ex.Exception.Description != "" {
		msg = ex.Exception.Description
		if i := strings.IndexByte(msg, '\n'); i > 0 {
			msg = msg[:i]
		}
	}
	return fmt.Errorf("script error: %s", msg)
}

func quoteJSON(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// bound derives a context on the frame's target that ends with ctx or
// after callTimeout.
func (f *Frame) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	d := callTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		d = time.Until(dl)
	}
	cctx, cancel := context.WithTimeout(f.target, d)
	stop := context.AfterFunc(ctx, cancel)
	return cctx, func() { stop(); cancel() }
}

// worldID is the frame's isolated world (made once per document).
func (f *Frame) worldID(ctx context.Context) (runtime.ExecutionContextID, error) {
	f.mu.Lock()
	w := f.world
	f.mu.Unlock()
	if w != 0 {
		return w, nil
	}
	cctx, cancel := f.bound(ctx)
	defer cancel()
	res, err := chromedp.Call(cctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: f.id, WorldName: worldName})
	if err != nil {
		if staleContext(err) {
			return 0, ErrGone
		}
		return 0, err
	}
	f.mu.Lock()
	f.world = res.ExecutionContextID
	f.mu.Unlock()
	return res.ExecutionContextID, nil
}

func (f *Frame) forgetWorld() {
	f.mu.Lock()
	f.world = 0
	f.mu.Unlock()
}

// install evaluates the module bundle in the frame's world (a document
// that began before the tab had its start script, or a child target
// attached late).
func (f *Frame) install(ctx context.Context) error {
	w, err := f.worldID(ctx)
	if err != nil {
		return err
	}
	cctx, cancel := f.bound(ctx)
	defer cancel()
	res, err := chromedp.Call(cctx, runtime.Evaluate, runtime.EvaluateParams{
		Expression: bundle(f.tab.mods()), ContextID: w, ReturnByValue: new(true), Silent: new(true),
	})
	if err != nil {
		return err
	}
	if res.ExceptionDetails != nil {
		return exceptionError(res.ExceptionDetails)
	}
	return nil
}

// ownerCall runs a hands function on the <iframe> element that holds f, in
// the parent frame's world: its box and what covers it there.
func (f *Frame) ownerCall(ctx context.Context, fn string, arg any, out any) error {
	f.mu.Lock()
	parentID := f.parent
	f.mu.Unlock()
	parent := f.tab.frame(parentID)
	if parent == nil {
		return fmt.Errorf("the frame's parent %s is not known", parentID)
	}
	w, err := parent.worldID(ctx)
	if err != nil {
		return err
	}
	cctx, cancel := parent.bound(ctx)
	defer cancel()
	own, err := chromedp.Call(cctx, dom.GetFrameOwner, dom.GetFrameOwnerParams{FrameID: f.id})
	if err != nil {
		return fmt.Errorf("the frame's owner element: %w", err)
	}
	obj, err := chromedp.Call(cctx, dom.ResolveNode, dom.ResolveNodeParams{BackendNodeID: own.BackendNodeID, ExecutionContextID: w})
	if err != nil || obj.Object == nil {
		return fmt.Errorf("the frame's owner element: %v", err)
	}
	defer chromedp.Call(cctx, runtime.ReleaseObject, runtime.ReleaseObjectParams{ObjectID: obj.Object.ObjectID})
	argJSON, err := json.Marshal(arg)
	if err != nil {
		return err
	}
	res, err := chromedp.Call(cctx, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
		FunctionDeclaration: `function (fn, arg) { const h = globalThis.__tp && globalThis.__tp.hands; if (!h) return {__tpMissing: true}; return h[fn](this, arg); }`,
		ObjectID:            obj.Object.ObjectID,
		Arguments:           []*runtime.CallArgument{{Value: quoteJSON(fn)}, {Value: argJSON}},
		ReturnByValue:       new(true),
		Silent:              new(true),
	})
	if err != nil {
		return err
	}
	if res.ExceptionDetails != nil {
		return exceptionError(res.ExceptionDetails)
	}
	if res.Result == nil {
		return nil
	}
	if isMissing(res.Result.Value) {
		if err := parent.install(ctx); err != nil {
			return err
		}
		return f.ownerCall(ctx, fn, arg, out)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(res.Result.Value, out)
}

// parentFrame is the frame holding f's <iframe> (nil for the main frame).
func (f *Frame) parentFrame() *Frame {
	f.mu.Lock()
	p := f.parent
	f.mu.Unlock()
	if p == "" {
		return nil
	}
	return f.tab.frame(p)
}
