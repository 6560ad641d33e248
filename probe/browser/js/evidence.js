// The visit's evidence as the page's own performance timeline tells it:
// long tasks (and the scripts behind long animation frames, to tell whose
// code blocked the page), and the largest contentful paint split into the
// parts Chrome defines (time to first byte, resource load delay, resource
// load duration, element render delay). It runs in the isolated world, so
// the page cannot see it; the timeline is the page's own.
({
  started: false,
  tasks: [],
  frames: [],
  lcp: null,

  init() {
    if (this.started) return true;
    this.started = true;
    const watch = (type, fn) => {
      try { new PerformanceObserver((l) => fn(l.getEntries())).observe({ type, buffered: true }); } catch (_) {}
    };
    watch('longtask', (es) => { for (const e of es) if (this.tasks.length < 1000) this.tasks.push({ t: e.startTime, d: e.duration }); });
    watch('long-animation-frame', (es) => {
      for (const e of es) {
        if (this.frames.length >= 300) break;
        const scripts = (e.scripts || []).map((s) => ({ url: s.sourceURL || '', d: s.duration || 0 })).filter((s) => s.d > 0);
        this.frames.push({ t: e.startTime, d: e.duration, blocking: e.blockingDuration || 0, scripts });
      }
    });
    watch('largest-contentful-paint', (es) => { if (es.length) this.lcp = es[es.length - 1]; });
    return true;
  },

  describe(el) {
    if (!el || !el.tagName) return '';
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    else if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.');
    return s.slice(0, 80);
  },

  // read returns what the timeline holds up to windowMs (page clock);
  // ttfbMs, when given, is the first byte as the visitor got it on an
  // emulated network (later than the page's own responseStart).
  read(arg) {
    const windowMs = arg.windowMs || 20000;
    const tasks = this.tasks.filter((t) => t.t < windowMs);
    const blocking = tasks.reduce((sum, t) => sum + Math.max(0, t.d - 50), 0);
    // Whose scripts ran in the long animation frames: by script URL.
    const byURL = {};
    for (const f of this.frames) {
      if (f.t >= windowMs) continue;
      for (const s of f.scripts) byURL[s.url] = (byURL[s.url] || 0) + s.d;
    }
    const nav = performance.getEntriesByType('navigation')[0];
    const ttfb = Math.max(nav ? nav.responseStart : 0, arg.ttfbMs || 0);
    let lcp = null;
    const e = this.lcp;
    if (e) {
      // As web-vitals' attribution does: each part clamped so that the
      // four add up to the LCP time.
      const t = e.startTime;
      const first = Math.min(ttfb, t);
      let reqStart = first, resEnd = first, bytes = 0;
      if (e.url) {
        const r = performance.getEntriesByName(e.url, 'resource')[0];
        if (r) {
          reqStart = Math.min(Math.max(first, r.requestStart || r.startTime), t);
          resEnd = Math.min(Math.max(reqStart, r.responseEnd || r.startTime + r.duration), t);
          bytes = r.encodedBodyLength || r.transferSize || 0;
        }
      }
      lcp = {
        ms: t, element: this.describe(e.element), url: e.url || '', size: e.size, bytes,
        ttfb: first, loadDelay: reqStart - first, loadTime: resEnd - reqStart, renderDelay: t - resEnd,
      };
    }
    return {
      longTasks: { count: tasks.length, blockingMs: blocking, longestMs: tasks.reduce((m, t) => Math.max(m, t.d), 0) },
      scriptMs: byURL,
      lcp,
    };
  },
})
