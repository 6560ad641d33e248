package probe

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"maps"
	"math"
	"net/http"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/config"
)

// The status page: every target's last visit as a person reads it — the
// verdict and why, its first 20 seconds on a timeline, the filmstrip, and
// the recent visits. Plain HTML and inline SVG: no script, nothing loaded
// from elsewhere, so it works on an air-gapped probe host.

//go:embed status.html
var statusHTML string

var statusTmpl = template.Must(template.New("status").Funcs(template.FuncMap{
	"secs": func(s float64) string { return fmt.Sprintf("%.2f s", s) },
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"f1": func(v float64) string { return fmt.Sprintf("%.1f", v) },
	// The waterfall's style sheet is ours, a constant.
	"waterfallStyle": func() template.CSS { return template.CSS(waterfallStyle) },
}).Parse(statusHTML))

// statusWindow is the span the timeline draws: the first impression.
const statusWindow = 20.0

// statusRedactor is implemented by the Daemon: the page shows target URLs
// as the config file has them (${VAR} not expanded) and scrubs values that
// came from the environment out of every other text.
type statusRedactor interface {
	statusRedaction() (urls map[string]string, scrub func(string) string)
}

func (d *Daemon) statusRedaction() (map[string]string, func(string) string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cfg == nil {
		return nil, func(s string) string { return s }
	}
	return d.shownURLs, d.cfg.Scrub
}

// shownURLs maps each target to its URL as the config file has it: the
// redacted config writes each env-sourced value back as its ${VAR}
// reference. Made once per config load, not per page view.
func shownURLs(cfg *config.Config) map[string]string {
	var red struct {
		Targets []struct {
			Name string `yaml:"name"`
			URL  string `yaml:"url"`
		} `yaml:"targets"`
	}
	urls := map[string]string{}
	if err := yaml.Unmarshal([]byte(cfg.Redacted()), &red); err == nil {
		for _, t := range red.Targets {
			urls[t.Name] = t.URL
		}
	}
	return urls
}

// statusHandler serves / (every target) and /?target=NAME (one, larger).
func statusHandler(p Prober) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "use GET", http.StatusMethodNotAllowed)
			return
		}
		urls, scrub := map[string]string(nil), func(s string) string { return s }
		if rd, ok := p.(statusRedactor); ok {
			urls, scrub = rd.statusRedaction()
		}
		q := r.URL.Query()
		single := q.Has("target")
		name := q.Get("target")
		now := time.Now()
		view := statusView{Single: single, Location: p.Location(), Now: now}
		for _, t := range p.Snapshot() {
			if single && t.Name != name {
				continue
			}
			view.Targets = append(view.Targets, newTargetView(t, urls, scrub, single, now))
		}
		if single && len(view.Targets) == 0 {
			// Configured names only; the query is never fetched or echoed.
			http.Error(w, "unknown target: not in the config", http.StatusNotFound)
			return
		}
		var buf bytes.Buffer
		if err := statusTmpl.Execute(&buf, view); err != nil {
			http.Error(w, "status page: "+err.Error(), http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(buf.Bytes())
	}
}

type statusView struct {
	Single   bool
	Location string
	Now      time.Time
	Targets  []targetView
}

type targetView struct {
	Name, URL  string
	Visitor    string // the profile of these visits: a target has a view per visitor
	Verdict    string // pleasant | indifferent | problematic | unknown (a CSS class)
	Visited    bool
	VisitedAt  time.Time
	Ago        string
	NextVisit  time.Time
	Visiting   bool
	Rechecking bool
	HTTPStatus int
	FinalURL   string
	Duration   float64
	Reasons    []reasonView
	Touch      []touchView
	Timeline   timelineView
	Frames     []frameView
	// Waterfalls: the requests of the latest visit and of the latest
	// non-pleasant one (when it is another), from their evidence.
	Waterfalls []waterfallView
	History    []visitView
}

type reasonView struct {
	Code, Where, Message string
	Failure              bool
}

