#!/usr/bin/env bash
# Install a Chromium for the browser tests (tests/test_browser.py), if there is none yet.
# The tests drive it with Playwright (`playwright` in requirements.txt) through its
# executable_path; Playwright's own browser download (`playwright install`) is not used.
# On Debian this installs the `chromium` package (/usr/bin/chromium). Without apt-get, or on
# Ubuntu (where `chromium` is a snap wrapper), install a browser yourself and point the tests
# at it with CHROMIUM=/path/to/chrome; without one the browser tests are skipped.
set -euo pipefail
for exe in "${CHROMIUM:-}" /usr/bin/chromium "$(command -v chromium || true)" \
           "$(command -v chromium-browser || true)" "$(command -v google-chrome || true)"; do
  if [[ -n $exe && -x $exe ]]; then
    echo "browser for the tests: $exe ($("$exe" --version 2>/dev/null || echo 'version unknown'))"
    exit 0
  fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no Chromium and no apt-get: install Chromium (or set CHROMIUM); browser tests will be skipped" >&2
  exit 0
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
/usr/bin/chromium --version
