package probe

import (
	"context"
	"fmt"

	"github.com/touchprobe/touchprobe/checks"
)

// fakeProber is a Prober with fixed state, for the HTTP server's tests.
type fakeProber struct {
	targets   []TargetState
	ready     bool
	reloadErr error
	probed    []string
}

func (f *fakeProber) Snapshot() []TargetState { return f.targets }
func (f *fakeProber) Ready() bool             { return f.ready }
func (f *fakeProber) Reload() error           { return f.reloadErr }
func (f *fakeProber) Location() string        { return "lab" }
func (f *fakeProber) ProbeNow(_ context.Context, name, _ string) (checks.Result, error) {
	for _, t := range f.targets {
		if t.Name == name {
			f.probed = append(f.probed, name)
			return checks.Result{Target: name, URL: t.URL, Success: true, Verdict: checks.Pleasant,
				Milestones: map[string]float64{"ttfb": 0.1}, Log: []string{"visited " + name}}, nil
		}
	}
	return checks.Result{}, fmt.Errorf("probe %q: %w", name, ErrUnknownTarget)
}
