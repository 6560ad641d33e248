package checks

import (
	"strings"
	"testing"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// TestDiagnoseTable: the cause named for each kind of failure and broken
// promise, from evidence written by hand (no browser).
func TestDiagnoseTable(t *testing.T) {
	tag := browser.Request{URL: "http://tags.example.net/tag.js", Host: "tags.example.net", Party: "third", Type: "script",
		Status: 200, Start: 0.2, End: 3.2, RenderBlocking: true}
	img := browser.Request{URL: "http://acme.example/hero.jpg", Host: "acme.example", Party: "first", Type: "image",
		Status: 200, Start: 0.5, End: 5.8, Bytes: 1572864}
	loader := browser.Request{URL: "http://vendor.example/chat/loader.js", Host: "vendor.example", Party: "third", Type: "script", Status: 404, Start: 0.4, End: 0.5}
	cases := []struct {
		name string
		res  Result
		ev   browser.Evidence
		want []string // substrings of the causes, in order
	}{
		{
			name: "first paint held by a third-party tag",
			res: Result{Milestones: map[string]float64{MilestoneFCP: 3.21}, Promises: map[string]float64{MilestoneFCP: 1.8},
				Reasons: []Reason{{Code: CodeBrokenPromise, Milestone: MilestoneFCP}}},
			ev:   browser.Evidence{Requests: []browser.Request{tag}},
			want: []string{"first_contentful_paint at 3.21 s waited 3.0 s for render-blocking script http://tags.example.net/tag.js (third party)"},
		},
		{
			name: "largest paint loading a heavy picture",
			res: Result{Milestones: map[string]float64{MilestoneLCP: 5.9}, Promises: map[string]float64{MilestoneLCP: 2.5},
				Reasons: []Reason{{Code: CodeBrokenPromise, Milestone: MilestoneLCP}}},
			ev: browser.Evidence{Requests: []browser.Request{img}, LCP: &browser.LCPParts{Element: "img#hero", URL: img.URL, Seconds: 5.9,
				TTFBSeconds: 0.2, LoadDelaySeconds: 0.3, LoadSeconds: 5.3, RenderDelaySeconds: 0.1}},
			want: []string{"largest_contentful_paint: 5.9 s loading a 1.5 MB image (http://acme.example/hero.jpg)"},
		},
		{
			name: "largest paint found late",
			res: Result{Milestones: map[string]float64{MilestoneLCP: 4}, Promises: map[string]float64{MilestoneLCP: 2.5},
				Reasons: []Reason{{Code: CodeBrokenPromise, Milestone: MilestoneLCP}}},
			ev: browser.Evidence{LCP: &browser.LCPParts{Element: "img#hero", URL: img.URL, Seconds: 4,
				TTFBSeconds: 0.2, LoadDelaySeconds: 3.2, LoadSeconds: 0.4, RenderDelaySeconds: 0.2}},
			want: []string{"requested only 3.2 s after the first byte"},
		},
		{
			name: "text painted late behind long tasks",
			res: Result{Milestones: map[string]float64{MilestoneLCP: 3}, Promises: map[string]float64{MilestoneLCP: 2.5},
				Reasons: []Reason{{Code: CodeBrokenPromise, Milestone: MilestoneLCP}}},
			ev: browser.Evidence{LongTasks: browser.LongTasks{Count: 4, TotalBlockingSeconds: 2.1},
				LCP: &browser.LCPParts{Element: "h1#hero", Seconds: 3, TTFBSeconds: 0.1, RenderDelaySeconds: 2.9}},
			want: []string{"h1#hero was painted 2.9 s after the first byte, the main thread blocked 2.1 s by 4 long tasks"},
		},
		{
			name: "the chat's widget script failed, ranked before a broken promise",
			res: Result{Milestones: map[string]float64{MilestoneFCP: 3.21}, Promises: map[string]float64{MilestoneFCP: 1.8},
				Reasons: []Reason{{Code: CodeBrokenPromise, Milestone: MilestoneFCP},
					{Code: ReasonChatMissing, Failure: true, Touchpoint: TouchChat}}},
			ev:   browser.Evidence{Requests: []browser.Request{tag, loader}},
			want: []string{"chat: the widget script http://vendor.example/chat/loader.js failed: 404", "first_contentful_paint at 3.21 s"},
		},
		{
			name: "a key point whose page threw",
			res:  Result{Reasons: []Reason{{Code: "touchpoint_broken", Failure: true, Touchpoint: "quote"}}},
			ev:   browser.Evidence{Exceptions: []browser.Message{{Message: "TypeError: x is undefined", Source: "http://acme.example/app.js:3:9", At: 1.25}}},
			want: []string{`quote: the page threw "TypeError: x is undefined" at 1.25 s in http://acme.example/app.js:3:9`},
		},
		{
			name: "nothing in the evidence explains it: no sentence",
			res:  Result{Milestones: map[string]float64{MilestoneFCP: 2}, Promises: map[string]float64{MilestoneFCP: 1.8}, Reasons: []Reason{{Code: CodeBrokenPromise, Milestone: MilestoneFCP}}},
			want: nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := diagnose(&c.res, &c.ev)
			if len(got) != len(c.want) {
				t.Fatalf("causes %q, want %d like %q", got, len(c.want), c.want)
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("cause %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

// TestDiagnosisPackRoundTrip: the daemon keeps the evidence packed; the
// status page gets it back whole.
func TestDiagnosisPackRoundTrip(t *testing.T) {
	d := &Diagnosis{Evidence: browser.Evidence{
		Requests:      []browser.Request{{URL: "http://acme.example/", Host: "acme.example", Party: "first", Type: "document", Status: 200, End: 0.4, Bytes: 5120}},
		ConsoleErrors: []browser.Message{{Message: "boom", At: 1.5}},
		LCP:           &browser.LCPParts{Element: "h1", Seconds: 1.2, TTFBSeconds: 0.2, RenderDelaySeconds: 1},
	}, Causes: []string{"a cause"}}
	d.Summary = summarize(&d.Evidence)
	p := d.Pack()
	if len(p.Requests) != 0 || !p.HasEvidence() || p.Summary.Requests != 1 || p.Causes[0] != "a cause" {
		t.Fatalf("packed: %+v", p)
	}
	u := p.Unpack()
	if len(u.Requests) != 1 || u.Requests[0] != d.Requests[0] || u.ConsoleErrors[0] != d.ConsoleErrors[0] || *u.LCP != *d.LCP {
		t.Errorf("unpacked %+v, want %+v", u.Evidence, d.Evidence)
	}
	if w := p.WithoutEvidence(); w.HasEvidence() || w.Causes[0] != "a cause" {
		t.Errorf("without evidence: %+v", w)
	}
}
