#!/usr/bin/env bash
# Installs the tests' npm packages with `npm ci` (versions pinned in each
# package-lock.json): the fixture site's real third-party code (consent
# managers, chat widgets, a Start Bootstrap theme; internal/site/thirdparty,
# served under /vendor/) and the independent HAR reader (internal/harcheck).
# Idempotent: a folder is skipped when its node_modules was installed from
# the same package.json, package-lock.json and .npmrc. Needs Node.js and npm
# (installed from Debian when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "setup-fixtures: installing nodejs and npm from Debian" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q nodejs npm
fi

install() {
  (
    cd "$1"
    stamp=node_modules/.touchprobe-installed
    want="$(cat package.json package-lock.json .npmrc | sha256sum | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
      exit 0
    fi
    echo "setup-fixtures: npm ci in $1" >&2
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  )
}
install internal/site/thirdparty
install internal/harcheck
