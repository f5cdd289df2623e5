#!/usr/bin/env bash
# The package as a user gets it (issue #19): pack skillgate, install the tarball with --omit=dev
# into an empty folder, start the installed `skillgate fixtures serve on-demand` on a loopback port
# and run the installed `skillgate probe` against it. Passes when the probe finishes with exit 0
# (conformant) or 1 (not conformant) and wrote a JSON report. Not a tap test: it installs the
# dependencies from the npm registry and compiles better-sqlite3, about two minutes.
#
# It packs a copy of the working tree (tracked and untracked, not ignored files), so the tree's own
# dist/ is left alone: `npm pack` there cleans dist/ (prepack) and rebuilds it (prepare).
# Usage: scripts/pack-smoke.sh [--keep]   (--keep leaves the temporary folder for a look)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
keep="${1:-}"
work="$(mktemp -d "${TMPDIR:-/tmp}/skillgate-pack-smoke.XXXXXX")"
server_pid=""

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$keep" = "--keep" ]; then echo "pack-smoke: left $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "pack-smoke: FAIL: $*" >&2; exit 1; }
step() { echo "pack-smoke: $*"; }

step "packing a copy of $root"
src="$work/src"
mkdir -p "$src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard) \
  | (cd "$root" && tar --null --ignore-failed-read -T - -cf - 2>/dev/null) \
  | tar -xf - -C "$src"
ln -s "$root/node_modules" "$src/node_modules"
(cd "$src" && npm pack --pack-destination "$work" >"$work/pack.log" 2>&1) || { cat "$work/pack.log" >&2; fail "npm pack"; }
tarball="$(ls "$work"/skillgate-*.tgz)"
step "packed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB, $(tar -tzf "$tarball" | wc -l) files)"

step "installing it with --omit=dev into an empty folder"
app="$work/app"
mkdir -p "$app"
# A consumer project must allow the native builds itself: npm runs no dependency's install script
# unless the root package.json's allowScripts names it.
cat >"$app/package.json" <<'JSON'
{
  "name": "skillgate-pack-smoke",
  "private": true,
  "allowScripts": { "better-sqlite3": true, "@ffprobe-installer/linux-x64": true }
}
JSON
(cd "$app" && npm install --omit=dev --no-audit --no-fund "$tarball" >"$work/install.log" 2>&1) \
  || { tail -40 "$work/install.log" >&2; fail "npm install --omit=dev of the tarball"; }
skillgate="$app/node_modules/.bin/skillgate"
[ -x "$skillgate" ] || fail "the package installed no skillgate bin"
[ ! -e "$app/node_modules/tap" ] || fail "a devDependency (tap) was installed"

step "starting the installed skillgate fixtures serve on-demand on 127.0.0.1"
SKILLGATE_FIXTURE_SECRET="$(node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('base64url'))")"
export SKILLGATE_FIXTURE_SECRET
(cd "$app" && exec "$skillgate" fixtures serve on-demand --host 127.0.0.1 >"$work/serve.out" 2>"$work/serve.err") &
server_pid=$!
base_url=""
for _ in $(seq 1 600); do
  base_url="$(sed -n 's/^base URL: //p' "$work/serve.out")"
  [ -n "$base_url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.out" "$work/serve.err" >&2; fail "skillgate fixtures serve exited before listening"; }
  sleep 0.5
done
[ -n "$base_url" ] || { cat "$work/serve.err" >&2; fail "skillgate fixtures serve did not print its base URL within 300 s"; }
case "$base_url" in http://127.0.0.1:*) ;; *) fail "the platform is not on loopback: $base_url" ;; esac
step "reference platform at $base_url"

step "running the installed skillgate probe against it"
set +e
(cd "$app" && "$skillgate" probe "$base_url" --kind on-demand --key-id fixture-key-1 \
  --secret-env SKILLGATE_FIXTURE_SECRET --out "$work/report" --sample 5 >"$work/probe.out" 2>"$work/probe.err")
probe_exit=$?
set -e
head -3 "$work/probe.out"
[ "$probe_exit" -eq 0 ] || [ "$probe_exit" -eq 1 ] || { cat "$work/probe.out" "$work/probe.err" >&2; fail "skillgate probe exited $probe_exit (0 or 1 expected)"; }
report="$(sed -n 's/^report (json): //p' "$work/probe.out")"
[ -n "$report" ] && [ -s "$report" ] || fail "skillgate probe wrote no JSON report"
verdict="$(node -e "const r = JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8')); if (!r.verdict || !Array.isArray(r.results) || r.results.length === 0) process.exit(1); process.stdout.write(r.verdict + ', ' + r.results.length + ' results')" "$report")" \
  || fail "the JSON report has no verdict or no results"
step "PASS: probe exit $probe_exit, report $verdict"
