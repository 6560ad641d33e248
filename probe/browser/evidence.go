package browser

import (
	_ "embed"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"golang.org/x/net/publicsuffix"
)

//go:embed js/evidence.js
var evidenceJS string

// evidenceModule reads long tasks and the LCP's parts from the page's own
// performance timeline. Every tab has it, from each document's start.
var evidenceModule = Module{Name: "evidence", Source: evidenceJS}

// Bounds of what one visit keeps: the evidence of the latest visits of a
// thousand targets must fit in a few MiB.
const (
	// MaxRequests is how many requests a visit's evidence keeps; the
	// rest are counted (Evidence.DroppedRequests).
	MaxRequests = 250
	maxMessages = 10
	maxURL      = 160
)

// Request is one request of the visit: the page's, its iframes' (cross-site
// ones included) and its workers'. Times are seconds since the landing
// page's navigation start; 0 when not reached.
type Request struct {
	URL            string  `json:"url"` // query values redacted
	Host           string  `json:"host"`
	Party          string  `json:"party"` // first | third (another site than the page)
	Type           string  `json:"type"`  // document, stylesheet, script, image, font, xhr, fetch, …
	Method         string  `json:"method,omitempty"`
	Status         int     `json:"status,omitempty"`
	Start          float64 `json:"start_seconds"`
	Response       float64 `json:"response_seconds,omitempty"` // first byte
	End            float64 `json:"end_seconds,omitempty"`
	Bytes          int64   `json:"bytes"` // transferred
	RenderBlocking bool    `json:"render_blocking,omitempty"`
	Failure        string  `json:"failure,omitempty"`
	MIME           string  `json:"mime,omitempty"`

	detail *requestDetail // only when a HAR is wanted
}

// Message is a console error or an uncaught exception.
type Message struct {
	Message string  `json:"message"`
	Source  string  `json:"source,omitempty"`
	At      float64 `json:"at_seconds"`
}

// LongTasks sums the main thread's long tasks within the window.
type LongTasks struct {
	Count                int     `json:"count"`
	TotalBlockingSeconds float64 `json:"total_blocking_seconds"`
	LongestSeconds       float64 `json:"longest_seconds,omitempty"`
	// ThirdPartyBlockingShare: of the script time in long animation
	// frames, the share of scripts from other sites (0–1; -1 unknown).
	ThirdPartyBlockingShare float64 `json:"third_party_blocking_share"`
}

// LCPParts splits the largest contentful paint as Chrome defines it; the
// four parts add up to the LCP time (a text LCP has no resource: both
// resource parts are 0).
type LCPParts struct {
	Element            string  `json:"element,omitempty"`
	URL                string  `json:"url,omitempty"`
	Bytes              int64   `json:"bytes,omitempty"`
	Seconds            float64 `json:"seconds"`
	TTFBSeconds        float64 `json:"ttfb_seconds"`
	LoadDelaySeconds   float64 `json:"load_delay_seconds"`
	LoadSeconds        float64 `json:"load_seconds"`
	RenderDelaySeconds float64 `json:"render_delay_seconds"`
}

// Evidence is what a visit recorded for the person on call.
type Evidence struct {
	Requests        []Request `json:"requests"`
	DroppedRequests int       `json:"dropped_requests,omitempty"`
	ConsoleErrors   []Message `json:"console_errors"`
	ConsoleCount    int       `json:"console_error_count"`
	Exceptions      []Message `json:"exceptions"`
	ExceptionCount  int       `json:"exception_count"`
	LongTasks       LongTasks `json:"long_tasks"`
	LCP             *LCPParts `json:"lcp,omitempty"`
}

// requestDetail is what a HAR needs beyond the evidence.
type requestDetail struct {
	wallStart    float64 // epoch seconds
	reqHeaders   map[string]string
	respHeaders  map[string]string
	statusText   string
	protocol     string
	timing       *network.ResourceTiming
	fullURL      string
	encodedBody  int64
	responseMono float64
}

// recorder collects a tab's (and its child targets') network, console and
// exception events. Times stay on the browser's monotonic clock until the
// evidence is read against the page's time origin.
type recorder struct {
	withDetail bool
	off        bool

	mu        sync.Mutex
	offset    float64 // epoch seconds minus monotonic seconds
	byID      map[network.RequestID]*rec
	order     []*rec
	dropped   int
	console   []rawMessage
	nConsole  int
	excepts   []rawMessage
	nExcepts  int
	ownWorlds func(runtime.ExecutionContextID) bool
}

type rec struct {
	Request
	start, response, end float64 // monotonic seconds
	full                 string
}

type rawMessage struct {
	text, source string
	epochMS      float64
}

func (r *recorder) setOff(off bool) {
	r.mu.Lock()
	r.off = off
	r.mu.Unlock()
}

func (r *recorder) setDetail(on bool) {
	r.mu.Lock()
	r.withDetail = on
	r.mu.Unlock()
}

func newRecorder(withDetail bool, own func(runtime.ExecutionContextID) bool) *recorder {
	return &recorder{withDetail: withDetail, byID: map[network.RequestID]*rec{}, ownWorlds: own}
}

