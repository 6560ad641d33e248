package browser

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"time"
)

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the parts a
// reader needs: one page, every request with its timings.
type harLog struct {
	Log struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Browser harCreator `json:"browser"`
		Pages   []harPage  `json:"pages"`
		Entries []harEntry `json:"entries"`
	} `json:"log"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harPage struct {
	StartedDateTime string         `json:"startedDateTime"`
	ID              string         `json:"id"`
	Title           string         `json:"title"`
	PageTimings     harPageTimings `json:"pageTimings"`
}

type harPageTimings struct {
	OnContentLoad float64 `json:"onContentLoad"`
	OnLoad        float64 `json:"onLoad"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harEntry struct {
	Pageref         string      `json:"pageref"`
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	ServerIPAddress string      `json:"serverIPAddress,omitempty"`
	Comment         string      `json:"comment,omitempty"`
}

type harRequest struct {
	Method      string  `json:"method"`
	URL         string  `json:"url"`
	HTTPVersion string  `json:"httpVersion"`
	Cookies     []harNV `json:"cookies"`
	Headers     []harNV `json:"headers"`
	QueryString []harNV `json:"queryString"`
	HeadersSize int     `json:"headersSize"`
	BodySize    int     `json:"bodySize"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int64      `json:"bodySize"`
	Comment     string     `json:"_error,omitempty"`
}

type harContent struct {
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
}

type harTimings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
	SSL     float64 `json:"ssl"`
}

// HAR writes the visit as a HAR 1.2 file: the landing page and every
// request recorded. Headers are there only when the visit was made with
// NavOptions.HAR; query values are redacted as in the evidence unless
// full is true (the file stays on the user's machine).
func (s *Session) HAR(tl Timeline, creatorVersion string, full bool) ([]byte, error) {
	s.mu.Lock()
	navStart := s.navStart
	s.mu.Unlock()
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	var h harLog
	h.Log.Version = "1.2"
	h.Log.Creator = harCreator{Name: "touchprobe", Version: creatorVersion}
	h.Log.Browser = harCreator{Name: "Chromium", Version: strings.TrimPrefix(s.in.sup.Version(), "Chrome/")}
	page := harPage{StartedDateTime: navStart.UTC().Format(time.RFC3339Nano), ID: "page_1", Title: tl.URL,
		PageTimings: harPageTimings{OnContentLoad: -1, OnLoad: -1}}
	if v, ok := tl.Milestones[DOMContentLoaded]; ok {
		page.PageTimings.OnContentLoad = v * 1000
	}
	if v, ok := tl.Milestones[Load]; ok {
		page.PageTimings.OnLoad = v * 1000
	}
	h.Log.Pages = []harPage{page}
	h.Log.Entries = []harEntry{}
	for _, q := range s.rec.order {
		h.Log.Entries = append(h.Log.Entries, harOf(q, s.rec.offset, full))
	}
	sort.SliceStable(h.Log.Entries, func(i, j int) bool { return h.Log.Entries[i].StartedDateTime < h.Log.Entries[j].StartedDateTime })
	return json.MarshalIndent(h, "", " ")
}

func harOf(q *rec, offset float64, full bool) harEntry {
	u := q.URL
	if full && q.full != "" {
		u = q.full
	}
	e := harEntry{Pageref: "page_1", StartedDateTime: time.UnixMicro(int64((q.start + offset) * 1e6)).UTC().Format(time.RFC3339Nano)}
	e.Request = harRequest{Method: q.Method, URL: u, HTTPVersion: "HTTP/1.1", Cookies: []harNV{}, Headers: []harNV{},
		QueryString: []harNV{}, HeadersSize: -1, BodySize: -1}
	if e.Request.Method == "" {
		e.Request.Method = "GET"
	}
	if pu, err := url.Parse(u); err == nil {
		for k, vs := range pu.Query() {
			for _, v := range vs {
				e.Request.QueryString = append(e.Request.QueryString, harNV{k, v})
			}
		}
	}
	e.Response = harResponse{Status: q.Status, HTTPVersion: "HTTP/1.1", Cookies: []harNV{}, Headers: []harNV{},
		Content: harContent{Size: q.Bytes, MimeType: q.MIME}, HeadersSize: -1, BodySize: q.Bytes, Comment: q.Failure}
	e.Timings = harTimings{Blocked: -1, DNS: -1, Connect: -1, SSL: -1, Send: 0, Wait: 0, Receive: 0}
	end := q.end
	if end <= 0 {
		end = q.start
	}
	if d := q.detail; d != nil {
		e.Request.Headers, e.Response.Headers = nvs(d.reqHeaders), nvs(d.respHeaders)
		e.Response.StatusText = d.statusText
		if d.protocol != "" {
			e.Request.HTTPVersion, e.Response.HTTPVersion = strings.ToUpper(d.protocol), strings.ToUpper(d.protocol)
		}
		if t := d.timing; t != nil {
			part := func(a, b float64) float64 {
				if a < 0 || b < 0 {
					return -1
				}
				return b - a
			}
			e.Timings.Blocked = part(0, t.DNSStart)
			if e.Timings.Blocked < 0 {
				e.Timings.Blocked = part(0, t.ConnectStart)
			}
			e.Timings.DNS, e.Timings.Connect, e.Timings.SSL = part(t.DNSStart, t.DNSEnd), part(t.ConnectStart, t.ConnectEnd), part(t.SslStart, t.SslEnd)
			e.Timings.Send = max(0, t.SendEnd-t.SendStart)
			e.Timings.Wait = max(0, t.ReceiveHeadersEnd-t.SendEnd)
			e.Timings.Receive = max(0, (end-t.RequestTime)*1000-t.ReceiveHeadersEnd)
			if e.Timings.Blocked < 0 {
				e.Timings.Blocked = max(0, (t.RequestTime-q.start)*1000+t.SendStart)
			}
		}
	} else if q.response > 0 {
		e.Timings.Wait = (q.response - q.start) * 1000
		e.Timings.Receive = max(0, (end-q.response)*1000)
	}
	if e.Response.Status == 0 {
		e.Response.StatusText = q.Failure
	}
	// HAR's total is the sum of its parts (-1 parts excluded).
	for _, v := range []float64{e.Timings.Blocked, e.Timings.DNS, e.Timings.Connect, e.Timings.Send, e.Timings.Wait, e.Timings.Receive} {
		if v > 0 {
			e.Time += v
		}
	}
	return e
}

func nvs(m map[string]string) []harNV {
	out := make([]harNV, 0, len(m))
	for k, v := range m {
		out = append(out, harNV{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