type touchView struct {
	Name, Detail string
	Up, Required bool
	// NotFound: looked for automatically and the site does not have it —
	// drawn in grey, not as a failure.
	NotFound bool
}

// Class is the touchpoint's CSS class: up, absent (not found) or down.
func (t touchView) Class() string {
	switch {
	case t.Up:
		return "up"
	case t.NotFound:
		return "absent"
	}
	return "down"
}

// Sign is the mark drawn after its name.
func (t touchView) Sign() string {
	return map[string]string{"up": "✓", "absent": "–", "down": "✗"}[t.Class()]
}

type frameView struct {
	Index    int
	OffsetMS int64
}

type visitView struct {
	At       time.Time
	Verdict  string
	Reasons  []reasonView
	Duration float64
}

func newTargetView(t TargetState, urls map[string]string, scrub func(string) string, large bool, now time.Time) targetView {
	u, ok := urls[t.Name]
	if !ok {
		u = scrub(t.URL)
	}
	v := targetView{
		Name: t.Name, Visitor: t.Visitor, URL: u, Verdict: "unknown", NextVisit: t.NextVisit,
		Visiting: t.Visiting, Rechecking: t.Rechecking,
	}
	var last checks.Result
	if t.Last != nil {
		last = *t.Last
		v.Visited = true
		v.Verdict = verdictClass(last.Verdict)
		v.VisitedAt = last.StartedAt
		if !last.StartedAt.IsZero() {
			v.Ago = now.Sub(last.StartedAt).Round(time.Second).String() + " ago"
		}
		v.HTTPStatus = last.HTTPStatus
		if last.FinalURL != "" && last.FinalURL != t.URL {
			v.FinalURL = scrub(last.FinalURL)
		}
		v.Duration = last.DurationSeconds
		v.Reasons = reasonViews(last.Reasons, scrub)
		names := slices.Clone(checks.Touchpoints)
		for _, name := range slices.Sorted(maps.Keys(last.Touchpoints)) {
			if !slices.Contains(names, name) {
				names = append(names, name) // the business's own key points
			}
		}
		for _, name := range names {
			tp, ok := last.Touchpoints[name]
			if !ok || !tp.Checked {
				continue
			}
			d := tp.Reason
			if tp.Detail != "" {
				d = scrub(tp.Detail)
			}
			v.Touch = append(v.Touch, touchView{Name: name, Up: tp.Up, Required: tp.Required, Detail: d, NotFound: tp.NotFound()})
		}
		for i, f := range last.Frames {
			v.Frames = append(v.Frames, frameView{Index: i, OffsetMS: f.Offset.Milliseconds()})
		}
	}
	v.Timeline = newTimeline(last, large)
	v.Waterfalls = waterfalls(t, scrub, large)
	for _, h := range t.History {
		v.History = append(v.History, visitView{
			At: h.StartedAt, Verdict: verdictClass(h.Verdict),
			Reasons: reasonViews(h.Reasons, scrub), Duration: h.DurationSeconds,
		})
	}
	return v
}

// waterfalls draws the latest visit and the latest non-pleasant one that
// still has its evidence (probe/history.go keeps it for those two only).
func waterfalls(t TargetState, scrub func(string) string, large bool) []waterfallView {
	var out []waterfallView
	if t.Last != nil && t.Last.Diagnosis.HasEvidence() {
		out = append(out, newWaterfall("latest visit", t.Last, t.Last.Diagnosis.Unpack(), scrub, large))
		if t.Last.Verdict != checks.Pleasant {
			return out
		}
	}
	for i := range t.History {
		h := &t.History[i]
		if h.Verdict == checks.Pleasant || !h.Diagnosis.HasEvidence() {
			continue
		}
		if t.Last != nil && h.StartedAt.Equal(t.Last.StartedAt) {
			return out // the latest visit itself, drawn above
		}
		return append(out, newWaterfall("latest non-pleasant visit", h, h.Diagnosis.Unpack(), scrub, large))
	}
	return out
}

