package browser_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// throttlePage starts, at once, everything that makes requests of its own:
// the page (a fetch), a cross-site iframe (a script in its head, fetched
// before any script of ours could reach its process), a dedicated worker
// and a service worker (each a fetch as soon as it runs). Each fetches
// blobBytes from a path that names who asked.
const throttlePage = `<!doctype html><html><head><meta charset="utf-8"></head><body><h1>Everyone on the phone's network</h1>
<iframe src="{{ALT}}/frame" style="width:300px;height:200px;border:0"></iframe>
<script>
fetch('/blob-page').then(r => r.text());
new Worker('/worker.js');
navigator.serviceWorker.register('/sw.js');
</script></body></html>`

const blobBytes = 100000

// blobAskers are who fetch a blob, each from /blob-NAME.
var blobAskers = []string{"page", "frame", "worker", "sw"}

// throttleSite serves throttlePage on 127.0.0.1 and its iframe from
// localhost (another site: its own process and target), and records the
// User-Agent each blob was asked with.
type throttleSite struct {
	srv *httptest.Server
	mu  sync.Mutex
	ua  map[string]string // blob path → User-Agent
}

func startThrottleSite(t *testing.T) *throttleSite {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	s := &throttleSite{ua: map[string]string{}}
	js := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, strings.ReplaceAll(throttlePage, "{{ALT}}", "http://localhost:"+port))
	})
	mux.HandleFunc("/frame", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><html><head><script src="/blob-frame"></script></head><body>chat</body></html>`)
	})
	mux.HandleFunc("/worker.js", func(w http.ResponseWriter, r *http.Request) { js(w, `fetch('/blob-worker').then(r => r.text());`) })
	mux.HandleFunc("/sw.js", func(w http.ResponseWriter, r *http.Request) {
		js(w, `self.addEventListener('install', (e) => e.waitUntil(fetch('/blob-sw').then(r => r.text())));`)
	})
	for _, who := range blobAskers {
		mux.HandleFunc("/blob-"+who, func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.ua[r.URL.Path] = r.UserAgent()
			s.mu.Unlock()
			js(w, "//"+strings.Repeat("x", blobBytes-2))
		})
	}
	s.srv = httptest.NewUnstartedServer(mux)
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

func (s *throttleSite) userAgent(path string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ua[path]
}

// TestEveryRequestIsOnThePhonesNetwork: on the phone profile, the page,
// its cross-site iframe, its dedicated worker and its service worker each
// fetch a blob of known size. Each request is in the evidence, took at
// least the blob's bytes over the profile's bandwidth plus its latency
// (the bound computed, not measured), and carried the phone's User-Agent
// with the marker.
func TestEveryRequestIsOnThePhonesNetwork(t *testing.T) {
	site := startThrottleSite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	phone := browser.Mobile
	sess := visitForEvidence(t, ctx, site.srv.URL+"/", browser.NavOptions{Profile: &phone})
	sess.Timeline(ctx)
	ev := sess.Evidence(ctx)
	bound := float64(blobBytes)/browser.BytesPerSecond(phone.Network.DownKbps) + phone.Network.LatencyMS/1000
	for _, who := range blobAskers {
		path := "/blob-" + who
		var req *browser.Request
		for i, q := range ev.Requests {
			if strings.HasSuffix(q.URL, path) {
				req = &ev.Requests[i]
			}
		}
		switch {
		case req == nil:
			t.Errorf("%s: the %s's request is not in the evidence", path, who)
		case req.End <= 0 || req.End-req.Start < bound:
			t.Errorf("%s: %.3fs (start %.3f, end %.3f); %d bytes over the phone's %.0f B/s after %.0f ms take at least %.3fs",
				path, req.End-req.Start, req.Start, req.End, blobBytes, browser.BytesPerSecond(phone.Network.DownKbps), phone.Network.LatencyMS, bound)
		default:
			t.Logf("%s: %.3fs (bound %.3fs)", path, req.End-req.Start, bound)
		}
		if ua := site.userAgent(path); !strings.Contains(ua, "Android") || !strings.HasSuffix(ua, "touchprobe-test") {
			t.Errorf("%s asked with User-Agent %q; want the phone's, with the marker", path, ua)
		}
	}
}

// TestAServiceWorkersPrecacheDoesNotHoldTheVisit: a service worker that
// precaches (files one after the other, 1.5 s each) works apart from the
// page; the visitor does not wait for it. The visit settles on the page's
// own quiet, before the first file is there (counted as loading, the
// precache held the visit until its first file came), and the precache
// requests are in the evidence.
func TestAServiceWorkersPrecacheDoesNotHoldTheVisit(t *testing.T) {
	var mu sync.Mutex
	done := 0
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><h1>Acme</h1><script>navigator.serviceWorker.register('/sw.js');</script>`)
	})
	mux.HandleFunc("/sw.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, `self.addEventListener('install', (e) => e.waitUntil((async () => {
  for (let i = 0; i < 4; i++) await (await fetch('/precache-' + i)).text();
})()));`)
	})
	for i := range 4 {
		mux.HandleFunc(fmt.Sprintf("/precache-%d", i), func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(1500 * time.Millisecond)
			fmt.Fprint(w, "cached")
			mu.Lock()
			done++
			mu.Unlock()
		})
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sess := visitForEvidence(t, ctx, srv.URL+"/", browser.NavOptions{})
	mu.Lock()
	atSettle := done
	mu.Unlock()
	tl := sess.Timeline(ctx)
	if tl.Ended != "quiet" || atSettle != 0 {
		t.Errorf("the visit ended %q with %d of 4 precache files fetched; want it quiet before the first", tl.Ended, atSettle)
	}
	// The precache is recorded: wait for its second file, then read.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		n := done
		mu.Unlock()
		if n >= 2 {
			break
		}
	}
	got := 0
	for _, q := range sess.Evidence(ctx).Requests {
		if strings.Contains(q.URL, "/precache-") && q.End > 0 {
			got++
		}
	}
	if got < 2 {
		t.Errorf("%d finished precache requests in the evidence, want at least 2", got)
	}
	t.Logf("settled (%s) with %d of 4 precache files fetched; %d in the evidence", tl.Ended, atSettle, got)
}
