package site

import (
	"fmt"
	"net/http"
	"strings"
)

// Hostile pages: what a monitor meets on the worst of the web. Each must end
// with a result within the visit's timeout and leave the daemon standing.
//
//	/hostile/big                a 50 MB page, streamed in chunks
//	/hostile/popups             opens window.open pop-ups in a loop
//	/hostile/download           the address itself is a download (attachment)
//	/hostile/download-js        a page that starts a download from script
//	/hostile/beforeunload       the dialog=beforeunload page, under a path of its own
//	/hostile/chat-iframe-never  a chat iframe whose document never finishes
//
// Other hostile pages are knobs of the landing page: /?jsloop=MS (endless
// script), /?dialog=loop (alert loop), /?never=1 (load never fires), and
// /loop (an endless redirect chain).
func registerHostile(s *Site, mux *http.ServeMux) {
	mux.HandleFunc("/hostile/big", bigPage)
	mux.HandleFunc("/hostile/popups", func(w http.ResponseWriter, r *http.Request) {
		hostileHTML(w, "Pop-ups", `<script>
let n = 0;
// A few windows per tick rather than a tight loop: the pop-ups are the
// test here, not an endless script.
setInterval(() => { for (let i = 0; i < 3; i++) window.open('/p/popup?fcp=50&n=' + (n++), '_blank', 'width=400,height=300'); }, 100);
</script>`)
	})
	mux.HandleFunc("/hostile/download", func(w http.ResponseWriter, r *http.Request) {
		attachment(w, "price-list.pdf")
	})
	mux.HandleFunc("/hostile/file.bin", func(w http.ResponseWriter, r *http.Request) {
		attachment(w, "file.bin")
	})
	mux.HandleFunc("/hostile/download-js", func(w http.ResponseWriter, r *http.Request) {
		hostileHTML(w, "Download", `<script>
setTimeout(() => {
  const a = document.createElement('a');
  a.href = '/hostile/file.bin'; a.download = 'file.bin';
  document.body.appendChild(a); a.click();
  const b = URL.createObjectURL(new Blob(['x'.repeat(4096)], {type: 'application/octet-stream'}));
  const c = document.createElement('a'); c.href = b; c.download = 'blob.bin';
  document.body.appendChild(c); c.click();
}, 200);
</script>`)
	})
	mux.HandleFunc("/hostile/beforeunload", func(w http.ResponseWriter, r *http.Request) {
		// The landing page's own knob, served under this path.
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/"
		r2.URL.RawQuery = "dialog=beforeunload&fcp=100&phone=1&email=1"
		s.page(w, r2)
	})
	mux.HandleFunc("/hostile/chat-iframe-never", func(w http.ResponseWriter, r *http.Request) {
		hostileHTML(w, "Chat that never loads",
			`<iframe id="chat" class="chat-frame" title="Live chat" src="/hostile/chat-never-frame" width="360" height="480"></iframe>`)
	})
	mux.HandleFunc("/hostile/chat-never-frame", func(w http.ResponseWriter, r *http.Request) {
		// Headers and the start of a document, then nothing until the
		// visitor goes away: the handler returns with the request.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `<!doctype html><html><head><title>Chat</title></head><body><div class="chat-launcher">Chat`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
}

// hostileHTML writes a small page with contact links and extra markup.
func hostileHTML(w http.ResponseWriter, title, extra string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s</title></head>
<body><h1>Acme Plumbing</h1><p>Plumbing and heating for the county since 1952.</p>
<p><a class="phone" href="tel:+15550100">Call +1 555 0100</a></p>
<p><a class="email" href="mailto:hello@acme.example">hello@acme.example</a></p>
%s
</body></html>
`, title, extra)
}

// attachment answers with a file the browser must download.
func attachment(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write([]byte(strings.Repeat("%PDF-1.4 not really\n", 3000)))
}

// BigPageBytes is the size of /hostile/big.
const BigPageBytes = 50 << 20

// bigPage streams BigPageBytes of HTML, one chunk at a time, so the server
// never holds the page; it stops when the client goes away.
func bigPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	head := `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Big</title></head>
<body><h1>Acme Plumbing</h1><p><a class="phone" href="tel:+15550100">Call +1 555 0100</a></p>
<p><a class="email" href="mailto:hello@acme.example">hello@acme.example</a></p>
`
	para := "<p>" + strings.Repeat("Leaks fixed today, boilers serviced, radiators bled. ", 76) + "</p>\n"
	chunk := strings.Repeat(para, 16) // about 64 KB
	n, _ := fmt.Fprint(w, head)
	for n < BigPageBytes {
		if r.Context().Err() != nil {
			return
		}
		m, err := fmt.Fprint(w, chunk[:min(len(chunk), BigPageBytes-n)])
		if err != nil {
			return
		}
		n += m
	}
	fmt.Fprint(w, "</body></html>\n")
}
