package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

const pkgName = "example.com/m/p"

// ev is one test2json line of package pkgName.
func ev(action, test, output string) string {
	b, _ := json.Marshal(event{Action: action, Package: pkgName, Test: test, Output: output})
	return string(b)
}

// ran is the events of a test that logs lines and ends with result
// (pass, fail or skip), as `go test -json` prints them.
func ran(test, result string, logged ...string) []string {
	out := []string{ev("run", test, ""), ev("output", test, "=== RUN   "+test+"\n")}
	for _, l := range logged {
		out = append(out, ev("output", test, l+"\n"))
	}
	out = append(out, ev("output", test, "--- "+strings.ToUpper(result)+": "+test+" (0.00s)\n"), ev(result, test, ""))
	return out
}

// pkgRun wraps test events in the package's start and end.
func pkgRun(result string, tests ...[]string) []string {
	out := []string{ev("start", "", "")}
	for _, t := range tests {
		out = append(out, t...)
	}
	return append(out, ev("output", "", strings.ToUpper(result)+"\t"+pkgName+"\t0.01s\n"), ev(result, "", ""))
}

func TestReport(t *testing.T) {
	buildFail := []string{
		`{"ImportPath":"example.com/m/p [example.com/m/p.test]","Action":"build-output","Output":"# example.com/m/p\n"}`,
		`{"ImportPath":"example.com/m/p [example.com/m/p.test]","Action":"build-output","Output":"p/p_test.go:3:31: declared and not used: x\n"}`,
		`{"ImportPath":"example.com/m/p [example.com/m/p.test]","Action":"build-fail"}`,
		ev("start", "", ""),
		`{"Action":"fail","Package":"example.com/m/p","FailedBuild":"example.com/m/p [example.com/m/p.test]"}`,
	}
	timedOut := append(append([]string{ev("start", "", ""), ev("run", "TestSlow", "")},
		ev("output", "TestSlow", "=== RUN   TestSlow\n"),
		ev("output", "TestSlow", "panic: test timed out after 1s\n")),
		ev("output", "", "FAIL\texample.com/m/p\t1.0s\n"), ev("fail", "", ""))

	for _, c := range []struct {
		name     string
		events   []string
		exit     int
		counts   string   // the package's row: ran passed failed skipped
		want     []string // in the output
		wantNot  []string
		allowMsg string // the skip message the allow-list must take
	}{
		{
			name:   "all pass",
			events: pkgRun("pass", ran("TestA", "pass", "    a_test.go:3: fine"), ran("TestB", "pass")),
			exit:   0, counts: "2 2 0 0",
			want:    []string{"total: 2 passed, 0 failed, 0 skipped"},
			wantNot: []string{"=== FAILED", "fine"},
		},
		{
			name: "a skip on the allow-list",
			events: pkgRun("pass", ran("TestBench", "skip",
				"    bench_test.go:28: benchmark: set TOUCHPROBE_BENCH=1 (or a number of visits)")),
			exit: 0, counts: "1 0 0 1",
			want: []string{"allowed      " + pkgName + " TestBench: benchmark: set TOUCHPROBE_BENCH=1", "total: 0 passed, 0 failed, 1 skipped"},
		},
		{
			name: "a missing tool is no reason to skip",
			events: pkgRun("pass", ran("TestSystemd", "skip",
				"    systemd_test.go:20: systemd-analyze is not installed (scripts/setup.sh installs it)")),
			exit: 1, counts: "1 0 0 1",
			want: []string{"NOT ALLOWED  " + pkgName + " TestSystemd: systemd-analyze is not installed",
				"skipped for a reason not on the allow-list"},
		},
		{
			name:   "a skip without a message",
			events: pkgRun("pass", ran("TestC", "skip")),
			exit:   1, counts: "1 0 0 1",
			want: []string{"NOT ALLOWED  " + pkgName + " TestC: (no message)"},
		},
		{
			name: "the skip's own message decides, not what the test logged before",
			events: pkgRun("pass", ran("TestD", "skip",
				"    d_test.go:3: benchmark: set TOUCHPROBE_BENCH would be allowed",
				"    d_test.go:4: no Prometheus server: stat /usr/bin/prometheus: no such file")),
			exit: 1, counts: "1 0 0 1",
			want: []string{"NOT ALLOWED  " + pkgName + " TestD: no Prometheus server"},
		},
		{
			name: "a multi-line skip message matches on its start",
			events: pkgRun("pass", ran("TestE", "skip",
				"    e_test.go:3: short mode: runs Chromium", "        and Prometheus")),
			exit: 0, counts: "1 0 0 1",
			want: []string{"allowed      " + pkgName + " TestE: short mode: runs Chromium and Prometheus"},
		},
		{
			name: "a failed subtest is printed, its silent parent is not",
			events: pkgRun("fail", append(append([]string{ev("run", "TestP", ""), ev("output", "TestP", "=== RUN   TestP\n")},
				ran("TestP/sub", "fail", "    p_test.go:9: got 2, want 3", "        (second line)")...),
				ev("output", "TestP", "--- FAIL: TestP (0.00s)\n"), ev("fail", "TestP", ""))),
			exit: 1, counts: "2 0 2 0",
			want:    []string{"=== FAILED " + pkgName + " TestP/sub\n", "p_test.go:9: got 2, want 3\n        (second line)\n", "total: 0 passed, 2 failed, 0 skipped"},
			wantNot: []string{"=== FAILED " + pkgName + " TestP\n"},
		},
		{
			name:   "a panic is printed",
			events: pkgRun("fail", ran("TestPanic", "fail", "panic: boom [recovered, repanicked]", "goroutine 7 [running]:")),
			exit:   1, counts: "1 0 1 0",
			want: []string{"=== FAILED " + pkgName + " TestPanic", "panic: boom", "goroutine 7 [running]:"},
		},
		{
			name:   "a test cut off by the timeout counts as failed",
			events: timedOut,
			exit:   1, counts: "1 0 1 0",
			want: []string{"=== UNFINISHED " + pkgName + " TestSlow", "panic: test timed out after 1s", "=== FAILED package " + pkgName},
		},
		{
			name:   "a build failure is printed",
			events: buildFail,
			exit:   1, counts: "0 0 0 0",
			want: []string{"declared and not used: x", "(build failed)", "package " + pkgName + " failed"},
		},
		{
			name:   "no test ran",
			events: []string{ev("start", "", ""), ev("output", "", "?   \t"+pkgName+"\t[no test files]\n"), ev("skip", "", "")},
			exit:   1, counts: "0 0 0 0",
			want: []string{"(no test files)", "no test ran"},
		},
		{
			name:   "a package that never ended",
			events: append([]string{ev("start", "", "")}, ran("TestA", "pass")...),
			exit:   1, counts: "1 1 0 0",
			want: []string{"(did not finish)", "package " + pkgName + " did not finish"},
		},
		{
			name:   "lines that are not events pass through",
			events: append([]string{"go: downloading example.com/x v1.0.0"}, pkgRun("pass", ran("TestA", "pass"))...),
			exit:   0, counts: "1 1 0 0",
			want: []string{"go: downloading example.com/x v1.0.0\n"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			exit := run(strings.NewReader(strings.Join(c.events, "\n")+"\n"), &out, allowList)
			got := out.String()
			if exit != c.exit {
				t.Errorf("exit %d, want %d\n%s", exit, c.exit, got)
			}
			row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(pkgName) + `\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)`).FindStringSubmatch(got)
			if row == nil || strings.Join(row[1:], " ") != c.counts {
				t.Errorf("package row %q, want ran passed failed skipped %s\n%s", row, c.counts, got)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q\n%s", w, got)
				}
			}
			for _, w := range c.wantNot {
				if strings.Contains(got, w) {
					t.Errorf("output has %q\n%s", w, got)
				}
			}
		})
	}
}

