package peers

import "sort"

// visit is one measured visit or run; times in ms, page clock for paints.
type visit struct {
	Wall  float64            `json:"wall_ms"`
	FCP   float64            `json:"fcp_ms"`
	LCP   float64            `json:"lcp_ms"`
	Marks map[string]float64 `json:"marks"` // the fixture's own fx- marks, where read
}

// series is one tool's visits in one mode.
type series []visit

func (s series) col(f func(visit) float64) []float64 {
	out := make([]float64, 0, len(s))
	for _, v := range s {
		out = append(out, f(v))
	}
	return out
}

func (s series) wall() float64 { return median(s.col(func(v visit) float64 { return v.Wall })) }
func (s series) fcp() float64  { return median(s.col(func(v visit) float64 { return v.FCP })) }
func (s series) lcp() float64  { return median(s.col(func(v visit) float64 { return v.LCP })) }

// markErr is each visit's reading minus the fixture's mark (visits without the mark left out).
func (s series) markErr(f func(visit) float64, mark string) []float64 {
	var out []float64
	for _, v := range s {
		if m, ok := v.Marks[mark]; ok && f(v) > 0 {
			out = append(out, f(v)-m)
		}
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func maxAbs(xs []float64) float64 {
	var m float64
	for _, x := range xs {
		m = max(m, x, -x)
	}
	return m
}
