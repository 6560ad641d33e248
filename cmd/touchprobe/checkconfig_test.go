package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func runCmd(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = dispatch(args, &out, &errb)
	return out.String(), errb.String(), code
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCheckConfigBad: every error printed, each naming file:line and the
// field; exit code 2.
func TestCheckConfigBad(t *testing.T) {
	file := writeFile(t, "bad.yml", `global:
  interval: 5m
  concurency: 2
targets:
  - name: acme
    url: https://acme.example/
  - name: shop
    url: https://shop.example/
  - name: blog
    url: https://blog.example/
    chat:
      timeout: 6o s
`)
	stdout, stderr, code := runCmd("check-config", file)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	want := []string{
		file + `:3: global.concurency: unknown field (did you mean "concurrency"?)`,
		file + `:12: targets[2].chat.timeout: "6o s" is not a duration (write e.g. 1.8s, 5m, 1h)`,
		file + ": 2 error(s)",
	}
	if got := strings.Split(strings.TrimSpace(stderr), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, strings.Join(want, "\n"))
	}
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}
}

// TestCheckConfigOK: the example config passes, with a one-line summary.
func TestCheckConfigOK(t *testing.T) {
	const example = "../../examples/touchprobe.yml"
	stdout, stderr, code := runCmd("check-config", example)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.HasPrefix(stdout, example+": ok, 6 targets") || strings.Count(stdout, "\n") != 1 {
		t.Errorf("stdout %q", stdout)
	}
}

// TestCheckConfigShards: -list-targets prints the names a shard takes; the
// n shards together list every target exactly once; -shard overrides
// global.shard and may come after FILE.
func TestCheckConfigShards(t *testing.T) {
	var b strings.Builder
	b.WriteString("global:\n  shard: 0/2\ntargets:\n")
	var all []string
	for i := range 40 {
		name := "site-" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		all = append(all, name)
		b.WriteString("  - {name: " + name + ", url: 'https://" + name + ".example/'}\n")
	}
	file := writeFile(t, "fleet.yml", b.String())
	sort.Strings(all)
	for _, n := range []int{1, 3, 5} {
		var listed []string
		for i := range n {
			shard := fmt.Sprintf("%d/%d", i, n)
			stdout, stderr, code := runCmd("check-config", "-list-targets", file, "-shard", shard)
			if code != exitOK || stderr != "" {
				t.Fatalf("shard %s: exit %d, stderr %q", shard, code, stderr)
			}
			for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
				if l != "" {
					listed = append(listed, l)
				}
			}
		}
		sort.Strings(listed)
		if strings.Join(listed, ",") != strings.Join(all, ",") {
			t.Errorf("n=%d: the shards list\n%v\nwant every target once:\n%v", n, listed, all)
		}
	}
	// Without -shard, the file's global.shard (0/2) applies.
	stdout, _, _ := runCmd("check-config", "-list-targets", file)
	zero, _, _ := runCmd("check-config", "-shard", "0/2", "-list-targets", file)
	one, _, _ := runCmd("check-config", "-shard", "1/2", "-list-targets", file)
	if stdout != zero || stdout == one || strings.Count(zero, "\n")+strings.Count(one, "\n") != 40 {
		t.Errorf("global.shard not applied:\n%s\n--\n%s", stdout, zero)
	}
	if _, stderr, code := runCmd("check-config", "-shard", "2/2", file); code != exitUsage || !strings.Contains(stderr, `-shard "2/2" is not a shard`) {
		t.Errorf("bad -shard: exit %d, stderr %q", code, stderr)
	}
}

func TestCheckConfigUsage(t *testing.T) {
	if _, _, code := runCmd("check-config"); code != exitUsage {
		t.Errorf("no file: exit %d", code)
	}
	if _, _, code := runCmd("check-config", "-h"); code != exitOK {
		t.Errorf("-h: exit %d", code)
	}
	missing := filepath.Join(t.TempDir(), "none.yml")
	_, stderr, code := runCmd("check-config", missing)
	if code != exitUsage || !strings.HasPrefix(stderr, missing+": no such file or directory\n") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
}

// TestCheckConfigShow: -show prints the effective config, with a value
// from the environment as its ${VAR}, never the value.
func TestCheckConfigShow(t *testing.T) {
	t.Setenv("TP_TEST_TOKEN", "very-secret-4711")
	file := writeFile(t, "show.yml", "targets:\n  - name: acme\n    url: https://acme.example/?token=${TP_TEST_TOKEN}\n")
	stdout, stderr, code := runCmd("check-config", "-show", file)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if strings.Contains(stdout, "4711") || !strings.Contains(stdout, `url: "https://acme.example/?token=${TP_TEST_TOKEN}"`) ||
		!strings.Contains(stdout, "interval: 5m") {
		t.Errorf("-show printed:\n%s", stdout)
	}
}
