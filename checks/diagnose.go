package checks

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// Diagnosis is the evidence of a visit and what it says: the person on call
// gets the why with the what, without reproducing the visit.
type Diagnosis struct {
	browser.Evidence
	// Causes: one plain sentence per failure and broken promise that the
	// evidence explains, the most important first.
	Causes []string `json:"causes"`
	// Summary is the evidence in a few numbers (for metrics and lists);
	// it stays when the evidence itself is packed or dropped.
	Summary EvidenceSummary `json:"summary"`

	packed []byte // the evidence as gzip'd JSON (Pack)
}

// EvidenceSummary is what the metrics need of the evidence.
type EvidenceSummary struct {
	Requests       int `json:"requests"`
	FailedRequests int `json:"failed_requests"`
	ConsoleErrors  int `json:"console_errors"`
	Exceptions     int `json:"exceptions"`
	// ThirdPartyByteShare: bytes from other sites than the page's (0–1).
	ThirdPartyByteShare float64 `json:"third_party_byte_share"`
	// ThirdPartyBlockingShare: of the script time in long animation
	// frames, the share of other sites' scripts (0–1; -1 unknown).
	ThirdPartyBlockingShare float64           `json:"third_party_blocking_share"`
	TotalBlockingSeconds    float64           `json:"total_blocking_seconds"`
	LCP                     *browser.LCPParts `json:"lcp,omitempty"`
}

// summarize sums the evidence up.
func summarize(ev *browser.Evidence) EvidenceSummary {
	s := EvidenceSummary{Requests: len(ev.Requests) + ev.DroppedRequests, ConsoleErrors: ev.ConsoleCount,
		Exceptions: ev.ExceptionCount, TotalBlockingSeconds: ev.LongTasks.TotalBlockingSeconds,
		ThirdPartyBlockingShare: ev.LongTasks.ThirdPartyBlockingShare}
	var all, third int64
	for _, q := range ev.Requests {
		if q.Failure != "" || q.Status >= 400 {
			s.FailedRequests++
		}
		all += q.Bytes
		if q.Party == "third" {
			third += q.Bytes
		}
	}
	if all > 0 {
		s.ThirdPartyByteShare = float64(third) / float64(all)
	}
	if ev.LCP != nil {
		l := *ev.LCP
		s.LCP = &l
	}
	return s
}

// Pack is a copy of d whose evidence is kept compressed (a few hundred
// bytes instead of a few kilobytes): the daemon keeps visits this way.
// Causes and summary stay as they are.
func (d *Diagnosis) Pack() *Diagnosis {
	if d == nil || d.packed != nil {
		return d
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err := json.NewEncoder(zw).Encode(d.Evidence); err != nil || zw.Close() != nil {
		return d.WithoutEvidence()
	}
	return &Diagnosis{Causes: d.Causes, Summary: d.Summary, packed: bytes.Clone(b.Bytes())}
}

// Unpack is d with its evidence (d itself when it was not packed).
func (d *Diagnosis) Unpack() *Diagnosis {
	if d == nil || d.packed == nil {
		return d
	}
	out := &Diagnosis{Causes: d.Causes, Summary: d.Summary}
	zr, err := gzip.NewReader(bytes.NewReader(d.packed))
	if err == nil {
		err = json.NewDecoder(io.LimitReader(zr, 16<<20)).Decode(&out.Evidence)
	}
	if err != nil {
		return out
	}
	return out
}

// HasEvidence says whether d holds the evidence (packed or not).
func (d *Diagnosis) HasEvidence() bool {
	return d != nil && (d.packed != nil || len(d.Requests) > 0 || d.LCP != nil)
}

// WithoutEvidence keeps the causes and the summary only.
func (d *Diagnosis) WithoutEvidence() *Diagnosis {
	if d == nil {
		return nil
	}
	return &Diagnosis{Causes: d.Causes, Summary: d.Summary}
}

// cause is a sentence and how much it weighs in the ranking.
type cause struct {
	text   string
	weight float64
}

// diagnose explains the result's failures and broken promises from the
// evidence: failures first (in the verdict's order), then broken promises
// by how far they overshot. A reason the evidence does not explain gets no
// sentence (the reason itself says what happened).
func diagnose(res *Result, ev *browser.Evidence) []string {
	var out []cause
	seen := map[string]bool{}
	add := func(text string, weight float64) {
		if text != "" && !seen[text] {
			seen[text] = true
			out = append(out, cause{text, weight})
		}
	}
	for i, r := range res.Reasons {
		switch {
		case r.Failure && r.Milestone != "":
			add(milestoneCause(res, ev, r.Milestone), 1000-float64(i))
		case r.Failure && r.Touchpoint != "" && r.Touchpoint != TouchPage:
			add(touchpointCause(res, ev, r.Touchpoint), 1000-float64(i))
		case r.Failure:
			add(pageCause(res, ev, r), 1000-float64(i))
		case r.Code == CodeBrokenPromise && r.Milestone != "":
			over := 1.0
			if p := res.Promises[r.Milestone]; p > 0 {
				over = res.Milestones[r.Milestone] / p
			}
			add(milestoneCause(res, ev, r.Milestone), over)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].weight > out[j].weight })
	texts := make([]string, len(out))
	for i, c := range out {
		texts[i] = c.text
	}
	return texts
}

