package boards

import (
	"github.com/grafana/grafana-foundation-sdk/go/barchart"
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/statetimeline"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// First20Seconds is the dashboard of what a first-time visitor lives through
// in the first 20 seconds of each target (first-20-seconds.json).
func First20Seconds() (dashboard.Dashboard, error) {
	d := touchprobeDashboard("touchprobe-first-20s", "touchprobe: first 20 seconds",
		"What a first-time visitor lives through in the first 20 seconds of each target: paint, content, contact form and chat, and the verdict.")
	for _, v := range targetVars() {
		d.WithVariable(v)
	}
	d.WithVariable(touchpointVar())
	d.WithVariable(statusURLVar())

	b := newBoard(d)
	b.panel(12, 9, first20sTimeline())
	b.panel(24, 7, verdictTimeline())
	b.panel(12, 6, impressionScore())
	b.panel(12, 6, problematicLocations())
	b.panel(12, 9, graph("Milestones p50 and p90 (all targets, 10m)",
		"Median and 90th percentile of every milestone over the last 10 minutes, over all targets of each instance (histogram touchprobe_milestone_duration_seconds via recording rules).",
		q("milestone:touchprobe_milestone_duration_seconds:p50_10m", "p50 {{milestone}}"),
		q("milestone:touchprobe_milestone_duration_seconds:p90_10m", "p90 {{milestone}}")).
		Unit("s").Min(0).Thresholds(thresholds("green", step{20, "red"})))
	b.panel(12, 9, milestoneGraph("Milestones p90 per target (1h)",
		"90th percentile of each target's milestones over the last hour (recording rule target_location_milestone:touchprobe_milestone_seconds:p90_1h).",
		series("target_location_milestone:touchprobe_milestone_seconds:p90_1h")))
	b.panel(12, 9, milestoneGraph("Milestones of the latest visit",
		"Each visit's milestones, seconds since navigation start.",
		milestones()).
		DrawStyle(common.GraphDrawStylePoints).ShowPoints(common.VisibilityModeAlways))
	b.panel(12, 9, touchpointTimeline("Touchpoint availability",
		"Whether each touchpoint (page, contact form, chat, phone, e-mail link) was there and usable. A touchpoint the site does not have (looked for automatically, not found) is not drawn: see 'Looked for, not on the site'.",
		series("touchprobe_touchpoint_up"), legend("{{touchpoint}}")))
	b.panel(12, 8, failureReasons())
	b.panel(12, 8, latestFailures())
	b.panel(12, 8, targetGraph("Chat response time",
		"From the visitor's chat message to the first answer with text; only for targets with `chat: {send: true}`, at their chat interval (an hour by default).",
		"s",
		latest("touchprobe_chat_response_seconds"),
		q("max by ("+perTargetBy+") (max_over_time("+series("touchprobe_chat_response_seconds")+"[$__range]))", legend()+" (max in range)")).
		ShowPoints(common.VisibilityModeAlways).
		SpanNulls(common.BoolOrFloat64{Bool: ptr(true)}))
	b.panel(12, 8, targetGraph("Layout shift",
		"Cumulative layout shift of each visit (unitless; Web Vitals call > 0.1 'needs improvement', > 0.25 'poor').",
		"none", latest("touchprobe_layout_shift_score")).
		Decimals(3).
		Thresholds(thresholds("green", step{0.1, "yellow"}, step{0.25, "red"})).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLine)))
	b.panel(12, 8, targetGraph("Visit duration",
		"How long each whole visit took (page, form and chat checks).",
		"s", latest("touchprobe_visit_duration_seconds")))
	evidencePanels(b)
	b.panel(12, 8, targetStat("Since the latest visit",
		"Time since each target's latest visit started; growing old means the monitor is not visiting (see the Prober health dashboard).",
		q("time() - "+series("touchprobe_visit_timestamp_seconds"), legend())).
		Unit("s").Decimals(0).
		Thresholds(thresholds("green", step{900, "orange"})))
	touchpointRows(b)
	return b.build()
}

