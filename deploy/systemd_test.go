package deploy_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const unitPath = "systemd/touchprobe.service"

// unit is a parsed systemd unit: section → key → values in file order.
type unit map[string]map[string][]string

func parseUnit(t *testing.T, path string) unit {
	t.Helper()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(read(t, path)))
	n, cont := 0, ""
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if strings.HasSuffix(line, "\\") {
			cont += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		line, cont = cont+line, ""
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && line[len(line)-1] == ']':
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not KEY=value inside a section: %q", path, n, line)
			}
			u[section][strings.TrimSpace(k)] = append(u[section][strings.TrimSpace(k)], strings.TrimSpace(v))
		}
	}
	return u
}

// last is the value that wins for a key ("" when absent).
func (u unit) last(section, key string) string {
	v := u[section][key]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// env is the unit's Environment= assignments.
func (u unit) env() map[string]string {
	m := map[string]string{}
	for _, v := range u["Service"]["Environment"] {
		k, val, _ := strings.Cut(v, "=")
		m[k] = val
	}
	return m
}

func TestSystemdUnitRunsAsItsOwnHardenedUser(t *testing.T) {
	u := parseUnit(t, unitPath)
	s := "Service"
	if u.last(s, "DynamicUser") != "yes" && u.last(s, "User") == "" {
		t.Error("the service must run as its own user (DynamicUser=yes or User=)")
	}
	if got := u.last(s, "User"); got != "touchprobe" {
		t.Errorf("User=%q, want touchprobe", got)
	}
	want := map[string][]string{
		"NoNewPrivileges":       {"yes"},
		"ProtectSystem":         {"strict"},
		"ProtectHome":           {"yes", "read-only", "tmpfs"},
		"PrivateTmp":            {"yes"},
		"PrivateDevices":        {"yes"},
		"ProtectKernelTunables": {"yes"},
		"ProtectKernelModules":  {"yes"},
		"ProtectKernelLogs":     {"yes"},
		"ProtectControlGroups":  {"yes"},
		"LockPersonality":       {"yes"},
		"RestrictSUIDSGID":      {"yes"},
		"KillMode":              {"control-group"},
		"CapabilityBoundingSet": {""},
	}
	for k, ok := range want {
		if _, set := u[s][k]; !set || !slices.Contains(ok, u.last(s, k)) {
			t.Errorf("%s=%q, want one of %q", k, u.last(s, k), ok)
		}
	}
	fams := strings.Fields(u.last(s, "RestrictAddressFamilies"))
	slices.Sort(fams)
	if !slices.Equal(fams, []string{"AF_INET", "AF_INET6", "AF_NETLINK", "AF_UNIX"}) {
		t.Errorf("RestrictAddressFamilies=%v, want exactly AF_UNIX AF_INET AF_INET6 AF_NETLINK", fams)
	}
	if got := u.last(s, "ExecReload"); got != "/bin/kill -HUP $MAINPID" {
		t.Errorf("ExecReload=%q, want /bin/kill -HUP $MAINPID (the daemon reloads on SIGHUP)", got)
	}
	for _, k := range []string{"MemoryMax", "TasksMax", "CacheDirectory"} {
		if u.last(s, k) == "" {
			t.Errorf("%s= is not set", k)
		}
	}
	if d, err := time.ParseDuration(u.last(s, "TimeoutStopSec")); err != nil || d <= shutdownBound {
		t.Errorf("TimeoutStopSec=%q (%v), want longer than the daemon's shutdown bound %v", u.last(s, "TimeoutStopSec"), err, shutdownBound)
	}
}

// Chromium's own sandbox must keep working under the hardening: no option
// may take away what it needs (measured and explained in the unit).
func TestSystemdUnitLeavesChromiumItsSandbox(t *testing.T) {
	u := parseUnit(t, unitPath)
	s := "Service"
	if u.last(s, "MemoryDenyWriteExecute") == "yes" {
		t.Error("MemoryDenyWriteExecute=yes: V8's JIT needs writable executable memory")
	}
	if u.last(s, "ProcSubset") == "pid" {
		t.Error("ProcSubset=pid hides /proc/meminfo and /proc/cpuinfo from Chromium")
	}
	if ns := u.last(s, "RestrictNamespaces"); ns != "" {
		allowed := strings.Fields(ns)
		for _, need := range []string{"user", "pid", "net"} {
			if ns == "yes" || strings.HasPrefix(ns, "~") || !slices.Contains(allowed, need) {
				t.Errorf("RestrictNamespaces=%s forbids %s namespaces, which Chromium's sandbox creates", ns, need)
			}
		}
	}
	for _, f := range u[s]["SystemCallFilter"] {
		deny := strings.HasPrefix(f, "~")
		for _, g := range strings.Fields(strings.TrimPrefix(f, "~")) {
			// chroot is in @mount and @privileged: the sandbox calls it.
			if deny && slices.Contains([]string{"chroot", "@mount", "@privileged"}, g) {
				t.Errorf("SystemCallFilter=%s denies chroot, which Chromium's sandbox calls", f)
			}
			if !deny && g == "@system-service" {
				t.Errorf("SystemCallFilter=%s allows only @system-service, which lacks chroot", f)
			}
		}
	}
	if u.last(s, "SystemCallFilter") != "" && u.last(s, "SystemCallErrorNumber") == "" {
		t.Error("SystemCallFilter without SystemCallErrorNumber kills Chromium on a stray call; fail the call instead")
	}
	env := u.env()
	// HOME is written by Chromium (crash database, dconf): it must be a
	// directory the unit creates.
	if home := env["HOME"]; !strings.HasPrefix(home, "%C/") && !strings.HasPrefix(home, "%S/") {
		t.Errorf("HOME=%q, want the cache or state directory (%%C/..., %%S/...)", home)
	}
	// Chromium's SingletonSocket lives under TMPDIR and must fit 107 bytes.
	if tmp, set := env["TMPDIR"]; set && len(tmp) > len("/var/tmp") {
		t.Errorf("TMPDIR=%q is too long for Chromium's SingletonSocket path", tmp)
	}
}

func TestSystemdUnitListensOnLoopbackByDefault(t *testing.T) {
	u := parseUnit(t, unitPath)
	exec := strings.Fields(u.last("Service", "ExecStart"))
	if len(exec) < 2 || exec[0] != binPath || exec[1] != "run" {
		t.Fatalf("ExecStart=%v, want %s run ...", exec, binPath)
	}
	flags := strings.Join(exec[2:], " ")
	env := u.env()
	for flag, v := range map[string]string{"-listen": "${TOUCHPROBE_LISTEN}", "-config": "${TOUCHPROBE_CONFIG}"} {
		if !strings.Contains(flags, flag+" "+v) {
			t.Errorf("ExecStart flags %q lack %s %s", flags, flag, v)
		}
	}
	if env["TOUCHPROBE_LISTEN"] != "127.0.0.1:"+port {
		t.Errorf("default TOUCHPROBE_LISTEN=%q, want 127.0.0.1:%s (loopback)", env["TOUCHPROBE_LISTEN"], port)
	}
	if env["TOUCHPROBE_CONFIG"] != configPath {
		t.Errorf("default TOUCHPROBE_CONFIG=%q, want %s", env["TOUCHPROBE_CONFIG"], configPath)
	}
	// The example environment file: KEY=value lines only, loopback listen.
	sc := bufio.NewScanner(bytes.NewReader(read(t, "systemd/touchprobe.env")))
	vars := map[string]string{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.ContainsAny(k, " \t") || strings.HasPrefix(k, "export") {
			t.Errorf("touchprobe.env:%d: %q is not KEY=value", n, line)
		}
		vars[k] = v
	}
	if vars["TOUCHPROBE_LISTEN"] != "127.0.0.1:"+port {
		t.Errorf("touchprobe.env: TOUCHPROBE_LISTEN=%q, want 127.0.0.1:%s", vars["TOUCHPROBE_LISTEN"], port)
	}
}

// systemd's own checks: the unit parses, every directive is known, and its
// exposure score does not get worse than it is (2.5 when written).
func TestSystemdAnalyzeAcceptsTheUnit(t *testing.T) {
	sa := tool(t, "systemd-analyze", "systemd")
	// verify insists that ExecStart's binary exists: point it at one that does.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	unitFile := filepath.Join(dir, "touchprobe.service")
	text := strings.ReplaceAll(string(read(t, unitPath)), binPath, self)
	if err := os.WriteFile(unitFile, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, dir, sa, "verify", unitFile); err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err := run(t, dir, sa, "security", "--offline=yes", "--threshold=30", unitFile)
	if err != nil {
		t.Errorf("systemd-analyze security: exposure above 3.0 (%v)\n%s", err, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "Overall exposure level") {
			t.Log(strings.TrimSpace(line))
		}
	}
}
