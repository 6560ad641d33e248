package promtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// executable writes an empty executable file dir/name and returns its path.
func executable(t *testing.T, dir, name string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// The tools are found where setup or a person put them: the environment
// variable first, then PATH, then the usual directories.
func TestLookupFindsTheToolWhereSetupPutIt(t *testing.T) {
	root := t.TempDir()
	onPath := executable(t, filepath.Join(root, "path"), "promtool")
	inLocal := executable(t, filepath.Join(root, "local"), "promtool")
	named := executable(t, filepath.Join(root, "elsewhere"), "my-promtool")
	empty := filepath.Join(root, "empty")
	for _, c := range []struct {
		name, path, explicit string
		dirs                 []string
		want                 string // "" : not found
	}{
		{"the variable wins", filepath.Join(root, "path"), named, []string{filepath.Join(root, "local")}, named},
		{"then PATH", filepath.Join(root, "path"), "", []string{filepath.Join(root, "local")}, onPath},
		{"then the usual directories", empty, "", []string{empty, filepath.Join(root, "local")}, inLocal},
		{"nowhere", empty, "", []string{empty}, ""},
		{"a variable naming nothing is an error, not a fallback", filepath.Join(root, "path"), filepath.Join(empty, "promtool"), nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("PATH", c.path)
			got, err := lookup("promtool", c.explicit, c.dirs)
			if c.want == "" {
				if err == nil || !strings.Contains(err.Error(), "promtool not found") {
					t.Errorf("lookup = %q, %v; want a not-found error naming promtool", got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("lookup = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
