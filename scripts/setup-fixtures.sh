#!/usr/bin/env bash
# Installs the fixture site's real third-party code (consent managers, chat
# widgets, a Start Bootstrap theme; internal/site/thirdparty/package.json,
# versions pinned in package-lock.json) with `npm ci`. The fixture serves it
# under /vendor/. Idempotent: skipped when node_modules was installed from the
# same package.json, package-lock.json and .npmrc. Needs Node.js and npm
# (installed from Debian when missing).
set -euo pipefail
cd "$(dirname "$0")/../internal/site/thirdparty"

if ! command -v npm >/dev/null 2>&1; then
  echo "setup-fixtures: installing nodejs and npm from Debian" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q nodejs npm
fi

stamp=node_modules/.touchprobe-installed
want="$(cat package.json package-lock.json .npmrc | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "setup-fixtures: npm ci in internal/site/thirdparty" >&2
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
