package probe

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
)

// DefaultListen is loopback only: exposing the daemon is a deliberate choice.
const DefaultListen = "127.0.0.1:9516"

// ServeOn runs h on ln (TLS and basic auth from the exporter-toolkit web
// config file when given) until ctx ends, then shuts down gracefully.
func ServeOn(ctx context.Context, ln net.Listener, webConfigFile string, h http.Handler, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.Default()
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	addrs := []string{ln.Addr().String()}
	flags := &web.FlagConfig{WebListenAddresses: &addrs, WebConfigFile: &webConfigFile}
	done := make(chan error, 1)
	go func() { done <- web.Serve(ln, srv, flags, logger) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdown)
	if lerr := <-done; lerr != nil && !errors.Is(lerr, http.ErrServerClosed) && err == nil {
		err = lerr
	}
	return err
}
