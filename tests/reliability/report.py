"""Print the hostile corpus as the Markdown table of docs/reliability.md: ``python -m tests.reliability.report``.

Each case runs exactly as in test_hostile_inputs.py (a good harvest, then the
hostile one, timed, with traced memory); the table shows the outcome and the
entry the job carries.
"""

from __future__ import annotations

import re
import sys
from contextlib import ExitStack

from harvesters.fetch.http import HttpSettings
from harvesters.fetch.network_guard import LOOPBACK_NETWORKS, trusted_networks
from mappings.portals import Portal
from service.search.tantivy_ import TantivyBackend
from tests.reliability.hostile_cases import CASES, FAMILIES, Case
from tests.reliability.test_hostile_inputs import BASE_SETTINGS, _harvest, _hostile, harvest_hostile_answer


def run_case(case: Case) -> dict:
    """The hostile harvest's job, time, peak memory and how many previous records survived."""
    family = FAMILIES[case.family]
    backend = TantivyBackend(":memory:")
    with ExitStack() as stack:
        simulator = stack.enter_context(_hostile(family))
        portal = Portal(id=case.family, name=case.id, kind=family.kind, url=family.url(simulator), options=family.options)
        _harvest(portal, backend, HttpSettings(**{**BASE_SETTINGS, "max_bytes": 16 * 1024 * 1024}))
        before = {r.record_id for r in backend.iter_records()}
        job, seconds, peak = harvest_hostile_answer(stack, case, simulator, portal, backend)
    kept = len(before & {r.record_id for r in backend.iter_records()})
    backend.close()
    entry = job.error or next((f.reason for f in job.failed), None) or next(iter(job.warnings), "") or "(stored, cleaned)"
    return {"job": job, "seconds": seconds, "peak_mib": peak / 2**20, "kept": f"{kept}/{len(before)}", "entry": entry}


def main() -> int:
    """Run every case and print one table row each."""
    print("| # | case | portal kind | outcome | job status | previous records kept | time (s) | peak memory (MiB) | entry in the job |")
    print("|---|---|---|---|---|---|---|---|---|")
    with trusted_networks(LOOPBACK_NETWORKS):
        for number, case in enumerate(CASES, 1):
            row = run_case(case)
            # the simulators' ports change from run to run; the table should not
            entry = re.sub(r"http://127\.0\.0\.1:\d+", "http://portal", row["entry"]).replace("|", "\\|")
            entry = entry if len(entry) <= 140 else entry[:137] + "..."
            print(
                f"| {number} | `{case.id}` | {FAMILIES[case.family].kind} | {case.outcome} | {row['job'].status} | {row['kept']}"
                f" | {row['seconds']:.2f} | {row['peak_mib']:.1f} | {entry} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
