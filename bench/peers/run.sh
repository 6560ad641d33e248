#!/usr/bin/env bash
# The issue-7 benchmark in one command: installs the peers (Playwright,
# Lighthouse; pinned in package.json and package-lock.json) and runs
# TestPeers, which measures touchprobe, Playwright and Lighthouse on the
# fixture site with the Debian Chromium. Environment:
#   PEERS_N=10              visits per row (Lighthouse: PEERS_LIGHTHOUSE_N=3 runs)
#   PEERS_QUIET_MS=1000     Playwright's "LCP is final" quiet period
#   TOUCHPROBE_CHROMIUM     the browser (default /usr/lib/chromium/chromium)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$PATH:/usr/local/go/bin"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	apt-get update && apt-get install -y nodejs npm
fi
chromium="${TOUCHPROBE_CHROMIUM:-/usr/lib/chromium/chromium}"
[ -x "$chromium" ] || { echo "no Chromium at $chromium (apt-get install -y chromium)" >&2; exit 2; }

# Neither peer may fetch a browser of its own: both drive $chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1
(cd "$here" && npm install --no-audit --no-fund)

echo "PEERS machine: $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "PEERS versions: $("$chromium" --version), node $(node --version), playwright-core $(node -p "require('$here/node_modules/playwright-core/package.json').version"), lighthouse $(node -p "require('$here/node_modules/lighthouse/package.json').version"), $(go version | cut -d' ' -f3), $(date -u +%F)"
cd "$root"
TOUCHPROBE_PEERS=1 go test ./bench/peers -run '^TestPeers$' -count=1 -v -timeout 60m "$@"
