package browser

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// The targets a tab's documents start — cross-site iframes, dedicated and
// service workers — are paused when they attach (Target.setAutoAttach with
// waitForDebuggerOnStart), and run only once the visitor's network, CPU and
// User-Agent apply to them and their requests are being recorded: unpaused,
// a chat vendor's iframe fetched its first scripts on the desktop's network,
// unseen, before the probe reached it.
//
// chromedp keeps no executor for auto-attached sessions, and cannot attach
// one of its own to a target that has no document yet. So they are driven as
// the protocol did before flat sessions: the parent attaches them non-flat,
// commands go through Target.sendMessageToTarget on the parent's session,
// and replies and events come back as Target.receivedMessageFromTarget. The
// relay stays the target's source of network events for its whole life
// (its flat session, for frames and hands, leaves them out: see childEvent).

// sendMessageToTarget is Target.sendMessageToTarget, which cdproto no
// longer lists (the protocol keeps it for non-flat sessions).
var sendMessageToTarget = cdp.Command[sendMessageToTargetParams, cdp.Empty]{Method: "Target.sendMessageToTarget"}

type sendMessageToTargetParams struct {
	Message   string           `json:"message"`
	SessionID target.SessionID `json:"sessionId"`
}

// setNetworkUserAgent is Network.setUserAgentOverride, the User-Agent
// override a worker takes (it has no Emulation domain).
var setNetworkUserAgent = cdp.Command[userAgentParams, cdp.Empty]{Method: "Network.setUserAgentOverride"}

type userAgentParams struct {
	UserAgent      string `json:"userAgent"`
	AcceptLanguage string `json:"acceptLanguage,omitempty"`
}

// runIfWaitingForDebugger is Runtime.runIfWaitingForDebugger: on the
// session that auto-attached a paused target, it lets the target run.
var runIfWaitingForDebugger = cdp.Command[cdp.Empty, cdp.Empty]{Method: runtime.CommandRunIfWaitingForDebugger}

// pauseChildren has s auto-attach the targets its documents start, paused,
// through its own session (not flat). chromedp turned auto-attach on flat;
// the mode changes only while it is off, and no child exists yet.
func pauseChildren(ctx context.Context, s cdp.Session, wasOn bool) error {
	if wasOn {
		if _, err := cdp.Call(ctx, s, target.SetAutoAttach, target.SetAutoAttachParams{AutoAttach: false, Flatten: new(true)}); err != nil {
			return err
		}
	}
	_, err := cdp.Call(ctx, s, target.SetAutoAttach, target.SetAutoAttachParams{AutoAttach: true, WaitForDebuggerOnStart: true, Flatten: new(false)})
	return err
}

// relay is a session with a target auto-attached to a parent session; it
// satisfies cdp.Session for commands (its events go to the tab's listeners).
type relay struct {
	parent   cdp.Session
	id       target.SessionID
	targetID target.ID
	kind     string // the target's type: iframe, worker, service_worker, …

	mu      sync.Mutex
	next    int64
	pending map[int64]chan *cdproto.Message
	closed  bool
}

var errRelayClosed = errors.New("target detached")

func newRelay(parent cdp.Session, id target.SessionID, targetID target.ID, kind string) *relay {
	return &relay{parent: parent, id: id, targetID: targetID, kind: kind, pending: map[int64]chan *cdproto.Message{}}
}

// Call sends a command to the target through its parent and waits for the
// reply.
func (r *relay) Call(ctx context.Context, method string, params, result any) error {
	if params == nil {
		params = cdp.Empty{}
	}
	raw, err := jsonv2.Marshal(params, chromedp.DefaultMarshalOptions)
	if err != nil {
		return err
	}
	ch := make(chan *cdproto.Message, 1)
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return errRelayClosed
	}
	r.next++
	id := r.next
	r.pending[id] = ch
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.pending, id)
		r.mu.Unlock()
	}()
	msg := `{"id":` + strconv.FormatInt(id, 10) + `,"method":` + strconv.Quote(method) + `,"params":` + string(raw) + `}`
	if _, err := cdp.Call(ctx, r.parent, sendMessageToTarget, sendMessageToTargetParams{Message: msg, SessionID: r.id}); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case m := <-ch:
		switch {
		case m == nil:
			return errRelayClosed
		case m.Error != nil:
			return m.Error
		case result != nil && len(m.Result) > 0:
			return jsonv2.Unmarshal(m.Result, result, chromedp.DefaultUnmarshalOptions)
		}
		return nil
	}
}

// Subscribe is not offered: a relay's events go to the tab's listeners.
func (r *relay) Subscribe(string) (<-chan jsonv2.Value, func()) {
	ch := make(chan jsonv2.Value)
	close(ch)
	return ch, func() {}
}

// deliver takes a message the target sent: a reply goes to its caller, an
// event is decoded and returned (nil for a reply or what does not decode).
func (r *relay) deliver(message string) any {
	m := new(cdproto.Message)
	if err := jsonv2.Unmarshal([]byte(message), m, chromedp.DefaultUnmarshalOptions); err != nil {
		return nil
	}
	if m.ID != 0 {
		r.mu.Lock()
		ch := r.pending[m.ID]
		r.mu.Unlock()
		if ch != nil {
			select {
			case ch <- m:
			default: // answered already (cannot happen; never block the read loop)
			}
		}
		return nil
	}
	if m.Method == "" {
		return nil
	}
	ev, err := cdproto.UnmarshalMessage(m, chromedp.DefaultUnmarshalOptions)
	if err != nil {
		return nil
	}
	return ev
}

// background tells whether the target works apart from any page: a
// service or shared worker.
func (r *relay) background() bool { return r.kind == "service_worker" || r.kind == "shared_worker" }

// close ends the relay: waiting calls return.
func (r *relay) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.closed = true
	for id, ch := range r.pending {
		select {
		case ch <- nil:
		default: // its reply is waiting to be read
		}
		delete(r.pending, id)
	}
}

// relaySetupTimeout bounds the set-up of a paused target: past it, the
// target runs as it is (a page must never hang on the probe).
const relaySetupTimeout = 5 * time.Second

// start sets a paused target up as the visitor's — its requests recorded,
// the profile's network (and, for a frame, CPU and User-Agent), its own
// children paused in turn — then lets it run. Whatever fails, it runs.
func (r *relay) start(ctx context.Context, pres presentation) error {
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), relaySetupTimeout)
		defer cancel()
		_, _ = cdp.Call(rctx, r, runIfWaitingForDebugger, cdp.Empty{})
	}()
	ctx, cancel := context.WithTimeout(ctx, relaySetupTimeout)
	defer cancel()
	switch r.kind {
	case "iframe":
		if _, err := cdp.Call(ctx, r, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if err := pres.presentFrame(ctx, r); err != nil {
			return err
		}
		if err := pres.throttleOn(ctx, r, true); err != nil {
			return err
		}
		return pauseChildren(ctx, r, false)
	case "worker", "shared_worker", "service_worker":
		if _, err := cdp.Call(ctx, r, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		ua := pres.userAgentOverride()
		if _, err := cdp.Call(ctx, r, setNetworkUserAgent, userAgentParams{UserAgent: ua.UserAgent, AcceptLanguage: ua.AcceptLanguage}); err != nil {
			return err
		}
		// A dedicated worker's requests take its page's network conditions
		// (the command is "not supported" on it); the others need their own.
		if r.kind != "worker" {
			return pres.throttleOn(ctx, r, false)
		}
	}
	return nil
}
