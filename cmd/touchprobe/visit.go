package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
)

func init() {
	register("visit", "one first-time visit: the first-20-seconds timeline and the verdict", runVisit)
}

func runVisit(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("visit", "visit [-config FILE -target NAME | URL] [-visitor NAME] [-json] [-filmstrip DIR] [-har FILE]", stderr)
	visitor := fs.String("visitor", "", "the visitor profile: desktop (default), mobile (Lighthouse 12's phone on slow 4G), or one of the config's visitor_profiles")
	configFile := fs.String("config", "", "config file; visit the target named by -target")
	targetName := fs.String("target", "", "name of the target in -config to visit")
	asJSON := fs.Bool("json", false, "print one JSON object instead of the timeline")
	filmstrip := fs.String("filmstrip", "", "write the first seconds as JPEG frames (named by their ms offset) into this directory")
	harFile := fs.String("har", "", "write the visit as a HAR 1.2 file (every request, with headers and timings)")
	execPath := fs.String("browser", "", "Chromium binary (default: the Debian one)")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	var plan checks.Plan
	var opts browser.Options
	switch {
	case *configFile != "" || *targetName != "":
		if *configFile == "" || *targetName == "" || fs.NArg() > 0 {
			fmt.Fprintln(stderr, "touchprobe visit: -config and -target go together, without a URL")
			return exitUsage
		}
		p, o, err := planFromConfig(*configFile, *targetName, *visitor)
		if err != nil {
			fmt.Fprintln(stderr, "touchprobe visit:", err)
			return exitUsage
		}
		plan, opts = p, o
	case fs.NArg() == 1:
		plan = checks.AutoPlan(fs.Arg(0))
		opts = browser.Options{UserAgentMarker: "touchprobe"}
		if *visitor != "" {
			prof, ok := browser.Profiles[*visitor]
			if !ok {
				fmt.Fprintf(stderr, "touchprobe visit: no visitor profile %q: desktop or mobile (custom ones come with -config)\n", *visitor)
				return exitUsage
			}
			plan.Visitor, plan.Profile = *visitor, &prof
		}
	default:
		fs.Usage()
		return exitUsage
	}
	if *execPath != "" {
		opts.ExecPath = *execPath
	}
	plan.Filmstrip = *filmstrip != ""
	plan.HAR, plan.Version = *harFile != "", version

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sup := browser.NewSupervisor(opts)
	defer sup.Close()
	res := checks.Visit(ctx, sup, plan)

	if *filmstrip != "" {
		if err := writeFilmstrip(*filmstrip, res.Frames); err != nil {
			fmt.Fprintln(stderr, "touchprobe visit: filmstrip:", err)
		} else if !*asJSON {
			fmt.Fprintf(stderr, "filmstrip: %d frames in %s\n", len(res.Frames), *filmstrip)
		}
	}
	if *harFile != "" {
		switch {
		case len(res.HAR) == 0:
			fmt.Fprintln(stderr, "touchprobe visit: -har: the visit recorded no requests")
		case os.WriteFile(*harFile, res.HAR, 0o644) != nil:
			fmt.Fprintln(stderr, "touchprobe visit: -har: cannot write", *harFile)
		case !*asJSON:
			fmt.Fprintf(stderr, "har: %s\n", *harFile)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		res.WriteText(stdout)
	}
	switch {
	case res.Internal():
		return exitInternal
	case !res.Success:
		return exitFailed
	}
	return exitOK
}

// writeFilmstrip writes each frame as DIR/NNNNNms.jpg.
func writeFilmstrip(dir string, frames []browser.Shot) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range frames {
		name := filepath.Join(dir, fmt.Sprintf("%05dms.jpg", f.Offset.Milliseconds()))
		if err := os.WriteFile(name, f.JPEG, 0o644); err != nil {
			return err
		}
	}
	return nil
}
