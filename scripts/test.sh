#!/usr/bin/env bash
# `npm test`: lint, then the whole suite compiled (issue #19). tsc type-checks every module and
# writes its JavaScript into dist-test/ (the same pass `npm run lint` makes without writing);
# scripts/test-tree.ts links the rest of the package beside it; tap runs dist-test/**/*.test.js
# with plain Node and source maps, so stack traces name the .ts lines.
#
# Why compiled: tsx's loader hooks cost every test process start-up time (on Node 20 they run on
# a thread of their own); without them the suite took about 27 s less and 45 fewer CPU-seconds
# (README, "What the suite costs"). The tsc pass is the type check lint needs anyway.
# scripts/tap-child-env.js keeps tap's own process-tracking hooks out of the tests' children.
# `npx tap some.test.ts` still runs one file from source under tsx (package.json "tap").
#
# Arguments go to tap; test files may be named by their source path (gateway/app.test.ts), e.g.
# `npm test -- gateway/app.test.ts` or `npm test -- --jobs=1`.
set -euo pipefail
cd "$(dirname "$0")/.."
# eslint and tsc side by side (each mostly one core): about 10 s less than one after the other.
rm -rf dist-test
npx eslint . &
eslint_pid=$!
tsc_status=0
npx tsc -p tsconfig.test.json || tsc_status=$?
wait "$eslint_pid" || { echo "test: eslint failed" >&2; exit 1; }
[ "$tsc_status" -eq 0 ] || { echo "test: tsc failed (type errors above)" >&2; exit "$tsc_status"; }
node --import tsx scripts/test-tree.ts
args=()
for a in "$@"; do
  if [[ "$a" != -* && "$a" == *.ts && -f "$a" ]]; then args+=("dist-test/${a%.ts}.js"); else args+=("$a"); fi
done
exec npx tap --node-arg=--enable-source-maps --node-arg=--import=./scripts/tap-child-env.js --include='dist-test/**/*.test.js' \
  --exclude='dist-test/node_modules/**' --exclude='dist-test/dist/**' --exclude='dist/**' --exclude='node_modules/**' \
  "${args[@]}"
