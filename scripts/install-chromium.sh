#!/usr/bin/env bash
# Debian's Chromium and a Korean font for the agent inbox browser tests (tests/web/test_agent_browser.py
# drives /usr/bin/chromium with Playwright; never `playwright install`). Without a Korean font every
# Hangul character in a screenshot is an empty box, so the test checks that one is installed.
# Also Graphviz (`dot`), which `cs-bot graph` and the inbox's 통계 page draw the guides with; the same
# Korean font serves the report's matplotlib charts.
# Idempotent and quiet on success.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
FONT_PACKAGE=fonts-nanum

have_korean_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ko family 2>/dev/null)" ]
}

ready() {
  [ -x "$CHROMIUM" ] && have_korean_font && command -v dot >/dev/null 2>&1
}

if ready; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium "$FONT_PACKAGE" fontconfig graphviz >/dev/null
  if ready; then
    exit 0
  fi
  echo "install-chromium: apt-get ran but $CHROMIUM, a Korean font ($FONT_PACKAGE) or graphviz is still missing" >&2
  exit 1
fi

cat >&2 <<MSG
install-chromium: $CHROMIUM, a Korean font or graphviz is missing; the agent inbox browser tests need
the first two, cs-bot graph the last. Install them as root, then run the tests again:
    sudo apt-get update && sudo apt-get install -y chromium $FONT_PACKAGE graphviz
(Playwright drives Chromium through its executable path; do not run 'playwright install'.)
MSG
exit 1
