// Playwright as a user would write the same measurement: load the page, wait
// until its largest contentful paint is final, read paint and LCP entries in
// the page. Usage:
//   node playwright.mjs reused|fresh quiet|element URL N
// reused: one browser, a new context per visit; fresh: a browser per visit.
// quiet: after load, wait until no paint/LCP entry has come for QUIET ms
// (PEERS_QUIET_MS, default 1000), the generic way; element: wait for the
// page's hero (#hero), which needs knowledge of the page.
// Prints one JSON line per visit: wall_ms, fcp_ms, lcp_ms and the fixture's
// own marks (ms, page clock).
import { chromium } from 'playwright-core';
import { executablePath, flags, width, height, emit } from './chromium.mjs';

const [mode, strategy, url, nArg] = process.argv.slice(2);
const n = Number(nArg) || 10;
const quiet = Number(process.env.PEERS_QUIET_MS) || 1000;
const launch = () => chromium.launch({ executablePath, args: flags, headless: true });

// paints runs in the page: it resolves with FCP, LCP and the fixture's marks
// once no entry has arrived for quietMs (0: after two frames, for entries
// already on their way).
function paints(quietMs) {
  return new Promise((resolve) => {
    const out = { fcp_ms: 0, lcp_ms: 0 };
    let last = performance.now();
    const seen = (list) => {
      for (const e of list.getEntries()) {
        if (e.entryType === 'paint' && e.name === 'first-contentful-paint') out.fcp_ms = e.startTime;
        if (e.entryType === 'largest-contentful-paint') out.lcp_ms = e.renderTime || e.startTime;
      }
      last = performance.now();
    };
    new PerformanceObserver(seen).observe({ type: 'paint', buffered: true });
    new PerformanceObserver(seen).observe({ type: 'largest-contentful-paint', buffered: true });
    const done = () => {
      out.marks = Object.fromEntries(performance.getEntriesByType('mark')
        .filter((m) => m.name.startsWith('fx-')).map((m) => [m.name.slice(3), m.startTime]));
      resolve(out);
    };
    const capAt = performance.now() + 20000; // the first impression's window
    const tick = () => {
      const now = performance.now();
      if (now - last >= quietMs || now > capAt) done();
      else setTimeout(tick, 50);
    };
    if (quietMs > 0) setTimeout(tick, 50);
    else requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0)));
  });
}

async function visit(browser) {
  const ctx = await browser.newContext({ viewport: { width, height } });
  try {
    const page = await ctx.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: 30000 });
    if (strategy === 'element') {
      await page.waitForSelector('#hero', { timeout: 20000 });
      return await page.evaluate(paints, 0);
    }
    return await page.evaluate(paints, quiet);
  } finally {
    await ctx.close();
  }
}

if (mode === 'fresh') {
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const browser = await launch();
    const r = await visit(browser);
    await browser.close();
    emit({ wall_ms: performance.now() - start, ...r });
  }
} else {
  const browser = await launch();
  await visit(browser); // browser start and first page, off the books
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const r = await visit(browser);
    emit({ wall_ms: performance.now() - start, ...r });
  }
  await browser.close();
}
