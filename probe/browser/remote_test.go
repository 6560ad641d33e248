package browser_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// remoteChromium is a browser the test starts itself, the way a browser pool
// elsewhere would run one: the supervisor only gets its DevTools address.
type remoteChromium struct {
	cmd     *exec.Cmd
	pgid    int
	mark    string // environment marker, to find children outside the group
	wsURL   string // ws://127.0.0.1:PORT/devtools/browser/ID
	httpURL string // http://127.0.0.1:PORT
	dir     string

	mu     sync.Mutex
	stderr bytes.Buffer // what Chromium printed, but the DevTools line (for failures)
}

// startRemoteChromium starts Chromium with a DevTools port on loopback in a
// process group of its own and reads the websocket address from its stderr.
func startRemoteChromium(t *testing.T) *remoteChromium {
	t.Helper()
	execPath, err := browser.FindExecPath("")
	if err != nil {
		t.Fatal(err)
	}
	// Not t.TempDir(): its long name overflows the 107-byte limit of the
	// SingletonSocket path Chromium makes under TMPDIR, and Chromium exits.
	dir, err := os.MkdirTemp("", "tprc-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	rnd := make([]byte, 8)
	_, _ = rand.Read(rnd)
	rc := &remoteChromium{dir: dir, mark: "TOUCHPROBE_REMOTE_TEST=" + hex.EncodeToString(rnd)}
	args := []string{
		"--headless=new",
		"--remote-debugging-port=0",
		"--remote-debugging-address=127.0.0.1",
		"--user-data-dir=" + filepath.Join(dir, "profile"),
		"--disable-gpu",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--no-first-run",
		"--disable-quic",
	}
	if os.Getuid() == 0 {
		// Chromium refuses to run as root with its sandbox; as another
		// user it keeps it (user namespaces).
		args = append(args, "--no-sandbox")
	}
	args = append(args, "about:blank")
	cmd := exec.Command(execPath, args...)
	// HOME and TMPDIR inside the test's directory: the crash-report database
	// and Chromium's SingletonSocket directories go there, not to the host.
	cmd.Env = append(os.Environ(), "HOME="+dir, "TMPDIR="+dir, rc.mark)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", execPath, err)
	}
	rc.cmd, rc.pgid = cmd, cmd.Process.Pid
	t.Cleanup(func() { rc.kill(t) })

	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(errPipe)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "DevTools listening on "); ok && !sent {
				found <- strings.TrimSpace(u)
				sent = true
				continue
			}
			rc.mu.Lock()
			if rc.stderr.Len() < 64<<10 {
				rc.stderr.WriteString(line + "\n")
			}
			rc.mu.Unlock()
		}
		// Keep draining: a full pipe would block Chromium.
		_, _ = io.Copy(io.Discard, errPipe)
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatalf("Chromium exited without a DevTools address; stderr:\n%s", rc.output())
		}
		rc.wsURL = u
	case <-time.After(60 * time.Second):
		t.Fatalf("no DevTools address on stderr after 60 s; stderr:\n%s", rc.output())
	}
	// The profile names the same port: two ways to find one endpoint.
	port, _, ok := strings.Cut(strings.TrimPrefix(rc.wsURL, "ws://127.0.0.1:"), "/")
	if !ok || port == "" {
		t.Fatalf("DevTools address %q is not ws://127.0.0.1:PORT/...", rc.wsURL)
	}
	// Chromium writes the file just after it prints the line.
	var b []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b, err = os.ReadFile(filepath.Join(dir, "profile", "DevToolsActivePort"))
		if (err == nil && strings.Contains(string(b), "\n")) || time.Now().After(deadline) {
			break
		}
	}
	if !strings.HasPrefix(string(b), port+"\n") {
		t.Errorf("DevToolsActivePort = %q (%v), want port %s first", b, err, port)
	}
	rc.httpURL = "http://127.0.0.1:" + port
	t.Logf("remote Chromium pid %d at %s", rc.pgid, rc.wsURL)
	return rc
}

func (rc *remoteChromium) output() string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.stderr.String()
}

