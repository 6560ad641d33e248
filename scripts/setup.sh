#!/usr/bin/env bash
# Installs what touchprobe and its tests need on a fresh Debian/Ubuntu
# machine (Debian's Chromium and Prometheus/promtool, fonts; for the deploy/
# tests systemd-analyze and kubectl) and builds bin/touchprobe.
# Idempotent: installs only what is missing. Needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }
need=()
[ -x /usr/lib/chromium/chromium ] || need+=(chromium)
have promtool && have prometheus || need+=(prometheus)
fc-list 2>/dev/null | grep -qi liberation || need+=(fonts-liberation)
have systemd-analyze || need+=(systemd)    # verifies deploy/systemd/touchprobe.service
have kubectl || need+=(kubernetes-client)  # renders deploy/kubernetes (kubectl kustomize)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from Debian" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  # A package this release lacks (kubernetes-client on some Ubuntus) is left
  # out here; the tests that need it then fail and say which tool is missing.
  found=()
  for p in "${need[@]}"; do
    if apt-cache show "$p" >/dev/null 2>&1; then found+=("$p"); else echo "setup: no package $p here" >&2; fi
  done
  need=("${found[@]}")
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
