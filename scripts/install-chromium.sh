#!/usr/bin/env bash
# Debian's Chromium for the agent inbox browser tests (tests/web/test_agent_browser.py drives
# /usr/bin/chromium with Playwright; never `playwright install`). Idempotent and quiet on success.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
  if [ -x "$CHROMIUM" ]; then
    exit 0
  fi
  echo "install-chromium: apt-get installed chromium but $CHROMIUM is still missing" >&2
  exit 1
fi

cat >&2 <<MSG
install-chromium: $CHROMIUM is missing; the agent inbox browser tests need it.
Install Debian's Chromium as root, then run the tests again:
    sudo apt-get update && sudo apt-get install -y chromium
(Playwright drives it through its executable path; do not run 'playwright install'.)
MSG
exit 1
