package dashboards

// The dashboards are Go (internal/boards, built with the Grafana Foundation
// SDK); the JSON files next to this one are generated from it. Edit the Go,
// then run `go generate ./dashboards/...`. TestDashboardsGenerated fails when
// the committed JSON is stale. Only the generator and the tests import the
// SDK: the touchprobe binary embeds the JSON and nothing else.
//go:generate go run ./internal/gen
