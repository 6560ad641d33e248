package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe"
	"github.com/touchprobe/touchprobe/probe/config"
)

func init() {
	register("run", "the daemon: visit the configured targets on schedule, serve /metrics (no config: a demo)", runRun)
}

// shutdownBound is how long a stop may take: visits in flight are
// cancelled and the browser closed within it.
const shutdownBound = 10 * time.Second

func runRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", "run [-config FILE] [-listen ADDR] [-shard i/n] [-web.config.file FILE] [-log.level LEVEL] [-log.format text|json]", stderr)
	configFile := fs.String("config", "", "config file (none: probe the built-in demo website)")
	listen := fs.String("listen", probe.DefaultListen, "address for /metrics and the status page (loopback by default)")
	shard := fs.String("shard", "", `take only this shard's targets: "i/n" (overrides global.shard)`)
	webConfig := fs.String("web.config.file", "", "exporter-toolkit web config file (TLS, basic auth)")
	logLevel := fs.String("log.level", "info", "debug | info | warn | error")
	logFormat := fs.String("log.format", "text", "text | json")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	log, err := newLogger(stderr, *logLevel, *logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "touchprobe run:", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runDaemon(ctx, daemonArgs{
		configFile: *configFile, listen: *listen, shard: *shard, webConfig: *webConfig, log: log,
	}, stderr)
}

type daemonArgs struct {
	configFile, listen, shard, webConfig string
	log                                  *slog.Logger
	// ready, if set, gets the listen address once the server is up.
	ready func(addr string)
}

// runDaemon runs until ctx ends; SIGHUP reloads the config.
func runDaemon(ctx context.Context, a daemonArgs, stderr io.Writer) int {
	log := a.log
	opts := probe.Options{ConfigFile: a.configFile, Shard: a.shard, Logger: log, Version: version}
	var cfg *config.Config
	var demo *site.Site
	if a.configFile != "" {
		c, err := config.Load(a.configFile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitUsage
		}
		cfg = c
	} else {
		s, c, err := startDemo()
		if err != nil {
			log.Error("demo site did not start", "err", err)
			return exitInternal
		}
		defer s.Close()
		demo, cfg = s, c
		opts.MaxFirstOffset = 3 * time.Second
	}
	d, err := probe.New(cfg, opts)
	if err != nil {
		fmt.Fprintln(stderr, "touchprobe run:", err)
		return exitUsage
	}
	log.Info("config loaded", "config", cfg, "targets", len(cfg.Selected()), "shard", cfg.Global.Shard)

	ln, err := net.Listen("tcp", a.listen)
	if err != nil {
		log.Error("cannot listen", "addr", a.listen, "err", err)
		return exitUsage
	}
	addr := ln.Addr().String()
	base := "http://" + addr
	if demo != nil {
		log.Info("demo: probing the built-in company website; run with -config FILE for your own site",
			"site", demo.URL+"/"+site.DemoPath, "metrics", base+"/metrics", "status", base+"/")
	} else {
		log.Info("listening", "metrics", base+"/metrics", "status", base+"/")
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading the config")
				_ = d.Reload()
			}
		}
	}()

	runCtx, cancelRun := context.WithCancel(context.Background())
	defer cancelRun()
	runDone := make(chan error, 1)
	go func() { runDone <- d.Run(runCtx) }()
	srvDone := make(chan error, 1)
	go func() { srvDone <- serve(ctx, ln, a.webConfig, d, log) }()
	if a.ready != nil {
		a.ready(addr)
	}

	code := exitOK
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-srvDone:
		log.Error("HTTP server stopped", "err", err)
		code = exitInternal
	}
	cancelRun()
	select {
	case err := <-runDone:
		if err != nil {
			log.Warn("browser close", "err", err)
		}
	case <-time.After(shutdownBound):
		log.Error("shutdown took longer than the bound; exiting anyway", "bound", shutdownBound)
		code = exitInternal
	}
	return code
}

// serve is the daemon's HTTP server (probe.NewServer): /metrics, the status
// page, /probe, reload and health, with TLS and basic auth from the
// exporter-toolkit web config file.
var serve = func(ctx context.Context, ln net.Listener, webConfig string, d *probe.Daemon, log *slog.Logger) error {
	h := probe.NewServer(d, d.Gatherer(), probe.ServerOptions{Logger: log, Version: version})
	return probe.ServeOn(ctx, ln, webConfig, h, log)
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log.level %q: want debug, info, warn or error", level)
	}
	o := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, fmt.Errorf("-log.format %q: want text or json", format)
}

// startDemo serves the built-in company website on loopback and makes a
// config of targets on it (site.DemoConfigYAML): pleasant, indifferent and
// problematic pages, a required contact form and a chat that answers.
func startDemo() (*site.Site, *config.Config, error) {
	s, err := site.Start()
	if err != nil {
		return nil, nil, err
	}
	c, err := config.Parse("(demo)", []byte(site.DemoConfigYAML(s.URL)))
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, c, nil
}