// milestoneCause says what held a milestone back.
func milestoneCause(res *Result, ev *browser.Evidence, m string) string {
	at, ok := res.Milestones[m]
	switch m {
	case MilestoneFCP, MilestoneFirstPaint:
		if !ok {
			return ""
		}
		if b := slowestBlocking(ev, at); b != nil {
			return fmt.Sprintf("%s at %.2f s waited %.1f s for render-blocking %s %s (%s party%s)",
				m, at, b.End-b.Start, b.Type, b.URL, b.Party, failureNote(b))
		}
		if t := res.Milestones[MilestoneTTFB]; t > at/2 && t > 0.6 {
			return fmt.Sprintf("%s at %.2f s: the server's first byte came only at %.2f s", m, at, t)
		}
		if lt := ev.LongTasks; lt.TotalBlockingSeconds > at/3 {
			return fmt.Sprintf("%s at %.2f s: the main thread was blocked %.1f s by %d long tasks", m, at, lt.TotalBlockingSeconds, lt.Count)
		}
	case MilestoneLCP:
		return lcpCause(res, ev)
	case MilestoneTTFB:
		if ok {
			return fmt.Sprintf("the server's first byte came at %.2f s", at)
		}
	}
	return ""
}

// lcpCause names the largest of the LCP's four parts, with the request or
// element behind it.
func lcpCause(res *Result, ev *browser.Evidence) string {
	l := ev.LCP
	if l == nil {
		return ""
	}
	el := l.Element
	if el == "" {
		el = "the largest element"
	}
	parts := []struct {
		name string
		v    float64
	}{{"ttfb", l.TTFBSeconds}, {"delay", l.LoadDelaySeconds}, {"load", l.LoadSeconds}, {"render", l.RenderDelaySeconds}}
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].v > parts[j].v })
	switch parts[0].name {
	case "ttfb":
		return fmt.Sprintf("largest_contentful_paint at %.2f s: %.1f s of it was the server's first byte", l.Seconds, l.TTFBSeconds)
	case "load":
		return fmt.Sprintf("largest_contentful_paint: %.1f s loading %s %s (%s)", l.Seconds, sizeOf(lcpBytes(l, ev)), kindOf(l.URL), l.URL)
	case "delay":
		return fmt.Sprintf("largest_contentful_paint at %.2f s: %s %s was requested only %.1f s after the first byte (found late)", l.Seconds, kindOf(l.URL), l.URL, l.LoadDelaySeconds)
	}
	what := fmt.Sprintf("largest_contentful_paint at %.2f s: %s was painted %.1f s after ", l.Seconds, el, l.RenderDelaySeconds)
	if l.URL != "" {
		what += "its " + kindOf(l.URL) + " arrived"
	} else {
		what += "the first byte"
	}
	if b := slowestBlocking(ev, l.Seconds); b != nil && b.End-b.Start > l.RenderDelaySeconds/2 {
		return what + fmt.Sprintf(", behind render-blocking %s %s (%s party, %.1f s)", b.Type, b.URL, b.Party, b.End-b.Start)
	}
	if lt := ev.LongTasks; lt.Count > 0 {
		return what + fmt.Sprintf(", the main thread blocked %.1f s by %d long tasks", lt.TotalBlockingSeconds, lt.Count)
	}
	return what
}

// touchpointCause: a broken touchpoint whose scripts failed to load, or
// whose page threw.
func touchpointCause(res *Result, ev *browser.Evidence, name string) string {
	if q := failedScriptFor(ev, name); q != nil {
		return fmt.Sprintf("%s: the %s %s failed: %s", name, scriptWord(name, q), q.URL, failureText(q))
	}
	if len(ev.Exceptions) > 0 {
		x := ev.Exceptions[0]
		src := ""
		if x.Source != "" {
			src = " in " + x.Source
		}
		return fmt.Sprintf("%s: the page threw %q at %.2f s%s", name, x.Message, x.At, src)
	}
	return ""
}

