package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/touchprobe/touchprobe/dashboards/internal/boards"
)

// TestDashboardsGenerated: every embedded dashboard is generated from
// internal/boards, and the committed JSON is what the Go builds today.
func TestDashboardsGenerated(t *testing.T) {
	generated := map[string]bool{}
	for _, b := range boards.All {
		generated[b.File] = true
		want, err := boards.Render(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(b.File)
		if err != nil {
			t.Errorf("%s: %v; run: go generate ./dashboards/...", b.File, err)
			continue
		}
		if bytes.Equal(got, want) {
			continue
		}
		hint := "the same dashboard, formatted differently"
		if d := jsonDiff(got, want, 10); len(d) > 0 {
			hint = "committed -> generated:\n\t" + strings.Join(d, "\n\t")
		}
		t.Errorf("%s is stale: internal/boards builds something else; run: go generate ./dashboards/...\n%s", b.File, hint)
	}
	embedded, _ := fs.Glob(files, "*.json")
	for _, n := range embedded {
		if !generated[n] {
			t.Errorf("%s is embedded but not generated: build it in internal/boards (boards.All)", n)
		}
	}
}

// jsonDiff lists up to max differences between two JSON documents, by path;
// nil when they mean the same.
func jsonDiff(a, b []byte, max int) []string {
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		return []string{"committed: invalid JSON: " + err.Error()}
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		return []string{"generated: invalid JSON: " + err.Error()}
	}
	var out []string
	full := false
	add := func(f string, a ...any) {
		if len(out) < max {
			out = append(out, fmt.Sprintf(f, a...))
		} else {
			full = true
		}
	}
	var walk func(at string, x, y any)
	walk = func(at string, x, y any) {
		if full {
			return
		}
		mx, okx := x.(map[string]any)
		my, oky := y.(map[string]any)
		if okx && oky {
			keys := map[string]bool{}
			for k := range mx {
				keys[k] = true
			}
			for k := range my {
				keys[k] = true
			}
			ks := make([]string, 0, len(keys))
			for k := range keys {
				ks = append(ks, k)
			}
			sort.Strings(ks)
			for _, k := range ks {
				cx, inx := mx[k]
				cy, iny := my[k]
				switch {
				case !inx:
					add("%s.%s: added %s", at, k, short(cy))
				case !iny:
					add("%s.%s: removed %s", at, k, short(cx))
				default:
					walk(at+"."+k, cx, cy)
				}
			}
			return
		}
		lx, okx := x.([]any)
		ly, oky := y.([]any)
		if okx && oky && len(lx) == len(ly) {
			for i := range lx {
				walk(fmt.Sprintf("%s[%d]", at, i), lx[i], ly[i])
			}
			return
		}
		if !reflect.DeepEqual(x, y) {
			add("%s: %s -> %s", at, short(x), short(y))
		}
	}
	walk("", va, vb)
	if full {
		out = append(out, "…")
	}
	return out
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 100 {
		return string(b[:100]) + "…"
	}
	return string(b)
}

func TestJSONDiff(t *testing.T) {
	a := `{"panels":[{"id":1,"title":"a","unit":"s"}],"x":1}`
	b := `{"x":1, "panels":[{"title":"b","id":1,"min":0}]}`
	got := strings.Join(jsonDiff([]byte(a), []byte(b), 10), "|")
	want := `.panels[0].min: added 0|.panels[0].title: "a" -> "b"|.panels[0].unit: removed "s"`
	if got != want {
		t.Errorf("jsonDiff = %s, want %s", got, want)
	}
	if d := jsonDiff([]byte(a), []byte(`{"x":1,"panels":[{"unit":"s","title":"a","id":1}]}`), 10); d != nil {
		t.Errorf("same meaning, reordered: %v", d)
	}
}