// onEvent runs in a target's read loop: it records, and sends nothing.
func (r *recorder) onEvent(ev any) {
	r.mu.Lock()
	off := r.off
	r.mu.Unlock()
	if off {
		return
	}
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		r.request(e)
	case *network.EventResponseReceived:
		r.mu.Lock()
		if q := r.byID[e.RequestID]; q != nil && e.Response != nil {
			q.Status, q.MIME = int(e.Response.Status), e.Response.MimeType
			q.response = float64(e.Timestamp)
			if t := e.Response.Timing; t != nil && t.ReceiveHeadersStart > 0 {
				q.response = t.RequestTime + t.ReceiveHeadersStart/1000
			}
			if q.detail != nil {
				q.detail.respHeaders = headers(e.Response.Headers)
				q.detail.statusText, q.detail.protocol, q.detail.timing = e.Response.StatusText, e.Response.Protocol, e.Response.Timing
			}
		}
		r.mu.Unlock()
	case *network.EventLoadingFinished:
		r.mu.Lock()
		if q := r.byID[e.RequestID]; q != nil {
			q.end, q.Bytes = float64(e.Timestamp), int64(e.EncodedDataLength)
			if q.detail != nil {
				q.detail.encodedBody = int64(e.EncodedBodyLength)
			}
		}
		r.mu.Unlock()
	case *network.EventLoadingFailed:
		r.mu.Lock()
		if q := r.byID[e.RequestID]; q != nil {
			q.end, q.Failure = float64(e.Timestamp), e.ErrorText
			if e.BlockedReason != "" {
				q.Failure += " (" + string(e.BlockedReason) + ")"
			}
		}
		r.mu.Unlock()
	case *runtime.EventConsoleAPICalled:
		if e.Type != runtime.ConsoleAPICalledTypeError && e.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		if r.ownWorlds != nil && r.ownWorlds(e.ExecutionContextID) {
			return
		}
		r.note(&r.console, &r.nConsole, rawMessage{text: consoleText(e.Args), source: stackSource(e.StackTrace), epochMS: float64(e.Timestamp)})
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		if d == nil || r.ownWorlds != nil && r.ownWorlds(d.ExecutionContextID) {
			return
		}
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text = firstLine(d.Exception.Description)
		}
		src := stackSource(d.StackTrace)
		if src == "" && d.URL != "" {
			src = fmt.Sprintf("%s:%d:%d", redactURL(d.URL), d.LineNumber+1, d.ColumnNumber+1)
		}
		r.note(&r.excepts, &r.nExcepts, rawMessage{text: text, source: src, epochMS: float64(e.Timestamp)})
	case *log.EventEntryAdded:
		// Network errors show as requests; the rest of the browser's own
		// error log (security, deprecations turned errors, …) counts as
		// console errors, as DevTools shows them.
		if en := e.Entry; en != nil && en.Level == log.EntryLevelError && en.Source != log.EntrySourceNetwork {
			r.note(&r.console, &r.nConsole, rawMessage{text: en.Text, source: redactURL(en.URL), epochMS: float64(en.Timestamp)})
		}
	}
}