// processes lists the live processes of the browser: its process group, plus
// any process carrying the environment marker (the crash handlers leave the
// group), zombies excluded.
func (rc *remoteChromium) processes() []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 3 || f[0] == "Z" {
			continue
		}
		inGroup := f[2] == strconv.Itoa(rc.pgid)
		env, _ := os.ReadFile("/proc/" + e.Name() + "/environ")
		if inGroup || bytes.Contains(env, []byte(rc.mark+"\x00")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// kill ends the whole group, reaps the main process, and returns what is
// still alive once the rest had time to exit on its own (the crash handlers
// are outside the group and go when the browser goes); those are then killed
// too, so a failing test leaves nothing behind either.
func (rc *remoteChromium) kill(t *testing.T) []int {
	if rc.cmd == nil {
		return nil
	}
	_ = syscall.Kill(-rc.pgid, syscall.SIGKILL)
	_ = rc.cmd.Wait()
	rc.cmd = nil
	var left []int
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left = rc.processes()
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, pid := range left {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return left
}

// targets lists the remote browser's targets through its HTTP endpoint, which
// works whoever else is connected.
func (rc *remoteChromium) targets(t *testing.T) ([]map[string]any, error) {
	t.Helper()
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(rc.httpURL + "/json/list")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/json/list: %s", resp.Status)
	}
	var list []map[string]any
	return list, json.NewDecoder(resp.Body).Decode(&list)
}

// visitRemote runs one visit through a supervisor that only knows the
// browser's DevTools address and checks that the page's timeline came back.
func visitRemote(t *testing.T, remoteURL, marker string) {
	t.Helper()
	// One spare, as the daemon keeps: closing must dispose of it remotely too.
	rs := browser.NewSupervisor(browser.Options{RemoteURL: remoteURL, UserAgentMarker: marker, Spares: 1})
	defer func() {
		if err := rs.Close(); err != nil {
			t.Errorf("closing the supervisor: %v", err)
		}
	}()
	before := fixture.Stats().SyntheticSeen.Load()
	o := visitWith(t, rs, fixture.URL+"/?ttfb=100&body=200&fcp=500&lcp=900", browser.NavOptions{})
	if o.Failure != browser.FailNone || o.Status != 200 {
		t.Fatalf("remote visit: failure %q (%s), status %d", o.Failure, o.Detail, o.Status)
	}
	for _, m := range []string{browser.TTFB, browser.FirstPaint, browser.FirstContentfulPaint,
		browser.LargestContentfulPaint, browser.DOMContentLoaded, browser.Load} {
		if _, ok := o.Milestones[m]; !ok {
			t.Errorf("remote visit: milestone %s missing from %v", m, o.Milestones)
		}
	}
	if o.marks["fcp"] > 0 {
		within(t, "remote first_contentful_paint", o.Milestones[browser.FirstContentfulPaint], o.marks["fcp"], -0.02, 0.5)
	}
	if o.marks["lcp"] > 0 {
		within(t, "remote largest_contentful_paint", o.Milestones[browser.LargestContentfulPaint], o.marks["lcp"], -0.02, 0.5)
	} else {
		t.Errorf("fixture marks %v: the page did not run its timeline", o.marks)
	}
	// A remote browser marks synthetic traffic like a local one.
	if got := fixture.Stats().SyntheticSeen.Load() - before; got < 1 {
		t.Errorf("%d document requests carried %s, want the page's", got, browser.SyntheticHeader)
	}
	if v := rs.Version(); !strings.Contains(v, "Chrome/") {
		t.Errorf("Version() = %q, want the remote browser's product", v)
	}
	if st := rs.Stats(); st.Count != 0 {
		t.Errorf("Stats() counts %d processes of a browser the supervisor did not start", st.Count)
	}
}

func TestRemoteBrowserRunsAVisitAndOutlivesTheSupervisor(t *testing.T) {
	rc := startRemoteChromium(t)
	initial, err := rc.targets(t)
	if err != nil {
		t.Fatalf("remote browser's target list: %v", err)
	}

	// The full websocket address, as Chromium printed it.
	visitRemote(t, rc.wsURL, "touchprobe-remote-1")

	// The supervisor is closed (deferred in visitRemote): the browser it did
	// not start must still run and answer on its DevTools endpoint.
	if !slices.Contains(rc.processes(), rc.pgid) {
		t.Fatalf("the remote browser is gone after the supervisor closed; stderr:\n%s", rc.output())
	}
	list, err := rc.targets(t)
	if err != nil {
		t.Fatalf("remote browser no longer answers after the supervisor closed: %v", err)
	}
	// The visit's tab went with its session: a pool must not fill with tabs.
	for _, tg := range list {
		if u, _ := tg["url"].(string); strings.HasPrefix(u, fixture.URL) {
			t.Errorf("the visit's tab is still open in the remote browser: %v %v", tg["type"], u)
		}
	}
	// Nor with tabs of the supervisor itself.
	if pages(list) > pages(initial) {
		t.Errorf("the remote browser had %d pages before, %d after the supervisor closed: %s",
			pages(initial), pages(list), describe(list))
	}
	t.Logf("after the supervisor closed: %d processes; targets before %s, after %s",
		len(rc.processes()), describe(initial), describe(list))

	// A new supervisor (a restarted daemon) uses the same browser again,
	// given only host and port: the address is looked up at /json/version.
	visitRemote(t, "ws://"+strings.TrimPrefix(rc.httpURL, "http://")+"/", "touchprobe-remote-2")

	if left := rc.kill(t); len(left) != 0 {
		t.Errorf("processes left after killing the browser's group: %v", left)
	}
}

func pages(list []map[string]any) int {
	n := 0
	for _, tg := range list {
		if tg["type"] == "page" {
			n++
		}
	}
	return n
}

func describe(list []map[string]any) string {
	var b strings.Builder
	for _, tg := range list {
		fmt.Fprintf(&b, "[%v %v] ", tg["type"], tg["url"])
	}
	return strings.TrimSpace(b.String())
}
