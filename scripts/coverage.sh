#!/usr/bin/env bash
# `npm run coverage`: the suite with tap's coverage report (off in `npm test` and CI, issue #19).
# Tests run under tsx (package.json "tap"."node-arg"); tsx writes the original TypeScript into its
# source maps only when NODE_V8_COVERAGE is set, and without it the report maps every file to one
# line. Node also writes its own raw coverage there: a temporary folder, removed afterwards.
# Extra arguments go to tap, e.g. `npm run coverage -- conformance/checks/framework.test.ts`.
set -euo pipefail
cd "$(dirname "$0")/.."
raw="$(mktemp -d "${TMPDIR:-/tmp}/skillgate-v8-coverage.XXXXXX")"
trap 'rm -rf "$raw"' EXIT
NODE_V8_COVERAGE="$raw" npx tap --no-disable-coverage "$@"
