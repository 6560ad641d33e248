package probe

import "github.com/touchprobe/touchprobe/checks"

// addHistory puts res first in h and trims it: at most keep successes and
// keep failures (problematic or unknown visits), so failures outlive the
// many pleasant visits that follow them. Only the newest entry keeps its
// filmstrip frames, and only the newest and the newest non-pleasant one
// keep their evidence (the others keep its causes): frames and evidence
// are the bulk of a result's memory.
func addHistory(h []checks.Result, res checks.Result, keep int) []checks.Result {
	if keep < 1 {
		keep = 1
	}
	out := make([]checks.Result, 0, min(len(h)+1, 2*keep))
	out = append(out, res)
	ok, bad := 0, 0
	if failed(res) {
		bad++
	} else {
		ok++
	}
	evidence := res.Verdict != checks.Pleasant // the newest non-pleasant is kept whole
	for _, r := range h {
		r.Frames = nil
		switch {
		case !evidence && r.Verdict != checks.Pleasant:
			evidence = true
		case r.Diagnosis.HasEvidence():
			r.Diagnosis = r.Diagnosis.WithoutEvidence()
		}
		if failed(r) {
			if bad >= keep {
				continue
			}
			bad++
		} else {
			if ok >= keep {
				continue
			}
			ok++
		}
		out = append(out, r)
	}
	return out
}

func failed(r checks.Result) bool { return !r.Success }
