// The Chromium both peers drive: the Debian package, with the flags this
// machine needs (root, no network beyond loopback). Neither peer downloads a
// browser of its own.
export const executablePath = process.env.TOUCHPROBE_CHROMIUM || '/usr/lib/chromium/chromium';

export const flags = [
  '--no-sandbox',
  '--headless=new',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

// The window touchprobe uses, so the largest element is the same one.
export const width = 1280;
export const height = 720;

// emit prints one measured visit as a JSON line for the Go side.
export function emit(v) {
  process.stdout.write(JSON.stringify(v) + '\n');
}
