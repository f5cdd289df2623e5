#!/usr/bin/env bash
# System packages the tests use: Debian's ffmpeg (real ffprobe for MPEG-TS/HLS and MP4) and
# Chromium (the HTML report and console are opened in a real browser). Idempotent; needs root
# (or sudo) only when something is missing. Node packages come from `npm ci`.
set -euo pipefail
missing=()
command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# A CJK font, so report and console screenshots show Chinese rather than empty boxes.
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: ffprobe, chromium and a CJK font present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup-system: installing ${missing[*]} from Debian's packages"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
