package boards

import "github.com/grafana/grafana-foundation-sdk/go/dashboard"

// Rows per touchpoint: not on a dashboard yet (the rows want the visitor
// and the configured touchpoints' metrics first), kept here ready and tested.

// touchpointVar is the touchpoints of the selected targets (configured ones
// included: their name is the touchpoint label).
func touchpointVar() *dashboard.QueryVariableBuilder {
	return labelVar("touchpoint", "Touchpoint", "touchprobe_touchpoint_up", "location", "target")
}

// touchpointRows adds a row per touchpoint (Grafana repeats it over the
// touchpoint variable, which the dashboard must have): whether it was there
// and usable, and when it was ready (its milestone NAME_ready).
func touchpointRows(b *board) {
	b.row("Touchpoint: $touchpoint", "touchpoint", false,
		sized{12, 8, touchpointTimeline("$touchpoint: there and usable",
			"Whether the touchpoint was there and usable at each visit.",
			series("touchprobe_touchpoint_up", `touchpoint=~"$touchpoint"`), legend())},
		sized{12, 8, milestoneGraph("$touchpoint: ready",
			"When the touchpoint became usable, seconds since navigation start (milestone NAME_ready).",
			milestones("${touchpoint}_ready"))},
	)
}
