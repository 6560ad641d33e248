#!/usr/bin/env bash
# Runs every test: installs what the tests drive (Debian's Chromium,
# Prometheus, systemd-analyze, kubectl) when missing, then gofmt, vet and the
# whole suite against the real browser and the real Prometheus. Packages run
# one at a time (-p 1): they each start Chromium, and the machine may have
# two cores. internal/testreport prints what each package ran, passed,
# failed and skipped, and fails the run on a failure or on a skip whose
# reason is not on its allow-list (a missing tool is not a reason).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
command -v go >/dev/null 2>&1 || export PATH=$PATH:/usr/local/go/bin
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt: $unformatted" >&2; exit 1; fi
go vet ./...
report=$(mktemp -d)
trap 'rm -rf "$report"' EXIT
go build -o "$report/testreport" ./internal/testreport
go test -json -count=1 -p 1 -timeout 70m "$@" ./... 2>&1 | "$report/testreport"
