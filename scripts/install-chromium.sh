#!/usr/bin/env bash
# Debian's Chromium and a Korean font for the agent inbox browser tests (tests/web/test_agent_browser.py
# drives /usr/bin/chromium with Playwright; never `playwright install`). Without a Korean font every
# Hangul character in a screenshot is an empty box, so the test checks that one is installed.
# Idempotent and quiet on success.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
FONT_PACKAGE=fonts-nanum

have_korean_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ko family 2>/dev/null)" ]
}

if [ -x "$CHROMIUM" ] && have_korean_font; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium "$FONT_PACKAGE" fontconfig >/dev/null
  if [ -x "$CHROMIUM" ] && have_korean_font; then
    exit 0
  fi
  echo "install-chromium: apt-get ran but $CHROMIUM or a Korean font ($FONT_PACKAGE) is still missing" >&2
  exit 1
fi

cat >&2 <<MSG
install-chromium: $CHROMIUM or a Korean font is missing; the agent inbox browser tests need both.
Install them as root, then run the tests again:
    sudo apt-get update && sudo apt-get install -y chromium $FONT_PACKAGE
(Playwright drives Chromium through its executable path; do not run 'playwright install'.)
MSG
exit 1
