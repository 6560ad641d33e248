package boards

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// rendered is d as the generic JSON the dashboards' tests read.
func rendered(t *testing.T, b *board) map[string]any {
	t.Helper()
	d, err := b.build()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

type placed struct {
	id, x, y, w, h float64
	typ            string
	inside         int // panels a (collapsed) row holds
}

func layout(m map[string]any) []placed {
	var out []placed
	for _, p := range m["panels"].([]any) {
		pm := p.(map[string]any)
		g := pm["gridPos"].(map[string]any)
		in, _ := pm["panels"].([]any)
		out = append(out, placed{pm["id"].(float64), g["x"].(float64), g["y"].(float64), g["w"].(float64), g["h"].(float64), pm["type"].(string), len(in)})
	}
	return out
}

func TestBoardFlowsPanels(t *testing.T) {
	b := newBoard(touchprobeDashboard("u", "t", "d"))
	for _, wh := range [][2]uint32{{12, 9}, {24, 7}, {6, 6}, {6, 6}, {12, 8}, {12, 8}} {
		b.panel(wh[0], wh[1], graph("g", "d", q("up", "")))
	}
	got := layout(rendered(t, b))
	want := []placed{{1, 0, 0, 12, 9, "timeseries", 0}, {2, 0, 9, 24, 7, "timeseries", 0}, {3, 0, 16, 6, 6, "timeseries", 0},
		{4, 6, 16, 6, 6, "timeseries", 0}, {5, 12, 16, 12, 8, "timeseries", 0}, {6, 0, 24, 12, 8, "timeseries", 0}}
	if len(got) != len(want) {
		t.Fatalf("layout %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("panel %d: %v, want %v", i, got[i], want[i])
		}
	}
}

// TestRows: an expanded row's panels follow it in the list, a collapsed
// row holds them (Grafana's JSON model), each placed under its row.
func TestRows(t *testing.T) {
	b := newBoard(touchprobeDashboard("u", "t", "d").WithVariable(touchpointVar()))
	b.panel(12, 9, graph("g", "d", q("up", "")))
	touchpointRows(b)
	b.row("Collapsed", "", true, sized{24, 5, graph("h", "d", q("up", ""))})
	m := rendered(t, b)
	got := layout(m)
	want := []placed{{1, 0, 0, 12, 9, "timeseries", 0}, {2, 0, 9, 24, 1, "row", 0}, {3, 0, 10, 12, 8, "state-timeline", 0},
		{4, 12, 10, 12, 8, "timeseries", 0}, {5, 0, 18, 12, 8, "timeseries", 0}, {6, 0, 26, 24, 1, "row", 1}}
	if len(got) != len(want) {
		t.Fatalf("layout %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("panel %d: %v, want %v", i, got[i], want[i])
		}
	}
	panels := m["panels"].([]any)
	row := panels[1].(map[string]any)
	if row["repeat"] != "touchpoint" || row["collapsed"] != false {
		t.Errorf("touchpoint row: repeat %v collapsed %v", row["repeat"], row["collapsed"])
	}
	inner := panels[5].(map[string]any)["panels"].([]any)[0].(map[string]any)
	if g := inner["gridPos"].(map[string]any); inner["id"] != 7.0 || g["y"] != 27.0 {
		t.Errorf("collapsed row's panel: id %v gridPos %v, want 7 at y 27", inner["id"], g)
	}
	raw, _ := json.Marshal(m)
	for _, want := range []string{`touchpoint=~\"$touchpoint\"`, `target=~\"$target\",location=~\"$location\"`, `label_values(touchprobe_touchpoint_up{location=~\"$location\",target=~\"$target\",visitor=~\"$visitor\"}, touchpoint)`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("touchpoint rows: no %s", want)
		}
	}
}

// TestBuiltNoControlsMenu: the SDK's constructors put dashboard links and
// annotations in Grafana 12's controls menu; ours stay where they were.
func TestBuiltNoControlsMenu(t *testing.T) {
	for _, b := range All {
		out, err := Render(b)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), string(dashboard.DashboardLinkPlacementInControlsMenu)) {
			t.Errorf("%s: placement %s", b.File, dashboard.DashboardLinkPlacementInControlsMenu)
		}
	}
}
