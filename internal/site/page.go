package site

import (
	"bytes"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Knobs are a page's timeline, in ms since navigation start (page clock),
// read from the query string. Zero means "not on this page".
type Knobs struct {
	TTFB    int    // server waits this long before the headers
	Body    int    // and this long after them before the body
	FCP     int    // first text appears
	LCP     int    // the large hero appears
	LCPImg  bool   // the hero is an image rather than text
	Shift   int    // content above the fold is pushed down (layout shift)
	Status  int    // HTTP status of the page
	Dialog  string // alert | confirm | loop | beforeunload
	JSLoop  int    // an endless script loop starts
	NavLoop bool   // the page navigates to itself again and again
	Never   bool   // a subresource never finishes (load never fires)
	// Blocking: a render-blocking script in the head (/fx/tp.js) that the
	// server holds this long: nothing paints before it arrived.
	Blocking int
	Title    string
	Touch    TouchKnobs
}

func atoi(q map[string][]string, k string) int {
	if v, ok := q[k]; ok && len(v) > 0 {
		n, _ := strconv.Atoi(v[0])
		return n
	}
	return 0
}

func parseKnobs(r *http.Request) Knobs {
	q := r.URL.Query()
	k := Knobs{
		TTFB: atoi(q, "ttfb"), Body: atoi(q, "body"), FCP: atoi(q, "fcp"), LCP: atoi(q, "lcp"),
		LCPImg: q.Get("lcpimg") != "", Shift: atoi(q, "shift"), Status: atoi(q, "status"),
		Dialog: q.Get("dialog"), JSLoop: atoi(q, "jsloop"), NavLoop: q.Get("navloop") != "",
		Never: q.Get("never") != "", Title: q.Get("title"), Blocking: atoi(q, "blocking"),
	}
	k.Touch = parseTouchKnobs(q)
	if k.Title == "" {
		k.Title = "Acme Plumbing"
	}
	return k
}

func (s *Site) page(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" && !strings.HasPrefix(r.URL.Path, "/p/") {
		http.NotFound(w, r)
		return
	}
	k := parseKnobs(r)
	if !sleep(r, k.TTFB) {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	status := k.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	w.(http.Flusher).Flush()
	if !sleep(r, k.Body) {
		return
	}
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, pageData{Knobs: k, Extra: touchpointHTML(r, k.Touch)}); err != nil {
		fmt.Fprintf(w, "template: %v", err)
		return
	}
	w.Write(buf.Bytes())
}

// sleep waits ms, or returns false when the client went away.
func sleep(r *http.Request, ms int) bool {
	if ms <= 0 {
		return true
	}
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
		return true
	case <-r.Context().Done():
		return false
	}
}

type pageData struct {
	Knobs
	Extra template.HTML
}

// The body paints a background at once but no text: first paint and first
// contentful paint are then two separate, known moments.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{margin:0;background:#f3ede2;font-family:Georgia,serif;color:#1d2a36}
header{height:64px;background:#1d2a36}
main{padding:24px 40px}
#hero{font-size:48px;line-height:1.15;width:1100px;margin:0 0 16px}
#hero-img{display:block;width:1200px;height:500px}
#shifter{height:240px;background:#c9b79c}
.tp-hidden{display:none}
</style>
{{if .Blocking}}<script src="/fx/tp.js?delay={{.Blocking}}"></script>{{end}}
<script>
window.fx = {
  at(t, fn) { setTimeout(fn, Math.max(0, t - performance.now())); },
  mark(n) { performance.mark('fx-' + n); },
  // report tells the fixture server when something happened (page clock,
  // ms since navigation start): ground truth for the benchmarks.
  report(kind) { fetch('/chat/event?kind=' + kind + '&at=' + performance.now().toFixed(1), {method: 'POST'}).catch(() => {}); },
  add(html, where) { const d = document.createElement('div'); d.innerHTML = html; (where || document.querySelector('main')).appendChild(d.firstElementChild); },
};
</script>
</head><body><script>fx.mark('body')</script>
<header></header>
<main id="main"></main>
{{if .Never}}<img src="/never.png" alt="" width="1" height="1">{{end}}
<script>
{{if .FCP}}fx.at({{.FCP}}, () => { fx.add('<p id="tagline">Plumbing and heating for the county since 1952.</p>'); fx.mark('fcp'); });{{end}}
{{if .LCP}}fx.at({{.LCP}}, () => {
  {{if .LCPImg}}fx.add('<img id="hero-img" alt="Our team" src="/hero.png">');
  document.getElementById('hero-img').addEventListener('load', () => fx.mark('lcp-loaded'));
  {{else}}fx.add('<h1 id="hero">Fast, friendly plumbers: a leak fixed today, or your call-out is free. Call us, write to us, or chat with us now.</h1>');{{end}}
  fx.mark('lcp');
});{{end}}
{{if .Shift}}fx.at({{.Shift}}, () => { const m = document.querySelector('main'); const d = document.createElement('div'); d.id = 'shifter'; m.insertBefore(d, m.firstChild); fx.mark('shift'); });{{end}}
{{if eq .Dialog "alert"}}fx.at(300, () => { fx.mark('dialog'); alert('Welcome to Acme!'); });{{end}}
{{if eq .Dialog "confirm"}}fx.at(300, () => { fx.mark('dialog'); confirm('Accept our terms?'); });{{end}}
{{if eq .Dialog "loop"}}fx.at(300, () => { for (let i = 0; i < 1000; i++) alert('Spam ' + i); fx.mark('dialog-done'); });{{end}}
{{if eq .Dialog "beforeunload"}}window.addEventListener('beforeunload', (e) => { e.preventDefault(); e.returnValue = 'Leave?'; });{{end}}
{{if .JSLoop}}fx.at({{.JSLoop}}, () => { fx.mark('jsloop'); for (;;) {} });{{end}}
{{if .NavLoop}}setTimeout(() => { location.href = location.pathname + '?navloop=1&n=' + Date.now(); }, 50);{{end}}
</script>
{{.Extra}}
</body></html>
`))

var (
	heroOnce sync.Once
	heroData []byte
)

// heroPNG is a 1200x500 picture with enough detail (well above Chrome's
// 0.05 bits per pixel) to count as an LCP candidate.
func heroPNG(w http.ResponseWriter, r *http.Request) {
	heroOnce.Do(func() {
		img := image.NewRGBA(image.Rect(0, 0, 1200, 500))
		rng := rand.New(rand.NewPCG(1, 2))
		for y := 0; y < 500; y += 10 {
			for x := 0; x < 1200; x += 10 {
				c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
				for dy := 0; dy < 10; dy++ {
					for dx := 0; dx < 10; dx++ {
						img.Set(x+dx, y+dy, c)
					}
				}
			}
		}
		var b bytes.Buffer
		_ = png.Encode(&b, img)
		heroData = b.Bytes()
	})
	w.Header().Set("Content-Type", "image/png")
	w.Write(heroData)
}
