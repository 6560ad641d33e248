package probe

import (
	"context"
	"errors"
	"time"

	"github.com/touchprobe/touchprobe/checks"
)

// ErrUnknownTarget is returned for a target name the config does not have:
// on-demand visits take configured names only (the daemon is no open proxy).
var ErrUnknownTarget = errors.New("no such target in the config")

// TargetState is what the daemon knows of one configured target.
type TargetState struct {
	Name string
	// Visitor: the profile this state's visits are made as (a target
	// visited as several has a state per visitor, in the config's order).
	Visitor  string
	URL      string
	Labels   map[string]string
	Interval time.Duration
	// Last is the latest finished visit (nil before the first one).
	Last *checks.Result
	// History holds recent visits, newest first; failures are kept longer
	// than successes.
	History   []checks.Result
	NextVisit time.Time
	Visiting  bool
	// Rechecking is true while a problematic target is visited at the
	// faster re-check cadence.
	Rechecking bool
}

// Prober is what the HTTP server needs from the daemon.
type Prober interface {
	// Snapshot returns every configured target's state, sorted by name.
	Snapshot() []TargetState
	// ProbeNow visits a configured target at once as visitor (empty: its
	// first; ErrUnknownTarget for a target or visitor not configured).
	ProbeNow(ctx context.Context, name, visitor string) (checks.Result, error)
	// Reload re-reads the config; an invalid one keeps the old running.
	Reload() error
	// Ready is true once the browser runs and the config is loaded.
	Ready() bool
	// Location is the configured location label.
	Location() string
}
