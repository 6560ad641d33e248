#!/usr/bin/env bash
# Runs every test: installs what the tests drive (Debian's Chromium and
# Prometheus) when missing, then vet and the whole suite against the real
# browser and the real Prometheus. Packages run one at a time (-p 1): they
# each start Chromium, and the machine may have two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
command -v go >/dev/null 2>&1 || export PATH=$PATH:/usr/local/go/bin
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt: $unformatted" >&2; exit 1; fi
go vet ./...
go test -count=1 -p 1 -timeout 70m "$@" ./...
