package browser

import "testing"

// TestClassifyNetError: Chromium's net::ERR_* texts as the failure reasons
// users alert on — a table, no browser.
func TestClassifyNetError(t *testing.T) {
	for text, want := range map[string]Failure{
		"":                                  FailNone,
		"net::ERR_NAME_NOT_RESOLVED":        FailDNS,
		"net::ERR_NAME_RESOLUTION_FAILED":   FailDNS,
		"net::ERR_DNS_TIMED_OUT":            FailDNS,
		"net::ERR_TOO_MANY_REDIRECTS":       FailRedirectLoop,
		"net::ERR_CERT_AUTHORITY_INVALID":   FailTLS,
		"net::ERR_SSL_PROTOCOL_ERROR":       FailTLS,
		"net::ERR_CONNECTION_TIMED_OUT":     FailTimeout,
		"net::ERR_TIMED_OUT":                FailTimeout,
		"net::ERR_BLOCKED_BY_CLIENT":        FailBlocked,
		"net::ERR_ABORTED":                  FailDownload,
		"net::ERR_CONNECTION_REFUSED":       FailConnect,
		"net::ERR_ADDRESS_UNREACHABLE":      FailConnect,
		"net::ERR_EMPTY_RESPONSE":           FailConnect,
		"net::ERR_INTERNET_DISCONNECTED":    FailConnect,
		"net::ERR_SOMETHING_NEW_IN_CHROME":  FailConnect,
		"net::ERR_INVALID_HTTP_RESPONSE":    FailConnect,
		"net::ERR_CONNECTION_RESET":         FailConnect,
		"net::ERR_BLOCKED_BY_ADMINISTRATOR": FailBlocked,
	} {
		if got := classifyNetError(text); got != want {
			t.Errorf("classifyNetError(%q) = %s, want %s", text, got, want)
		}
	}
}
