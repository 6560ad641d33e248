package boards

import (
	"errors"
	"fmt"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// The pieces every touchprobe dashboard is made of: the data source
// variable, the per-target filter, queries, links to the status page, and a
// flow layout that numbers and places panels.

// schemaVersion is the dashboard JSON model version we write. The SDK says
// 42 (Grafana 12); the hand-written JSON said 39, and Grafana's migrations
// 40-42 (refresh as a string, timepicker.time_options, hideFrom.tooltip)
// change nothing in ours: Grafana 12 loads it as it is, and an older Grafana
// is not handed a schema newer than it knows.
const schemaVersion = 39

// ds is the data source of every panel, query and query variable: the
// dashboard's `datasource` variable, never a fixed UID.
var ds = common.DataSourceRef{Type: ptr("prometheus"), Uid: ptr("${datasource}")}

// perTarget is the filter every per-target query carries: the dashboard's
// target, location and visitor (profile) variables.
const perTarget = `target=~"$target",location=~"$location",visitor=~"$visitor"`

// perTargetBy groups by what perTarget filters on: an aggregation that keeps
// each target's series apart ("sum by (" + perTargetBy + ") (...)").
const perTargetBy = "target, location, visitor"

// legend names a per-target series, with what tells its series apart:
// legend("{{milestone}}") is "{{target}} {{milestone}} @ {{location}} as {{visitor}}".
func legend(what ...string) string {
	return strings.Join(append([]string{"{{target}}"}, what...), " ") + " @ {{location}} as {{visitor}}"
}

// series is metric filtered by its own matchers, then by perTarget:
// series("touchprobe_verdict", `verdict="pleasant"`).
func series(metric string, matchers ...string) string {
	return metric + "{" + strings.Join(append(matchers, perTarget), ",") + "}"
}

// milestones is each target's latest visit's milestones named (all of them
// without names), seconds since navigation start.
func milestones(names ...string) string {
	if len(names) == 0 {
		return series("touchprobe_milestone_seconds")
	}
	return series("touchprobe_milestone_seconds", `milestone=~"`+strings.Join(names, "|")+`"`)
}

// targetVars are the variables behind perTarget, each narrowed by the ones
// before it: location, then target, then visitor (desktop and phone side by
// side when both are selected).
func targetVars() []cog.Builder[dashboard.VariableModel] {
	return []cog.Builder[dashboard.VariableModel]{
		labelVar("location", "Location", "touchprobe_visit_success"),
		labelVar("target", "Target", "touchprobe_visit_success", "location"),
		labelVar("visitor", "Visitor", "touchprobe_visit_success", "location", "target"),
	}
}

// labelVar is a multi-value variable (All = ".*") over the values of label on
// metric, narrowed by the variables named in parents.
func labelVar(label, title, metric string, parents ...string) *dashboard.QueryVariableBuilder {
	sel := metric
	if len(parents) > 0 {
		var m []string
		for _, p := range parents {
			m = append(m, fmt.Sprintf("%s=~\"$%s\"", p, p))
		}
		sel += "{" + strings.Join(m, ",") + "}"
	}
	q := fmt.Sprintf("label_values(%s, %s)", sel, label)
	return dashboard.NewQueryVariableBuilder(label).
		Label(title).
		Datasource(ds).
		Query(dashboard.StringOrMap{String: ptr(q)}).
		Definition(q).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Regex("").
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Hide(dashboard.VariableHideDontHide)
}

// datasourceVar is the `datasource` variable: any Prometheus.
func datasourceVar() *dashboard.DatasourceVariableBuilder {
	return dashboard.NewDatasourceVariableBuilder("datasource").
		Label("Data source").
		Type("prometheus").
		Regex("").
		Hide(dashboard.VariableHideDontHide)
}

// statusURLVar is where the daemon's status page is, for the links to it.
func statusURLVar() *dashboard.TextBoxVariableBuilder {
	const def = "http://localhost:9516"
	opt := dashboard.VariableOption{Text: dashboard.StringOrArrayOfString{String: ptr(def)}, Value: dashboard.StringOrArrayOfString{String: ptr(def)}}
	sel := opt
	sel.Selected = ptr(true)
	return dashboard.NewTextBoxVariableBuilder("status_url").
		Label("Status page URL").
		Description("Base URL of the touchprobe daemon's status page (its -listen address)").
		DefaultValue(dashboard.StringOrMap{String: ptr(def)}).
		Current(opt).
		Options([]dashboard.VariableOption{sel}).
		Hide(dashboard.VariableHideDontHide)
}

// query is one PromQL query of a panel; its refId is its place (A, B, …).
type query struct {
	expr, legend string
	instant      bool   // one value per series at the end of the range
	format       string // "table", "time_series", or "" (Grafana's default)
}

// q is a range query.
func q(expr, legend string) query { return query{expr: expr, legend: legend} }

// instantTable is an instant query whose result is a table.
func instantTable(expr, legend string) query {
	return query{expr: expr, legend: legend, instant: true, format: "table"}
}

// targets are qs as the SDK's Prometheus queries.
func targets(qs ...query) []cog.Builder[variants.Dataquery] {
	var out []cog.Builder[variants.Dataquery]
	for i, x := range qs {
		b := prometheus.NewDataqueryBuilder().
			RefId(string(rune('A' + i))).
			Datasource(ds).
			Expr(x.expr).
			LegendFormat(x.legend)
		if x.instant {
			b.Instant()
		} else {
			b.Range()
		}
		if x.format != "" {
			b.Format(prometheus.PromQueryFormat(x.format))
		}
		out = append(out, b)
	}
	return out
}

// statusLink is the data link from a series to its target's status page,
// with the filmstrip of the latest visit.
func statusLink() []cog.Builder[dashboard.DashboardLink] {
	return []cog.Builder[dashboard.DashboardLink]{dataLink("Status page of ${__field.labels.target}", "${status_url}/?target=${__field.labels.target}")}
}

// dataLink is a data link (fieldConfig.defaults.links). The SDK types data
// links as dashboard links; we leave out the dashboard-link placement its
// constructor sets (it means nothing on a field).
func dataLink(title, url string) cog.Builder[dashboard.DashboardLink] {
	return done[dashboard.DashboardLink]{dashboard.DashboardLink{Title: title, Url: ptr(url), TargetBlank: true, Tags: []string{}}}
}

// step is a threshold: from value at on, color.
type step struct {
	at    float64
	color string
}

// thresholds are absolute: base below the first step, then each step's colour.
func thresholds(base string, steps ...step) *dashboard.ThresholdsConfigBuilder {
	t := []dashboard.Threshold{{Color: base}}
	for _, s := range steps {
		t = append(t, dashboard.Threshold{Value: ptr(s.at), Color: s.color})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(t)
}

// valueText maps the values 0, 1, … to texts and colours: valueText("up", "green", …).
func valueText(textColor ...string) []dashboard.ValueMapping {
	opts := map[string]dashboard.ValueMappingResult{}
	for i := 0; i+1 < len(textColor); i += 2 {
		opts[fmt.Sprint(i/2)] = dashboard.ValueMappingResult{Text: ptr(textColor[i]), Color: ptr(textColor[i+1]), Index: ptr(int32(i / 2))}
	}
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{Type: dashboard.MappingTypeValueToText, Options: opts}}}
}

