package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
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
		`touchprobe_verdict{location="demo",target="demo-pleasant",verdict="pleasant"} 1`,
		`touchprobe_verdict{location="demo",target="demo-slow-paint",verdict="indifferent"} 1`,
		`touchprobe_touchpoint_up{location="demo",target="demo-contact",touchpoint="phone"} 1`,
		`touchprobe_verdict{location="demo",target="demo-broken",verdict="problematic"} 1`,
		`touchprobe_touchpoint_up{location="demo",target="demo-chat",touchpoint="chat"} 1`,
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

// TestRunListensOnLoopbackByDefault: without -listen nobody but this host
// reaches /metrics, /probe or the status page.
func TestRunListensOnLoopbackByDefault(t *testing.T) {
	var stderr bytes.Buffer
	if code := runRun([]string{"-h"}, io.Discard, &stderr); code != exitOK {
		t.Fatalf("run -h: exit %d", code)
	}
	if !strings.Contains(stderr.String(), `(default "127.0.0.1:9516")`) {
		t.Errorf("run -h does not show a loopback default listen address:\n%s", stderr.String())
	}
}
