package site

import (
	"fmt"
	"net/http"
	"strings"
)

// Form and consent knobs (query parameters of a page, next to form/formready):
//
//	formstate=disabled|readonly|hidden|covered  the form stays that way for good
//	autosubmit=MS   page script tries to send the form at MS (submit(), requestSubmit(), click)
//	sneaky=MS       page script keeps the browser's own submit() from the start and sends with it at MS
//	                (past any script guard installed later: only the network guard stops it)
//	consent=wall    a full-viewport cookie wall with Accept/Reject buttons
//	consent=bar     a bottom bar with "Alle akzeptieren"/"Ablehnen" buttons
//	consent=onetrust  OneTrust markup (#onetrust-banner-sdk, accept/reject handlers) as a wall
//	consent=iframe  a cross-site iframe over the whole page holds the banner (as Sourcepoint's)
//	consent=usercentrics  Usercentrics-style markup inside an open shadow root (#usercentrics-root)
//	consentat=MS    the consent layer appears at MS (default 0)
//
// Clicking accept or reject removes the layer and marks fx-consent-accept or
// fx-consent-reject (ground truth for tests).
func formExtrasHTML(r *http.Request) string {
	q := r.URL.Query()
	var b strings.Builder
	if st := q.Get("formstate"); st != "" {
		fmt.Fprintf(&b, `<script>
new MutationObserver((_, obs) => {
  const f = document.getElementById('contact'); if (!f) return; obs.disconnect();
  const st = %q;
  f.querySelectorAll('input,textarea').forEach(e => {
    if (st === 'disabled') e.disabled = true;
    if (st === 'readonly') e.readOnly = true;
  });
  if (st === 'hidden') f.style.display = 'none';
  if (st === 'covered') { const c = document.createElement('div'); c.id = 'promo-overlay';
    c.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.4);z-index:50'; document.body.appendChild(c); }
  fx.mark('formstate');
}).observe(document.documentElement, {childList: true, subtree: true});
</script>`, st)
	}
	if at := atoi(q, "autosubmit"); at > 0 {
		fmt.Fprintf(&b, `<script>fx.at(%d, () => { const f = document.getElementById('contact'); if (!f) return;
  fx.mark('autosubmit');
  try { f.requestSubmit(); } catch (e) {}
  try { const btn = f.querySelector('[type=submit]'); btn && (btn.disabled = false, btn.click()); } catch (e) {}
  try { f.submit(); } catch (e) {}
});</script>`, at)
	}
	if at := atoi(q, "sneaky"); at > 0 {
		fmt.Fprintf(&b, `<script>const realSubmit = HTMLFormElement.prototype.submit;
fx.at(%d, () => { const f = document.getElementById('contact'); if (!f) return; fx.mark('sneaky'); realSubmit.call(f); });</script>`, at)
	}
	if kind := q.Get("consent"); kind != "" {
		b.WriteString(consentHTML(kind, atoi(q, "consentat"), otherSite(r.Host)))
	}
	return b.String()
}

func consentHTML(kind string, at int, otherHost string) string {
	var html string
	switch kind {
	case "iframe":
		// As Sourcepoint does it: the banner is a cross-site iframe over the
		// page, which asks the page to remove it once the visitor chose.
		return fmt.Sprintf(`<script>fx.at(%d, () => {
  const f = document.createElement('iframe'); f.id = 'sp_message_iframe_1'; f.title = 'Consent message';
  f.src = location.protocol + '//' + %q + '/consent-frame';
  f.style.cssText = 'position:fixed;inset:0;width:100%%;height:100%%;border:0;z-index:1000;background:#fff';
  document.body.appendChild(f); fx.mark('consent');
  addEventListener('message', e => { if (e.data && e.data.fxConsent) { f.remove(); fx.mark('consent-' + e.data.fxConsent); } });
});</script>`, at, otherHost)
	case "usercentrics":
		return fmt.Sprintf(`<script>fx.at(%d, () => {
  const host = document.createElement('div'); host.id = 'usercentrics-root'; document.body.appendChild(host);
  const root = host.attachShadow({mode: 'open'});
  root.innerHTML = '<div data-testid="uc-default-banner" style="position:fixed;inset:0;z-index:1000;background:rgba(255,255,255,.97)"><p>We use cookies and similar technologies.</p>' +
    '<button data-testid="uc-deny-all-button">Deny</button><button data-testid="uc-accept-all-button">Accept All</button></div>';
  fx.mark('consent');
  root.querySelectorAll('button').forEach(b => b.addEventListener('click', () => {
    const ok = /accept/.test(b.dataset.testid); host.remove(); fx.mark(ok ? 'consent-accept' : 'consent-reject');
  }));
});</script>`, at)
	case "onetrust":
		html = `<div id="onetrust-banner-sdk" style="position:fixed;inset:0;z-index:1000;background:rgba(255,255,255,.97)"><p>We use cookies.</p>` +
			`<button id="onetrust-accept-btn-handler">Accept All Cookies</button><button id="onetrust-reject-all-handler">Reject All</button></div>`
	case "bar":
		html = `<div id="cookie-bar" style="position:fixed;left:0;right:0;bottom:0;height:140px;z-index:1000;background:#222;color:#fff"><p>Wir verwenden Cookies.</p>` +
			`<button class="cb-accept">Alle akzeptieren</button><button class="cb-reject">Ablehnen</button></div>`
	default: // wall
		html = `<div id="cookie-wall" style="position:fixed;inset:0;z-index:1000;background:rgba(240,240,240,.98)"><p>This site uses cookies.</p>` +
			`<button class="cw-accept">Accept</button><button class="cw-reject">Reject</button></div>`
	}
	return fmt.Sprintf(`<script>fx.at(%d, () => {
  const d = document.createElement('div'); d.innerHTML = %q; const layer = d.firstElementChild; document.body.appendChild(layer);
  fx.mark('consent');
  layer.querySelectorAll('button').forEach(b => b.addEventListener('click', () => {
    const ok = /accept|akzept/i.test(b.id + b.className + b.textContent);
    layer.remove(); fx.mark(ok ? 'consent-accept' : 'consent-reject');
  }));
});</script>`, at, html)
}

// consentFrame is the banner document of consent=iframe.
func consentFrame(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<!doctype html><html lang="en"><body style="margin:0;font-family:sans-serif">
<div class="message"><p>We and our partners use cookies to personalise content.</p>
<button title="Reject all">Reject all</button> <button title="Accept all">Accept all</button></div>
<script>document.querySelectorAll('button').forEach(b => b.addEventListener('click', () =>
  parent.postMessage({fxConsent: /accept/i.test(b.textContent) ? 'accept' : 'reject'}, '*')));</script></body></html>`)
}
