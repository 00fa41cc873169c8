"""Memory of a harvest, measured as the operating system sees it (RSS), not by tracemalloc (issue 16, item 2).

A gzip of a few MB holding 187 MB of valid Turtle is under the 200 MiB download
cap; harvested with the default limits, the page is refused at
``FEDCAT_MAX_PAGE_TRIPLES`` while it is parsed, the job says why, the previous
records stay, and the harvesting process never passes 400 MiB of RSS. The
harvest runs as the real ``fedcat harvest`` command in its own process: the
kernel reports the peak RSS of its largest process, and a sampler sums the RSS
of the whole process tree (worker processes included) every 50 ms.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

from service.search.tantivy_ import TantivyBackend
from tests.reliability.servers import RawPortal

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024
RSS_LIMIT_MIB = 400
PREFIXES = b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n@prefix dct: <http://purl.org/dc/terms/> .\n"
GOOD = PREFIXES + "".join(
    f'<http://p.test/ok{n}> a dcat:Dataset ; dct:title "Jeu {n}" ; dct:description "Déjà là" .\n' for n in range(3)
).encode()
#: runs the command given and prints the peak RSS (KiB) of its process tree's largest process
MEASURE = "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"


def _tree_rss_kib(root: int) -> int:
    """The RSS of a process and all its descendants (the harvest's worker processes), now, in KiB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields["PPid"]), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def _sampled(process: subprocess.Popen, stop: threading.Event, peak: list[int]) -> None:
    while not stop.wait(0.05):
        peak[0] = max(peak[0], _tree_rss_kib(process.pid))


def big_turtle(size: int = 187 * MIB) -> bytes:
    """Valid Turtle of ``size`` bytes: a block of 30 datasets with random words, repeated under new IRIs."""
    rng = random.Random(16)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyzéè") for _ in range(rng.randint(3, 10))) for _ in range(4000)]
    block = "".join(
        f'<http://p.test/R/d{n}> a dcat:Dataset ; dct:title "Jeu {n} {rng.choice(words)}" ;\n'
        f'  dct:description "{" ".join(rng.choice(words) for _ in range(50))}" ;\n'
        f'  dcat:keyword "{rng.choice(words)}", "{rng.choice(words)}" ;\n'
        f'  dcat:distribution [ a dcat:Distribution ; dcat:accessURL <http://p.test/R/d{n}.csv> ; dct:format "CSV" ] .\n'
        for n in range(30)
    ).encode()
    parts, length, copy = [PREFIXES], len(PREFIXES), 0
    while length < size:
        parts.append(block.replace(b"/R/", b"/r%d/" % copy))
        length, copy = length + len(parts[-1]), copy + 1
    return b"".join(parts)


def _serve(state: dict):
    def write(out, stopping) -> None:
        body, headers = (state["big"], "Content-Encoding: gzip\r\n") if state["hostile"] else (GOOD, "")
        out.write(f"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\n{headers}Connection: close\r\n\r\n".encode())
        for start in range(0, len(body), 65536):
            if stopping.is_set():
                return
            out.write(body[start : start + 65536])

    return write


def _harvest(portal_url: str, workdir: Path) -> tuple[int, str, int]:
    portals = workdir / "portals.toml"
    portals.write_text(f'[[portal]]\nid = "big"\nname = "Big"\nkind = "dcat"\nurl = "{portal_url}/catalog.ttl"\n')
    env = {
        **os.environ,
        "FEDCAT_DATABASE": str(workdir / "memory.db"),
        "FEDCAT_PORTALS_FILE": str(portals),
        "FEDCAT_ALLOWED_NETWORKS": "127.0.0.1/32",
    }
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "service.cli", "harvest", "--portal", "big"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop, tree_peak = threading.Event(), [0]
    sampler = threading.Thread(target=_sampled, args=(process, stop, tree_peak), daemon=True)
    sampler.start()
    try:
        out, err = process.communicate(timeout=1800)
    finally:
        stop.set()
        sampler.join()
    largest_kib = int(err.strip().splitlines()[-1])
    # the sampled sum counts the measuring wrapper too (a bare interpreter, ~10 MiB): an upper bound
    tree_kib = max(tree_peak[0], largest_kib)
    return process.returncode, out + err, largest_kib // 1024, tree_kib // 1024


def test_a_187_mb_turtle_page_stays_under_400_mib_of_rss_and_keeps_the_previous_records(tmp_path):
    turtle = big_turtle()
    state = {"hostile": False, "big": gzip.compress(turtle, compresslevel=6, mtime=0)}
    assert len(turtle) > 187 * MIB and len(state["big"]) < 10 * MIB
    del turtle
    with RawPortal(_serve(state)) as portal:
        code, output, _, _ = _harvest(portal.url, tmp_path)
        assert code == 0 and "big: done" in output, output
        state["hostile"] = True
        code, output, largest_mib, tree_mib = _harvest(portal.url, tmp_path)
    print(f"\npeak RSS of the 187 MB harvest: {largest_mib} MiB (largest process), {tree_mib} MiB (all its processes, sampled)")
    assert code == 0, output
    assert "FEDCAT_MAX_PAGE_TRIPLES" in output and "more than 250,000 triples" in output, output
    assert largest_mib <= RSS_LIMIT_MIB, f"peak RSS {largest_mib} MiB"
    assert tree_mib <= RSS_LIMIT_MIB, f"peak RSS of the harvest's processes together: {tree_mib} MiB"
    store = TantivyBackend(str(tmp_path / "memory.db"))
    try:
        assert sorted(r.record_id for r in store.iter_records()) == [f"big:http://p.test/ok{n}" for n in range(3)]
        job = store.jobs(portal_id="big", limit=1)[0]
        assert job.status == "done-with-errors" and any("FEDCAT_MAX_PAGE_TRIPLES" in w for w in job.warnings), json.dumps(job.warnings)
    finally:
        store.close()
