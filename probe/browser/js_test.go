package browser_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestPageScriptsParse checks every page-side script of the repository
// with node's parser (each is one object literal or a self-running
// function, see docs/visitor.md): a syntax error fails here, not in a
// visit.
func TestPageScriptsParse(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed (scripts/setup.sh installs it): the page scripts cannot be checked")
	}
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..")
	var files []string
	for _, dir := range []string{"probe", "checks"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(p, ".js") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 2 {
		t.Fatalf("found %d page scripts, want the observer and the modules at least", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The observer's configuration is put in at run time.
		text := strings.Replace(string(src), "__TOUCHPROBE_CONFIG__", "{}", 1)
		tmp := filepath.Join(t.TempDir(), filepath.Base(f))
		if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(node, "--check", tmp).CombinedOutput(); err != nil {
			rel, _ := filepath.Rel(root, f)
			t.Errorf("%s does not parse: %v\n%s", rel, err, out)
		}
	}
	t.Logf("%d page scripts parse", len(files))
}
