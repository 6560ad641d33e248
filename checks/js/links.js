// The ways to reach the company that are links: phone (tel:) and e-mail
// (mailto:) links, and the link to the contact page. Installed in every
// document of a visit's tabs, in the isolated world the hands module lives
// in (probe/browser/js/hands.js: shown, describe, keep, all). Nothing here
// changes the page or scrolls it: it only looks.
({
  hands() { return globalThis.__tp.hands; },

  // channels finds the first visible tel: and mailto: links (one in view
  // without scrolling wins) and keeps each by handle.
  channels() {
    const h = this.hands();
    const find = (prefix) => {
      let best = null;
      for (const a of h.all('a[href]')) {
        const href = a.getAttribute('href') || '';
        if (!href.toLowerCase().startsWith(prefix) || !h.shown(a)) continue;
        const r = a.getBoundingClientRect();
        const inView = r.top < innerHeight && r.bottom > 0 && r.left < innerWidth && r.right > 0;
        if (best && (best.inView || !inView)) continue;
        best = { a, href, inView };
      }
      if (!best) return null;
      return { href: best.href.slice(0, 120), inView: best.inView, handle: h.keep(best.a), desc: h.describe(best.a),
        selector: 'a[href="' + best.href.replace(/["\\]/g, '\\$&') + '"]' };
    };
    return { phone: find('tel:'), email: find('mailto:') };
  },

  // Calls to action a business's key points start from (book, quote, buy,
  // pricing, appointment), in the languages the contact words cover.
  actionWords: /\b(book|booking|reserve|reservation|table|quote|estimate|buy|order|add to cart|add to basket|shop now|pricing|prices|plans|appointment|schedule|get started|sign up|free trial|demo|buchen|reservieren|termin|angebot|kaufen|preise|bestellen|réserver|réservation|devis|acheter|tarifs|rendez-vous|reservar|presupuesto|comprar|precios|cita|prenota|preventivo|acquista|prezzi|appuntamento|orçamento|agendar|boeken|offerte|kopen|prijzen|afspraak|κράτηση|προσφορά|αγορά|τιμές|ραντεβού|забронировать|купить|цены|запись|varaa|osta|hinnat|ajanvaraus)\b/i,

  // actions lists the visible links and buttons that say one of those,
  // those in view first: what `touchprobe discover` suggests as key points.
  actions() {
    const h = this.hands();
    const out = [];
    const seen = new Set();
    for (const e of h.all('a[href], button, [role=button], input[type=submit], input[type=button]')) {
      const text = h.text(e).slice(0, 60);
      if (!text || text.length > 40 || !this.actionWords.test(text) || !h.shown(e) || seen.has(text.toLowerCase())) continue;
      seen.add(text.toLowerCase());
      const r = e.getBoundingClientRect();
      out.push({ text, inView: r.top < innerHeight && r.bottom > 0, tag: e.tagName.toLowerCase() });
    }
    out.sort((a, b) => (b.inView ? 1 : 0) - (a.inView ? 1 : 0));
    return out.slice(0, 5);
  },

  // Words for "contact" in the languages companies use.
  contactWords: /contact|kontakt|contacto|contato|contatti|contattaci|contactez|contacteer|επικοινων|контакт|yhteystied|yhteys|kapcsolat|iletişim|iletisim|联系|聯絡|お問い合わせ|문의/i,

  // contact finds the link a visitor follows to the contact page: one to
  // the path arg.want, else (want "") one whose text, label or path says
  // "contact". A visible link wins over one in a closed menu (found:
  // true, visible: false); the link is kept by handle.
  contact(arg) {
    const h = this.hands();
    const want = (arg && arg.want) || '';
    const trim = (p) => p.replace(/\/$/, '');
    let hidden = null;
    for (const a of h.all('a[href]')) {
      let u;
      try { u = new URL(a.href, location.href); } catch (e) { continue; }
      if (!/^https?:$/.test(u.protocol) || (u.pathname === location.pathname && u.host === location.host)) continue;
      const text = ((a.textContent || '') + ' ' + (a.getAttribute('aria-label') || '') + ' ' + (a.title || '')).replace(/\s+/g, ' ').trim();
      let path = u.pathname;
      try { path = decodeURIComponent(path); } catch (e) {}
      const match = want ? trim(u.pathname) === trim(want) : this.contactWords.test(text) || this.contactWords.test(path);
      if (!match) continue;
      if (h.shown(a)) return this.link(a, u, text, true);
      hidden = hidden || [a, u, text];
    }
    return hidden ? this.link(...hidden, false) : { found: false, at: h.now() };
  },

  // toggler finds the button that opens the closed menu holding the link
  // arg.handle: one whose aria-controls names an ancestor of the link, else
  // a visible menu toggle (hamburger) of the page.
  toggler(arg) {
    const h = this.hands();
    const a = h.el(arg.handle);
    const cands = h.all('button, [role=button], a[href="#"], [aria-expanded]').filter((b) => h.shown(b) && !(a && b.contains(a)));
    if (a) {
      for (const b of cands) {
        const id = b.getAttribute('aria-controls') || (b.getAttribute('data-bs-target') || b.getAttribute('data-target') || '').replace(/^#/, '');
        if (!id) continue;
        const menu = document.getElementById(id);
        if (menu && menu.contains(a)) return { found: true, handle: h.keep(b), desc: h.describe(b) };
      }
    }
    const words = /menu|hamburger|navbar-toggler|nav-toggle|toggle navigation|menü|menú|μενού|меню|valikko/i;
    const b = cands.find((b) => words.test([b.className, b.id, b.getAttribute('aria-label'), b.title, h.text(b)].join(' ')));
    return b ? { found: true, handle: h.keep(b), desc: h.describe(b) } : { found: false };
  },

  link(a, u, text, visible) {
    const h = this.hands();
    return { found: true, visible, href: u.href, text: text.slice(0, 60), handle: h.keep(a), desc: h.describe(a), at: h.now() };
  },
})
