#!/usr/bin/env bash
# Install the real DCAT clients the interoperability tier (tests/interop) runs against fedcat's export,
# each in its own virtualenv so that its dependencies never mix with fedcat's:
#
#   udata  data.gouv.fr's software: its DcatBackend harvests /catalog, on mongomock (no MongoDB)
#   ckan   CKAN + ckanext-dcat: its RDFParser with the euro_dcat_ap_3 profile reads /catalog.ttl
#
#   bash .ci/install-clients.sh
#
# Idempotent: a virtualenv whose pinned versions are installed is left alone. Honors
# FEDCAT_CLIENTS_DIR (default ~/.cache/fedcat/clients) and PYTHON (default python3).
# pip's output goes to $FEDCAT_INSTALL_LOG (make's build/install.log), else $FEDCAT_CLIENTS_DIR/install.log;
# the console gets one line per client.
#
# CKAN is installed without its server dependencies: ckanext-dcat's parser imports ckan
# (ckan.model's licence register, ckan.lib.helpers, the toolkit) but never touches a
# database, so psycopg2 (which would need PostgreSQL headers to build) is left out of
# CKAN's pinned requirements and everything else is installed as CKAN pins it.
set -euo pipefail

PYTHON="${PYTHON:-python3}"
dir="${FEDCAT_CLIENTS_DIR:-$HOME/.cache/fedcat/clients}"
log_file="${FEDCAT_INSTALL_LOG:-$dir/install.log}"
UDATA_VERSION=17.18.0
MONGOMOCK_VERSION=4.3.0
CKAN_VERSION=2.12.0
CKANEXT_DCAT_VERSION=2.4.4

mkdir -p "$dir" "$(dirname "$log_file")"
log() { printf '[install-clients] %s\n' "$*" >&2; }

# is_current NAME STAMP: true when the virtualenv NAME holds exactly what STAMP names
is_current() {
    [[ -x "$dir/$1/bin/python" && "$(cat "$dir/$1/.fedcat-stamp" 2>/dev/null)" == "$2" ]]
}

# new_venv NAME: an empty virtualenv NAME (any previous one is removed)
new_venv() {
    rm -rf "${dir:?}/$1"
    "$PYTHON" -m venv "$dir/$1" >>"$log_file" 2>&1
    "$dir/$1/bin/pip" install --quiet --upgrade pip >>"$log_file" 2>&1
}

install_udata() {
    local stamp="udata==$UDATA_VERSION mongomock==$MONGOMOCK_VERSION"
    if is_current udata "$stamp"; then log "udata: $stamp already installed"; return; fi
    new_venv udata
    "$dir/udata/bin/pip" install "udata==$UDATA_VERSION" "mongomock==$MONGOMOCK_VERSION" >>"$log_file" 2>&1
    echo "$stamp" >"$dir/udata/.fedcat-stamp"
    log "udata: installed $stamp"
}

install_ckan() {
    local stamp="ckan==$CKAN_VERSION ckanext-dcat==$CKANEXT_DCAT_VERSION"
    if is_current ckan "$stamp"; then log "ckan: $stamp already installed"; return; fi
    new_venv ckan
    local pip="$dir/ckan/bin/pip"
    "$pip" install --no-deps "ckan==$CKAN_VERSION" "ckanext-dcat==$CKANEXT_DCAT_VERSION" >>"$log_file" 2>&1
    # CKAN's own pins (its "requirements" extra), minus the PostgreSQL driver
    "$dir/ckan/bin/python" - >"$dir/ckan/requirements.txt" <<'EOF'
from importlib.metadata import requires
for requirement in requires("ckan"):
    spec, _, marker = requirement.partition(";")
    if 'extra == "requirements"' in marker and not spec.strip().startswith("psycopg2"):
        print(spec.strip())
EOF
    # ckanext-dcat's own dependencies (it was installed without them)
    "$pip" install -r "$dir/ckan/requirements.txt" ckantoolkit geomet pyld rdflib >>"$log_file" 2>&1
    echo "$stamp" >"$dir/ckan/.fedcat-stamp"
    log "ckan: installed $stamp (without psycopg2)"
}

install_udata
install_ckan
