package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
	"github.com/touchprobe/touchprobe/probe/config"
)

// planFromConfig loads a config and returns the plan of one target and the
// browser options of its global section. Any configured target may be
// visited, whatever the shard; a target in deny_networks is refused.
func planFromConfig(file, target, visitor string) (checks.Plan, browser.Options, error) {
	cfg, err := config.Load(file)
	if err != nil {
		return checks.Plan{}, browser.Options{}, err
	}
	t := cfg.Target(target)
	if t == nil {
		names := make([]string, 0, len(cfg.Targets))
		for _, t := range cfg.Targets {
			names = append(names, t.Name)
		}
		if len(names) > 10 {
			names = append(names[:10], "...")
		}
		return checks.Plan{}, browser.Options{}, fmt.Errorf("%s: no target %q (targets: %s)", file, target, strings.Join(names, ", "))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Only a refusal stops the visit; a failed lookup is the site's dns
	// failure, which the visit reports itself.
	if err := config.CheckDenied(ctx, t.URL, cfg.Global.DenyPrefixes, nil); errors.Is(err, config.ErrDenied) {
		return checks.Plan{}, browser.Options{}, fmt.Errorf("%s:%d: targets %s: %s", file, t.Line, t.Name, cfg.Scrub(err.Error()))
	}
	plan := t.Plan(cfg.Global)
	if visitor == "" {
		visitor = cfg.VisitorsOf(t)[0]
	}
	prof, ok := cfg.Profile(visitor)
	if !ok {
		return checks.Plan{}, browser.Options{}, fmt.Errorf("%s: no visitor profile %q (visitor_profiles, or desktop, mobile)", file, visitor)
	}
	plan.Visitor, plan.Profile = visitor, &prof
	return plan, cfg.Global.BrowserOptions(), nil
}
