package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a log sink safe for the daemon's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunDemo: `touchprobe run` without a config probes the built-in site,
// shows metrics within seconds, says where to look, and stops with exit 0
// within the shutdown bound.
func TestRunDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: runs Chromium")
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- runDaemon(ctx, daemonArgs{listen: "127.0.0.1:0", log: log, ready: func(a string) { addrc <- a }}, io.Discard)
	}()
	var addr string
	select {
	case addr = <-addrc:
	case code := <-done:
		t.Fatalf("run ended with %d:\n%s", code, logs.String())
	}
	deadline := time.Now().Add(60 * time.Second)
	var body string
	for {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			if strings.Count(body, "touchprobe_visit_success{") == 5 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no metrics for the 5 demo targets within 60s:\n%s\nlog:\n%s", body, logs.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, want := range []string{
		`touchprobe_verdict{location="demo",target="demo-pleasant",verdict="pleasant",visitor="desktop"} 1`,
		`touchprobe_verdict{location="demo",target="demo-slow-paint",verdict="indifferent",visitor="desktop"} 1`,
		`touchprobe_touchpoint_up{location="demo",target="demo-contact",touchpoint="phone",visitor="desktop"} 1`,
		`touchprobe_verdict{location="demo",target="demo-broken",verdict="problematic",visitor="desktop"} 1`,
		`touchprobe_touchpoint_up{location="demo",target="demo-chat",touchpoint="chat",visitor="desktop"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("demo metrics lack %s", want)
		}
	}
	if l := logs.String(); !strings.Contains(l, `"metrics":"http://`+addr+`/metrics"`) {
		t.Errorf("the log does not say where the metrics are:\n%s", l)
	}
	// SIGHUP reloads (the demo's config is built in: the reload re-applies it).
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), `touchprobe_config_reloads_total{result="success"} 1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP did not reload:\n%s", logs.String())
		}
	}
	cancel()
	start := time.Now()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit code %d after shutdown, want 0", code)
		}
		t.Logf("shutdown took %v", time.Since(start))
	case <-time.After(shutdownBound + 5*time.Second):
		t.Fatal("no exit within the shutdown bound")
	}
}

func TestRunUsageErrors(t *testing.T) {
	dir := t.TempDir()
	good := dir + "/ok.yml"
	if err := os.WriteFile(good, []byte("targets:\n  - {name: a, url: \"http://127.0.0.1:1/\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-log.level", "loud"}, "-log.level"},
		{[]string{"-log.format", "xml"}, "-log.format"},
		{[]string{"-config", dir + "/missing.yml"}, "missing.yml"},
		{[]string{"-config", good, "-shard", "2/2"}, "-shard"},
		{[]string{"extra"}, "Usage"},
	} {
		var stderr bytes.Buffer
		if code := runRun(c.args, io.Discard, &stderr); code != exitUsage || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("run %v: exit %d, stderr %q; want %d mentioning %q", c.args, code, stderr.String(), exitUsage, c.want)
		}
	}
}

// listenChildConfig, set in the environment, makes the test binary the
// daemon of TestRunListensOnLoopbackByDefault: `run -config FILE`.
const listenChildConfig = "TOUCHPROBE_TEST_LISTEN_CONFIG"

// TestRunListensOnLoopbackByDefault: `touchprobe run` without -listen binds
// 127.0.0.1:9516 and nothing else, so nobody but this host reaches /metrics,
// /probe or the status page. The daemon is this test binary run again, in a
// network namespace of its own where the port is free whatever else the
// machine runs; what it listens on is read from the kernel (/proc).
func TestRunListensOnLoopbackByDefault(t *testing.T) {
	if cfg := os.Getenv(listenChildConfig); cfg != "" {
		os.Exit(runRun([]string{"-config", cfg}, os.Stdout, os.Stderr))
	}
	cfg := filepath.Join(t.TempDir(), "touchprobe.yml")
	// The first visit comes at a random point of the hour: none during the test.
	if err := os.WriteFile(cfg, []byte("global:\n  interval: 1h\ntargets:\n  - {name: a, url: \"http://127.0.0.1:1/\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startListenChild(t, cfg)
	line := d.waitForLog(t, "msg=listening")
	if !strings.Contains(line, "metrics=http://127.0.0.1:9516/metrics") {
		t.Errorf("the daemon says it serves elsewhere than http://127.0.0.1:9516/metrics: %s", line)
	}
	if got := listeningOn(t, d.cmd.Process.Pid); !slices.Equal(got, []string{"127.0.0.1:9516"}) {
		t.Errorf("without -listen the daemon listens on %v, want [127.0.0.1:9516] only", got)
	}
	if code := d.stop(t); code != exitOK {
		t.Errorf("exit code %d after SIGTERM, want 0; log:\n%s", code, d.log())
	}
}

// listenChild is the daemon process of TestRunListensOnLoopbackByDefault.
type listenChild struct {
	cmd   *exec.Cmd
	lines chan string // its log, line by line; closed at its end
	mu    sync.Mutex
	seen  []string
}

// startListenChild runs `touchprobe run -config cfg` (no -listen) in a new
// user and network namespace, or in this one where the machine allows no
// new namespace (then port 9516 must be free).
func startListenChild(t *testing.T, cfg string) *listenChild {
	t.Helper()
	for _, isolate := range []bool{true, false} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRunListensOnLoopbackByDefault$")
		cmd.Env = append(os.Environ(), listenChildConfig+"="+cfg)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if isolate {
			cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET
			cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
			cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		}
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			if isolate {
				t.Logf("no network namespace of its own (%v): the daemon runs in this one", err)
				continue
			}
			t.Fatal(err)
		}
		c := &listenChild{cmd: cmd, lines: make(chan string, 100)}
		go c.read(stderr)
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return c
	}
	panic("unreachable")
}

func (c *listenChild) read(r io.Reader) {
	defer close(c.lines)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		c.mu.Lock()
		c.seen = append(c.seen, sc.Text())
		c.mu.Unlock()
		c.lines <- sc.Text()
	}
}

func (c *listenChild) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.seen, "\n")
}

// waitForLog returns the first log line that contains want.
func (c *listenChild) waitForLog(t *testing.T, want string) string {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				t.Fatalf("the daemon ended before logging %q:\n%s", want, c.log())
			}
			if strings.Contains(line, want) {
				return line
			}
		case <-timeout:
			t.Fatalf("no %q in the daemon's log within a minute:\n%s", want, c.log())
		}
	}
}

// stop sends SIGTERM and returns the exit code.
func (c *listenChild) stop(t *testing.T) int {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range c.lines { // drain, so the daemon never blocks on its log
	}
	err := c.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}
