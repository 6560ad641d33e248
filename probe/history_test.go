package probe

import (
	"testing"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// TestHistoryKeepsEvidenceOfTheNewestAndTheNewestNonPleasantVisit: the
// evidence is the bulk of a result; older visits keep only their causes.
func TestHistoryKeepsEvidenceOfTheNewestAndTheNewestNonPleasantVisit(t *testing.T) {
	visit := func(v checks.Verdict, cause string) checks.Result {
		return checks.Result{Verdict: v, Success: v != checks.Problematic, Diagnosis: &checks.Diagnosis{
			Evidence: browser.Evidence{Requests: []browser.Request{{URL: "http://acme.example/" + cause}}}, Causes: []string{cause}}}
	}
	var h []checks.Result
	for _, r := range []checks.Result{visit(checks.Indifferent, "old-slow"), visit(checks.Problematic, "broken"),
		visit(checks.Pleasant, "fine-1"), visit(checks.Pleasant, "fine-2")} {
		h = addHistory(h, r, 10)
	}
	whole := map[string]bool{}
	for _, r := range h {
		if len(r.Diagnosis.Causes) != 1 {
			t.Fatalf("a visit lost its cause: %+v", r.Diagnosis)
		}
		if r.Diagnosis.HasEvidence() {
			whole[r.Diagnosis.Causes[0]] = true
		}
	}
	if len(whole) != 2 || !whole["fine-2"] || !whole["broken"] {
		t.Errorf("visits with their evidence: %v, want the newest (fine-2) and the newest non-pleasant (broken)", whole)
	}
}
