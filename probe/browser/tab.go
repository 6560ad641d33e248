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
	"github.com/chromedp/chromedp"
)

// prepareTab gives a tab the visitor's User-Agent, and pauses
// its document requests (pages and iframes only, so the page's own requests
// are untouched) for passDocument.
func prepareTab(userAgent string) chromedp.Action[struct{}] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: userAgent}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{
			URLPattern: "*", ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageRequest,
		}}}); err != nil {
			return err
		}
		return nil
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
		_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: e.RequestID, ResponseCode: 204})
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

// Tab is another tab of a visit's incognito context: the visitor who
// follows the contact link. It shares cookies (and so the consent choice)
// with the landing page and carries the same User-Agent and marker; the
// landing page's own observation is left undisturbed.
type Tab struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu         sync.Mutex
	allowPosts bool
}

// OpenTab opens a tab in the session's incognito context; Close it.
func (s *Session) OpenTab(ctx context.Context) (*Tab, error) {
	t := &Tab{}
	marker := s.in.sup.opts.UserAgentMarker
	t.ctx, t.cancel = chromedp.NewContext(s.ctx, chromedp.WithListener(func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			t.mu.Lock()
			allow := t.allowPosts
			t.mu.Unlock()
			go passDocument(t.ctx, e, marker, allow)
		}
	}))
	stop := context.AfterFunc(ctx, t.cancel)
	defer stop()
	if err := chromedp.Do(t.ctx, prepareTab(s.in.userAgent), chromedp.EmulateViewport(ViewportWidth, ViewportHeight)); err != nil {
		t.cancel()
		if isBrowserGone(err) || s.ctx.Err() != nil {
			return nil, fmt.Errorf("%w: %v", ErrMonitor, err)
		}
		return nil, err
	}
	return t, nil
}

// Bound derives a context for actions on the tab that also ends when ctx
// ends or after d.
func (t *Tab) Bound(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	bctx, cancel := context.WithTimeout(t.ctx, d)
	stop := context.AfterFunc(ctx, cancel)
	return bctx, func() { stop(); cancel() }
}

// AllowPosts lets the tab send forms from now on.
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
// page's own scripts.
func (t *Tab) OnNewDocument(ctx context.Context, script string) error {
	bctx, cancel := t.Bound(ctx, 5*time.Second)
	defer cancel()
	_, err := chromedp.Call(bctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script})
	return err
}

// Close closes the tab.
func (t *Tab) Close() { t.cancel() }
