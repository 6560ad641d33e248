package probe

import (
	"fmt"
	"html/template"
	"math"
	"net/url"
	"sort"
	"strings"

	"github.com/touchprobe/touchprobe/checks"
)

// The waterfall of a visit on the status page: every request as a bar from
// its start to its end (darker from the first byte), render-blocking and
// failed requests marked, the milestones as lines across it, and the
// causes beside it. Inline SVG, no script, like the rest of the page.

// waterfallRows bounds the rows drawn; the rest are counted.
const waterfallRows = 80

type waterfallView struct {
	Title      string // "latest visit", "latest non-pleasant visit"
	When       string
	Verdict    string
	W, H       int
	X0, X1     float64 // where 0 s and Span are drawn
	Span       float64 // seconds the axis covers
	FontSize   int
	Rows       []waterfallRow
	Lines      []waterfallLine
	Ticks      []tickView
	AxisY      float64
	More       int // requests not drawn
	Causes     []string
	Console    int
	Exceptions int
	Empty      bool
}

type waterfallRow struct {
	Label, Title string
	Y, TextY     float64
	X, W         float64 // the bar: start to end
	RX, RW       float64 // its download part: first byte to end
	Class        string  // the request type, plus blocking / failed / third
	Mark         string  // what the label ends with: ⛔ blocking, ✗ failed
}

type waterfallLine struct {
	Name    string
	X       float64
	LabelY  float64
	Seconds float64
}

// newWaterfall draws one visit's requests; d must hold its evidence
// (unpacked).
func newWaterfall(title string, r *checks.Result, d *checks.Diagnosis, scrub func(string) string, large bool) waterfallView {
	v := waterfallView{Title: title, Verdict: verdictClass(r.Verdict), W: 760, X0: 250, X1: 740, FontSize: 10,
		Causes: d.Causes, Console: d.ConsoleCount, Exceptions: d.ExceptionCount}
	if !r.StartedAt.IsZero() {
		v.When = r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	rowH := 12.0
	if large {
		v.W, v.X0, v.X1, v.FontSize, rowH = 1180, 360, 1160, 12, 15
	}
	reqs := d.Requests
	if len(reqs) > waterfallRows {
		v.More = len(reqs) - waterfallRows + d.DroppedRequests
		reqs = reqs[:waterfallRows]
	} else {
		v.More = d.DroppedRequests
	}
	// The axis spans the requests and the milestones, within the window.
	span := 1.0
	for _, q := range reqs {
		span = math.Max(span, math.Max(q.End, q.Start))
	}
	for _, s := range r.Milestones {
		span = math.Max(span, s)
	}
	window := r.Window
	if window <= 0 {
		window = statusWindow
	}
	v.Span = math.Min(math.Ceil(span), window)
	x := func(s float64) float64 {
		s = math.Max(0, math.Min(s, v.Span))
		return round1(v.X0 + s/v.Span*(v.X1-v.X0))
	}
	top := float64(v.FontSize) + 6 // milestone labels above the rows
	y := top
	for _, q := range reqs {
		end := q.End
		if end <= 0 {
			end = v.Span // never finished within the visit
		}
		row := waterfallRow{Y: y, TextY: y + rowH/2, X: x(q.Start), Class: "req " + typeClass(q.Type)}
		row.W = math.Max(1, x(end)-row.X)
		if q.Response > 0 {
			row.RX = x(q.Response)
			row.RW = math.Max(0, x(end)-row.RX)
		}
		status := ""
		if q.Status > 0 {
			status = fmt.Sprint(q.Status)
		}
		switch {
		case q.Failure != "" || q.Status >= 400:
			row.Class += " failed"
			row.Mark = " ✗ " + strings.TrimSpace(status+" "+q.Failure)
		case q.RenderBlocking:
			row.Class += " blocking"
			row.Mark = " ⛔"
		}
		if q.Party == "third" {
			row.Class += " third"
		}
		row.Label = shortURL(scrub(q.URL)) + row.Mark
		row.Title = fmt.Sprintf("%s — %s, %s party, %.3f–%.3f s, %s%s", scrub(q.URL), q.Type, q.Party, q.Start, q.End,
			bytesLabel(q.Bytes), map[bool]string{true: ", render-blocking"}[q.RenderBlocking])
		if status != "" || q.Failure != "" {
			row.Title += ", " + strings.TrimSpace(status+" "+q.Failure)
		}
		v.Rows = append(v.Rows, row)
		y += rowH
	}
	v.AxisY = y + 2
	names := make([]string, 0, len(r.Milestones))
	for m := range r.Milestones {
		names = append(names, m)
	}
	sort.Slice(names, func(i, j int) bool { return r.Milestones[names[i]] < r.Milestones[names[j]] })
	for i, m := range names {
		s := r.Milestones[m]
		if s > v.Span {
			continue
		}
		// Labels alternate in two lines so that close milestones stay legible.
		v.Lines = append(v.Lines, waterfallLine{Name: m, X: x(s), Seconds: s, LabelY: float64(v.FontSize) * float64(1+i%2) * 0.9})
	}
	step := 1.0
	if v.Span > 10 {
		step = 2
	}
	for s := 0.0; s <= v.Span+1e-9; s += step {
		v.Ticks = append(v.Ticks, tickView{X: x(s), Y2: v.AxisY + 4, Label: fmt.Sprintf("%g s", s)})
	}
	v.H = int(v.AxisY) + v.FontSize + 12
	v.Empty = len(reqs) == 0
	return v
}

func typeClass(t string) string {
	switch t {
	case "document", "script", "stylesheet", "image", "font", "xhr", "fetch", "media":
		return t
	}
	return "other"
}

// shortURL is host and path, the path's middle elided when long.
func shortURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return truncateMiddle(raw, 48)
	}
	s := u.Host + u.EscapedPath()
	if u.RawQuery != "" {
		s += "?…"
	}
	return truncateMiddle(s, 48)
}

func truncateMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n/2-1]) + "…" + string(r[len(r)-n/2:])
}

func bytesLabel(b int64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}

// waterfallHTML draws a waterfallView (the template "waterfall").
const waterfallHTML = `{{define "waterfall"}}<figure class="waterfall">
<figcaption>Requests of the {{.Title}}{{if .When}} ({{.When}}, <span class="verdict {{.Verdict}}">{{.Verdict}}</span>){{end}}{{if .More}} — {{.More}} more not drawn{{end}}</figcaption>
{{if .Causes}}<ul class="causes">{{range .Causes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if or .Console .Exceptions}}<div class="facts muted">{{.Console}} console error(s), {{.Exceptions}} uncaught exception(s)</div>{{end}}
{{if .Empty}}<p class="muted">No request was recorded.</p>{{else}}{{$w := .}}
<svg class="waterfall" xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" font-size="{{.FontSize}}" role="img" aria-label="the visit's requests over time">
{{range .Rows}}<g class="{{.Class}}"><title>{{.Title}}</title>
<text x="{{$w.X0}}" dx="-6" y="{{.TextY}}" dy="0.35em" text-anchor="end">{{.Label}}</text>
<rect class="wait" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="9"/>{{if .RW}}<rect class="recv" x="{{.RX}}" y="{{.Y}}" width="{{.RW}}" height="9"/>{{end}}
</g>
{{end}}{{range .Lines}}<g class="mline" data-milestone="{{.Name}}" data-seconds="{{.Seconds}}"><line x1="{{.X}}" y1="{{.LabelY}}" x2="{{.X}}" y2="{{$w.AxisY}}"/><text x="{{.X}}" y="{{.LabelY}}" dy="-2" text-anchor="middle">{{.Name}}</text></g>
{{end}}<g class="axis"><line x1="{{.X0}}" y1="{{.AxisY}}" x2="{{.X1}}" y2="{{.AxisY}}"/>
{{range .Ticks}}<line class="tick" x1="{{.X}}" y1="{{$w.AxisY}}" x2="{{.X}}" y2="{{.Y2}}"/><text x="{{.X}}" y="{{$w.AxisY}}" dy="1.3em" text-anchor="middle">{{.Label}}</text>
{{end}}</g>
</svg>
<div class="legend muted">bar: request sent → first byte → end; ⛔ render-blocking · ✗ failed · <i>italic</i> third party · lines: milestones</div>{{end}}
</figure>{{end}}`

// waterfallStyle is the waterfall's part of the status page's style sheet.
const waterfallStyle = `svg.waterfall { display: block; background: #fff; margin: .3em 0; }
svg.waterfall text { fill: #333; font-family: system-ui, sans-serif; }
svg.waterfall rect.wait { fill: #c8d6e5; } svg.waterfall rect.recv { fill: #4a78a8; }
svg.waterfall .script rect.recv { fill: #c08a1e; } svg.waterfall .stylesheet rect.recv { fill: #7a4fa8; }
svg.waterfall .image rect.recv { fill: #2f8f6a; } svg.waterfall .font rect.recv { fill: #a84f7a; }
svg.waterfall .blocking rect.wait { stroke: #000; stroke-width: 1; }
svg.waterfall .failed rect { fill: #cf222e; } svg.waterfall .failed text { fill: #cf222e; }
svg.waterfall .third text { font-style: italic; }
svg.waterfall .mline line { stroke: #0550ae; stroke-dasharray: 3 2; } svg.waterfall .mline text { fill: #0550ae; }
svg.waterfall .axis line { stroke: #555; }
ul.causes { margin: .2em 0; }`

// statusTemplates adds the waterfall to the status page's templates.
var _ = template.Must(statusTmpl.New("waterfall").Parse(waterfallHTML))
