package checks_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// markSite serves the fixture (internal/site) through a proxy that adds one
// script to every page: it tells this server every performance mark the
// page makes (the fixture marks each change it makes as fx-NAME), so that a
// test compares what the visit measured with what the page really did.
// Requests the page makes go on to the fixture, whose Stats count them.
// It also serves pages of its own under /own/ (ownPages).
type markSite struct {
	URL string

	mu    sync.Mutex
	marks map[string]map[string]float64 // page id (tid) → mark → ms of the page's clock
}

// markReporter runs first in every page: each mark, once, to /__mark.
const markReporter = `<script>(() => {
  const tid = new URLSearchParams(location.search).get('tid') || '';
  const seen = new Set();
  new PerformanceObserver((list) => { for (const m of list.getEntries()) {
    if (seen.has(m.name)) continue; seen.add(m.name);
    navigator.sendBeacon('/__mark?tid=' + encodeURIComponent(tid) + '&name=' + encodeURIComponent(m.name) + '&t=' + m.startTime.toFixed(1));
  } }).observe({type: 'mark', buffered: true});
})();</script>`

func startMarkSite(t *testing.T) *markSite {
	t.Helper()
	ms := &markSite{marks: map[string]map[string]float64{}}
	target, _ := url.Parse(fixture.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			return nil
		}
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		body = bytes.Replace(body, []byte("<head>"), []byte("<head>"+markReporter), 1)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/__mark", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		at, err := strconv.ParseFloat(q.Get("t"), 64)
		if err == nil {
			ms.mu.Lock()
			if ms.marks[q.Get("tid")] == nil {
				ms.marks[q.Get("tid")] = map[string]float64{}
			}
			if _, ok := ms.marks[q.Get("tid")][q.Get("name")]; !ok {
				ms.marks[q.Get("tid")][q.Get("name")] = at
			}
			ms.mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/own/", func(w http.ResponseWriter, r *http.Request) {
		page, ok := ownPages[strings.TrimPrefix(r.URL.Path, "/own/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, strings.Replace(page, "<head>", "<head>"+markReporter, 1))
	})
	mux.Handle("/", proxy)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ms.URL = srv.URL
	return ms
}

// mark is when the page (tid) made the mark fx-NAME or NAME, in seconds
// of its clock.
func (ms *markSite) mark(tid, name string) (float64, bool) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	for _, n := range []string{"fx-" + name, name} {
		if v, ok := ms.marks[tid][n]; ok {
			return v / 1000, true
		}
	}
	return 0, false
}

// ownPages are pages the fixture has no knob for. Each says what its
// scripts did with marks (the truth the tests compare with); its requests
// go to the fixture, which counts contact-form POSTs (/contact-submit) and
// chat messages (/chat/message).
var ownPages = map[string]string{
	// guarded: a contact form sent by its own script with fetch (no
	// document POST the network could refuse), and a chat composer that is
	// a <form> too. The page's script, not the visitor, tries both:
	// attack=MS requestSubmit()s the contact form (fx-attack; its handler
	// would mark fx-contact-handler and POST /contact-submit); chat=MS
	// writes a message into the composer and requestSubmit()s it
	// (fx-chat-submit; its handler marks fx-chat-sent and POSTs
	// /chat/message).
	"guarded": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title></head>
<body style="font-family:sans-serif">
<h1>Acme Plumbing</h1>
<form id="contact" action="/contact-submit" method="post"><h2>Write to us</h2>
<label>E-mail <input type="email" name="email" id="email"></label><br>
<label>Message <textarea name="message" id="message"></textarea></label><br>
<button type="submit">Send</button></form>
<form id="chat-composer" style="position:fixed;right:16px;bottom:16px"><input name="msg" id="chat-msg" aria-label="Chat message"><button>Send</button></form>
<script>
const q = new URLSearchParams(location.search);
const contact = document.getElementById('contact'), chat = document.getElementById('chat-composer');
contact.addEventListener('submit', (e) => { e.preventDefault(); performance.mark('fx-contact-handler');
  fetch('/contact-submit', {method: 'POST', body: new FormData(contact)}); });
chat.addEventListener('submit', (e) => { e.preventDefault(); performance.mark('fx-chat-sent');
  fetch('/chat/message', {method: 'POST', body: chat.elements.msg.value}); });
if (q.get('attack')) setTimeout(() => { performance.mark('fx-attack'); contact.requestSubmit(); }, +q.get('attack'));
if (q.get('chat')) setTimeout(() => { chat.elements.msg.value = 'Hello from the page'; performance.mark('fx-chat-submit'); chat.requestSubmit(); }, +q.get('chat'));
</script></body></html>`,
	// below: a contact form 2000 px down the page (fx-form at once), a
	// heading above the fold.
	"below": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title></head>
<body style="font-family:sans-serif">
<h1 id="hero" style="font-size:48px">Acme Plumbing: a leak fixed today, or your call-out is free.</h1>
<div style="height:2000px"></div>
<form id="contact" action="/contact-submit" method="post"><h2>Write to us</h2>
<label>E-mail <input type="email" name="email" id="email"></label><br>
<label>Message <textarea name="message" id="message"></textarea></label><br>
<button type="submit">Send</button></form>
<script>performance.mark('fx-form');</script></body></html>`,
}
