package main

import (
	"fmt"
	"io"

	"github.com/touchprobe/touchprobe/dashboards"
)

func init() {
	register("dashboards", "write the Grafana dashboards, provisioning files and Prometheus rules to a folder", runDashboards)
}

func runDashboards(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("dashboards", "dashboards -out DIR", stderr)
	out := fs.String("out", "", "folder to write grafana/dashboards, grafana/provisioning and prometheus/rules into (made if missing; files of the same name are replaced)")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	paths, err := dashboards.WriteTo(*out)
	for _, p := range paths {
		fmt.Fprintln(stdout, p)
	}
	if err != nil {
		// A folder we cannot write to is the user's to fix, like a bad flag.
		fmt.Fprintln(stderr, "touchprobe dashboards:", err)
		return exitUsage
	}
	return exitOK
}
