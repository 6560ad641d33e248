package browser

import (
	"context"
	"time"
)

// Evidence is what the visit recorded for the person on call: every
// request (the page's, its iframes' in their own processes too), console
// errors, uncaught exceptions, long tasks and the LCP's parts. Call it
// after Timeline.
func (s *Session) Evidence(ctx context.Context) Evidence {
	s.mu.Lock()
	var pageURL string
	var start float64
	doc := s.docs[s.loader]
	if doc != nil {
		pageURL, start = doc.url, doc.start
	}
	window, off := s.opts.Window, s.opts.NoEvidence
	s.mu.Unlock()
	if off {
		return Evidence{}
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	main := s.tab.Main()
	var clk struct {
		Origin float64 `json:"origin"`
	}
	origin := 0.0
	if err := main.Call(rctx, "hands.clock", nil, &clk); err == nil && clk.Origin > 0 {
		origin = clk.Origin
	} else {
		// No page to ask (it failed, or hangs): the document request's
		// start stands in for the navigation start.
		s.rec.mu.Lock()
		if s.rec.offset != 0 {
			origin = (start + s.rec.offset) * 1000
		}
		s.rec.mu.Unlock()
	}
	ev := s.rec.read(origin, pageURL)
	var r evidenceReading
	arg := map[string]float64{"windowMs": float64(window.Milliseconds())}
	if ms, ok := s.visitorTTFB(doc); ok {
		arg["ttfbMs"] = ms
	}
	if err := main.Call(rctx, "evidence.read", arg, &r); err == nil {
		ev.merge(r, pageURL)
	} else {
		ev.LongTasks.ThirdPartyBlockingShare = -1
	}
	return ev
}
