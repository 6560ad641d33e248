package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
)

func init() {
	register("discover", "visit a site once (nothing is sent) and print a ready-to-use config for it", runDiscover)
}

func runDiscover(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("discover", "discover [-browser PATH] [-phone=false] URL", stderr)
	execPath := fs.String("browser", "", "Chromium binary (default: the Debian one)")
	asPhone := fs.Bool("phone", true, "visit a second time as the mobile visitor (Lighthouse's phone on slow 4G) and note what differs")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	// AutoPlan is never Configured, so the visit cannot submit or send.
	plan := checks.AutoPlan(fs.Arg(0))
	opts := browser.Options{UserAgentMarker: "touchprobe", ExecPath: *execPath}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sup := browser.NewSupervisor(opts)
	defer sup.Close()
	res := checks.Visit(ctx, sup, plan)

	if res.Internal() {
		// The monitor broke: a config written from this would say nothing true.
		fmt.Fprintln(stderr, "touchprobe discover: the visit could not be made:")
		res.WriteText(stderr)
		return exitInternal
	}
	var phone *checks.Result
	if *asPhone && ctx.Err() == nil {
		// A second fresh visitor, on the phone: what differs is noted.
		pp := checks.AutoPlan(fs.Arg(0))
		pp.Visitor, pp.Profile = "mobile", nil
		pp.Defaults()
		pr := checks.Visit(ctx, sup, pp)
		phone = &pr
	}
	fmt.Fprint(stdout, checks.DiscoverYAML(res, phone))
	if page := res.Touchpoints[checks.TouchPage]; !page.Up {
		fmt.Fprintf(stderr, "touchprobe discover: the page failed (%s %s); the config above may be incomplete\n", page.Reason, page.Detail)
		return exitFailed
	}
	return exitOK
}