func verdictClass(v checks.Verdict) string {
	switch v {
	case checks.Pleasant, checks.Indifferent, checks.Problematic:
		return string(v)
	}
	return "unknown"
}

func reasonViews(rs []checks.Reason, scrub func(string) string) []reasonView {
	out := make([]reasonView, 0, len(rs))
	for _, r := range rs {
		where := r.Milestone
		if r.Touchpoint != "" {
			where = r.Touchpoint
		}
		out = append(out, reasonView{Code: r.Code, Where: where, Message: scrub(r.Message), Failure: r.Failure})
	}
	return out
}

// timelineView is the SVG of one visit's first 20 seconds: one row per
// milestone, an axis with a tick each second and a label every 5.
type timelineView struct {
	W, H       int
	X0, X1     float64 // where 0 s and 20 s are drawn
	AxisY      float64
	LabelX     float64
	FontSize   int
	Ticks      []tickView
	Rows       []rowView
	EmptyLabel string // shown when the visit reached no milestone
}

type tickView struct {
	X, Y2 float64
	Label string // every 5 s
}

type rowView struct {
	Name    string
	Y       float64 // the row's centre line
	Reached bool
	Seconds float64
	X       float64
	TextX   float64 // where its time is written: right of the marker and of the promise mark
	Clipped bool    // later than 20 s: drawn at the edge with an arrow
	Arrow   string  // the arrow's SVG path when clipped
	Class   string
	// A promise is drawn as a thin mark on the row.
	HasPromise bool
	Promise    float64
	PromiseX   float64
	PromiseY1  float64
	PromiseY2  float64
}

func newTimeline(r checks.Result, large bool) timelineView {
	tl := timelineView{W: 760, X0: 200, X1: 680, FontSize: 11}
	rowH := 18.0
	if large {
		tl = timelineView{W: 1180, X0: 240, X1: 1080, FontSize: 14}
		rowH = 26
	}
	tl.LabelX = tl.X0 - 8
	x := func(s float64) float64 {
		s = math.Max(0, math.Min(s, statusWindow))
		return round1(tl.X0 + s/statusWindow*(tl.X1-tl.X0))
	}
	y := rowH / 2
	rows := slices.Clone(checks.Milestones)
	for _, m := range slices.Sorted(maps.Keys(r.Milestones)) {
		if !slices.Contains(rows, m) {
			rows = append(rows, m) // a key point's NAME_ready
		}
	}
	for _, m := range rows {
		row := rowView{Name: m, Y: y}
		if s, ok := r.Milestones[m]; ok {
			row.Reached, row.Seconds, row.X = true, s, x(s)
			row.Clipped = s > statusWindow
			row.Class = "kept"
			if b, ok := r.Promises[m]; ok && s > b {
				row.Class = "broken"
			}
			if row.Clipped {
				row.Class = "late"
				row.Arrow = fmt.Sprintf("M%.1f %.1f L%.1f %.1f L%.1f %.1f Z", row.X, y-5, row.X+8, y, row.X, y+5)
			}
		}
		if b, ok := r.Promises[m]; ok {
			row.HasPromise, row.Promise, row.PromiseX = true, b, x(b)
			if row.Reached && row.PromiseX > row.X && row.PromiseX-row.X < 60 {
				row.TextX = row.PromiseX
			}
			row.PromiseY1, row.PromiseY2 = y-rowH*0.4, y+rowH*0.4
		}
		row.TextX = math.Max(row.TextX, row.X)
		tl.Rows = append(tl.Rows, row)
		y += rowH
	}
	tl.AxisY = y
	for s := 0; s <= int(statusWindow); s++ {
		tk := tickView{X: x(float64(s)), Y2: y + 3}
		if s%5 == 0 {
			tk.Y2 = y + 6
			tk.Label = fmt.Sprintf("%d s", s)
		}
		tl.Ticks = append(tl.Ticks, tk)
	}
	tl.H = int(y) + tl.FontSize + 12
	if len(r.Milestones) == 0 {
		tl.EmptyLabel = "no milestone reached"
	}
	return tl
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
