#!/usr/bin/env bash
# Installs what touchprobe needs on a fresh Debian/Ubuntu machine (Debian's
# Chromium and Prometheus/promtool, fonts) and builds bin/touchprobe.
# Idempotent: installs only what is missing. Needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/lib/chromium/chromium ] || need+=(chromium)
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
fc-list 2>/dev/null | grep -qi liberation || need+=(fonts-liberation)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from Debian" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  # Prometheus's recommends (node exporter etc.) are not needed here.
  $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" ||
    $SUDO apt-get install -y -q "${need[@]}"
fi

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then export PATH=$PATH:/usr/local/go/bin; else
    echo "setup: Go is missing: install Go >= 1.26 (https://go.dev/doc/install)" >&2; exit 1; fi
fi
# --- fixtures: the fixture site's third-party code from npm (internal/site/thirdparty) ---
scripts/setup-fixtures.sh
# --- end fixtures ---

mkdir -p bin
go build -o bin/touchprobe ./cmd/touchprobe
echo "setup: built bin/touchprobe ($(/usr/lib/chromium/chromium --version 2>/dev/null | head -1), $(promtool --version 2>&1 | head -1))" >&2
