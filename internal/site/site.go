package site

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
)

// Site serves the fixture on loopback: plain HTTP on 127.0.0.1, the same
// over TLS (self-signed), the same again under the host name "localhost",
// which is another site as far as the browser is concerned (a cross-site
// iframe lives in a process of its own), and the same on 127.0.0.2, a third
// site that pages load "third-party" scripts from.
type Site struct {
	URL    string // http://127.0.0.1:PORT
	AltURL string // http://localhost:PORT (same server, another site)
	TLSURL string // https://127.0.0.1:PORT2 (self-signed)
	// ThirdPartyURL is http://127.0.0.2:PORT3 (PORT3 is PORT when it was
	// free): the same handler, a third site.
	ThirdPartyURL string

	srv    *httptest.Server
	tlsSrv *httptest.Server
	tpSrv  *httptest.Server
	stats  Stats
}

// Stats counts what reached the server.
type Stats struct {
	mu            sync.Mutex
	paths         map[string]int
	FormPosts     atomic.Int64 // contact form submissions
	ChatMessages  atomic.Int64 // visitor chat messages
	Requests      atomic.Int64
	SyntheticSeen atomic.Int64 // document requests with the X-Touchprobe header
	UserAgents    sync.Map     // user agents seen

	chatTexts  []string    // visitor messages the chat agent got (guarded by mu)
	envReports []EnvReport // what /fx/env's script saw (guarded by mu)
}

// ChatTexts returns the visitor messages that reached the chat agent
// (/chat/agent), oldest first.
func (s *Stats) ChatTexts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.chatTexts...)
}

// EnvReports returns what the /fx/env page's script reported, oldest first.
func (s *Stats) EnvReports() []EnvReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]EnvReport(nil), s.envReports...)
}

// Path counts requests to one path.
func (s *Stats) Path(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paths[p]
}

// Start serves the fixture on random loopback ports until Close.
func Start() (*Site, error) { return StartOn("127.0.0.1:0") }

// StartOn serves plain HTTP on addr (a loopback address) and TLS on a random
// loopback port.
func StartOn(addr string) (*Site, error) {
	s := &Site{stats: Stats{paths: map[string]int{}}}
	h := s.Handler()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.srv = httptest.NewUnstartedServer(h)
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	s.tlsSrv = httptest.NewUnstartedServer(h)
	s.tlsSrv.TLS = &tls.Config{}
	s.tlsSrv.StartTLS()
	s.URL = s.srv.URL
	if err := s.startThirdParty(h); err != nil {
		s.srv.Close()
		s.tlsSrv.Close()
		return nil, err
	}
	_, port, _ := net.SplitHostPort(s.srv.Listener.Addr().String())
	s.AltURL = "http://localhost:" + port
	s.TLSURL = s.tlsSrv.URL
	return s, nil
}

// Close stops the servers. Hanging handlers are released first.
func (s *Site) Close() {
	s.srv.CloseClientConnections()
	s.tlsSrv.CloseClientConnections()
	s.tpSrv.CloseClientConnections()
	s.srv.Close()
	s.tlsSrv.Close()
	s.tpSrv.Close()
}

// Stats returns the request counters.
func (s *Site) Stats() *Stats { return &s.stats }

// Handler is the fixture's HTTP handler.
func (s *Site) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.page)
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop?n="+fmt.Sprint(len(r.URL.RawQuery)), http.StatusFound)
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers
	})
	mux.HandleFunc("/never.png", func(w http.ResponseWriter, r *http.Request) {
		// A picture that starts and never finishes: the load event never comes.
		w.Header().Set("Content-Type", "image/png")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("\x89PNG\r\n\x1a\n"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	mux.HandleFunc("/hero.png", heroPNG)
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "User-agent: *\nAllow: /")
	})
	registerTouchpoints(s, mux)
	registerHostile(s, mux)
	mux.HandleFunc("/vendor/", serveVendor)
	registerThirdPartyFixtures(s, mux)
	registerOwnFixtures(s, mux)
	return s.count(mux)
}

func (s *Site) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.stats.Requests.Add(1)
		s.stats.mu.Lock()
		s.stats.paths[r.URL.Path]++
		s.stats.mu.Unlock()
		if r.Header.Get("X-Touchprobe") != "" {
			s.stats.SyntheticSeen.Add(1)
		}
		s.stats.UserAgents.Store(r.UserAgent(), true)
		next.ServeHTTP(w, r)
	})
}

// startThirdParty serves h on 127.0.0.2, on the main server's port when it
// is free.
func (s *Site) startThirdParty(h http.Handler) error {
	_, port, _ := net.SplitHostPort(s.srv.Listener.Addr().String())
	ln, err := net.Listen("tcp", net.JoinHostPort(thirdPartyIP, port))
	if err != nil {
		if ln, err = net.Listen("tcp", thirdPartyIP+":0"); err != nil {
			return fmt.Errorf("fixture third-party site on %s: %w", thirdPartyIP, err)
		}
	}
	s.tpSrv = httptest.NewUnstartedServer(h)
	s.tpSrv.Listener.Close()
	s.tpSrv.Listener = ln
	s.tpSrv.Start()
	s.ThirdPartyURL = s.tpSrv.URL
	return nil
}

// thirdPartyIP is the third site's address (all of 127/8 is loopback on Linux).
const thirdPartyIP = "127.0.0.2"

// BaseHost returns "127.0.0.1" or "localhost" from a fixture URL.
func BaseHost(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
	h, _, _ := strings.Cut(u, ":")
	return h
}

// DemoPath is the demo company's landing page: paint at 0.5 s, text at
// 0.8 s, the hero at 1.5 s, a contact form usable at 2.5 s, a chat widget,
// and phone and e-mail links.
const DemoPath = "?ttfb=150&body=300&fcp=800&lcp=1500&form=2000&formready=2500&chat=same&chatui=1000&answer=3000&phone=1&email=1"
