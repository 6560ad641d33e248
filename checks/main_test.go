package checks_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// One fixture company site and one real Chromium for every test here.
var (
	fixture *site.Site
	sup     *browser.Supervisor
)

func TestMain(m *testing.M) {
	var err error
	fixture, err = site.Start()
	if err != nil {
		panic(err)
	}
	sup = browser.NewSupervisor(browser.Options{UserAgentMarker: "touchprobe-test", Spares: 1})
	code := m.Run()
	sup.Close()
	fixture.Close()
	os.Exit(code)
}

// visitPlan runs one whole visit of plan on the shared browser.
func visitPlan(t testing.TB, plan checks.Plan) checks.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	return checks.Visit(ctx, sup, plan)
}
