package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/touchprobe/touchprobe/internal/site"
)

func init() {
	register("demo-site", "serve the built-in company website (the fixture with known timings)", runDemoSite)
}

func runDemoSite(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("demo-site", "demo-site [-listen ADDR]", stderr)
	listen := fs.String("listen", "127.0.0.1:8090", "address to serve on (loopback)")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	s, err := site.StartOn(*listen)
	if err != nil {
		fmt.Fprintln(stderr, "touchprobe demo-site:", err)
		return exitUsage
	}
	defer s.Close()
	fmt.Fprintf(stdout, "demo site on %s/%s\n(TLS, self-signed: %s; another site: %s)\n", s.URL, site.DemoPath, s.TLSURL, s.AltURL)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	<-ch
	return exitOK
}
