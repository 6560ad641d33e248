package browser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/internal/harcheck"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// evidencePage holds back its first paint with a slow render-blocking
// script from another site, loads a script that 404s, throws, logs an
// error, blocks the main thread for 120 ms and shows a picture of known
// size as its largest paint. The times are the fixture's own.
const evidencePage = `<!doctype html><html><head><meta charset="utf-8">
<script src="{{ALT}}/tag.js?token=secret123"></script>
<script src="/missing.js"></script>
</head><body><h1>Hello</h1>
<script>
setTimeout(() => { console.error('checkout widget failed to start'); }, 50);
setTimeout(() => { const t = performance.now(); while (performance.now() - t < 120) {} }, 100);
setTimeout(() => { null.boom(); }, 150);
setTimeout(() => { const i = new Image(); i.id = 'hero'; i.src = '/hero.png'; document.body.appendChild(i); }, 200);
</script></body></html>`

// tagDelay is how long the third party's tag takes.
const tagDelay = 300 * time.Millisecond

func heroBytes() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 800, 400))
	rng := rand.New(rand.NewPCG(3, 4))
	for y := 0; y < 400; y += 8 {
		for x := 0; x < 800; x += 8 {
			c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
			for dy := 0; dy < 8; dy++ {
				for dx := 0; dx < 8; dx++ {
					img.Set(x+dx, y+dy, c)
				}
			}
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// startEvidenceSite serves evidencePage on 127.0.0.1, its tag from
// localhost (another site).
func startEvidenceSite(t *testing.T) (srv *httptest.Server, port string, hero []byte) {
	t.Helper()
	hero = heroBytes()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ = net.SplitHostPort(ln.Addr().String())
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, strings.ReplaceAll(evidencePage, "{{ALT}}", "http://localhost:"+port))
	})
	mux.HandleFunc("/tag.js", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(tagDelay)
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, "window.tagged = 1;")
	})
	mux.HandleFunc("/hero.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(hero)
	})
	srv = httptest.NewUnstartedServer(mux)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, port, hero
}

// visitForEvidence visits url and returns its session (closed at the end
// of the test) once settled.
func visitForEvidence(t *testing.T, ctx context.Context, url string, o browser.NavOptions) *browser.Session {
	t.Helper()
	sess, err := sup.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sess.Close)
	if err := sess.Navigate(ctx, url, o); err != nil {
		t.Fatal(err)
	}
	<-sess.Settled()
	return sess
}

