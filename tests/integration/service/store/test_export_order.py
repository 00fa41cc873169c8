"""Export pages past the first are read by rowid from an order kept per data version: a write moves them on."""

from __future__ import annotations

from service.store.sqlite import SqliteStore
from tests.conftest import NOW
from tests.factories import RecordFactory


def ids(store: SqliteStore, offset: int, limit: int) -> list[str]:
    return [r.record_id for r in store.iter_records(offset=offset, limit=limit)]


def test_pages_follow_every_write_of_records(tmp_path):
    store = SqliteStore(str(tmp_path / "order.db"))
    store.replace_portal("paris", [RecordFactory(portal_id="paris", guid=f"g{n:02d}") for n in range(10)], now=NOW)
    assert ids(store, 3, 4) == [f"paris:g{n:02d}" for n in range(3, 7)]
    # a record sorting first shifts every later page by one; one gone shifts it back
    store.replace_portal("lyon", [RecordFactory(portal_id="lyon", guid="a")], now=NOW)
    assert ids(store, 3, 4) == [f"paris:g{n:02d}" for n in range(2, 6)]
    assert ids(store, 10, 5) == ["paris:g09"]
    store.replace_portal("lyon", [], now=NOW)
    assert ids(store, 3, 4) == [f"paris:g{n:02d}" for n in range(3, 7)]
    assert ids(store, 10, 5) == []
    store.close()
