package main

import (
	"fmt"
	"io"
	"strings"
)

// printTable prints the allow-list, a line per package, every skip with its
// message, and the closing "N passed, N failed, N skipped" line.
func (r *report) printTable(w io.Writer) {
	fmt.Fprintln(w, "\nA test may skip only for one of these reasons (its message must match):")
	for _, a := range r.allow {
		fmt.Fprintf(w, "  %-45s %s\n", a.pattern, a.why)
	}
	const totalLabel = "total (subtests included)"
	width := len(totalLabel)
	for _, name := range r.order {
		width = max(width, len(name))
	}
	fmt.Fprintf(w, "\n%-*s %6s %6s %6s %7s\n", width, "package", "ran", "passed", "failed", "skipped")
	var total counts
	for _, name := range r.order {
		p := r.pkgs[name]
		c := p.counts()
		total.add(c)
		note := ""
		switch {
		case p.noTests:
			note = "  (no test files)"
		case p.failedBuild != "":
			note = "  (build failed)"
		case p.result == "fail" && c.failed == 0:
			note = "  (failed outside its tests)"
		case p.result == "":
			note = "  (did not finish)"
		}
		fmt.Fprintf(w, "%-*s %6d %6d %6d %7d%s\n", width, name, c.ran, c.passed, c.failed, c.skipped, note)
	}
	fmt.Fprintf(w, "%-*s %6d %6d %6d %7d\n", width, totalLabel, total.ran, total.passed, total.failed, total.skipped)
	r.printSkips(w)
	fmt.Fprintf(w, "\ntotal: %d passed, %d failed, %d skipped\n", total.passed, total.failed, total.skipped)
}

func (r *report) printSkips(w io.Writer) {
	skips := r.skips()
	if len(skips) == 0 {
		return
	}
	fmt.Fprintln(w, "\nSkipped:")
	for _, s := range skips {
		verdict := "allowed    "
		if !s.allowed {
			verdict = "NOT ALLOWED"
		}
		msg := s.message
		if msg == "" {
			msg = "(no message)"
		}
		fmt.Fprintf(w, "  %s  %s %s: %s\n", verdict, s.pkg, s.test, strings.TrimSpace(msg))
	}
}