func (r *recorder) request(e *network.EventRequestWillBeSent) {
	if e.Request == nil || strings.HasPrefix(e.Request.URL, "data:") {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.offset == 0 && e.WallTime > 0 {
		r.offset = float64(e.WallTime) - float64(e.Timestamp)
	}
	if q := r.byID[e.RequestID]; q != nil && e.RedirectResponse != nil {
		// A redirect: the hop before ends here, and the request goes on
		// under the same id with a new URL.
		hop := *q
		hop.Status, hop.end = int(e.RedirectResponse.Status), float64(e.Timestamp)
		hop.response = hop.end
		q.start, q.response, q.end = float64(e.Timestamp), 0, 0
		q.URL, q.full, q.Host = redactURL(e.Request.URL), e.Request.URL, hostOf(e.Request.URL)
		r.keep(&hop)
		return
	}
	q := &rec{start: float64(e.Timestamp), full: e.Request.URL}
	q.URL, q.Host, q.Method = redactURL(e.Request.URL), hostOf(e.Request.URL), e.Request.Method
	q.Type = strings.ToLower(string(e.Type))
	q.RenderBlocking = e.RenderBlockingBehavior == network.RenderBlockingBehaviorBlocking ||
		e.RenderBlockingBehavior == network.RenderBlockingBehaviorInBodyParserBlocking
	if r.withDetail {
		q.detail = &requestDetail{wallStart: float64(e.WallTime), reqHeaders: headers(e.Request.Headers), fullURL: e.Request.URL}
	}
	if r.keep(q) {
		r.byID[e.RequestID] = q
	}
}

// keep adds a request unless the bound is reached (r.mu held).
func (r *recorder) keep(q *rec) bool {
	if len(r.order) >= MaxRequests {
		r.dropped++
		return false
	}
	r.order = append(r.order, q)
	return true
}

func (r *recorder) note(list *[]rawMessage, n *int, m rawMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*n++
	if len(*list) < maxMessages {
		m.text = truncate(m.text, 300)
		*list = append(*list, m)
	}
}

// read converts what was recorded to the evidence, against the main
// document's time origin (epoch ms) and the page's site.
func (r *recorder) read(originMS float64, pageURL string) Evidence {
	r.mu.Lock()
	defer r.mu.Unlock()
	site := siteOf(hostOf(pageURL))
	sec := func(mono float64) float64 {
		if mono <= 0 || r.offset == 0 {
			return 0
		}
		return mono + r.offset - originMS/1000
	}
	ev := Evidence{DroppedRequests: r.dropped, ConsoleCount: r.nConsole, ExceptionCount: r.nExcepts,
		Requests: make([]Request, 0, len(r.order)), ConsoleErrors: []Message{}, Exceptions: []Message{}}
	for _, q := range r.order {
		out := q.Request
		out.Start, out.Response, out.End = sec(q.start), sec(q.response), sec(q.end)
		out.Party = "first"
		if siteOf(q.Host) != site {
			out.Party = "third"
		}
		ev.Requests = append(ev.Requests, out)
	}
	sort.SliceStable(ev.Requests, func(i, j int) bool { return ev.Requests[i].Start < ev.Requests[j].Start })
	for _, m := range r.console {
		ev.ConsoleErrors = append(ev.ConsoleErrors, Message{Message: m.text, Source: m.source, At: (m.epochMS - originMS) / 1000})
	}
	for _, m := range r.excepts {
		ev.Exceptions = append(ev.Exceptions, Message{Message: m.text, Source: m.source, At: (m.epochMS - originMS) / 1000})
	}
	return ev
}

// redactURL keeps a URL's shape but not its query values (they may hold
// tokens, as config secrets do), and bounds its length.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return truncate(raw, maxURL)
	}
	u.User = nil
	u.Fragment = ""
	if u.RawQuery != "" {
		q := u.Query()
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = url.QueryEscape(k) + "=…"
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return truncate(u.String(), maxURL)
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Hostname()
	}
	return ""
}

// SameSite says whether two hosts are one site (the same registrable
// domain, or the same address).
func SameSite(a, b string) bool { return siteOf(a) == siteOf(b) }

// siteOf is a host's registrable domain (an IP address or a single-label
// host is its own site), the browser's notion of "same site".
func siteOf(host string) string {
	if host == "" || net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return host
	}
	if s, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return s
	}
	return host
}

func headers(h network.Headers) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = fmt.Sprint(v)
	}
	return out
}

func consoleText(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case a == nil:
		case len(a.Value) > 0:
			s := string(a.Value)
			if len(s) > 1 && s[0] == '"' {
				s = strings.Trim(s, `"`)
			}
			parts = append(parts, s)
		case a.Description != "":
			parts = append(parts, firstLine(a.Description))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

func stackSource(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 {
		return ""
	}
	f := st.CallFrames[0]
	return fmt.Sprintf("%s:%d:%d", redactURL(f.URL), f.LineNumber+1, f.ColumnNumber+1)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// evidenceReading is what evidence.read returns from the page.
type evidenceReading struct {
	LongTasks struct {
		Count      int     `json:"count"`
		BlockingMS float64 `json:"blockingMs"`
		LongestMS  float64 `json:"longestMs"`
	} `json:"longTasks"`
	ScriptMS map[string]float64 `json:"scriptMs"`
	LCP      *struct {
		MS          float64 `json:"ms"`
		Element     string  `json:"element"`
		URL         string  `json:"url"`
		Bytes       int64   `json:"bytes"`
		TTFB        float64 `json:"ttfb"`
		LoadDelay   float64 `json:"loadDelay"`
		LoadTime    float64 `json:"loadTime"`
		RenderDelay float64 `json:"renderDelay"`
	} `json:"lcp"`
}

// merge adds the page's own reading to the evidence.
func (ev *Evidence) merge(r evidenceReading, pageURL string) {
	ev.LongTasks = LongTasks{Count: r.LongTasks.Count, TotalBlockingSeconds: r.LongTasks.BlockingMS / 1000,
		LongestSeconds: r.LongTasks.LongestMS / 1000, ThirdPartyBlockingShare: -1}
	site := siteOf(hostOf(pageURL))
	var all, third float64
	for u, ms := range r.ScriptMS {
		all += ms
		if h := hostOf(u); h != "" && siteOf(h) != site {
			third += ms
		}
	}
	if all > 0 {
		ev.LongTasks.ThirdPartyBlockingShare = third / all
	}
	if l := r.LCP; l != nil {
		ev.LCP = &LCPParts{Element: l.Element, URL: redactURL(l.URL), Bytes: l.Bytes, Seconds: l.MS / 1000,
			TTFBSeconds: l.TTFB / 1000, LoadDelaySeconds: l.LoadDelay / 1000, LoadSeconds: l.LoadTime / 1000,
			RenderDelaySeconds: l.RenderDelay / 1000}
		if l.URL == "" {
			ev.LCP.URL = ""
		}
	}
}