// first20sTimeline is the latest visit of each target on the visitor's
// 0-20 s axis, next to its promises: one bar chart per target.
func first20sTimeline() *barchart.PanelBuilder {
	return newPanel(barchart.NewPanelBuilder(), "First 20 seconds: $target",
		"The latest visit's milestones on the visitor's 0–20 s axis (seconds since navigation start), next to the target's promises (touchprobe_promise_seconds). A milestone later than 20 s is a failure; a milestone missing was not reached. With several locations selected, each location has its own bars.",
		instantTable(milestones(), "reached"),
		instantTable(series("touchprobe_promise_seconds"), "promised")).
		Unit("s").Min(0).Max(20).Decimals(2).
		Thresholds(thresholds("green", step{20, "red"})).
		ColorScheme(color(dashboard.FieldColorModeIdFixed).FixedColor("blue")).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLine)).
		FillOpacity(80).
		LineWidth(1).
		DataLinks([]cog.Builder[dashboard.DashboardLink]{dataLink("Status page of ${target}", "${status_url}/?target=${target}")}).
		OverrideByName("promised", []dashboard.DynamicConfigValue{
			{Id: "color", Value: map[string]any{"mode": "fixed", "fixedColor": "text"}},
			{Id: "custom.fillOpacity", Value: 20},
		}).
		Orientation(common.VizOrientationHorizontal).
		XField("milestone").
		ShowValue(common.VisibilityModeAlways).
		GroupWidth(0.8).
		BarWidth(0.9).
		Stacking(common.StackingModeNone).
		Legend(legendList()).
		Tooltip(tooltip(common.TooltipDisplayModeMulti, common.SortOrderNone)).
		Repeat("target").
		RepeatDirection(dashboard.PanelRepeatDirectionH).
		MaxPerRow(2).
		WithTransformation(dashboard.DataTransformerConfig{Id: "merge", Options: map[string]any{}}).
		WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
			"excludeByName": map[string]any{"Time": true, "target": true, "location": true, "__name__": true},
			"renameByName":  map[string]any{"Value #A": "reached", "Value #B": "promised"},
			"indexByName":   map[string]any{"milestone": 0, "Value #A": 1, "Value #B": 2},
		}}).
		WithTransformation(dashboard.DataTransformerConfig{Id: "sortBy", Options: map[string]any{
			"sort": []any{map[string]any{"field": "reached"}},
		}})
}

// verdictTimeline is each target's verdict over time.
func verdictTimeline() *statetimeline.PanelBuilder {
	expr := "sum by (" + perTargetBy + ") (" + series("touchprobe_verdict", `verdict="indifferent"`) + ") + 2 * sum by (" + perTargetBy + ") (" +
		series("touchprobe_verdict", `verdict="problematic"`) + ")"
	return stateTimeline("Verdict",
		"The latest verdict of each target over time: pleasant (every promise kept), indifferent (a promise broken, or a consent layer in the way), problematic (page failed, a touchpoint missing or unusable, a milestone after 20 s). Click a target for its status page.",
		q(expr, legend())).
		Mappings(valueText("pleasant", "green", "indifferent", "yellow", "problematic", "red")).
		Thresholds(thresholds("green"))
}

// touchpointTimeline is whether touchpoints were there and usable, over time.
func touchpointTimeline(title, description, expr, legend string) *statetimeline.PanelBuilder {
	return stateTimeline(title, description, q(expr, legend)).
		Mappings(valueText("down", "red", "up", "green")).
		Thresholds(thresholds("red", step{1, "green"}))
}

// stateTimeline is a state timeline of per-target series, linked to the
// status page.
func stateTimeline(title, description string, qs ...query) *statetimeline.PanelBuilder {
	return newPanel(statetimeline.NewPanelBuilder(), title, description, qs...).
		ColorScheme(color(dashboard.FieldColorModeIdThresholds)).
		DataLinks(statusLink()).
		FillOpacity(80).
		LineWidth(0).
		ShowValue(common.VisibilityModeNever).
		MergeValues(true).
		RowHeight(0.8).
		AlignValue(common.TimelineValueAlignmentLeft).
		Legend(legendList()).
		Tooltip(tooltip(common.TooltipDisplayModeSingle, common.SortOrderNone))
}

// impressionScore is the recorded impression score: +1 pleasant, -5 problematic.
func impressionScore() *timeseries.PanelBuilder {
	return graph("Impression score (1h)",
		"First impressions over the last hour: +1 per pleasant visit, 0 per indifferent, -5 per problematic one (several pleasant moments are needed to undo a bad one). Below 0: visitors left put off more often than pleased. Recording rule target_location:touchprobe_impression_score:1h.",
		latest("target_location:touchprobe_impression_score:1h")).
		ColorScheme(color(dashboard.FieldColorModeIdThresholds)).
		Unit("none").
		Decimals(0).
		DataLinks(statusLink()).
		FillOpacity(10).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLineAndArea)).
		Thresholds(thresholds("red", step{0, "yellow"}, step{1, "green"}))
}

// targetStat is a stat of per-target series, linked to the status page.
func targetStat(title, description string, qs ...query) *stat.PanelBuilder {
	return statPanel(title, description, qs...).
		ColorScheme(color(dashboard.FieldColorModeIdThresholds)).
		DataLinks(statusLink())
}

