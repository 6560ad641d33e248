package probe

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// TestWaterfallDrawsEveryRequestAndMilestone renders a visit's waterfall
// and reads it back as XML: a row per request, the blocking and failed
// ones marked, third parties told apart, the milestones as lines.
func TestWaterfallDrawsEveryRequestAndMilestone(t *testing.T) {
	res := checks.Result{StartedAt: time.Unix(1796000000, 0), Verdict: checks.Indifferent, Window: 20,
		Milestones: map[string]float64{checks.MilestoneFCP: 1.3, checks.MilestoneLCP: 2.1, checks.MilestoneLoad: 2.4, "booking_ready": 25}}
	d := &checks.Diagnosis{Evidence: browser.Evidence{Requests: []browser.Request{
		{URL: "http://acme.example/", Host: "acme.example", Party: "first", Type: "document", Status: 200, Start: 0, Response: 0.1, End: 0.2},
		{URL: "http://tags.example.net/tag.js?id=…", Host: "tags.example.net", Party: "third", Type: "script", Status: 200, Start: 0.2, Response: 1.2, End: 1.25, RenderBlocking: true},
		{URL: "http://acme.example/missing.js", Host: "acme.example", Party: "first", Type: "script", Status: 404, Start: 0.2, End: 0.3},
		{URL: "http://acme.example/hero.jpg", Host: "acme.example", Party: "first", Type: "image", Status: 200, Start: 0.3, Response: 0.5, End: 2.0, Bytes: 1 << 21},
	}, DroppedRequests: 3, ConsoleCount: 2, ExceptionCount: 1}, Causes: []string{"first_contentful_paint at 1.30 s waited 1.0 s for render-blocking script"}}
	v := newWaterfall("latest visit", &res, d, func(s string) string { return s }, false)
	var buf bytes.Buffer
	if err := statusTmpl.ExecuteTemplate(&buf, "waterfall", v); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	svg := html[strings.Index(html, "<svg") : strings.Index(html, "</svg>")+len("</svg>")]
	var doc struct {
		Groups []struct {
			Class string `xml:"class,attr"`
			Title string `xml:"title"`
			Data  string `xml:"data-milestone,attr"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("the waterfall is not well-formed SVG: %v", err)
	}
	var rows, lines []string
	for _, g := range doc.Groups {
		switch {
		case strings.HasPrefix(g.Class, "req"):
			rows = append(rows, g.Class+" | "+g.Title)
		case g.Class == "mline":
			lines = append(lines, g.Data)
		}
	}
	if len(rows) != 4 {
		t.Fatalf("rows %q, want the 4 requests", rows)
	}
	for i, want := range []string{"req document", "req script blocking third", "req script failed", "req image"} {
		if !strings.HasPrefix(rows[i], want+" |") {
			t.Errorf("row %d = %q, want class %q", i, rows[i], want)
		}
	}
	if !strings.Contains(rows[3], "2.0 MB") {
		t.Errorf("the picture's row %q does not say its size", rows[3])
	}
	// The key point at 25 s is past the window and is not drawn.
	if strings.Join(lines, ",") != "first_contentful_paint,largest_contentful_paint,load" {
		t.Errorf("milestone lines %v", lines)
	}
	for _, want := range []string{"3 more not drawn", "2 console error(s), 1 uncaught exception(s)", "waited 1.0 s for render-blocking script"} {
		if !strings.Contains(html, want) {
			t.Errorf("the waterfall does not say %q", want)
		}
	}
}
