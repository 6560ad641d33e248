package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string // build-output, build-fail
	FailedBuild string // a package's fail: the build that failed
}

// test is one test or subtest as it ran.
type test struct {
	name   string
	output []string
	result string // pass | fail | skip; "" while it runs
}

// pkg is one package's tests, in the order they started.
type pkg struct {
	name        string
	tests       map[string]*test
	order       []string
	output      []string // lines outside any test (FAIL, a panic in TestMain)
	result      string
	failedBuild string
	noTests     bool
}

// skip is a skipped test with its message and whether the allow-list takes it.
type skip struct {
	pkg, test, message string
	allowed            bool
}

// report collects the events; failed tests are printed as they end so the
// log of a long run shows them early.
type report struct {
	out    io.Writer
	allow  []allowedSkip
	pkgs   map[string]*pkg
	order  []string
	builds map[string][]string // build output by ImportPath
}

func newReport(out io.Writer, allow []allowedSkip) *report {
	return &report{out: out, allow: allow, pkgs: map[string]*pkg{}, builds: map[string][]string{}}
}

// line takes one line of input; what is not a test2json event is passed on.
func (r *report) line(s string) {
	var e event
	if !strings.HasPrefix(s, "{") || json.Unmarshal([]byte(s), &e) != nil || e.Action == "" {
		fmt.Fprintln(r.out, s)
		return
	}
	r.event(e)
}

func (r *report) event(e event) {
	switch e.Action {
	case "build-output":
		r.builds[e.ImportPath] = append(r.builds[e.ImportPath], e.Output)
		return
	case "build-fail":
		return
	}
	p := r.pkg(e.Package)
	if e.Test == "" {
		r.packageEvent(p, e)
		return
	}
	t := p.test(e.Test)
	switch e.Action {
	case "output":
		t.output = append(t.output, e.Output)
	case "pass", "skip":
		t.result = e.Action
	case "fail":
		t.result = e.Action
		r.printFailed(p, t)
	}
}

func (r *report) packageEvent(p *pkg, e event) {
	switch e.Action {
	case "output":
		p.output = append(p.output, e.Output)
	case "pass":
		p.result = e.Action
	case "skip":
		p.result, p.noTests = e.Action, len(p.order) == 0
	case "fail":
		p.result, p.failedBuild = e.Action, e.FailedBuild
		r.printPackageFailure(p)
	}
}

func (r *report) pkg(name string) *pkg {
	p := r.pkgs[name]
	if p == nil {
		p = &pkg{name: name, tests: map[string]*test{}}
		r.pkgs[name] = p
		r.order = append(r.order, name)
	}
	return p
}

func (p *pkg) test(name string) *test {
	t := p.tests[name]
	if t == nil {
		t = &test{name: name}
		p.tests[name] = t
		p.order = append(p.order, name)
	}
	return t
}

// printFailed prints a failed test's output, unless it holds nothing but
// the test's own start and end lines (a parent of a failed subtest).
func (r *report) printFailed(p *pkg, t *test) {
	if len(logEntries(t.output)) == 0 && !hasPanic(t.output) {
		return
	}
	fmt.Fprintf(r.out, "\n=== FAILED %s %s\n%s", p.name, t.name, strings.Join(t.output, ""))
}

// printPackageFailure prints what a failed package said outside its tests,
// its build errors, and the output of tests that never ended (a panic or a
// timeout stops the test binary).
func (r *report) printPackageFailure(p *pkg) {
	for _, name := range p.order {
		if t := p.tests[name]; t.result == "" {
			t.result = "fail"
			fmt.Fprintf(r.out, "\n=== UNFINISHED %s %s\n%s", p.name, t.name, strings.Join(t.output, ""))
		}
	}
	fmt.Fprintf(r.out, "\n=== FAILED package %s\n", p.name)
	if p.failedBuild != "" {
		fmt.Fprint(r.out, strings.Join(r.builds[p.failedBuild], ""))
	}
	fmt.Fprint(r.out, strings.Join(p.output, ""))
}

// counts of one package's tests (subtests included).
type counts struct{ ran, passed, failed, skipped int }

func (c *counts) add(o counts) {
	c.ran, c.passed, c.failed, c.skipped = c.ran+o.ran, c.passed+o.passed, c.failed+o.failed, c.skipped+o.skipped
}

func (p *pkg) counts() counts {
	var c counts
	for _, t := range p.tests {
		c.ran++
		switch t.result {
		case "pass":
			c.passed++
		case "skip":
			c.skipped++
		default: // fail, or never ended
			c.failed++
		}
	}
	return c
}

// skips lists every skipped test with its message, judged by the allow-list.
func (r *report) skips() []skip {
	var out []skip
	for _, name := range r.order {
		p := r.pkgs[name]
		for _, tn := range p.order {
			if t := p.tests[tn]; t.result == "skip" {
				msg := skipMessage(t.output)
				_, ok := allowed(r.allow, msg)
				out = append(out, skip{pkg: name, test: tn, message: msg, allowed: ok})
			}
		}
	}
	return out
}

// logPrefix starts a line a test logged: "    file_test.go:12: text".
var logPrefix = regexp.MustCompile(`^\s+[^\s:]+\.go:\d+: `)

// logEntries are a test's logged messages, without the lines the testing
// package frames each test with; continuation lines join their entry.
func logEntries(output []string) []string {
	var entries []string
	for _, line := range output {
		line = strings.TrimRight(line, "\n")
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "=== "), strings.HasPrefix(trimmed, "--- "):
		case logPrefix.MatchString(line):
			entries = append(entries, logPrefix.ReplaceAllString(line, ""))
		case len(entries) > 0 && trimmed != "":
			entries[len(entries)-1] += " " + trimmed
		}
	}
	return entries
}

// skipMessage is what t.Skip said: the test's last logged message.
func skipMessage(output []string) string {
	e := logEntries(output)
	if len(e) == 0 {
		return ""
	}
	return e[len(e)-1]
}

func hasPanic(output []string) bool {
	for _, l := range output {
		if strings.HasPrefix(l, "panic: ") {
			return true
		}
	}
	return false
}

// failed reports whether the run failed, and why.
func (r *report) failed() []string {
	var why []string
	var total counts
	for _, name := range r.order {
		p := r.pkgs[name]
		c := p.counts()
		total.add(c)
		switch {
		case c.failed > 0 || p.result == "fail":
			why = append(why, "package "+name+" failed")
		case p.result == "":
			why = append(why, "package "+name+" did not finish")
		}
	}
	for _, s := range r.skips() {
		if !s.allowed {
			why = append(why, fmt.Sprintf("%s %s skipped for a reason not on the allow-list: %q", s.pkg, s.test, s.message))
		}
	}
	if total.ran == 0 {
		why = append(why, "no test ran")
	}
	return why
}
