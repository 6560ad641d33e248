// Package boards builds touchprobe's Grafana dashboards as typed Go with the
// Grafana Foundation SDK. `go generate ./dashboards/...` writes them as the
// JSON the dashboards package embeds; only the generator and the tests
// import this package, so the touchprobe binary does not carry the SDK.
package boards

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// Board is one dashboard and the file it is written to.
type Board struct {
	File  string // under dashboards/
	Build func() (dashboard.Dashboard, error)
}

// All are the dashboards touchprobe ships.
var All = []Board{
	{"first-20-seconds.json", First20Seconds},
	{"prober-health.json", ProberHealth},
}

// Render is b as the JSON file: two-space indent, a final newline, and
// "<", ">" and "&" as themselves (PromQL compares with them).
func Render(b Board) ([]byte, error) {
	d, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.File, err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("%s: %w", b.File, err)
	}
	return buf.Bytes(), nil
}
