#!/usr/bin/env bash
# The project's test command (README): provisions what the tests need on a
# fresh Debian machine (Docker engine, compose v2, shellcheck, the offline
# e2e images; each step is skipped when already done), then runs gofmt,
# go vet and every test, the end-to-end test against a real engine included.
# On a machine without root or apt, use `go test ./...` (checks that need
# tools then skip, loudly).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

./e2e/provision.sh

echo "==> gofmt"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  printf 'gofmt needed on:\n%s\n' "$unformatted" >&2
  exit 1
fi
echo "==> go vet"
go vet ./...
echo "==> go test"
# Tools and the e2e engine are required here: nothing may skip. The e2e
# package brings up about a dozen labs one after another (30-35 minutes on
# a loaded 2-core machine), hence the timeout.
SWARMGEN_REQUIRE_TOOLS=1 SWARMGEN_REQUIRE_E2E=1 go test -count=1 -timeout 70m "$@" ./...
