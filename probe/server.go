package probe

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ServerOptions configures the daemon's HTTP handler.
type ServerOptions struct {
	Logger  *slog.Logger
	Version string
}

// NewServer serves the status page (/), /metrics, /probe, /filmstrip and the
// lifecycle endpoints; any other path is 404.
func NewServer(p Prober, metrics prometheus.Gatherer, opts ServerOptions) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/{$}", statusHandler(p))
	mux.Handle("/metrics", promhttp.HandlerFor(metrics, promhttp.HandlerOpts{}))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "OK") })
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		if !p.Ready() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "OK")
	})
	mux.HandleFunc("/-/reload", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		if err := p.Reload(); err != nil {
			http.Error(w, "reload failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "reloaded")
	})
	mux.HandleFunc("/probe", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Has("url") {
			http.Error(w, "url is not accepted: name a configured target with target=NAME", http.StatusBadRequest)
			return
		}
		name := q.Get("target")
		if name == "" {
			http.Error(w, "missing target=NAME (a configured target)", http.StatusBadRequest)
			return
		}
		res, err := p.ProbeNow(r.Context(), name, q.Get("visitor"))
		if errors.Is(err, ErrUnknownTarget) {
			http.Error(w, "unknown target: not in the config", http.StatusNotFound)
			return
		}
		if err != nil {
			http.Error(w, "visit failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		if q.Get("debug") == "true" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			for _, l := range res.Log {
				fmt.Fprintln(w, l)
			}
			fmt.Fprintln(w)
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			_ = enc.Encode(res)
			return
		}
		promhttp.HandlerFor(resultRegistry(res, p.Location()), promhttp.HandlerOpts{}).ServeHTTP(w, r)
	})
	mux.HandleFunc("/filmstrip", func(w http.ResponseWriter, r *http.Request) {
		name, visitor := r.URL.Query().Get("target"), r.URL.Query().Get("visitor")
		n, err := strconv.Atoi(r.URL.Query().Get("frame"))
		if err != nil {
			http.Error(w, "frame=N required", http.StatusBadRequest)
			return
		}
		for _, t := range p.Snapshot() {
			if t.Name == name && (visitor == "" || t.Visitor == visitor) && t.Last != nil && n >= 0 && n < len(t.Last.Frames) {
				w.Header().Set("Content-Type", "image/jpeg")
				_, _ = w.Write(t.Last.Frames[n].JPEG)
				return
			}
		}
		http.NotFound(w, r)
	})
	return mux
}
