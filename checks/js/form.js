// The contact form's eyes and its guard, in every document of a visit's
// tabs, in the isolated world the hands module lives in
// (probe/browser/js/hands.js). It never types, clicks or scrolls: the
// visitor's input is the check's (checks/form.go), made with trusted input
// after the first impression (docs/visitor.md).
//
// watch starts, once per document, a watcher that dates what a visitor
// could see without touching the page: the first moment the contact form
// looked usable (its fields visible, in view, enabled, not read-only, and
// the hit test at each field in view lands on it), the first moment it
// looked usable but for the consent layer over it and the moment that
// layer was gone, and the first moment a link to the contact page was
// visible. It also guards the contact form, and only that form, against
// being sent from the page (see onSubmit).
({
  hands() { return globalThis.__tp.hands; },

  // Consent managers by the names in their markup: a consent layer that
  // no check marked with hands.markLayer is still recognised over the form.
  consentNames: /consent|cookie|onetrust|cybot|didomi|qc-cmp|gdpr|usercentrics|truste|cky-|klaro|osano|borlabs|sp_message|cmplz/i,

  // The guard is on from the document's start: the module is installed
  // before the page's scripts run (probe/browser/modules.go), and this
  // registers it then, before any of the page's own submit listeners.
  guardOn: (() => {
    addEventListener('submit', (e) => { const m = globalThis.__tp && globalThis.__tp.form; if (m) m.onSubmit(e); }, true);
    return true;
  })(),

  // watch: {selector: the configured form ("" finds it), allow: the tab may
  // send the form (submit: true, a tab of its own), link: {want: a path or
  // ""} to date the contact link too (absent: not looked for), forMs: how
  // long to watch}. Later calls in the same document change nothing. It
  // looks every 50 ms until the form is usable, then every 200 ms (a
  // consent layer may still come over it) until stop, or forMs.
  watch(arg) {
    if (this.opts) return true;
    const h = this.hands();
    arg = arg || {};
    this.opts = { selector: arg.selector || '', allow: !!arg.allow, link: arg.link || null, forMs: arg.forMs || 20000 };
    this.start = h.now();
    const tick = () => {
      try { this.observe(); } catch (e) { this.error = String(e && e.message || e); }
      if (!this.done && h.now() - this.start <= this.opts.forMs) setTimeout(tick, this.usableAt ? 200 : 50);
    };
    tick();
    return true;
  },

  // stop ends the watching: the visitor has used the form. The guard stays.
  stop() {
    this.done = true;
    return true;
  },

  // onSubmit cancels the sending of the contact form — the one the watcher
  // found, the configured one, or one with an e-mail field and a message
  // field — before any of the page's handlers run (a capture listener on
  // the window, registered first, runs first), unless this tab may send it
  // (watch's allow). A chat composer,
  // a search box or a consent manager's form is none of these, and is sent
  // as the page wants. form.submit() fires no event: the tab answers the
  // document POST it makes itself (probe/browser/tab.go, passDocument).
  onSubmit(e) {
    const form = e.target;
    if ((this.opts && this.opts.allow) || !form || form.tagName !== 'FORM' || !this.isContact(form)) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    const h = this.hands();
    this.stopped = this.stopped || [];
    if (this.stopped.length < 20) {
      this.stopped.push({ at: h.now(), form: h.describe(form), by: e.submitter ? h.describe(e.submitter) : 'requestSubmit()' });
    }
  },

  isContact(form) {
    if (this.form && (this.form === form || this.form.contains(form) || form.contains(this.form))) return true;
    const selector = this.opts && this.opts.selector;
    if (!selector) return this.looksLikeContact(form);
    try {
      return this.hands().all(selector).some((m) => m === form || form.contains(m) || m.contains(form));
    } catch (e) {
      return false;
    }
  },

  // looksLikeContact: a form with an e-mail field and a message field.
  looksLikeContact(form) {
    return !!form.querySelector('input[type=email i], input[name*=mail i]') && !!form.querySelector('textarea');
  },

  findForm(selector) {
    const h = this.hands();
    let list;
    if (selector) {
      try { list = h.all(selector); } catch (e) { return null; }
    } else {
      list = h.all('form').filter((f) => this.looksLikeContact(f));
    }
    return list.find((f) => h.shown(f)) || list[0] || null;
  },

  // textLike: a field a visitor writes text in.
  textLike(e) {
    if (e.tagName === 'TEXTAREA' || e.isContentEditable) return true;
    return e.tagName === 'INPUT' && /^(|text|email|tel|url|search|number)$/i.test(e.getAttribute('type') || '');
  },

  // fields are the ones the form is for: its e-mail field and its message
  // field, else its first text field (a visible one before a hidden
  // one: hidden traps for robots are not the visitor's).
  fields(form) {
    const h = this.hands();
    const text = [...form.querySelectorAll('input, textarea, [contenteditable]')].filter((e) => this.textLike(e));
    const pick = (list) => list.find((e) => h.shown(e)) || list[0];
    const out = [];
    const email = pick(text.filter((e) => (e.type || '').toLowerCase() === 'email' || /mail/i.test(e.name || '')));
    const message = pick(text.filter((e) => e.tagName === 'TEXTAREA'));
    if (email) out.push({ el: email, kind: 'email' });
    if (message) out.push({ el: message, kind: 'message' });
    if (!out.length && text.length) out.push({ el: pick(text), kind: 'text' });
    return out;
  },

  // layerAt names the layer the element at (x, y) of this document belongs
  // to: the one a module registered (hands.markLayer), else "consent" for
  // markup a consent manager's names show.
  layerAt(arg) {
    const hit = this.hands().hitAt(arg.x, arg.y);
    return { layer: this.layerOf(hit), coveredBy: this.hands().describe(hit) };
  },

  layerOf(hit) {
    if (!hit) return '';
    const h = this.hands();
    const named = h.layerOf(hit);
    if (named) return named;
    for (let x = hit; x && x !== document.body && x !== document.documentElement; x = x.parentElement || (x.parentNode && x.parentNode.host) || null) {
      const words = [x.id, typeof x.className === 'string' ? x.className : '', x.getAttribute('aria-label'), x.getAttribute('data-testid'), x.getAttribute('title')].join(' ');
      if (this.consentNames.test(words)) return 'consent';
    }
    return '';
  },

  // look says whether the form looks usable now, and what stops a visitor
  // when not: hidden, disabled, read-only, outside (no field in view:
  // the visitor would scroll), covered (naming what a click would hit).
  look(form) {
    const h = this.hands();
    const fields = this.fields(form);
    if (!fields.length) return { problem: 'no fields', detail: h.describe(form) + ' has no field to write in' };
    for (const { el } of fields) {
      if (!h.shown(el)) return { problem: 'hidden', detail: h.describe(el) + ' is hidden' };
      const why = h.disabledWhy(el);
      if (why) return { problem: 'disabled', detail: h.describe(el) + ' is ' + why };
      if (el.readOnly) return { problem: 'read-only', detail: h.describe(el) + ' is read-only' };
    }
    let inView = 0;
    for (const { el } of fields) {
      const r = el.getBoundingClientRect();
      const left = Math.max(r.left, 0), right = Math.min(r.right, innerWidth);
      const top = Math.max(r.top, 0), bottom = Math.min(r.bottom, innerHeight);
      if (right - left < 1 || bottom - top < 1) continue;
      const hit = h.hitAt((left + right) / 2, (top + bottom) / 2);
      if (!h.receives(el, hit)) {
        return { problem: 'covered', detail: h.describe(el) + ' is covered by ' + h.describe(hit), field: h.describe(el), coveredBy: h.describe(hit), layer: this.layerOf(hit) };
      }
      inView++;
    }
    if (!inView) return { problem: 'outside', detail: h.describe(fields[0].el) + ' is outside the viewport' };
    return { problem: '' };
  },

  // observe looks once and keeps the first moments.
  observe() {
    const h = this.hands();
    const now = h.now();
    const form = this.findForm(this.opts.selector);
    this.form = form;
    if (form) {
      this.found = true;
      this.last = this.look(form);
      const p = this.last.problem;
      if (!p && !this.usableAt) this.usableAt = now;
      if (p === 'outside' && !this.outsideAt) this.outsideAt = now;
      if (p === 'covered' && this.last.layer === 'consent') {
        // Usable but for the consent layer: the form is ready no earlier
        // than the layer went (clearedAt).
        if (!this.consentAt) this.consentAt = now;
        this.clearedAt = 0;
      }
      if (!p && this.consentAt && !this.clearedAt) this.clearedAt = now;
    } else {
      this.last = { problem: 'missing' };
    }
    const links = globalThis.__tp.links;
    if (this.opts.link && !this.linkAt && links) {
      const l = links.contact(this.opts.link);
      if (l.found && l.visible) {
        // A visitor sees the link no earlier than the page's first
        // contentful paint: a starved renderer can paint long after the
        // DOM holds the link (measured: 0.7 s on a loaded CI machine).
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        this.link = l;
        if (fcp) this.linkAt = Math.max(l.at, performance.timeOrigin + fcp.startTime);
      } else if (l.found && !this.link) this.link = l;
    }
  },

  // state looks again now (starting the watcher in a document that has
  // none yet, with arg as watch's) and reports what the watcher saw:
  // times are this document's clock, epoch ms.
  state(arg) {
    this.watch(arg);
    this.observe();
    const h = this.hands();
    const out = {
      found: !!this.form, problem: this.last.problem, detail: this.last.detail || '',
      field: this.last.field || '', coveredBy: this.last.coveredBy || '', layer: this.last.layer || '',
      usableAt: this.usableAt || 0, consentAt: this.consentAt || 0, clearedAt: this.clearedAt || 0, outsideAt: this.outsideAt || 0,
      link: this.link || null, linkAt: this.linkAt || 0,
      stopped: this.stopped || [], readyState: document.readyState, error: this.error || '', since: this.start,
    };
    if (this.form) {
      const f = this.form;
      out.form = h.describe(f);
      out.selector = this.opts.selector || this.selectorOf(f);
      out.fields = this.fields(f).map(({ el, kind }) => ({ handle: h.keep(el), desc: h.describe(el), kind, type: (el.getAttribute('type') || el.tagName).toLowerCase() }));
    }
    return out;
  },

  // selectorOf names the form for another document (a tab of its own
  // that sends it): by id, name or action; "" finds it again by its fields.
  selectorOf(f) {
    if (f.id) return '#' + CSS.escape(f.id);
    for (const a of ['name', 'action']) {
      const v = f.getAttribute(a);
      if (v) return f.tagName.toLowerCase() + '[' + a + '="' + CSS.escape(v) + '"]';
    }
    return '';
  },

  // field finds the form's field for a configured key: its name, its id,
  // or its kind (email, message, name, phone); for a radio button, the one
  // whose value or label is arg.value.
  field(arg) {
    const h = this.hands();
    const form = this.findForm(arg.selector);
    if (!form) return { found: false };
    const key = String(arg.key);
    const all = [...form.querySelectorAll('input:not([type=hidden]), textarea, select, [contenteditable]')];
    const kind = (e) => e.tagName === 'TEXTAREA' ? 'message'
      : ((e.type || '').toLowerCase() === 'email' || /mail/i.test(e.name || '')) ? 'email'
      : ((e.type || '').toLowerCase() === 'tel' || /phone|tel/i.test(e.name || '')) ? 'phone'
      : /name/i.test(e.name || '') ? 'name' : '';
    let list = all.filter((e) => e.name === key || e.id === key);
    if (!list.length) list = all.filter((e) => kind(e) === key);
    const radios = list.filter((e) => (e.type || '').toLowerCase() === 'radio');
    if (radios.length) {
      const v = String(arg.value).trim().toLowerCase();
      list = radios.filter((e) => e.value.toLowerCase() === v || [...(e.labels || [])].some((l) => h.text(l).toLowerCase() === v));
    }
    const el = list.find((e) => h.shown(e)) || list[0];
    if (!el) return { found: false };
    const type = el.tagName === 'SELECT' ? 'select' : el.tagName === 'TEXTAREA' ? 'textarea' : (el.type || 'text').toLowerCase();
    return { found: true, handle: h.keep(el), desc: h.describe(el), type, checked: !!el.checked };
  },

  // submitter is the form's submit button (a visitor's way to send it).
  submitter(arg) {
    const h = this.hands();
    const form = this.findForm(arg.selector);
    if (!form) return { found: false };
    const own = [...form.querySelectorAll('button, input[type=submit i], input[type=image i]')].filter((b) => (b.type || '').toLowerCase() === 'submit' || (b.type || '').toLowerCase() === 'image');
    const outside = form.id ? [...document.querySelectorAll('[form="' + CSS.escape(form.id) + '"]')].filter((b) => (b.type || '').toLowerCase() === 'submit') : [];
    const list = own.concat(outside);
    const b = list.find((e) => h.shown(e)) || list[0];
    if (!b) return { found: false };
    return { found: true, handle: h.keep(b), desc: h.describe(b) };
  },

  // confirmed: the confirmation a sent form waits for is there (ok, and
  // at: now, epoch ms) — a CSS selector that matches a visible element,
  // else text on the page; with none configured, the form is gone or hidden
  // (the page moved on).
  confirmed(arg) {
    const h = this.hands();
    const at = h.now();
    if (!arg.want) {
      const form = this.findForm(arg.selector);
      return { ok: !form || !h.shown(form), at };
    }
    try { if (h.all(arg.want).some((e) => h.shown(e))) return { ok: true, at }; } catch (e) {}
    return { ok: !!document.body && document.body.innerText.includes(arg.want), at };
  },
})