func color(mode dashboard.FieldColorModeId) *dashboard.FieldColorBuilder {
	return dashboard.NewFieldColorBuilder().Mode(mode)
}

func legendTable() *common.VizLegendOptionsBuilder {
	return common.NewVizLegendOptionsBuilder().DisplayMode(common.LegendDisplayModeTable).Placement(common.LegendPlacementRight).
		Calcs([]string{"lastNotNull", "max"}).ShowLegend(true)
}

func legendList() *common.VizLegendOptionsBuilder {
	return common.NewVizLegendOptionsBuilder().DisplayMode(common.LegendDisplayModeList).Placement(common.LegendPlacementBottom).
		ShowLegend(true)
}

func tooltip(mode common.TooltipDisplayMode, sort common.SortOrder) *common.VizTooltipOptionsBuilder {
	return common.NewVizTooltipOptionsBuilder().Mode(mode).Sort(sort)
}

func lastNotNull() *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Fields("").Values(false)
}

// panelBuilder is what every panel type's SDK builder has; each method sets
// a field and returns the builder.
type panelBuilder[B any] interface {
	Title(string) B
	Description(string) B
	Datasource(common.DataSourceRef) B
	Targets([]cog.Builder[variants.Dataquery]) B
}

// newPanel is b, a new panel of any type, titled and described, querying qs
// from the dashboard's data source.
func newPanel[B panelBuilder[B]](b B, title, description string, qs ...query) B {
	b.Title(title)
	b.Description(description)
	b.Datasource(ds)
	return b.Targets(targets(qs...))
}

