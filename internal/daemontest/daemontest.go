// Package daemontest runs the real touchprobe daemon for tests and
// benchmarks: it loads a config, runs probe.Daemon (real Chromium), serves
// its whole HTTP handler on loopback, and stops everything when the test ends.
//
//	d := daemontest.Start(t, "t.yml", yaml, probe.Options{MaxFirstOffset: time.Second})
//	resp, err := http.Get(d.URL + "/metrics")
package daemontest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/probe"
	"github.com/touchprobe/touchprobe/probe/config"
)

// stopWait bounds how long Stop waits for Run to return (visits in flight
// are cancelled, the browser closed and its process group emptied).
const stopWait = 60 * time.Second

// Daemon is a running daemon and its HTTP server.
type Daemon struct {
	*probe.Daemon
	Config *config.Config
	File   string // the config file (reloads read it)
	URL    string // http://127.0.0.1:PORT: /metrics, /, /probe, /-/reload ...

	t      testing.TB
	srv    *httptest.Server
	cancel context.CancelFunc
	exited chan struct{}
	runErr error // Run's result, once exited is closed
	once   sync.Once
	err    error
}

// Start writes yaml to a file named name in a temporary folder, loads it
// as `touchprobe run -config` would, and runs the daemon until Stop or the
// end of the test.
func Start(t testing.TB, name, yaml string, opts probe.Options) *Daemon {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if opts.ConfigFile == "" {
		opts.ConfigFile = file
	}
	pd, err := probe.New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	d := &Daemon{Daemon: pd, Config: cfg, File: file, t: t, exited: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() {
		d.runErr = pd.Run(ctx)
		close(d.exited)
	}()
	d.srv = httptest.NewServer(probe.NewServer(pd, pd.Gatherer(), probe.ServerOptions{Version: opts.Version}))
	d.URL = d.srv.URL
	t.Cleanup(func() {
		if err := d.Stop(); err != nil {
			t.Error(err)
		}
	})
	return d
}

// Stop shuts the daemon down as SIGTERM does and waits for Run to return
// (bounded): its error, or one saying it did not return.
func (d *Daemon) Stop() error {
	d.once.Do(func() {
		d.srv.Close()
		d.cancel()
		select {
		case <-d.exited:
			d.err = d.runErr
		case <-time.After(stopWait):
			d.err = fmt.Errorf("daemon: Run did not return within %s of the stop", stopWait)
		}
	})
	return d.err
}

// Exited is closed when Run returned: before Stop, the daemon died.
func (d *Daemon) Exited() <-chan struct{} { return d.exited }

// RunErr is what Run returned; call it after Exited is closed.
func (d *Daemon) RunErr() error { return d.runErr }

// Rewrite replaces the config file (for a reload).
func (d *Daemon) Rewrite(yaml string) {
	d.t.Helper()
	if err := os.WriteFile(d.File, []byte(yaml), 0o644); err != nil {
		d.t.Fatal(err)
	}
}
