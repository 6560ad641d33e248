package main

import (
	"errors"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// planFromConfig loads a config and returns the plan of one target and the
// browser options of its global section.
func planFromConfig(file, target string) (checks.Plan, browser.Options, error) {
	return checks.Plan{}, browser.Options{}, errors.New("config files are not supported yet")
}
