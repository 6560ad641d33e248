package browser

import (
	"context"
	"errors"
)

// replaced says whether the frame's document is no longer the one whose
// clock began at origin (epoch ms): an input that sent a form or followed a
// link made the frame load another document, whose answer to calls is not
// the input's. An input's answer is then not measurable there, and waiting
// for it would only delay the caller (interact).
func (f *Frame) replaced(ctx context.Context, origin float64) bool {
	var clk struct {
		Origin float64 `json:"origin"`
	}
	if err := f.Call(ctx, "hands.clock", nil, &clk); err != nil {
		return errors.Is(err, ErrGone)
	}
	return clk.Origin != origin
}
