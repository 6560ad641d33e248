package browser

import (
	"time"

	"github.com/chromedp/cdproto/fetch"
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
