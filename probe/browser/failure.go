package browser

import (
	"errors"
	"strings"

	"github.com/chromedp/chromedp"
)

// Failure names why a page could not be visited. The values are the page-level
// part of the closed `reason` label set in docs/design.md; checks adds the
// touchpoint reasons.
type Failure string

const (
	FailNone         Failure = ""
	FailDNS          Failure = "dns"
	FailConnect      Failure = "connect"
	FailTLS          Failure = "tls"
	FailHTTPStatus   Failure = "http_status"
	FailRedirectLoop Failure = "redirect_loop"
	FailTimeout      Failure = "timeout"
	FailDialog       Failure = "dialog"
	FailNavLoop      Failure = "navigation_loop"
	FailDownload     Failure = "download"
	FailBlocked      Failure = "blocked"
	// FailBrowserCrash is a renderer crash caused by the page: the page's
	// failure. A dying browser process is FailInternal.
	FailBrowserCrash Failure = "browser_crash"
	// FailInternal means the monitor broke, not the site.
	FailInternal Failure = "internal"
)

// classifyNetError maps Chromium's net::ERR_* text to a Failure.
func classifyNetError(text string) Failure {
	switch {
	case text == "":
		return FailNone
	case strings.Contains(text, "NAME_NOT_RESOLVED"), strings.Contains(text, "NAME_RESOLUTION_FAILED"),
		strings.Contains(text, "DNS_"):
		return FailDNS
	case strings.Contains(text, "TOO_MANY_REDIRECTS"):
		return FailRedirectLoop
	case strings.Contains(text, "CERT_"), strings.Contains(text, "SSL_"), strings.Contains(text, "TLS"):
		return FailTLS
	case strings.Contains(text, "TIMED_OUT"):
		return FailTimeout
	case strings.Contains(text, "BLOCKED_BY_CLIENT"), strings.Contains(text, "BLOCKED_BY_ADMINISTRATOR"):
		return FailBlocked
	case strings.Contains(text, "ABORTED"):
		// A navigation that turned into a download is aborted as a document.
		return FailDownload
	case strings.Contains(text, "CONNECTION_"), strings.Contains(text, "ADDRESS_"),
		strings.Contains(text, "EMPTY_RESPONSE"), strings.Contains(text, "NETWORK_"),
		strings.Contains(text, "INTERNET_DISCONNECTED"), strings.Contains(text, "INVALID_HTTP_RESPONSE"),
		strings.Contains(text, "UNREACHABLE"):
		return FailConnect
	}
	return FailConnect
}

// isBrowserGone tells whether err means the browser or the tab went away
// under us, which is the monitor's failure rather than the page's.
func isBrowserGone(err error) bool {
	return errors.Is(err, chromedp.ErrChannelClosed) || errors.Is(err, chromedp.ErrTargetDetached) ||
		errors.Is(err, chromedp.ErrInvalidContext)
}
