package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// consentFrameSelector matches the iframes the widespread consent managers
// draw their banner in (Sourcepoint, TrustArc, and others by name).
const consentFrameSelector = `iframe[id^="sp_message_iframe"], iframe[src*="consent" i], iframe[src*="privacy-mgmt" i], ` +
	`iframe[src*="truste" i], iframe[src*="cmp" i], iframe[title*="consent" i], iframe[title*="cookie" i], iframe[name*="consent" i]`

// consentCoverJS: how much of the viewport the iframe at selector %s covers
// (percent), and whether it is a bar along the bottom.
const consentCoverJS = `(() => { const f = document.querySelector(%s); if (!f) return {cover: 0};
  const r = f.getBoundingClientRect();
  const area = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0)) * Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
  return {cover: Math.round(100 * area / (innerWidth * innerHeight)), bar: r.bottom >= innerHeight - 2 && r.width >= innerWidth * 0.6}; })()`

// consentFrameJS runs inside the banner's iframe, whose whole document is
// the banner: it finds the accept and reject buttons and clicks per act (%q).
const consentFrameJS = `(() => {
  const act = %q;
` + consentWordsJS + `
  const shown = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}); };
  const t = b => (b.textContent || b.value || b.getAttribute('aria-label') || b.title || '').trim();
  const btns = [...document.querySelectorAll('button, a, [role=button], input[type=button], input[type=submit]')].filter(shown);
  const accept = btns.find(b => accRe.test(t(b))), reject = btns.find(b => rejRe.test(t(b)));
  if (!accept && !reject) return {found: false};
  const btn = act === 'accept' ? accept : act === 'reject' ? reject : null;
  let clicked = '';
  if (btn) { btn.click(); clicked = t(btn).slice(0, 40); }
  return {found: true, clicked};
})()`

// consentInFrame looks for a consent banner drawn in an iframe over the
// page — same-site, or cross-site in a process of its own — and acts on it.
// pending says a likely iframe is there whose document could not be read
// yet (a cross-site one attaches a moment after it appears).
func consentInFrame(ctx context.Context, pg *Page, rs *realms, act string) (st consentState, pending bool) {
	main, err := rs.main(ctx)
	if err != nil {
		return consentState{}, false
	}
	// Any likely banner iframe at all (the listing below skips one whose
	// own document has not arrived yet)?
	var shown int
	if err := main.run(ctx, time.Second, fmt.Sprintf(`[...document.querySelectorAll(%s)].filter(f => f.checkVisibility()).length`, jsString(consentFrameSelector)), &shown); err != nil || shown == 0 {
		return consentState{}, false
	}
	pending = true // until its banner is read below
	var infos []frameInfo
	if err := main.eval(ctx, 2*time.Second, "frames", &infos, map[string]any{"frame": consentFrameSelector}); err != nil {
		rs.forget(main)
		return consentState{}, true
	}
	for _, fi := range infos {
		if !fi.Shown {
			continue
		}
		var size struct {
			Cover int  `json:"cover"`
			Bar   bool `json:"bar"`
		}
		if err := main.run(ctx, time.Second, fmt.Sprintf(consentCoverJS, jsString(fi.Path)), &size); err != nil || (size.Cover < 30 && !size.Bar) {
			continue
		}
		r := rs.frameRealm(ctx, main, fi)
		if r == nil {
			continue
		}
		var in struct {
			Found   bool   `json:"found"`
			Clicked string `json:"clicked"`
		}
		if err := r.run(ctx, 2*time.Second, fmt.Sprintf(consentFrameJS, act), &in); err != nil || !in.Found {
			if err != nil {
				rs.forget(r)
			}
			continue
		}
		host := fi.Src
		if u, err := url.Parse(fi.Src); err == nil && u.Host != "" {
			host = u.Host
		}
		return consentState{Found: true, CMP: "iframe " + host, Cover: size.Cover, Clicked: in.Clicked,
			At: float64(time.Now().UnixMicro()) / 1000}, false
	}
	return consentState{}, pending
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
