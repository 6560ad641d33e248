package checks_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/touchprobe/touchprobe/checks"
)

// TestReadmeReasonsMatchTheCode: the README's reasons table names every
// failure reason of the closed set and nothing else, the line after it
// names the two codes that make a visit indifferent, and docs/metrics.md's
// `reason` label lists the failure reasons in the code's order. Users
// write alerts from these lists.
func TestReadmeReasonsMatchTheCode(t *testing.T) {
	code := regexp.MustCompile("`([a-z_]+)`")
	readme := readDoc(t, "../README.md")
	_, table, ok := strings.Cut(readme, "\n| reason | when |\n")
	if !ok {
		t.Fatal("README.md: no reasons table (| reason | when |)")
	}
	table, after, _ := strings.Cut(table, "\n\n")
	inTable := map[string]bool{}
	for _, row := range strings.Split(table, "\n") {
		first, _, _ := strings.Cut(strings.TrimPrefix(row, "| "), " |")
		for _, c := range code.FindAllStringSubmatch(first, -1) {
			inTable[c[1]] = true
		}
	}
	for _, r := range checks.FailureReasons {
		if !inTable[r] {
			t.Errorf("README.md: the reasons table lacks %s", r)
		}
	}
	for c := range inTable {
		if !slices.Contains(checks.FailureReasons, c) {
			t.Errorf("README.md: the reasons table names %s, which is no failure reason in checks/result.go", c)
		}
	}
	notFailures, _, _ := strings.Cut(after, ".")
	for _, c := range []string{checks.CodeBrokenPromise, checks.CodeConsentLayer} {
		if !strings.Contains(notFailures, "`"+c+"`") {
			t.Errorf("README.md: %q does not name %s", notFailures, c)
		}
	}

	line := regexp.MustCompile("(?m)^\\| `reason` \\|.*$").FindString(readDoc(t, "../docs/metrics.md"))
	var listed []string
	for _, c := range code.FindAllStringSubmatch(line, -1) {
		listed = append(listed, c[1])
	}
	if len(listed) == 0 || !slices.Equal(listed[1:], checks.FailureReasons) { // [0] is the label's name
		t.Errorf("docs/metrics.md: the reason label lists %v, want checks.FailureReasons %v", listed, checks.FailureReasons)
	}
}

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}
