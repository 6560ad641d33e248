package main

import "regexp"

// allowedSkip is a reason a test may skip: its message must match pattern.
type allowedSkip struct {
	pattern *regexp.Regexp
	why     string
}

func allow(pattern, why string) allowedSkip {
	return allowedSkip{pattern: regexp.MustCompile(pattern), why: why}
}

// allowList is every reason a test may skip in CI. A missing tool is not on
// it: scripts/setup.sh installs Chromium, Prometheus, promtool, systemd-analyze
// and kubectl, so a test that skips for want of one of them fails the run.
var allowList = []allowedSkip{
	allow(`^benchmark: set TOUCHPROBE_BENCH\b`,
		"benchmarks print figures and run on request (bench/README.md)"),
	allow(`^soak: set TOUCHPROBE_SOAK\b`,
		"the 500-visit soak takes most of an hour and runs on request"),
	allow(`^peer benchmark: run bench/peers/run\.sh\b`,
		"Playwright and Lighthouse come from npm through bench/peers/run.sh, on request"),
	allow(`^short mode: `,
		"go test -short leaves out what drives Chromium or Prometheus"),
	allow(`^docker: `,
		"no container engine runs on the CI machines, and the image's base layers come from a registry CI cannot reach"),
}

// allowed returns the entry of list that msg matches, or false.
func allowed(list []allowedSkip, msg string) (allowedSkip, bool) {
	for _, a := range list {
		if a.pattern.MatchString(msg) {
			return a, true
		}
	}
	return allowedSkip{}, false
}
