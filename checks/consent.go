package checks

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// consentWordsJS: the labels of accept and reject buttons, in the languages
// companies use.
const consentWordsJS = `const accRe = /^(accept|accept all|accept all cookies|allow all|agree|i agree|ok|got it|alle akzeptieren|akzeptieren|zustimmen|accepter|tout accepter|aceptar|aceptar todo|accetta|accetta tutto|aceitar|accepteren|godkänn|hyväksy|принять|прийняти|同意|すべて同意|αποδοχή)/i;
const rejRe = /^(reject|reject all|decline|deny|refuse|necessary only|only necessary|ablehnen|alle ablehnen|nur notwendige|refuser|tout refuser|rechazar|rifiuta|recusar|weigeren|avvisa|hylkää|отклонить|відхилити|拒绝|拒否|απόρριψη)/i;`

// consentJS finds a cookie-consent layer: a known consent manager by its
// markup, else a fixed/sticky element over a large part of the viewport (or
// a bottom bar) with accept/reject buttons. With act "accept" or "reject" it
// clicks the matching button. %q: the action.
const consentJS = `(() => {
  const act = %q;
` + consentWordsJS + `
  const cmps = [
    ['onetrust', '#onetrust-banner-sdk', '#onetrust-accept-btn-handler', '#onetrust-reject-all-handler'],
    ['cookiebot', '#CybotCookiebotDialog', '#CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll, #CybotCookiebotDialogBodyButtonAccept', '#CybotCookiebotDialogBodyButtonDecline'],
    ['usercentrics', '[data-testid=uc-default-banner], #uc-center-container, #uc-banner', '[data-testid=uc-accept-all-button]', '[data-testid=uc-deny-all-button]'],
    ['didomi', '#didomi-host, #didomi-notice', '#didomi-notice-agree-button', '#didomi-notice-disagree-button'],
    ['quantcast', '.qc-cmp2-container', '.qc-cmp2-summary-buttons button[mode=primary]', '.qc-cmp2-summary-buttons button[mode=secondary]'],
    ['cookieyes', '.cky-consent-container', '.cky-btn-accept', '.cky-btn-reject'],
    ['klaro', '.klaro .cookie-notice, .klaro .cookie-modal', '.cm-btn-accept-all, .cm-btn-success', '.cn-decline, .cm-btn-decline'],
    ['osano', '.osano-cm-dialog', '.osano-cm-accept-all, .osano-cm-accept', '.osano-cm-denyAll, .osano-cm-deny'],
    ['complianz', '#cmplz-cookiebanner-container .cmplz-cookiebanner, .cmplz-cookiebanner', '.cmplz-accept', '.cmplz-deny'],
    ['borlabs', '#BorlabsCookieBox', '#CookieBoxSaveButton, [data-cookie-accept-all]', '[data-cookie-refuse]'],
    ['trustarc', '#truste-consent-track, #consent_blackbar', '#truste-consent-button', '#truste-consent-required'],
  ];
  // Some consent managers (Usercentrics, for one) render into a shadow
  // root: look into the open ones too.
  const deep = (sel, root = document) => {
    const hit = root.querySelector(sel);
    if (hit) return hit;
    for (const e of root.querySelectorAll('*')) if (e.shadowRoot) { const h = deep(sel, e.shadowRoot); if (h) return h; }
    return null;
  };
  const shown = e => { if (!e) return false; const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}); };
  let found = null;
  for (const [name, layer, acc, rej] of cmps) {
    const l = deep(layer);
    if (shown(l)) { found = {cmp: name, layer: l, accept: deep(acc), reject: deep(rej)}; break; }
  }
  if (!found) {
    for (const el of document.querySelectorAll('body *')) {
      const cs = getComputedStyle(el);
      if (cs.position !== 'fixed' && cs.position !== 'sticky') continue;
      if (!shown(el)) continue;
      const r = el.getBoundingClientRect();
      const area = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0)) * Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
      const bottomBar = r.bottom >= innerHeight - 2 && r.width >= innerWidth * 0.6;
      if (area < innerWidth * innerHeight * 0.3 && !bottomBar) continue;
      const btns = [...el.querySelectorAll('button, a, [role=button], input[type=button], input[type=submit]')].filter(shown);
      const t = b => (b.textContent || b.value || '').trim();
      const accept = btns.find(b => accRe.test(t(b))), reject = btns.find(b => rejRe.test(t(b)));
      if (accept || reject) { found = {cmp: 'generic', layer: el, accept, reject}; break; }
    }
  }
  const now = performance.timeOrigin + performance.now();
  if (!found) return {found: false, at: now};
  const r = found.layer.getBoundingClientRect();
  const cover = Math.round(100 * Math.min(r.width * r.height, innerWidth * innerHeight) / (innerWidth * innerHeight));
  let clicked = '';
  const btn = act === 'accept' ? found.accept : act === 'reject' ? found.reject : null;
  if (btn) { btn.click(); clicked = (btn.textContent || btn.id || '').trim().slice(0, 40); }
  return {found: true, cmp: found.cmp, cover, clicked, at: now, gone: btn ? !shown(found.layer) : false};
})()`

type consentState struct {
	Found   bool    `json:"found"`
	CMP     string  `json:"cmp"`
	Cover   int     `json:"cover"`
	Clicked string  `json:"clicked"`
	Gone    bool    `json:"gone"`
	At      float64 `json:"at"`
}

// consentWait bounds how long the consent step looks for a banner before
// the touchpoint checks start: long enough for a CMP script to render, short
// enough not to delay a form that is ready early.
const consentWait = 2 * time.Second

// checkConsent looks for a consent layer until one shows, the page settles or
// consentWait passes, then acts per the plan. A layer in the visitor's way
// is a non-failure reason: it makes the visit indifferent.
func checkConsent(ctx context.Context, pg *Page) Outcome {
	defer pg.consentDone()
	var out Outcome
	act := pg.Plan.Consent
	deadline := pg.Session.NavStart().Add(consentWait)
	js := fmt.Sprintf(consentJS, act)
	frames := newRealms(pg.Session.Context(), pg)
	defer frames.close()
	for {
		tctx, cancel := pg.Tab(ctx, 2*time.Second)
		st, err := chromedp.Run(tctx, chromedp.Evaluate[consentState](js))
		cancel()
		pending := false
		if err == nil && !st.Found {
			st, pending = consentInFrame(ctx, pg, frames, act)
		}
		if st.Found {
			msg := fmt.Sprintf("a consent layer (%s, %d%% of the viewport) blocks the page at %.2fs until the visitor clicks", st.CMP, st.Cover, pg.Since(st.At))
			switch {
			case act == ConsentLeave:
				msg += "; left in place"
			case st.Clicked != "":
				msg += fmt.Sprintf("; %sed (%q), page usable at %.2fs", act, st.Clicked, pg.Since(st.At))
			default:
				msg += "; no " + act + " button found, left in place"
			}
			pg.Logf("consent: %s", msg)
			out.Reasons = append(out.Reasons, Reason{Code: CodeConsentLayer, Message: msg})
			return out
		}
		settled := pg.Session.Settled()
		if pending {
			settled = nil // a banner's iframe is still coming up: wait for it until the deadline
		}
		select {
		case <-settled:
			return out
		case <-ctx.Done():
			return out
		default:
		}
		if time.Now().After(deadline) {
			return out
		}
		time.Sleep(100 * time.Millisecond)
	}
}