// graph is a time series panel as touchprobe draws them: lines, one colour
// per series, a table legend with the last and the highest value.
func graph(title, description string, qs ...query) *timeseries.PanelBuilder {
	return newPanel(timeseries.NewPanelBuilder(), title, description, qs...).
		ColorScheme(color(dashboard.FieldColorModeIdPaletteClassic)).
		DrawStyle(common.GraphDrawStyleLine).
		LineWidth(1).
		FillOpacity(0).
		ShowPoints(common.VisibilityModeAuto).
		SpanNulls(common.BoolOrFloat64{Bool: ptr(false)}).
		Legend(legendTable()).
		Tooltip(tooltip(common.TooltipDisplayModeMulti, common.SortOrderDescending))
}

// latest is the per-target series of a latest-visit gauge, one per target
// and location.
func latest(metric string) query { return q(series(metric), legend()) }

// targetGraph is a graph of per-target series from 0 up, each linked to its
// target's status page.
func targetGraph(title, description, unit string, qs ...query) *timeseries.PanelBuilder {
	return graph(title, description, qs...).Unit(unit).Min(0).DataLinks(statusLink())
}

// milestoneGraph is a graph of a per-target milestone series (seconds since
// navigation start, one series per target and milestone).
func milestoneGraph(title, description, expr string) *timeseries.PanelBuilder {
	return graph(title, description, q(expr, legend("{{milestone}}"))).
		Unit("s").Min(0).DataLinks(statusLink())
}

// dataTable is a table of an instant query's labels, without the time, the
// value and the metric name (and the columns named in hide).
func dataTable(title, description string, x query, hide ...string) *table.PanelBuilder {
	exclude := map[string]any{"Time": true, "Value": true, "__name__": true}
	for _, h := range hide {
		exclude[h] = true
	}
	return newPanel(table.NewPanelBuilder(), title, description, x).
		ColorScheme(color(dashboard.FieldColorModeIdPaletteClassic)).
		ShowHeader(true).
		CellHeight(common.TableCellHeightSm).
		// An explicit footer: the SDK's default has "reducer": null.
		Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{}).CountRows(false)).
		WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{"excludeByName": exclude}})
}

// statPanel shows the last value of each series, with its name.
func statPanel(title, description string, qs ...query) *stat.PanelBuilder {
	return newPanel(stat.NewPanelBuilder(), title, description, qs...).
		ReduceOptions(lastNotNull()).
		ColorMode(common.BigValueColorModeValue).
		GraphMode(common.BigValueGraphModeNone).
		TextMode(common.BigValueTextModeValueAndName).
		Orientation(common.VizOrientationAuto)
}

// board lays panels out left to right, a new line when the next one does not
// fit, and numbers them 1, 2, … in that order. The SDK's own layout places a
// panel first and wraps after it, so a full-width panel after a half-width
// one would stick out of the grid; we place every panel ourselves.
type board struct {
	d           *dashboard.DashboardBuilder
	x, y, lineH uint32
	id          uint32
	errs        []error
}

const gridWidth = 24

func newBoard(d *dashboard.DashboardBuilder) *board { return &board{d: d} }

// place returns the position of the next w×h panel and moves past it.
func (b *board) place(w, h uint32) dashboard.GridPos {
	if b.x+w > gridWidth {
		b.newline()
	}
	g := dashboard.GridPos{X: b.x, Y: b.y, W: w, H: h}
	b.x += w
	b.lineH = max(b.lineH, h)
	return g
}

func (b *board) newline() {
	if b.x > 0 {
		b.y += b.lineH
	}
	b.x, b.lineH = 0, 0
}

