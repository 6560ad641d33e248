// Package promtest runs the real Prometheus server for tests: it scrapes the
// given targets on loopback every second, loads the given rule files, and
// answers PromQL through its HTTP API. It also finds promtool.
//
//	p := promtest.Start(t, []string{"127.0.0.1:9516"}, promtest.Rules("rules.yml"))
//	v, err := p.WaitFor(ctx, `touchprobe_visit_success{target="acme"} == 1`)
//
// A test that finds no prometheus (or promtool) binary is skipped, and the
// skip names the tool: scripts/test.sh fails on such a skip, since
// scripts/setup.sh installs both.
package promtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Prometheus is a running server; it stops when the test ends.
type Prometheus struct {
	URL string // http://127.0.0.1:PORT
	Dir string // its config and data directory

	t   testing.TB
	cmd *exec.Cmd
	log *bytes.Buffer
}

// Sample is one element of an instant vector.
type Sample struct {
	Metric map[string]string
	Value  float64
	Time   time.Time
}

type options struct {
	rules []string
}

// Option changes how the server is started.
type Option func(*options)

// Rules loads these rule files (recording and alerting rules); they are
// evaluated every scrape interval.
func Rules(files ...string) Option { return func(o *options) { o.rules = append(o.rules, files...) } }

// Start runs Prometheus scraping targets (host:port) as job "touchprobe",
// waits until it is ready, and stops it at the end of the test.
func Start(t testing.TB, scrapeTargets []string, opts ...Option) *Prometheus {
	t.Helper()
	var o options
	for _, f := range opts {
		f(&o)
	}
	bin := find(t, "prometheus", "TOUCHPROBE_PROMETHEUS")
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, []byte(config(o, scrapeTargets)), 0o644); err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p := &Prometheus{URL: "http://" + addr, Dir: dir, t: t, log: &bytes.Buffer{}}
	p.cmd = exec.Command(bin,
		"--config.file="+cfgFile,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--web.enable-lifecycle",
		"--log.level=warn",
	)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		if resp, err := http.Get(p.URL + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("prometheus not ready after 60s:\n%s", p.log.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func config(o options, targets []string) string {
	var b strings.Builder
	b.WriteString("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n  scrape_timeout: 1s\n")
	if len(o.rules) > 0 {
		b.WriteString("rule_files:\n")
		for _, r := range o.rules {
			abs, _ := filepath.Abs(r)
			fmt.Fprintf(&b, "  - %q\n", abs)
		}
	}
	b.WriteString("scrape_configs:\n")
	if len(targets) > 0 {
		b.WriteString("  - job_name: touchprobe\n    static_configs:\n      - targets:\n")
		for _, t := range targets {
			fmt.Fprintf(&b, "          - %q\n", t)
		}
	}
	return b.String()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (p *Prometheus) stop() {
	if p.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	if p.t.Failed() {
		p.t.Logf("prometheus log:\n%s", p.log.String())
	}
}

// Query evaluates an instant query now; a scalar comes back as one sample
// without labels.
func (p *Prometheus) Query(ctx context.Context, expr string) ([]Sample, error) {
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := p.api(ctx, "/api/v1/query", url.Values{"query": {expr}}, &data); err != nil {
		return nil, err
	}
	switch data.ResultType {
	case "vector":
		var raw []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(data.Result, &raw); err != nil {
			return nil, err
		}
		out := make([]Sample, 0, len(raw))
		for _, r := range raw {
			s, err := sample(r.Metric, r.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	case "scalar":
		var v [2]any
		if err := json.Unmarshal(data.Result, &v); err != nil {
			return nil, err
		}
		s, err := sample(map[string]string{}, v)
		return []Sample{s}, err
	}
	return nil, fmt.Errorf("promtest: %s: result type %q not handled (use an instant vector)", expr, data.ResultType)
}

// Value is Query for an expression that must give exactly one sample.
func (p *Prometheus) Value(ctx context.Context, expr string) (float64, error) {
	v, err := p.Query(ctx, expr)
	if err != nil {
		return 0, err
	}
	if len(v) != 1 {
		return 0, fmt.Errorf("promtest: %s: %d samples, want 1: %v", expr, len(v), v)
	}
	return v[0].Value, nil
}

// WaitFor queries expr every 250 ms until it returns at least one sample,
// and returns them; an error when ctx ends first (with the last result).
func (p *Prometheus) WaitFor(ctx context.Context, expr string) ([]Sample, error) {
	var last []Sample
	var lastErr error
	for {
		last, lastErr = p.Query(ctx, expr)
		if lastErr == nil && len(last) > 0 {
			return last, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("promtest: waiting for %s: %w (last: %v, err %v)", expr, ctx.Err(), last, lastErr)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Targets returns the scrape targets' health ("up", "down", "unknown") by
// scrape URL, with the last scrape error where there is one.
func (p *Prometheus) Targets(ctx context.Context) (map[string]string, error) {
	var data struct {
		ActiveTargets []struct {
			ScrapeURL string `json:"scrapeUrl"`
			Health    string `json:"health"`
			LastError string `json:"lastError"`
		} `json:"activeTargets"`
	}
	if err := p.api(ctx, "/api/v1/targets", nil, &data); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, t := range data.ActiveTargets {
		out[t.ScrapeURL] = strings.TrimSpace(t.Health + " " + t.LastError)
	}
	return out, nil
}

func (p *Prometheus) api(ctx context.Context, path string, q url.Values, out any) error {
	u := p.URL + path
	if q != nil {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  string          `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("promtest: %s: %s: %w", path, resp.Status, err)
	}
	if env.Status != "success" {
		return fmt.Errorf("promtest: %s %v: %s", path, q, env.Error)
	}
	return json.Unmarshal(env.Data, out)
}

func sample(metric map[string]string, v [2]any) (Sample, error) {
	ts, _ := v[0].(float64)
	str, _ := v[1].(string)
	f, err := strconv.ParseFloat(str, 64)
	if err != nil {
		return Sample{}, fmt.Errorf("promtest: value %v: %w", v[1], err)
	}
	sec := int64(ts)
	return Sample{Metric: metric, Value: f, Time: time.Unix(sec, int64((ts-float64(sec))*1e9))}, nil
}

// Promtool is the path of promtool; the test is skipped, naming it, when
// there is none.
func Promtool(t testing.TB) string {
	t.Helper()
	return find(t, "promtool", "TOUCHPROBE_PROMTOOL")
}

// searchDirs are where Debian's package and the upstream release put the
// binaries when they are not on PATH.
var searchDirs = []string{"/usr/bin", "/usr/local/bin"}

// find returns the binary the environment variable env names, else name on
// PATH, else in searchDirs; it skips the test, naming the tool, when none is
// there.
func find(t testing.TB, name, env string) string {
	t.Helper()
	p, err := lookup(name, os.Getenv(env), searchDirs)
	if err != nil {
		t.Skipf("%v (looked at $%s, PATH and %s; scripts/setup.sh installs it)", err, env, strings.Join(searchDirs, ", "))
	}
	return p
}

// lookup is find without the test: explicit is a path or "".
func lookup(name, explicit string, dirs []string) (string, error) {
	if explicit != "" {
		if _, err := exec.LookPath(explicit); err != nil {
			return "", fmt.Errorf("%s not found: %w", name, err)
		}
		return explicit, nil
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range dirs {
		if p, err := exec.LookPath(filepath.Join(d, name)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}
