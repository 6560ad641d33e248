// Package promtest runs the real Prometheus server (/usr/bin/prometheus) for
// tests: it scrapes the given targets on loopback every second, loads the
// given rule files, and answers PromQL through its HTTP API.
//
//	p := promtest.Start(t, []string{"127.0.0.1:9516"}, promtest.Rules("rules.yml"))
//	v, err := p.WaitFor(ctx, `touchprobe_visit_success{target="acme"} == 1`)
//
// The test is skipped when no prometheus binary is installed.
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

// Binary is the Prometheus server used, unless PROMETHEUS_BINARY names another.
const Binary = "/usr/bin/prometheus"

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
	rules          []string
	scrapeInterval time.Duration
	metricsPath    string
	extraConfig    string
}

// Option changes how the server is started.
type Option func(*options)

// Rules loads these rule files (recording and alerting rules); they are
// evaluated every scrape interval.
func Rules(files ...string) Option { return func(o *options) { o.rules = append(o.rules, files...) } }

// ScrapeInterval sets the scrape and rule evaluation interval (1s).
func ScrapeInterval(d time.Duration) Option { return func(o *options) { o.scrapeInterval = d } }

// MetricsPath sets the path scraped on every target (/metrics).
func MetricsPath(p string) Option { return func(o *options) { o.metricsPath = p } }

// ExtraScrapeConfig appends raw YAML scrape_configs entries (each starting
// with "- job_name: ..."), for tests that need relabelling or /probe jobs.
func ExtraScrapeConfig(yaml string) Option { return func(o *options) { o.extraConfig = yaml } }

// Start runs Prometheus scraping targets (host:port) as job "touchprobe",
// waits until it is ready, and stops it at the end of the test.
func Start(t testing.TB, scrapeTargets []string, opts ...Option) *Prometheus {
	t.Helper()
	o := options{scrapeInterval: time.Second, metricsPath: "/metrics"}
	for _, f := range opts {
		f(&o)
	}
	bin := os.Getenv("PROMETHEUS_BINARY")
	if bin == "" {
		bin = Binary
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no Prometheus server: %v", err)
	}
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
	iv := o.scrapeInterval.String()
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  evaluation_interval: %s\n  scrape_timeout: %s\n", iv, iv, iv)
	if len(o.rules) > 0 {
		b.WriteString("rule_files:\n")
		for _, r := range o.rules {
			abs, _ := filepath.Abs(r)
			fmt.Fprintf(&b, "  - %q\n", abs)
		}
	}
	b.WriteString("scrape_configs:\n")
	if len(targets) > 0 {
		fmt.Fprintf(&b, "  - job_name: touchprobe\n    metrics_path: %q\n    static_configs:\n      - targets:\n", o.metricsPath)
		for _, t := range targets {
			fmt.Fprintf(&b, "          - %q\n", t)
		}
	}
	if o.extraConfig != "" {
		for _, line := range strings.Split(strings.TrimRight(o.extraConfig, "\n"), "\n") {
			b.WriteString("  " + line + "\n")
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

// Log is what Prometheus printed so far.
func (p *Prometheus) Log() string { return p.log.String() }

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

// Rules returns the loaded rule groups as Prometheus reports them (raw
// JSON of /api/v1/rules "data"), for tests of alert states.
func (p *Prometheus) Rules(ctx context.Context) (json.RawMessage, error) {
	var data json.RawMessage
	err := p.api(ctx, "/api/v1/rules", nil, &data)
	return data, err
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