func TestEvidenceOfAVisit(t *testing.T) {
	srv, port, hero := startEvidenceSite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sess := visitForEvidence(t, ctx, srv.URL+"/", browser.NavOptions{})
	tl := sess.Timeline(ctx)
	ev := sess.Evidence(ctx)

	find := func(path string) *browser.Request {
		for i := range ev.Requests {
			if strings.Contains(ev.Requests[i].URL, path) {
				return &ev.Requests[i]
			}
		}
		t.Fatalf("no request for %s in %+v", path, ev.Requests)
		return nil
	}
	tag := find("/tag.js")
	if tag.Party != "third" || !tag.RenderBlocking || tag.Type != "script" || tag.Status != 200 {
		t.Errorf("tag.js: %+v, want a third-party render-blocking script, 200", *tag)
	}
	if strings.Contains(tag.URL, "secret123") || !strings.Contains(tag.URL, "token=") {
		t.Errorf("tag.js URL %q: want the query key kept and its value redacted", tag.URL)
	}
	if d := tag.End - tag.Start; d < tagDelay.Seconds() || d > tagDelay.Seconds()+1 {
		t.Errorf("tag.js took %.3fs, the server held it %.3fs", d, tagDelay.Seconds())
	}
	if fcp := tl.Milestones[browser.FirstContentfulPaint]; fcp < tag.End {
		t.Errorf("first contentful paint %.3fs before the render-blocking tag ended %.3fs", fcp, tag.End)
	}
	if doc := find("127.0.0.1:" + port + "/"); doc.Party != "first" || doc.Type != "document" {
		t.Errorf("the page: %+v", *doc)
	}
	if miss := find("/missing.js"); miss.Status != 404 {
		t.Errorf("missing.js: status %d, want 404", miss.Status)
	}
	img := find("/hero.png")
	if img.Bytes < int64(len(hero)) {
		t.Errorf("hero.png: %d bytes transferred, the picture has %d", img.Bytes, len(hero))
	}

	if ev.ExceptionCount != 1 || len(ev.Exceptions) != 1 || !strings.Contains(ev.Exceptions[0].Message, "boom") {
		t.Errorf("exceptions %d %+v, want the one TypeError", ev.ExceptionCount, ev.Exceptions)
	} else if at := ev.Exceptions[0].At; at < 0.15 || at > 2 {
		t.Errorf("exception at %.3fs, the page throws at 0.150s after its script ran", at)
	}
	found := false
	for _, m := range ev.ConsoleErrors {
		found = found || strings.Contains(m.Message, "checkout widget failed")
	}
	if !found {
		t.Errorf("console errors %+v, want the page's console.error", ev.ConsoleErrors)
	}
	if ev.LongTasks.Count < 1 || ev.LongTasks.TotalBlockingSeconds < 0.06 {
		t.Errorf("long tasks %+v, want the 120 ms task (70 ms blocking)", ev.LongTasks)
	}
	l := ev.LCP
	if l == nil || !strings.Contains(l.URL, "/hero.png") || l.Element != "img#hero" {
		t.Fatalf("LCP %+v, want the hero picture", l)
	}
	sum := l.TTFBSeconds + l.LoadDelaySeconds + l.LoadSeconds + l.RenderDelaySeconds
	if math.Abs(sum-l.Seconds) > 0.002 || math.Abs(l.Seconds-tl.Milestones[browser.LargestContentfulPaint]) > 0.002 {
		t.Errorf("LCP parts %+v add up to %.3fs; LCP %.3fs, timeline %.3fs", *l, sum, l.Seconds, tl.Milestones[browser.LargestContentfulPaint])
	}
	// The picture is requested at 0.2 s of the page's clock at the earliest.
	if start := l.TTFBSeconds + l.LoadDelaySeconds; start < 0.2 {
		t.Errorf("LCP resource requested at %.3fs, before the page asked for it (0.2 s)", start)
	}
	t.Logf("LCP %.3fs = ttfb %.3f + load delay %.3f + load %.3f + render delay %.3f; %d requests; tbt %.3fs",
		l.Seconds, l.TTFBSeconds, l.LoadDelaySeconds, l.LoadSeconds, l.RenderDelaySeconds, len(ev.Requests), ev.LongTasks.TotalBlockingSeconds)
}

// TestHARFileOpensInAnIndependentReader writes a visit as HAR and reads it
// back with npm's har-validator (the HAR 1.2 schema): every request the
// evidence holds is an entry.
func TestHARFileOpensInAnIndependentReader(t *testing.T) {
	script, ok := harcheck.Script()
	if !ok {
		t.Fatal("internal/harcheck's npm packages are not installed: run scripts/setup.sh")
	}
	srv, _, _ := startEvidenceSite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sess := visitForEvidence(t, ctx, srv.URL+"/", browser.NavOptions{HAR: true})
	tl := sess.Timeline(ctx)
	ev := sess.Evidence(ctx)
	har, err := sess.HAR(tl, "test", false)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "visit.har")
	if err := os.WriteFile(file, har, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", script, file).CombinedOutput()
	var got struct {
		Valid   bool     `json:"valid"`
		Pages   int      `json:"pages"`
		Entries int      `json:"entries"`
		URLs    []string `json:"urls"`
		Errors  []string `json:"errors"`
	}
	if jerr := json.Unmarshal(out, &got); jerr != nil {
		t.Fatalf("the reader: %v %v\n%s", err, jerr, out)
	}
	if !got.Valid {
		t.Fatalf("not a valid HAR 1.2: %v", got.Errors)
	}
	if got.Pages != 1 || got.Entries != len(ev.Requests) || got.Entries < 5 {
		t.Errorf("%d pages, %d entries; want 1 page and the %d requests of the evidence", got.Pages, got.Entries, len(ev.Requests))
	}
	for _, want := range []string{"/tag.js", "/missing.js", "/hero.png"} {
		if !strings.Contains(strings.Join(got.URLs, " "), want) {
			t.Errorf("no entry for %s in %v", want, got.URLs)
		}
	}
}
