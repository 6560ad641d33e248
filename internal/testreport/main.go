// Command testreport reads `go test -json` on its standard input and tells
// what ran: it prints the output of each failed test as it ends, then a table
// of the tests each package ran, passed, failed and skipped, and every skip
// with its message. It exits 1 when a test failed, a package did not build
// or finish, no test ran, or a test skipped for a reason that is not on
// allowList (allow.go): CI cannot pass by skipping. scripts/test.sh runs it.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Stdin, os.Stdout, allowList))
}

// run reads the events from in and reports on out; the result is the exit code.
func run(in io.Reader, out io.Writer, allow []allowedSkip) int {
	r := newReport(out, allow)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20) // a test may print long lines
	for sc.Scan() {
		r.line(sc.Text())
	}
	r.printTable(out)
	why := r.failed()
	if err := sc.Err(); err != nil {
		why = append(why, "reading the test events: "+err.Error())
	}
	if len(why) == 0 {
		return 0
	}
	fmt.Fprintln(out, "\nFAIL:")
	for _, w := range why {
		fmt.Fprintln(out, "  "+w)
	}
	return 1
}
