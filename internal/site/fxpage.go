package site

import (
	"fmt"
	"net/http"
)

// fxJS is the truth-mark helper every new fixture page has in its head:
// fx.mark(NAME) is performance.mark('fx-NAME'); fx.at(MS, fn) runs fn at MS
// since navigation start (page clock), and a consent-*, book*, quote*,
// route* or slow* mark is also reported to the server as the event
// mark-NAME; fx.report(KIND) records a chat event
// on the server (Site.ChatEvents); fx.watch(SELECTOR, NAME) marks NAME when
// an element matching SELECTOR is first rendered (in the DOM with a box) and
// NAME-gone when it stops being rendered.
const fxJS = `<script>
window.fx = window.fx || {
  at(t, fn) { setTimeout(fn, Math.max(0, t - performance.now())); },
  // consent-* and the key-point pages' marks also go to the server
  // (Site.ChatEvents, kind mark-NAME): a test's truth after the visit ended.
  mark(n) { performance.mark('fx-' + n);
    if (/^(consent|book|quote|route|slow|menu)/.test(n)) fetch('/chat/event?kind=mark-' + n + '&at=' + performance.now().toFixed(1), {method: 'POST'}).catch(() => {}); },
  marked(n) { return performance.getEntriesByName('fx-' + n, 'mark').length > 0; },
  report(kind) { performance.mark('fx-chat-' + kind); fetch('/chat/event?kind=' + kind + '&at=' + performance.now().toFixed(1), {method: 'POST'}).catch(() => {}); },
  add(html, where) { const d = document.createElement('div'); d.innerHTML = html; (where || document.querySelector('main')).appendChild(d.firstElementChild); },
  watch(sel, name, root) {
    let shown = false;
    const rendered = () => { const e = (root ? root() : document).querySelector(sel);
      if (!e || !e.isConnected) return false;
      const cs = getComputedStyle(e);
      return e.getClientRects().length > 0 && cs.visibility !== 'hidden' && cs.display !== 'none' && cs.opacity !== '0'; };
    const check = () => { const r = rendered();
      if (r && !shown) { shown = true; fx.mark(name); }
      else if (!r && shown) { shown = false; fx.mark(name + '-gone'); } };
    new MutationObserver(check).observe(document.documentElement, {childList: true, subtree: true, attributes: true});
    // Transitions (a fading banner) change no attribute when they end.
    document.addEventListener('transitionend', check, true);
    document.addEventListener('animationend', check, true);
    check();
  },
};
</script>`

// companyCSS is the look of the fixture's own company pages.
const companyCSS = `<style>
body{margin:0;background:#f3ede2;font-family:Georgia,serif;color:#1d2a36}
header.top{height:64px;background:#1d2a36;color:#fff;display:flex;align-items:center;gap:24px;padding:0 24px}
header.top a{color:#fff}
main{padding:24px 40px}
h1{font-size:40px;margin:0 0 16px}
.modal{position:fixed;inset:0;background:rgba(0,0,0,.45);display:none;align-items:center;justify-content:center;z-index:500}
.modal.open{display:flex}
.modal>.box{background:#fff;padding:24px;min-width:320px;border-radius:8px}
button.big{font-size:20px;padding:12px 24px;border-radius:8px;border:0;background:#0a7;color:#fff}
</style>`

// writePage writes a complete fixture page: the fx helper and companyCSS in
// the head (before head), then body.
func writePage(w http.ResponseWriter, title, head, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
%s
%s
%s
</head><body>
%s
</body></html>
`, title, fxJS, companyCSS, head, body)
}

// contactLinks are the company's phone and e-mail links.
const contactLinks = `<p><a class="phone" href="tel:+15550100">Call +1 555 0100</a></p>
<p><a class="email" href="mailto:hello@acme.example">hello@acme.example</a></p>`

// contactForm is a plain contact form posting to /contact-submit.
const contactForm = `<form id="contact" action="/contact-submit" method="post"><h2>Write to us</h2>
<label>E-mail <input type="email" name="email" id="email"></label><br>
<label>Message <textarea name="message" id="message"></textarea></label><br>
<button type="submit">Send</button></form>`
