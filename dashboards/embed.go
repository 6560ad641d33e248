// Package dashboards holds touchprobe's Grafana dashboards, Grafana
// provisioning files and Prometheus rules, embedded so that
// `touchprobe dashboards -out DIR` can write them out next to any install.
package dashboards

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed *.json provisioning/datasources/*.yml provisioning/dashboards/*.yml rules/*.yml
var files embed.FS

// File is one file to write, at its path under the output directory.
type File struct {
	Path string // slash-separated, relative to the output directory
	Data []byte
}

// Files lists what WriteTo writes: dashboards under grafana/dashboards,
// provisioning under grafana/provisioning, and rules under
// prometheus/rules. Promtool unit tests (*.test.yml) stay out: Prometheus
// cannot load them as rule files.
func Files() ([]File, error) {
	var out []File
	err := fs.WalkDir(files, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		var dst string
		switch {
		case path.Dir(p) == "." && strings.HasSuffix(p, ".json"):
			dst = "grafana/dashboards/" + p
		case strings.HasPrefix(p, "provisioning/"):
			dst = "grafana/" + p
		case strings.HasPrefix(p, "rules/") && !strings.HasSuffix(p, ".test.yml"):
			dst = "prometheus/" + p
		default:
			return nil
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, File{Path: dst, Data: b})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

// WriteTo writes Files under dir, making folders as needed and replacing
// files of the same name, and returns the paths written.
func WriteTo(dir string) ([]string, error) {
	fl, err := Files()
	if err != nil {
		return nil, err
	}
	var written []string
	for _, f := range fl {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return written, fmt.Errorf("dashboards: %w", err)
		}
		written = append(written, p)
	}
	return written, nil
}