// pageCause: the page itself failed.
func pageCause(res *Result, ev *browser.Evidence, r Reason) string {
	if len(ev.Requests) > 0 && ev.Requests[0].Type == "document" && ev.Requests[0].Failure != "" {
		d := ev.Requests[0]
		return fmt.Sprintf("the page %s failed after %.1f s: %s", d.URL, max(0, d.End-d.Start), d.Failure)
	}
	return ""
}

// slowestBlocking is the render-blocking request that held the page
// longest among those that ended by `by`.
func slowestBlocking(ev *browser.Evidence, by float64) *browser.Request {
	var best *browser.Request
	for i := range ev.Requests {
		q := &ev.Requests[i]
		if !q.RenderBlocking || q.End <= 0 || q.End > by+0.05 {
			continue
		}
		if best == nil || q.End-q.Start > best.End-best.Start {
			best = q
		}
	}
	if best != nil && best.End-best.Start < 0.1 {
		return nil // nothing worth naming
	}
	return best
}

var chatWords = regexp.MustCompile(`(?i)chat|messeng|widget|intercom|zendesk|zdassets|drift|tawk|livechat|crisp|hubspot|usemessages|tidio|olark|freshchat`)

// failedScriptFor is a failed script, frame or API request that belongs to
// a touchpoint (by its words, for the chat), else any failed script.
func failedScriptFor(ev *browser.Evidence, touchpoint string) *browser.Request {
	var any *browser.Request
	for i := range ev.Requests {
		q := &ev.Requests[i]
		failed := q.Failure != "" || q.Status >= 400
		if !failed || (q.Type != "script" && q.Type != "document" && q.Type != "xhr" && q.Type != "fetch") || q.Type == "document" && i == 0 {
			continue
		}
		if touchpoint == TouchChat && chatWords.MatchString(q.URL) {
			return q
		}
		if any == nil && q.Type == "script" {
			any = q
		}
	}
	if touchpoint == TouchChat {
		return any
	}
	return nil
}

func scriptWord(touchpoint string, q *browser.Request) string {
	kind := q.Type
	if kind == "document" {
		kind = "frame"
	}
	if touchpoint == TouchChat && kind == "script" {
		return "widget script"
	}
	return kind
}

func failureText(q *browser.Request) string {
	if q.Status >= 400 {
		return fmt.Sprint(q.Status)
	}
	return q.Failure
}

func failureNote(q *browser.Request) string {
	if q.Failure != "" || q.Status >= 400 {
		return ", failed: " + failureText(q)
	}
	return ""
}

// lcpBytes is the LCP resource's size: from the page's resource timing, or
// the request the evidence holds.
func lcpBytes(l *browser.LCPParts, ev *browser.Evidence) int64 {
	if l.Bytes > 0 {
		return l.Bytes
	}
	for _, q := range ev.Requests {
		if q.URL == l.URL {
			return q.Bytes
		}
	}
	return 0
}

func sizeOf(b int64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("a %.1f MB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("a %.0f kB", float64(b)/(1<<10))
	case b > 0:
		return fmt.Sprintf("a %d B", b)
	}
	return "an"
}

// kindOf names a resource by its address: image, video, font, file.
func kindOf(raw string) string {
	p := raw
	if u, err := url.Parse(raw); err == nil {
		p = u.Path
	}
	p = strings.ToLower(p)
	for _, ext := range []string{".png", ".jpg", ".jpeg", ".webp", ".avif", ".gif", ".svg"} {
		if strings.HasSuffix(p, ext) {
			return "image"
		}
	}
	for _, ext := range []string{".mp4", ".webm"} {
		if strings.HasSuffix(p, ext) {
			return "video"
		}
	}
	if raw == "" {
		return "text"
	}
	return "image"
}

// CauseKind is a cause sentence's kind, from a closed set (a bounded
// metric label; the sentence itself is in the JSON and on the status page).
func CauseKind(cause string) string {
	for _, k := range []struct{ kind, says string }{
		{"render_blocking", "render-blocking"},
		{"late_lcp_resource", "requested only"},
		{"render_delay", "was painted"},
		{"slow_lcp_resource", "largest_contentful_paint: "},
		{"long_tasks", "long tasks"},
		{"slow_server", "first byte"},
		{"exception", "threw"},
		{"page_failed", "the page "},
		{"failed_request", "failed"},
	} {
		if strings.Contains(cause, k.says) {
			return k.kind
		}
	}
	return "other"
}
