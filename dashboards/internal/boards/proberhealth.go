package boards

import (
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// ProberHealth is the dashboard of the monitor itself (prober-health.json):
// problems here are the monitor's, not the sites'. Its series carry no
// target; they are told apart by Prometheus' instance.
func ProberHealth() (dashboard.Dashboard, error) {
	d := touchprobeDashboard("touchprobe-prober-health", "touchprobe: prober health",
		"Is the monitor itself well? Visits, browsers, config reloads, internal errors, memory. Problems here are the monitor's, not the sites'.")

	b := newBoard(d)
	b.panel(12, 8, graph("Visits per minute",
		"Finished visits per minute, by verdict ('unknown': the monitor broke, not the site).",
		q("sum by (instance, verdict) (rate(touchprobe_visits_total[5m])) * 60", "{{instance}} {{verdict}}")).
		Unit("short").Min(0))
	b.panel(12, 8, count("Visits in flight", "Visits running now (bounded by global.concurrency).",
		q("touchprobe_visits_in_flight", "{{instance}}")))
	b.panel(12, 8, graph("Visit duration", "How long each target's latest visit took, slowest first.",
		q("max by (target) (touchprobe_visit_duration_seconds)", "{{target}}")).
		Unit("s").Min(0))
	b.panel(12, 8, events("Browser restarts and recycles",
		"Browsers that died and were replaced (restarts), and replaced on purpose (recycles: visit count or memory).",
		q("sum by (instance) (increase(touchprobe_browser_restarts_total[$__rate_interval]))", "{{instance}} restarts"),
		q("sum by (instance) (increase(touchprobe_browser_recycles_total[$__rate_interval]))", "{{instance}} recycles")))
	b.panel(12, 8, events("Internal errors",
		"Visits where the monitor broke (visit), of which recovered panics (panic). Never the site's fault.",
		q("sum by (instance, reason) (increase(touchprobe_internal_errors_total[$__rate_interval]))", "{{instance}} {{reason}}")))
	b.panel(12, 8, events("Config reloads",
		"Reloads (SIGHUP, POST /-/reload) by result; a failed reload keeps the old config running.",
		q("sum by (instance, result) (increase(touchprobe_config_reloads_total[$__rate_interval]))", "{{instance}} {{result}}")))
	b.panel(6, 6, statPanel("Last reload successful", "0 after a failed reload: fix the config, the old one keeps running.",
		q("touchprobe_config_last_reload_successful", "{{instance}}")).
		ColorScheme(color(dashboard.FieldColorModeIdThresholds)).
		Unit("none").
		Mappings(valueText("failed", "red", "ok", "green")).
		Thresholds(thresholds("red", step{1, "green"})).
		ColorMode(common.BigValueColorModeBackground))
	b.panel(6, 6, statPanel("Config loaded", "Time since the config was last loaded successfully.",
		q("time() - touchprobe_config_last_reload_success_timestamp_seconds", "{{instance}}")).
		ColorScheme(color(dashboard.FieldColorModeIdPaletteClassic)).
		Unit("s").Decimals(0))
	b.panel(12, 8, count("Targets and targets overdue",
		"Targets this instance visits, and how many are late by more than a quarter of their interval.",
		q("touchprobe_targets", "{{instance}} targets"),
		q("touchprobe_targets_overdue", "{{instance}} overdue")))
	b.panel(12, 8, graph("Browser memory", "Proportional set size of the local browser's process tree.",
		q("touchprobe_browser_memory_bytes", "{{instance}}")).
		Unit("bytes").Min(0))
	b.panel(12, 8, count("Browser processes",
		"Live processes in the local browser's process group (0 for a remote browser); steady growth is a leak.",
		q("touchprobe_browser_processes", "{{instance}}")))
	// go_* and process_* of the touchprobe daemons only (Prometheus scrapes
	// other Go programs too).
	b.panel(12, 8, graph("Daemon memory (Go heap and RSS)",
		"The daemon's own Go heap in use and resident memory (the browser's is apart).",
		q("go_memstats_heap_inuse_bytes and on (instance, job) touchprobe_build_info", "{{instance}} heap in use"),
		q("process_resident_memory_bytes and on (instance, job) touchprobe_build_info", "{{instance}} resident")).
		Unit("bytes").Min(0))
	b.panel(24, 5, dataTable("Build", "Version of each daemon and the browser it drives.",
		instantTable("touchprobe_build_info", "{{instance}}")).
		Unit("none"))
	return b.build()
}

// count is a graph of whole numbers from 0.
func count(title, description string, qs ...query) *timeseries.PanelBuilder {
	return graph(title, description, qs...).Unit("short").Min(0).Decimals(0)
}

// events is a bar graph of how many things happened per interval.
func events(title, description string, qs ...query) *timeseries.PanelBuilder {
	return graph(title, description, qs...).Unit("short").Min(0).
		DrawStyle(common.GraphDrawStyleBars).FillOpacity(60)
}
