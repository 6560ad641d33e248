// The consent module looks for a cookie-consent layer in its document and
// reports facts, never acting: the Go check (checks/consent.go) judges
// whether the layer blocks the page and clicks its buttons with trusted
// input. A layer is found by the markup of a known consent manager, else
// by what it is: a fixed or sticky element with accept/reject buttons,
// whatever its size, or an iframe over the page named like a consent
// manager's. Whether it blocks is read from the page, not from its name:
// where a click at the content lands, and whether the page still scrolls.
({
  hands() { return globalThis.__tp.hands; },

  accept: /^(accept|accept all|accept all cookies|allow all|allow all cookies|allow cookies|agree|i agree|agree and close|ok|okay|got it|got it!|that's ok|i understand|alle akzeptieren|akzeptieren|zustimmen|alle cookies akzeptieren|accepter|tout accepter|j'accepte|aceptar|aceptar todo|aceptar todas|accetta|accetta tutto|aceitar|aceitar todos|accepteren|alles accepteren|godkänn|godkänn alla|hyväksy|hyväksy kaikki|принять|принять все|прийняти|同意|すべて同意|αποδοχή|αποδοχή όλων|akceptuję|zaakceptuj wszystkie)\b/i,
  reject: /^(reject|reject all|decline|i decline|deny|deny all|refuse|necessary only|only necessary|use necessary cookies only|ablehnen|alle ablehnen|nur notwendige|refuser|tout refuser|rechazar|rechazar todo|rifiuta|rifiuta tutto|recusar|weigeren|avvisa|hylkää|отклонить|відхилити|拒绝|拒否|απόρριψη|odrzuć)\b/i,

  // Consent managers by their markup: [name, layer, accept, reject].
  cmps: [
    ['onetrust', '#onetrust-banner-sdk', '#onetrust-accept-btn-handler', '#onetrust-reject-all-handler'],
    ['cookiebot', '#CybotCookiebotDialog', '#CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll, #CybotCookiebotDialogBodyButtonAccept', '#CybotCookiebotDialogBodyButtonDecline'],
    ['usercentrics', '[data-testid=uc-default-banner], #uc-center-container, #uc-banner', '[data-testid=uc-accept-all-button]', '[data-testid=uc-deny-all-button]'],
    ['didomi', '#didomi-notice, #didomi-popup', '#didomi-notice-agree-button', '#didomi-notice-disagree-button'],
    ['quantcast', '.qc-cmp2-container', '.qc-cmp2-summary-buttons button[mode=primary]', '.qc-cmp2-summary-buttons button[mode=secondary]'],
    ['cookieyes', '.cky-consent-container', '.cky-btn-accept', '.cky-btn-reject'],
    ['klaro', '.klaro .cookie-notice, .klaro .cookie-modal', '.cm-btn-accept-all, .cm-btn-success', '.cn-decline, .cm-btn-decline'],
    ['osano', '.osano-cm-dialog', '.osano-cm-accept-all, .osano-cm-accept', '.osano-cm-denyAll, .osano-cm-deny'],
    ['cookieconsent', '.cc-window', '.cc-allow, .cc-dismiss', '.cc-deny'],
    ['complianz', '.cmplz-cookiebanner', '.cmplz-accept', '.cmplz-deny'],
    ['borlabs', '#BorlabsCookieBox', '#CookieBoxSaveButton, [data-cookie-accept-all]', '[data-cookie-refuse]'],
    ['trustarc', '#truste-consent-track, #consent_blackbar', '#truste-consent-button', '#truste-consent-required'],
  ],

  // Names consent managers give their markup (for layers no entry above
  // names, and for iframes).
  names: /consent|cookie|onetrust|cybot|didomi|qc-cmp|gdpr|usercentrics|truste|cky-|klaro|osano|borlabs|sp_message|cmplz|privacy-mgmt|cmp/i,
  frameSelector: 'iframe[id^="sp_message_iframe"], iframe[src*="consent" i], iframe[src*="privacy-mgmt" i], iframe[src*="truste" i], iframe[src*="cmp" i], iframe[title*="consent" i], iframe[title*="cookie" i], iframe[name*="consent" i]',

  // The latest largest-contentful-paint element, from a buffered observer
  // registered when the module is installed (document start).
  lcpEl: null,
  lcpWatch: (() => {
    try {
      new PerformanceObserver((l) => {
        const es = l.getEntries();
        const m = globalThis.__tp && globalThis.__tp.consent;
        if (m && es.length) m.lcpEl = es[es.length - 1].element || m.lcpEl;
      }).observe({ type: 'largest-contentful-paint', buffered: true });
    } catch (e) { /* no LCP in this document (an iframe) */ }
    return true;
  })(),

  parent(x) { return x.parentElement || (x.parentNode && x.parentNode.host) || null; },

  fixedOrSticky(e) {
    for (let x = e; x && x !== document.body && x !== document.documentElement; x = this.parent(x)) {
      const p = getComputedStyle(x).position;
      if (p === 'fixed' || p === 'sticky') return x;
    }
    return null;
  },

  buttons(root) {
    const h = this.hands();
    const list = h.all('button, a, [role=button], input[type=button], input[type=submit]', root).filter((b) => h.shown(b));
    const t = (b) => h.text(b);
    return { accept: list.find((b) => this.accept.test(t(b))) || null, reject: list.find((b) => this.reject.test(t(b))) || null };
  },

  // find returns the layer shown now: {cmp, layer, accept, reject}, or null.
  find() {
    const h = this.hands();
    for (const [name, layer, acc, rej] of this.cmps) {
      const l = h.all(layer).find((e) => h.shown(e));
      if (!l) continue;
      const b = this.buttons(l);
      return { cmp: name, layer: l, accept: h.all(acc).find((e) => h.shown(e)) || b.accept, reject: h.all(rej).find((e) => h.shown(e)) || b.reject };
    }
    // Unnamed: a fixed or sticky element with accept or reject buttons.
    const seen = new Set();
    for (const b of h.all('button, a, [role=button], input[type=button], input[type=submit]')) {
      if (!h.shown(b) || !(this.accept.test(h.text(b)) || this.reject.test(h.text(b)))) continue;
      const fixed = this.fixedOrSticky(b);
      if (!fixed || seen.has(fixed)) continue;
      seen.add(fixed);
      const bs = this.buttons(fixed);
      const named = this.names.test([fixed.id, typeof fixed.className === 'string' ? fixed.className : '', fixed.getAttribute('aria-label') || ''].join(' '));
      const words = /cookie|consent|privacy|datenschutz|cookies|tracking|gdpr|personal data|partners/i.test(h.text(fixed));
      if ((bs.accept || bs.reject) && (named || words)) return { cmp: 'unnamed', layer: fixed, accept: bs.accept, reject: bs.reject };
    }
    return null;
  },

  // root is the layer's outermost container below <body> that holds none
  // of the page's content: a consent manager's overlay is often a sibling
  // of its box inside that container.
  root(layer) {
    let r = layer;
    for (let x = this.parent(layer); x && x !== document.body && x !== document.documentElement; x = this.parent(x)) {
      if (x.querySelector('h1, main, form input[type=email], article')) break;
      r = x;
    }
    return r;
  },

  // contentPoints are where a visitor would touch the page: the main
  // heading, the contact form's first field, the centre of the view.
  contentPoints(root) {
    const out = [];
    const add = (what, e) => {
      if (!e || (root && root.contains(e))) return;
      const r = e.getBoundingClientRect();
      const x = Math.min(Math.max(r.left + Math.min(r.width / 2, 40), 1), innerWidth - 1);
      const y = Math.min(Math.max(r.top + r.height / 2, 1), innerHeight - 1);
      if (r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight) out.push({ what: what + ' ' + this.hands().describe(e), x, y });
    };
    add('heading', document.querySelector('h1'));
    add('field', [...document.querySelectorAll('form input[type=email], form textarea')].find((e) => this.hands().shown(e)));
    out.push({ what: 'the centre of the view', x: innerWidth / 2, y: innerHeight / 2 });
    return out;
  },

  // blocked says where a click at the content lands when not on the
  // content: on the layer, or on an overlay (an element covering most of
  // the view that holds no content).
  blocked(root, points) {
    const h = this.hands();
    const out = [];
    for (const p of points) {
      const hit = h.hitAt(p.x, p.y);
      if (!hit) continue;
      let on = '';
      if (root.contains(hit) || (root.shadowRoot && root.shadowRoot.contains(hit))) on = 'layer';
      else {
        const fixed = this.fixedOrSticky(hit);
        if (fixed) {
          const r = fixed.getBoundingClientRect();
          if (r.width * r.height >= 0.5 * innerWidth * innerHeight && !fixed.querySelector('h1, main, form, nav')) on = 'overlay';
        }
      }
      if (on) out.push({ at: p.what, on, hit: h.describe(hit) });
    }
    return out;
  },

  // scrollLocked: the page is taller than the view and refuses to scroll,
  // or refuses pointer input altogether.
  scrollLocked() {
    const de = document.documentElement, b = document.body;
    if (!b) return false;
    const cs = (e) => getComputedStyle(e);
    if (cs(de).pointerEvents === 'none' || cs(b).pointerEvents === 'none') return true;
    const tall = Math.max(de.scrollHeight, b.scrollHeight) > innerHeight + 40;
    const hidden = (e) => ['hidden', 'clip'].includes(cs(e).overflowY);
    return tall && (hidden(de) || hidden(b));
  },

  cover(e) {
    const r = e.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
    const hgt = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
    return Math.round(100 * w * hgt / (innerWidth * innerHeight));
  },

  // look reports the consent layer of this document (registering it as
  // the "consent" layer, so that what it covers is named as such), or the
  // consent manager's iframes over the page.
  look() {
    const h = this.hands();
    const now = h.now();
    const f = this.find();
    if (!f) {
      const frames = h.all(this.frameSelector).filter((e) => h.shown(e)).map((e) => ({ src: e.src, cover: this.cover(e), desc: h.describe(e), handle: h.keep(e) }));
      return { found: false, at: now, frames };
    }
    const root = this.root(f.layer);
    h.layers.set(root, 'consent');
    const blocked = this.blocked(root, this.contentPoints(root));
    return {
      found: true, at: now, cmp: f.cmp, layer: h.describe(f.layer), cover: this.cover(f.layer),
      blocked, scrollLocked: this.scrollLocked(),
      accept: f.accept ? { handle: h.keep(f.accept), text: h.text(f.accept).slice(0, 40) } : null,
      reject: f.reject ? { handle: h.keep(f.reject), text: h.text(f.reject).slice(0, 40) } : null,
      lcpInLayer: !!(this.lcpEl && (root.contains(this.lcpEl) || f.layer.contains(this.lcpEl))),
    };
  },

  // frameButtons: inside a consent manager's iframe, whose whole document
  // is the banner, its accept and reject buttons.
  frameButtons() {
    const h = this.hands();
    const b = this.buttons(document);
    const one = (e) => (e ? { handle: h.keep(e), text: h.text(e).slice(0, 40) } : null);
    return { found: !!(b.accept || b.reject), accept: one(b.accept), reject: one(b.reject), at: h.now() };
  },
})
