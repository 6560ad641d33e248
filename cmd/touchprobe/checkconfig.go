package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/touchprobe/touchprobe/probe/config"
)

func init() {
	register("check-config", "validate a config file; errors name file:line and the field", runCheckConfig)
}

func runCheckConfig(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check-config", "check-config [-shard i/n] [-list-targets | -show] FILE", stderr)
	shard := fs.String("shard", "", `take only shard "i/n" of the targets (overrides global.shard)`)
	list := fs.Bool("list-targets", false, "print the names of the targets this shard takes, one per line")
	show := fs.Bool("show", false, "print the effective config (defaults filled; values from the environment shown as ${VAR})")
	// Flags may come before or after FILE.
	var files []string
	for rest := args; ; {
		if ok, code := parseFlags(fs, rest); !ok {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 {
		fs.Usage()
		return exitUsage
	}
	file := files[0]

	cfg, err := config.Load(file)
	if err != nil {
		var errs config.Errors
		if errors.As(err, &errs) {
			for _, e := range errs {
				fmt.Fprintln(stderr, e)
			}
			fmt.Fprintf(stderr, "%s: %d error(s)\n", file, len(errs))
		} else {
			fmt.Fprintln(stderr, err)
		}
		return exitUsage
	}
	if err := cfg.SetShard(*shard); err != nil {
		fmt.Fprintln(stderr, "touchprobe check-config:", err)
		return exitUsage
	}
	selected := cfg.Selected()
	if *show {
		fmt.Fprint(stdout, cfg.Redacted())
		return exitOK
	}
	if *list {
		for _, t := range selected {
			fmt.Fprintln(stdout, t.Name)
		}
		return exitOK
	}
	if cfg.Global.Shard != "" {
		fmt.Fprintf(stdout, "%s: ok, %d targets (%d in shard %s)\n", file, len(cfg.Targets), len(selected), cfg.Global.Shard)
	} else {
		fmt.Fprintf(stdout, "%s: ok, %d targets\n", file, len(cfg.Targets))
	}
	return exitOK
}
