package checks

import (
	"bytes"
	"strings"
	"testing"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// TestWriteTextWhy: the text report explains every verdict but pleasant
// with the causes and the evidence's numbers, and stays short when the
// visit was pleasant.
func TestWriteTextWhy(t *testing.T) {
	diag := &Diagnosis{
		Causes: []string{"first_contentful_paint at 3.21 s waited 3.0 s for render-blocking script http://tags.example.net/tag.js (third party)"},
		Summary: EvidenceSummary{Requests: 12, FailedRequests: 1, ConsoleErrors: 2, Exceptions: 1, TotalBlockingSeconds: 0.45, ThirdPartyByteShare: 0.25,
			LCP: &browser.LCPParts{Element: "img#hero", Seconds: 5.9, TTFBSeconds: 0.1, LoadDelaySeconds: 0.3, LoadSeconds: 5.2, RenderDelaySeconds: 0.3}},
	}
	for _, tc := range []struct {
		verdict Verdict
		diag    *Diagnosis
		want    []string
		wantNot []string
	}{
		{Indifferent, diag, []string{"\nWhy:\n", "waited 3.0 s for render-blocking script http://tags.example.net/tag.js",
			"12 request(s), 1 failed; 2 console error(s), 1 uncaught exception(s); total blocking time 450 ms; third parties 25 % of the bytes",
			"largest contentful paint 5900 ms = first byte 100 + load delay 300 + load 5200 + render delay 300 (img#hero)"}, nil},
		{Problematic, &Diagnosis{}, []string{"\nWhy:\n", "(the evidence names no cause)"}, nil},
		{Pleasant, diag, nil, []string{"Why:"}},
		{Problematic, nil, nil, []string{"Why:"}},
	} {
		r := Result{URL: "http://acme.example/", Verdict: tc.verdict, Diagnosis: tc.diag, Window: 20}
		var buf bytes.Buffer
		r.WriteText(&buf)
		out := buf.String()
		for _, s := range tc.want {
			if !strings.Contains(out, s) {
				t.Errorf("%s: report lacks %q:\n%s", tc.verdict, s, out)
			}
		}
		for _, s := range tc.wantNot {
			if strings.Contains(out, s) {
				t.Errorf("%s: report has %q:\n%s", tc.verdict, s, out)
			}
		}
	}
}
