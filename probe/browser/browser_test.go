package browser_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

var (
	sup     *browser.Supervisor
	fixture *site.Site
)

func TestMain(m *testing.M) {
	var err error
	fixture, err = site.Start()
	if err != nil {
		panic(err)
	}
	sup = browser.NewSupervisor(browser.Options{UserAgentMarker: "touchprobe-test", Spares: 1})
	code := m.Run()
	sup.Close()
	fixture.Close()
	os.Exit(code)
}

// visit runs one navigation and returns its timeline and the wall time.
func visit(t testing.TB, url string, o browser.NavOptions) (browser.Timeline, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	s, err := sup.Session(ctx)
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	defer s.Close()
	if err := s.Navigate(ctx, url, o); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	select {
	case <-s.Settled():
	case <-ctx.Done():
	}
	tl := s.Timeline(ctx)
	return tl, time.Since(start)
}

func TestSpike(t *testing.T) {
	for i := 0; i < 3; i++ {
		tl, d := visit(t, fixture.URL+"/?ttfb=150&body=300&fcp=800&lcp=1500", browser.NavOptions{})
		t.Logf("wall=%v ended=%s status=%d fail=%q %s ms=%v cls=%v lcpEl=%s", d, tl.Ended, tl.Status, tl.Failure, tl.Detail, tl.Milestones, tl.LayoutShift, tl.LCPElement)
	}
}
