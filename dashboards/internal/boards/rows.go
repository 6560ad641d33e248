package boards

import "github.com/grafana/grafana-foundation-sdk/go/dashboard"

// Rows per touchpoint, the built-in ones and the business's own key points
// (configured touchpoints: their name is the touchpoint label, their
// milestone NAME_ready), repeated over the touchpoint variable.

// touchpointVar is the touchpoints of the selected targets (configured ones
// included: their name is the touchpoint label).
func touchpointVar() *dashboard.QueryVariableBuilder {
	return labelVar("touchpoint", "Touchpoint", "touchprobe_touchpoint_up", "location", "target", "visitor")
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
		sized{12, 8, targetGraph("$touchpoint: input to next paint",
			"The visitor's input on the touchpoint (a click, tap or key) to the page's next paint; INP calls 200 ms good.",
			"s", q(series("touchprobe_interaction_seconds", `touchpoint=~"$touchpoint"`), legend())).
			Thresholds(thresholds("green", step{0.2, "yellow"}, step{0.5, "red"}))},
	)
}
