package browser

import (
	"context"
	"net/url"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// RefusedPost is a document POST (a form being sent) that a tab answered
// itself with "204 No Content" because it may not send forms (see
// passDocument): the site never saw it.
type RefusedPost struct {
	URL string
	At  time.Time
}

// maxRefused bounds the record of one tab.
const maxRefused = 20

// RefusedPosts lists the document POSTs the tab refused so far, oldest
// first: the network guard's record, for the visit's log and the tests.
func (t *Tab) RefusedPosts() []RefusedPost {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]RefusedPost(nil), t.refused...)
}

// noteRefusedLocked records a paused document request that passDocument
// will refuse. t.mu is held.
func (t *Tab) noteRefusedLocked(e *fetch.EventRequestPaused, allowPosts bool) {
	if e.Request == nil || e.Request.Method != "POST" || allowPosts || len(t.refused) >= maxRefused {
		return
	}
	t.refused = append(t.refused, RefusedPost{URL: e.Request.URL, At: time.Now()})
}

// Leaving lists the URLs of the top-document navigations StayOn refused,
// oldest first.
func (t *Tab) Leaving() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.leaving...)
}

// leavesLocked says whether a paused document request would take the
// tab's top document off the hosts StayOn allows, and records it. t.mu is
// held.
func (t *Tab) leavesLocked(e *fetch.EventRequestPaused) bool {
	if t.stayOn == nil || e.Request == nil {
		return false
	}
	if c := chromedp.FromContext(t.ctx); c == nil || c.Target == nil || e.FrameID != cdp.FrameID(c.Target.TargetID) {
		return false // not the top document
	}
	u, err := url.Parse(e.Request.URL)
	if err != nil || t.stayOn(u.Hostname()) {
		return false
	}
	if len(t.leaving) < maxRefused {
		t.leaving = append(t.leaving, e.Request.URL)
	}
	return true
}

// refuseDocument answers a paused document request with "204 No Content":
// the browser stays on its page and the request goes nowhere.
func refuseDocument(tab context.Context, e *fetch.EventRequestPaused) {
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: e.RequestID, ResponseCode: 204})
}
