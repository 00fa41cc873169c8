#!/usr/bin/env bash
# Install the headless browser the tests/browser suite drives: Debian's chromium and chromium-driver.
#
#   bash .ci/install-browser.sh
#
# Idempotent: does nothing when /usr/bin/chromium and /usr/bin/chromedriver are both present.
# The tests never let Selenium Manager download a browser; they use these two binaries or fail.
set -euo pipefail

log() { printf '[install-browser] %s\n' "$*" >&2; }

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@";
    elif command -v sudo >/dev/null 2>&1; then sudo -n "$@";
    else log "need root for: $*"; return 1; fi
}

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    log "chromium and chromedriver already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get not available; please install chromium and chromium-driver"
    exit 1
fi
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver
log "installed: $(/usr/bin/chromedriver --version)"
