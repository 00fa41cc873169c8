#!/usr/bin/env bash
# Run one install step quietly: its whole output goes to the install log, one line goes to the terminal.
#
#   bash .ci/step.sh "Python packages" .venv/bin/pip install -e '.[test]'
#
# Prints "fedcat: <label> ... ok (12 s)"; on failure prints the log's last 30 lines and exits
# with the step's status. The log is $FEDCAT_INSTALL_LOG (default build/install.log).
set -uo pipefail

label=$1; shift
log=${FEDCAT_INSTALL_LOG:-build/install.log}
mkdir -p "$(dirname "$log")"
printf '\n=== %s: %s\n' "$(date -u +%FT%TZ)" "$label" >>"$log"
started=$SECONDS
"$@" >>"$log" 2>&1 </dev/null
status=$?
if [[ $status -eq 0 ]]; then
    printf 'fedcat: %-34s ok (%d s)\n' "$label" $((SECONDS - started))
else
    printf 'fedcat: %-34s FAILED (exit %d); the end of %s:\n' "$label" "$status" "$log"
    tail -n 30 "$log" | sed 's/^/    /'
fi
exit $status