// problematicLocations is from how many locations each target is problematic.
func problematicLocations() *stat.PanelBuilder {
	return targetStat("Problematic from how many locations",
		"Locations whose latest verdict for the target is problematic, of all locations that visit it.",
		q(`target:touchprobe_problematic_locations:count{target=~"$target"}`, "{{target}} problematic"),
		q(`target:touchprobe_locations:count{target=~"$target"}`, "{{target}} locations")).
		Unit("short").Decimals(0).
		Thresholds(thresholds("green", step{1, "red"}))
}

// failureReasons counts each failure reason in the time range.
func failureReasons() *bargauge.PanelBuilder {
	return newPanel(bargauge.NewPanelBuilder(), "Failure reasons (time range)",
		"How often each failure reason was seen in the selected time range. 'internal' is the monitor breaking, not the site.",
		query{expr: "sum by (target, reason) (increase(" + series("touchprobe_visit_failures_total") + "[$__range]))",
			legend: "{{target}}: {{reason}}", instant: true, format: "time_series"}).
		ColorScheme(color(dashboard.FieldColorModeIdThresholds)).
		Unit("short").Min(0).Decimals(0).
		DataLinks(statusLink()).
		Thresholds(thresholds("green", step{1, "red"})).
		Orientation(common.VizOrientationHorizontal).
		DisplayMode(common.BarGaugeDisplayModeBasic).
		ShowUnfilled(true).
		ReduceOptions(lastNotNull())
}

// latestFailures lists the failure reasons of each target's latest visit.
func latestFailures() *table.PanelBuilder {
	return dataTable("Failure reasons of the latest visit",
		"The reasons of each target's latest conclusive visit.",
		instantTable(series("touchprobe_visit_failure")+" == 1", "{{target}}: {{reason}}"),
		"job", "instance").
		Unit("short").
		DataLinks(statusLink())
}

// evidencePanels are the why of the latest visits: what the evidence
// counted and where the time of the largest paint went.
func evidencePanels(b *board) {
	b.panel(12, 8, dataTable("Why: the evidence's first cause",
		"The kind of the first cause the evidence gives for each target's latest failures and broken promises (the sentence itself is on the status page and in `touchprobe visit`).",
		instantTable(series("touchprobe_visit_top_cause"), legend("{{cause}}")), "job", "instance").
		DataLinks(statusLink()))
	b.panel(12, 8, dataTable("Looked for, not on the site",
		"Touchpoints looked for automatically that the site does not have: information, not an outage (they have no touchprobe_touchpoint_up series and never alert).",
		instantTable(series("touchprobe_touchpoint_found")+" == 0", legend("{{touchpoint}}")), "job", "instance").
		DataLinks(statusLink()))
	b.panel(12, 8, targetGraph("Failed requests, console errors, exceptions",
		"Per visit: requests that failed or answered 400 or more, console errors, uncaught exceptions.",
		"none",
		q(series("touchprobe_failed_requests"), legend("failed requests")),
		q(series("touchprobe_console_errors"), legend("console errors")),
		q(series("touchprobe_page_exceptions"), legend("exceptions"))))
	b.panel(12, 8, targetGraph("Largest contentful paint in its parts",
		"Time to first byte, resource load delay, resource load time and element render delay of the latest visit's largest paint; they add up to it.",
		"s", q(series("touchprobe_lcp_phase_seconds"), legend("{{phase}}"))).
		Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal)))
	b.panel(12, 8, targetGraph("Total blocking time",
		"Main-thread time over 50 ms per long task within the first impression.",
		"s", latest("touchprobe_total_blocking_seconds")).
		Thresholds(thresholds("green", step{0.2, "yellow"}, step{0.6, "red"})))
	b.panel(12, 8, targetGraph("Third parties' share of the bytes",
		"Share of the visit's transferred bytes that came from other sites than the page's.",
		"percentunit", latest("touchprobe_third_party_bytes_ratio")).Min(0).Max(1))
	b.panel(12, 8, targetGraph("Interaction to next paint (the visitor's touches)",
		"From the probe's own input on each touchpoint (a consent button, the chat launcher, a form field) to the next paint (Event Timing); 200 ms is INP's 'good'.",
		"s", q(series("touchprobe_interaction_seconds"), legend("{{touchpoint}}"))).
		ShowPoints(common.VisibilityModeAlways).
		Thresholds(thresholds("green", step{0.2, "yellow"}, step{0.5, "red"})).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLine)))
}
