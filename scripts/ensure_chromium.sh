#!/usr/bin/env bash
# Make sure a Chromium is available for the browser tests (Playwright drives Debian's chromium; it cannot
# download its own browser here). Installs Debian's package with apt where we may; otherwise says the
# browser tests will be skipped.
set -uo pipefail
for c in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$c" ] && [ -x "$c" ]; then exit 0; fi
done
if command -v apt-get >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo -n"
  echo "Installing Debian's chromium for the browser tests (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  if $sudo apt-get install -y -q chromium >/tmp/cer-studio-apt.log 2>&1 \
     || { $sudo apt-get update -q >>/tmp/cer-studio-apt.log 2>&1 && $sudo apt-get install -y -q chromium >>/tmp/cer-studio-apt.log 2>&1; }; then
    echo "chromium installed: $(/usr/bin/chromium --version 2>/dev/null)"
    exit 0
  fi
  echo "WARNING: apt-get could not install chromium (see /tmp/cer-studio-apt.log)." >&2
fi
echo "WARNING: no Chromium found: the browser tests will be skipped. Set CHROMIUM=/path/to/chromium to run them." >&2
exit 0
