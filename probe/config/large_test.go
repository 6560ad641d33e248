package config

import (
	"fmt"
	"strings"
	"testing"
)

// TestLargeFleet: 10,000 targets (a sharded fleet's config) load, with an
// anchor shared by all of them.
func TestLargeFleet(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-common: &common\n  consent: reject\n  labels: {team: web, tier: bronze}\n  chat: false\n  promises: {ttfb: 1s}\ntargets:\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "  - <<: *common\n    name: site-%05d\n    url: https://site-%05d.example/\n", i, i)
	}
	c, err := ParseEnv("fleet.yml", []byte(b.String()), noEnv())
	if err != nil {
		t.Fatal(err)
	}
	last := c.Targets[9999]
	if len(c.Targets) != 10000 || last.Name != "site-09999" || last.Consent != "reject" || !last.Chat.Disabled || last.Line != 30004 {
		t.Errorf("%d targets, last %+v", len(c.Targets), last)
	}
}
