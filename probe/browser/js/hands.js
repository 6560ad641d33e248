// The visitor's eyes in one document: finds elements as a visitor does (by
// CSS selector or by their visible text), checks that they can be acted on
// (attached, visible, stable, enabled, and the hit test at the click point
// lands on them), and reads how long the page took to answer an input
// (Event Timing). It runs in an isolated world: the page's scripts neither
// see nor disturb it, but the DOM, hit tests and the performance timeline
// are the page's own. Every function takes one JSON argument and returns
// plain data. Elements are kept by handle, never marked in the DOM.
({
  refs: new Map(),
  next: 1,
  // Layers other modules name (a consent layer, a chat panel): what covers
  // an element is reported with the layer's name.
  layers: new Map(),
  events: [],
  inputs: [],

  init() {
    if (this.started) return true;
    this.started = true;
    const take = (entries) => {
      for (const e of entries) {
        if (e.interactionId > 0 && this.events.length < 500) this.events.push({ t: e.startTime, d: e.duration, name: e.name, id: e.interactionId });
      }
    };
    try {
      this.observer = new PerformanceObserver((list) => take(list.getEntries()));
      this.observer.observe({ type: 'event', durationThreshold: 16, buffered: true });
      this.take = () => take(this.observer.takeRecords());
    } catch (_) {}
    // Below Event Timing's 16 ms threshold no entry comes: the next frame
    // after a trusted input, measured here, stands in.
    for (const type of ['pointerdown', 'keydown', 'click']) {
      addEventListener(type, (e) => {
        if (!e.isTrusted || this.inputs.length >= 500) return;
        const rec = { t: e.timeStamp, type, paint: 0 };
        this.inputs.push(rec);
        requestAnimationFrame(() => setTimeout(() => { rec.paint = performance.now(); }, 0));
      }, true);
    }
    return true;
  },

  now() { return performance.timeOrigin + performance.now(); },

  describe(e) {
    if (!e || !e.tagName) return String(e && e.nodeName || 'nothing').toLowerCase();
    let s = e.tagName.toLowerCase();
    if (e.id) s += '#' + e.id;
    else if (typeof e.className === 'string' && e.className.trim()) s += '.' + e.className.trim().split(/\s+/).slice(0, 2).join('.');
    const text = (e.innerText || e.value || e.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim();
    if (text) s += ' "' + text.slice(0, 40) + '"';
    return s.slice(0, 120);
  },

  // all returns the elements matching a CSS selector, in open shadow roots too.
  all(css, root) {
    const out = [];
    const visit = (r) => {
      out.push(...r.querySelectorAll(css));
      for (const h of r.querySelectorAll('*')) if (h.shadowRoot) visit(h.shadowRoot);
    };
    visit(root || document);
    return out;
  },

  shown(e) {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && e.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  },

  text(e) {
    return (e.innerText || e.textContent || e.value || e.getAttribute('aria-label') || e.title || '').replace(/\s+/g, ' ').trim();
  },

  // find locates elements: {css} or {text} (a link, a button or a
  // role=button whose visible text or label is the text, case and spaces
  // ignored; an exact match wins over one that starts with it), the nth
  // (0-based) of the visible ones first. It returns a handle.
  find(arg) {
    let list = [];
    try {
      if (arg.css) list = this.all(arg.css);
      else if (arg.text) {
        const want = arg.text.replace(/\s+/g, ' ').trim().toLowerCase();
        const cands = this.all('a, button, [role=button], [role=link], [role=tab], [role=menuitem], input[type=button], input[type=submit], summary, label');
        const exact = cands.filter((e) => this.text(e).toLowerCase() === want);
        list = exact.length ? exact : cands.filter((e) => this.text(e).toLowerCase().startsWith(want));
      }
    } catch (err) {
      return { found: false, error: String(err.message || err) };
    }
    const visible = list.filter((e) => this.shown(e));
    const ordered = visible.concat(list.filter((e) => !visible.includes(e)));
    const el = ordered[arg.nth || 0];
    if (!el) return { found: false, count: list.length };
    return { found: true, handle: this.keep(el), count: list.length, desc: this.describe(el), visible: visible.includes(el) };
  },

  keep(el) {
    for (const [h, e] of this.refs) if (e === el) return h;
    const h = this.next++;
    this.refs.set(h, el);
    return h;
  },

  el(h) { return this.refs.get(h) || null; },

  // layerOf names the registered layer an element belongs to.
  layerOf(e) {
    for (let x = e; x; x = x.parentElement || (x.parentNode && x.parentNode.host) || null) {
      const name = this.layers.get(x);
      if (name) return name;
    }
    return '';
  },

  markLayer(arg) {
    const e = this.el(arg.handle);
    if (e) this.layers.set(e, arg.name);
    return !!e;
  },

  frames2() { return new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res))); },

  // hitAt is the element a click at (x, y) of this document reaches, into
  // open shadow roots.
  hitAt(x, y) {
    let hit = document.elementFromPoint(x, y);
    while (hit && hit.shadowRoot) {
      const inner = hit.shadowRoot.elementFromPoint(x, y);
      if (!inner || inner === hit) break;
      hit = inner;
    }
    return hit;
  },

  receives(el, hit) {
    if (!hit) return false;
    if (hit === el || el.contains(hit)) return true;
    if (el.shadowRoot && el.shadowRoot.contains(hit)) return true;
    // A click on a field's label focuses the field.
    if (el.labels && [...el.labels].some((l) => l === hit || l.contains(hit))) return true;
    // A click inside a composed child (an element in el's shadow tree).
    for (let x = hit; x; x = x.parentElement || (x.parentNode && x.parentNode.host) || null) if (x === el) return true;
    return false;
  },

  disabledWhy(el) {
    if (el.disabled) return 'disabled';
    if (el.closest && el.closest('fieldset[disabled]')) return 'in a disabled fieldset';
    if (el.getAttribute('aria-disabled') === 'true') return 'aria-disabled';
    if (el.closest && el.closest('[inert]')) return 'inert';
    return '';
  },

  // check scrolls the element into view (script scrolling is not input:
  // it does not end the page's LCP) and tells whether a visitor could act
  // on it now. The point is in this document's viewport.
  async check(arg) {
    const el = this.el(arg.handle);
    const t = this.now();
    if (!el || !el.isConnected) return { ok: false, problem: 'detached', detail: 'the element is no longer on the page', at: t };
    if (!this.shown(el)) return { ok: false, problem: 'hidden', detail: this.describe(el) + ' is not visible', at: t };
    if (arg.scroll !== false) {
      const r = el.getBoundingClientRect();
      if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
    }
    const r1 = el.getBoundingClientRect();
    await this.frames2();
    if (!el.isConnected) return { ok: false, problem: 'detached', detail: 'the element went away', at: t };
    const r2 = el.getBoundingClientRect();
    if (Math.abs(r1.x - r2.x) > 1 || Math.abs(r1.y - r2.y) > 1 || Math.abs(r1.width - r2.width) > 1 || Math.abs(r1.height - r2.height) > 1)
      return { ok: false, problem: 'moving', detail: this.describe(el) + ' is still moving', at: t };
    const why = this.disabledWhy(el);
    if (why) return { ok: false, problem: 'disabled', detail: this.describe(el) + ' is ' + why, at: t };
    // The click point: the middle of the part of the element in view.
    const left = Math.max(r2.left, 0), right = Math.min(r2.right, innerWidth);
    const top = Math.max(r2.top, 0), bottom = Math.min(r2.bottom, innerHeight);
    if (right - left < 1 || bottom - top < 1) return { ok: false, problem: 'outside', detail: this.describe(el) + ' is outside the viewport', at: t };
    const x = (left + right) / 2, y = (top + bottom) / 2;
    const hit = this.hitAt(x, y);
    if (!this.receives(el, hit)) {
      return { ok: false, problem: 'covered', detail: this.describe(el) + ' is covered by ' + this.describe(hit), coveredBy: this.describe(hit), layer: hit ? this.layerOf(hit) : '', x, y, at: t };
    }
    return { ok: true, x, y, w: r2.width, h: r2.height, at: t };
  },

  // ownerBox is the content box of an <iframe> element (its frame's
  // viewport origin in this document) and whether a click at the frame's
  // point (lx, ly) would reach the frame here. Called on the element.
  ownerBox(f, arg) {
    const r = f.getBoundingClientRect();
    const cs = getComputedStyle(f);
    const ox = r.left + f.clientLeft + parseFloat(cs.paddingLeft || '0');
    const oy = r.top + f.clientTop + parseFloat(cs.paddingTop || '0');
    const out = { ok: true, x: ox, y: oy };
    if (arg && arg.lx !== undefined) {
      const hit = this.hitAt(ox + arg.lx, oy + arg.ly);
      if (hit !== f) {
        out.ok = false;
        out.problem = 'covered';
        out.coveredBy = this.describe(hit);
        out.layer = hit ? this.layerOf(hit) : '';
        out.detail = 'the frame ' + this.describe(f) + ' is covered by ' + this.describe(hit);
      }
    }
    return out;
  },
  scrollOwner(f) {
    const r = f.getBoundingClientRect();
    if (r.top < 0 || r.bottom > innerHeight || r.left < 0 || r.right > innerWidth) f.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
    return true;
  },

  focused(arg) {
    const el = this.el(arg.handle);
    if (!el) return false;
    const a = el.getRootNode().activeElement || document.activeElement;
    return a === el || el.contains(a);
  },

  // value reads what a field holds (a contenteditable's text).
  value(arg) {
    const el = this.el(arg.handle);
    if (!el) return null;
    if (el.isContentEditable) return el.innerText;
    if (el.tagName === 'SELECT') { const o = el.selectedOptions[0]; return o ? o.text.trim() : ''; }
    return el.value === undefined ? null : String(el.value);
  },

  options(arg) {
    const el = this.el(arg.handle);
    if (!el || el.tagName !== 'SELECT') return null;
    return { options: [...el.options].map((o) => o.text.trim()), selected: el.selectedIndex };
  },

  clock() { return { now: performance.now(), origin: performance.timeOrigin }; },

  // interaction reports the input-to-next-paint time of the gesture that
  // started at or after `since` (this document's clock, ms). One gesture
  // is several events (pointerdown, then click a CDP round trip later);
  // like INP it lasts as long as its slowest event, so it is known only
  // when every one of them has painted and Event Timing, which reports
  // events of 16 ms or more a little after their paint, has had its say.
  // Each event counts by its Event Timing duration, else (under 16 ms, no
  // entry) by the next frame after it as seen here.
  interaction(arg) {
    if (this.take) this.take();
    // until (optional): a later input's clock; its events are not this one's.
    const since = arg.since - 1, until = arg.until || Infinity;
    const entries = this.events.filter((e) => e.t >= since && e.t < until);
    const recs = this.inputs.filter((r) => r.t >= since && r.t < until);
    const entryOf = (r) => entries.find((e) => e.name === r.type && Math.abs(e.t - r.t) < 1);
    let ms = -1, by = '';
    for (const r of recs) {
      if (!r.paint) return { found: false, pending: true };
      const e = entryOf(r);
      const frame = Math.max(0, r.paint - r.t);
      if (!e && frame >= 16 && performance.now() - r.paint < 500) return { found: false, pending: true };
      const d = e ? e.d : frame;
      if (d > ms) { ms = d; by = e ? 'event-timing' : 'next-frame'; }
    }
    // Entries of events the listeners above did not see (pointerup, keyup).
    for (const e of entries) {
      if (e.d > ms) { ms = e.d; by = 'event-timing'; }
    }
    if (ms < 0) return { found: false };
    return { found: true, ms, by };
  },
})