// panel adds p, w columns wide and h high.
func (b *board) panel(w, h uint32, p cog.Builder[dashboard.Panel]) *board {
	built, err := b.numbered(w, h, p)
	if err != nil {
		b.errs = append(b.errs, err)
		return b
	}
	b.d.WithPanel(done[dashboard.Panel]{built})
	return b
}

func (b *board) numbered(w, h uint32, p cog.Builder[dashboard.Panel]) (dashboard.Panel, error) {
	built, err := p.Build()
	if err != nil {
		return built, fmt.Errorf("panel %d: %w", b.id+1, err)
	}
	b.id++
	g := b.place(w, h)
	built.Id, built.GridPos = ptr(b.id), &g
	return built, nil
}

// sized is a panel and its size, for rows.
type sized struct {
	w, h  uint32
	panel cog.Builder[dashboard.Panel]
}

// row adds a full-width row titled title with panels under it, repeated for
// each value of the variable repeat when that is not "". An expanded row's
// panels follow it in the dashboard's list; a collapsed row holds them (the
// dashboard JSON model; the SDK's row.WithPanel always collapses).
func (b *board) row(title, repeat string, collapsed bool, panels ...sized) *board {
	b.newline()
	b.id++
	r := dashboard.RowPanel{Type: "row", Title: ptr(title), Id: b.id, Collapsed: collapsed, Panels: []dashboard.Panel{},
		GridPos: &dashboard.GridPos{X: 0, Y: b.y, W: gridWidth, H: 1}}
	if repeat != "" {
		r.Repeat = ptr(repeat)
	}
	b.y++
	var in []dashboard.Panel
	for _, s := range panels {
		p, err := b.numbered(s.w, s.h, s.panel)
		if err != nil {
			b.errs = append(b.errs, err)
			continue
		}
		in = append(in, p)
	}
	b.newline()
	if collapsed {
		r.Panels = in
		b.d.WithRow(done[dashboard.RowPanel]{r})
		return b
	}
	b.d.WithRow(done[dashboard.RowPanel]{r})
	for _, p := range in {
		b.d.WithPanel(done[dashboard.Panel]{p})
	}
	return b
}

// build is the dashboard, at our schema version.
func (b *board) build() (dashboard.Dashboard, error) {
	if err := errors.Join(b.errs...); err != nil {
		return dashboard.Dashboard{}, err
	}
	d, err := b.d.Build()
	if err != nil {
		return d, err
	}
	d.SchemaVersion = schemaVersion
	return d, nil
}

// touchprobeDashboard is a dashboard with what both of ours share: tag,
// refresh, time range, crosshair, the built-in annotations, a link to the
// other touchprobe dashboards, and the datasource variable.
func touchprobeDashboard(uid, title, description string) *dashboard.DashboardBuilder {
	return dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(description).
		Tags([]string{"touchprobe"}).
		Editable().
		Version(1).
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Refresh("1m").
		Time("now-6h", "now").
		Timezone("").
		FiscalYearStartMonth(0).
		// Built as a value: the SDK's annotation constructor would add a
		// placement (Grafana 12's controls menu) that today's JSON does not have.
		Annotation(done[dashboard.AnnotationQuery]{dashboard.AnnotationQuery{
			BuiltIn:    ptr(1.0),
			Datasource: &common.DataSourceRef{Type: ptr("grafana"), Uid: ptr("-- Grafana --")},
			Enable:     true,
			Hide:       ptr(true),
			IconColor:  "rgba(0, 211, 255, 1)",
			Name:       "Annotations & Alerts",
			Type:       ptr("dashboard"),
		}}).
		Link(done[dashboard.DashboardLink]{dashboard.DashboardLink{Title: "touchprobe dashboards", Type: dashboard.DashboardLinkTypeDashboards,
			Tags: []string{"touchprobe"}, AsDropdown: true}}).
		WithVariable(datasourceVar())
}

// done is a value already built, as a builder (the SDK takes builders).
type done[T any] struct{ v T }

func (d done[T]) Build() (T, error) { return d.v, nil }

func ptr[T any](v T) *T { return &v }