// The allow-list takes the repository's own skip messages for benchmarks,
// the soak, the peers and -short, and none for a missing tool.
func TestAllowList(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want bool
	}{
		{"benchmark: set TOUCHPROBE_BENCH=1 (or a number of visits)", true},
		{"soak: set TOUCHPROBE_SOAK to a number of visits", true},
		{"peer benchmark: run bench/peers/run.sh (sets TOUCHPROBE_PEERS=1)", true},
		{"short mode: runs Chromium", true},
		{"docker: no container engine here (Cannot connect to the Docker daemon)", true},
		{"no Prometheus server: stat /usr/bin/prometheus: no such file or directory", false},
		{"promtool not found (PATH, /usr/bin, /usr/local/bin, TOUCHPROBE_PROMTOOL); scripts/setup.sh installs it", false},
		{"systemd-analyze is not installed (Debian package systemd; scripts/setup.sh installs it)", false},
		{"kubectl is not installed", false},
		{"node not found", false},
		{"chromium not found", false},
		{"runs Chromium", false},
		{"this mentions benchmark: set TOUCHPROBE_BENCH only later", false},
		{"", false},
	} {
		if _, got := allowed(allowList, c.msg); got != c.want {
			t.Errorf("allowed(%q) = %v, want %v", c.msg, got, c.want)
		}
	}
}
