// Lighthouse on the same page and the same Chromium. Usage:
//   node lighthouse.mjs fresh|reused|mobile URL N
// fresh: Chromium started per run (what the `lighthouse` CLI does);
// reused: one Chromium, N runs against it. Throttling is "provided" (none
// added), performance category only, desktop screen at touchprobe's size.
// mobile: one Chromium, N runs with Lighthouse's own mobile preset (the moto
// g power on slow 4G, CPU 4x) applied with --throttling-method=devtools,
// the way touchprobe's mobile profile applies it.
// Prints one JSON line per run: wall_ms, fcp_ms, lcp_ms from the audits.
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { executablePath, flags, width, height, emit } from './chromium.mjs';

const [mode, url, nArg] = process.argv.slice(2);
const n = Number(nArg) || 3;

const launch = () => chromeLauncher.launch({ chromePath: executablePath, chromeFlags: flags, logLevel: 'silent' });
const config = {
  extends: 'lighthouse:default',
  settings: {
    onlyCategories: ['performance'],
    throttlingMethod: 'provided',
    formFactor: 'desktop',
    screenEmulation: { mobile: false, width, height, deviceScaleFactor: 1, disabled: false },
  },
};

// Lighthouse's default settings are its mobile preset; devtools applies
// the throttling through the protocol instead of simulating it.
const mobileConfig = { extends: 'lighthouse:default', settings: { onlyCategories: ['performance'], throttlingMethod: 'devtools' } };

async function run(port) {
  const res = await lighthouse(url, { port, output: 'json', logLevel: 'error' }, mode === 'mobile' ? mobileConfig : config);
  const a = res.lhr.audits;
  if (res.lhr.runtimeError) throw new Error(res.lhr.runtimeError.message);
  return {
    fcp_ms: a['first-contentful-paint'].numericValue,
    lcp_ms: a['largest-contentful-paint'].numericValue,
  };
}

if (mode === 'fresh') {
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const chrome = await launch();
    try {
      const r = await run(chrome.port);
      emit({ wall_ms: performance.now() - start, ...r });
    } finally {
      await chrome.kill();
    }
  }
} else {
  const chrome = await launch();
  try {
    await run(chrome.port); // first run warms Lighthouse and the browser, off the books
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      const r = await run(chrome.port);
      emit({ wall_ms: performance.now() - start, ...r });
    }
  } finally {
    await chrome.kill();
  }
}
