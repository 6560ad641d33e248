// Installed before any page script runs (Page.addScriptToEvaluateOnNewDocument).
// It records paint, LCP and layout shifts for the main frame, and tells the
// monitor when the page has gone quiet so that a fast page does not cost the
// whole window. Nothing here waits for input to finalise LCP: the monitor
// reads the buffers itself.
(() => {
  if (window.__touchprobe) return;
  const ns = {};
  Object.defineProperty(window, '__touchprobe', { value: ns, enumerable: false });
  if (window.top !== window) return; // only the main frame is measured
  const cfg = __TOUCHPROBE_CONFIG__;
  const notify = window[cfg.binding];
  try { delete window[cfg.binding]; } catch (e) {}
  const now = () => performance.now();
  const origSetTimeout = window.setTimeout, origClearTimeout = window.clearTimeout;
  const setT = (f, d) => origSetTimeout.call(window, f, d);
  const clearT = (id) => origClearTimeout.call(window, id);

  let last = 0;                 // page clock (ms) of the last visible activity
  const pending = new Map();    // timers that may still change the page → when they are due
  let gen = 0;                  // timer chain depth of the running callback
  let quiet = false, quietTimer = 0, scheduled = false;
  const send = (m) => { try { notify(JSON.stringify(Object.assign({ quiet }, m))); } catch (e) {} };

  const evaluate = () => {
    scheduled = false;
    if (quietTimer) { clearT(quietTimer); quietTimer = 0; }
    const busy = document.readyState !== 'complete' || pending.size > 0;
    const wait = busy ? Infinity : last + cfg.quietMs - now();
    if (wait > 0) {
      if (quiet) { quiet = false; send({ quiet: false, t: now() }); }
      if (wait !== Infinity) quietTimer = setT(evaluate, wait);
      return;
    }
    if (!quiet) { quiet = true; send({ quiet: true, t: now(), last: last }); }
  };
  const schedule = () => {
    if (!scheduled) { scheduled = true; queueMicrotask(evaluate); }
  };
  const activity = () => { last = now(); schedule(); };
  ns.activity = activity;

  // Timers: a page that sets content with setTimeout is not quiet until the
  // timer fired. Intervals and long self-re-arming chains (pollers,
  // carousels) are not waited for, or a busy page would never settle.
  window.setTimeout = function (fn, delay, ...args) {
    if (typeof fn !== 'function') return origSetTimeout.call(window, fn, delay, ...args);
    const g = gen + 1;
    const tracked = g <= cfg.maxTimerChain && (+delay || 0) <= cfg.windowMs;
    let id = 0;
    id = origSetTimeout.call(window, function () {
      if (tracked && pending.delete(id)) activity();
      const prev = gen;
      gen = g;
      try { return fn.apply(this, args); } finally { gen = prev; }
    }, delay);
    if (tracked) { pending.set(id, now() + (+delay || 0)); schedule(); }
    return id;
  };
  window.clearTimeout = function (id) {
    if (pending.delete(id)) schedule();
    return origClearTimeout.call(window, id);
  };

  const lcp = [];
  let cls = 0, sess = 0, sessStart = -1, sessLast = -1;
  const describe = (el) => {
    if (!el || !el.tagName) return '';
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    else if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.');
    return s.slice(0, 80);
  };
  const onLCP = (es) => {
    for (const e of es) lcp.push({ t: e.startTime, size: e.size, el: describe(e.element) });
    if (es.length) { lcpAt = now(); activity(); scheduleStill(); }
  };
  // still: the largest paint is final enough to start acting — the DOM is
  // parsed, no new LCP candidate came for a second, no picture in view is
  // still loading, and no timer of the page is due within soonMs. The visitor's first input ends LCP, so the checks
  // wait for this (or for quiet) before they touch the page.
  let lcpAt = -1, still = false, stillTimer = 0;
  const loadingInView = () => {
    for (const img of document.images) {
      if (img.complete) continue;
      const r = img.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth) return true;
    }
    return false;
  };
  const checkStill = () => {
    stillTimer = 0;
    if (still) return;
    let wait = lcpAt < 0 ? 1000 : lcpAt + cfg.stillMs - now();
    // A timer due soon may still put up the hero (a script that shows it
    // 1.5 s in): wait for it, so that no input cuts LCP short.
    for (const due of pending.values()) if (due - now() < cfg.soonMs) wait = Math.max(wait, due - now() + 50);
    if (document.readyState === 'loading' || lcpAt < 0 || wait > 0 || loadingInView()) { scheduleStill(Math.max(wait, 100)); return; }
    still = true;
    send({ still: true, t: now() });
  };
  function scheduleStill(d) { if (!still && !stillTimer) stillTimer = setT(checkStill, d || cfg.stillMs); }
  const onShift = (es) => {
    for (const e of es) {
      if (e.hadRecentInput) continue;
      if (sessStart >= 0 && e.startTime - sessLast < 1000 && e.startTime - sessStart < 5000) sess += e.value;
      else { sess = e.value; sessStart = e.startTime; }
      sessLast = e.startTime;
      if (sess > cls) cls = sess;
    }
    if (es.length) activity();
  };
  const observers = [];
  const observe = (type, fn) => {
    try {
      const o = new PerformanceObserver((l) => fn(l.getEntries()));
      o.observe({ type, buffered: true });
      observers.push([o, fn]);
    } catch (e) {}
  };
  observe('largest-contentful-paint', onLCP);
  observe('layout-shift', onShift);
  observe('paint', (es) => { if (es.length) activity(); });
  observe('resource', (es) => { if (es.length) activity(); });
  new MutationObserver(activity).observe(document, { childList: true, subtree: true, characterData: true });
  document.addEventListener('readystatechange', schedule);
  window.addEventListener('load', () => setT(schedule, 0));

  ns.read = () => {
    for (const [o, fn] of observers) { const r = o.takeRecords(); if (r.length) fn(r); }
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = {};
    for (const p of performance.getEntriesByType('paint')) paint[p.name] = p.startTime;
    const l = lcp.length ? lcp[lcp.length - 1] : null;
    const pos = (v) => (typeof v === 'number' && v > 0 ? v : null);
    return {
      timeOrigin: performance.timeOrigin, now: now(), url: location.href, readyState: document.readyState,
      ttfb: nav ? pos(nav.responseStart) : null,
      dcl: nav ? pos(nav.domContentLoadedEventStart) : null,
      load: nav ? pos(nav.loadEventStart) : null,
      fp: pos(paint['first-paint']), fcp: pos(paint['first-contentful-paint']),
      lcp: l ? l.t : null, lcpSize: l ? l.size : 0, lcpElement: l ? l.el : '',
      cls: cls, lastActivity: last, pendingTimers: pending.size,
    };
  };
})();
