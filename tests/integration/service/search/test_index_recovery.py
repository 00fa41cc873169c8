"""The embedded index is derived from SQLite: a crash between the two commits is repaired, and
other processes see a harvest as soon as its index commit lands."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from mappings.portals import Portal
from service.search.base import SearchQuery
from service.search.tantivy_ import TantivyBackend
from service.store.sqlite import SqliteStore
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from tests.conftest import NOW
from tests.factories import RecordFactory
from tests.integration.ops_support import fedcat_process, kill_when
from tests.paths import ROOT



def _outbox(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM index_outbox").fetchone()[0]
    except sqlite3.Error:
        return 0



def test_a_harvest_killed_between_the_sqlite_and_the_index_commit_is_repaired(tmp_path):
    database = tmp_path / "crash.db"
    reader = TantivyBackend(str(database))  # a long-lived process, as a gunicorn worker is
    with DcatPortalSimulator(generate("paris", 30), page_size=500) as simulator:
        portal = Portal(id="paris", name="Paris", kind="dcat", url=simulator.catalog_url("ttl"))
        # hold the index's writer lock: the harvest commits to SQLite, then waits for the index
        with open(tmp_path / "crash.db.index" / ".writer.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            kill_when(fedcat_process(tmp_path, database, portal, "harvest"), lambda: _outbox(database) == 30)
            fcntl.flock(lock, fcntl.LOCK_UN)
    assert reader.count() == 30, "the records are committed in SQLite"
    assert reader.search(SearchQuery()).total == 0, "but the killed run never committed the index"

    restarted = TantivyBackend(str(database))  # the next start finds the outbox and applies it
    assert restarted.search(SearchQuery()).total == 30
    assert _outbox(database) == 0
    assert reader.search(SearchQuery()).total == 30, "and other processes reload after that commit"
    restarted.close()
    reader.close()


def test_the_next_harvest_applies_what_a_crash_left_behind(tmp_path):
    database = tmp_path / "next.db"
    backend = TantivyBackend(str(database))
    paris = [RecordFactory(guid=f"p{i}", portal_id="paris", title=f"Vélos {i}") for i in range(5)]
    SqliteStore.replace_portal(backend, "paris", paris, now=NOW)  # as if the process died right after this commit
    assert backend.search(SearchQuery(q="velos")).total == 0
    backend.replace_portal("lyon", [RecordFactory(guid="l1", portal_id="lyon", title="Vélos Lyon")], now=NOW)
    assert backend.search(SearchQuery(q="velos")).total == 6
    backend.close()


def test_a_lost_index_is_rebuilt_at_start_and_reindex_rebuilds_it_on_demand(tmp_path):
    database = tmp_path / "lost.db"
    backend = TantivyBackend(str(database))
    backend.replace_portal("paris", [RecordFactory(guid=f"p{i}", portal_id="paris") for i in range(7)], now=NOW)
    backend.close()
    for path in (tmp_path / "lost.db.index").iterdir():
        path.unlink()
    again = TantivyBackend(str(database))
    assert again.search(SearchQuery()).total == 7
    assert again.reindex() == "7 records re-indexed"
    assert again.search(SearchQuery()).total == 7
    again.close()


def test_another_process_sees_a_harvest_once_committed(tmp_path):
    database = tmp_path / "shared.db"
    worker = TantivyBackend(str(database))
    assert worker.search(SearchQuery()).total == 0
    code = (
        "import sys; from service.search.tantivy_ import TantivyBackend; from tests.factories import RecordFactory;"
        "from tests.conftest import NOW; b = TantivyBackend(sys.argv[1]);"
        "b.replace_portal('paris', [RecordFactory(guid=f'p{i}', portal_id='paris') for i in range(9)], now=NOW)"
    )
    subprocess.run([sys.executable, "-c", code, str(database)], cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert worker.search(SearchQuery()).total == 9
    worker.close()


def test_a_full_rebuild_answers_as_the_harvest_did(tmp_path):
    backend = TantivyBackend(str(tmp_path / "rebuild.db"))
    records = [RecordFactory(portal_id="paris", title=f"Stationnement des vélos {n % 7}", keywords=("vélo", f"lot {n % 3}")) for n in range(40)]
    backend.replace_portal("paris", records, now=NOW)
    queries = [SearchQuery(q="velo", filters={"keyword": ("lot 1",)}, sort=sort) for sort in ("title", "-title", "relevance")]
    before = [backend.search(query) for query in queries]
    assert backend.reindex() == "40 records re-indexed"
    for query, earlier in zip(queries, before):
        after = backend.search(query)
        assert [h.record.record_id for h in after.hits] == [h.record.record_id for h in earlier.hits]
        assert after.total == earlier.total == 13
        assert after.facets == earlier.facets
    suggested = backend.suggest("stationnement vel")
    assert suggested and all(s.text.startswith("Stationnement des vélos") for s in suggested)


def test_an_index_of_another_shape_under_the_same_version_is_rebuilt(tmp_path):
    import service.search.tantivy_ as tantivy_

    database = tmp_path / "shape.db"
    TantivyBackend(str(database)).replace_portal("paris", [RecordFactory(portal_id="paris", title="Vélos")], now=NOW)
    builder = tantivy_.tantivy.SchemaBuilder()
    builder.add_text_field("other", tokenizer_name="raw")
    for path in (tmp_path / "shape.db.index").iterdir():
        if path.name not in (".writer.lock", "fedcat-index.json"):
            path.unlink()
    tantivy_.tantivy.Index(builder.build(), path=str(tmp_path / "shape.db.index"))  # a foreign index, our version file
    reopened = TantivyBackend(str(database))
    assert reopened.search(SearchQuery(q="velo")).total == 1
