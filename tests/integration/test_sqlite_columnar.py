"""The SQLite backend's columnar index answers as plain SQL over its own tables would, and follows writes."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from mappings.record import Agent, Concept, Record
from service.search.base import FACETS, SearchQuery, day_after
from service.search.query import parse_query
from service.search.sqlite import SqliteBackend
from tests.conftest import NOW
from tests.factories import DistributionFactory, RecordFactory

WORDS = ("velo", "budget", "ecole", "arbre", "parking", "musee")
KEYWORDS = ("mobilité", "Finances", "culture", "éducation", "environnement", "transport", "santé")
THEMES = ("Transports", "Environnement", "Culture", "Économie")
FORMATS = ("CSV", "JSON", "GEOJSON", "XLSX", "PDF")
LICENSES = (Concept("ODbL"), Concept("Licence Ouverte v2.0"), Concept("CC-BY"))
PUBLISHERS = ("Ville de Paris", "Métropole de Lyon", "Région Occitanie")
#: an ORDER BY per sort, written out here independently of the backend
ORDERS = {
    "title": "r.title_sort ASC, r.record_id ASC",
    "-title": "r.title_sort DESC, r.record_id ASC",
    "modified": "r.modified IS NULL, r.modified ASC, r.record_id ASC",
    "-modified": "r.modified IS NULL, r.modified DESC, r.record_id ASC",
    "issued": "r.issued IS NULL, r.issued ASC, r.record_id ASC",
    "-issued": "r.issued IS NULL, r.issued DESC, r.record_id ASC",
    "quality": "r.quality IS NULL, r.quality ASC, r.record_id ASC",
    "-quality": "r.quality IS NULL, r.quality DESC, r.record_id ASC",
}


def random_record(rng: random.Random, portal: str, guid: int):
    formats = rng.sample(FORMATS, rng.randint(0, 3))
    return RecordFactory(
        portal_id=portal,
        # the same guid on two portals is the same dataset: clusters form
        guid=f"https://data.example.fr/datasets/{guid}",
        title=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {guid}",
        keywords=tuple(rng.sample(KEYWORDS, rng.randint(0, 3))),
        themes=tuple(Concept(t) for t in rng.sample(THEMES, rng.randint(0, 2))),
        publisher=Agent(name=rng.choice(PUBLISHERS)),
        license=rng.choice(LICENSES),
        distributions=tuple(DistributionFactory(format=f, license=None) for f in formats),
        modified=rng.choice([None, f"20{rng.randint(15, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"]),
        issued=rng.choice([None, "2019-01-01", "2020-06-15"]),
        quality=rng.choice([None, rng.randint(0, 100)]),
        bbox=rng.choice([None, (2.2, 48.8, 2.5, 48.9), (4.7, 45.5, 5.1, 45.9)]),
    )


@pytest.fixture(scope="module")
def store():
    rng = random.Random(8)
    backend = SqliteBackend(":memory:")
    for portal in ("paris", "lyon", "datagouv"):
        guids = rng.sample(range(400), 150)
        backend.replace_portal(portal, [random_record(rng, portal, g) for g in guids], now=NOW)
    yield backend
    backend.close()


def random_query(rng: random.Random) -> SearchQuery:
    filters = {}
    for facet, values in (("portal", ("paris", "lyon", "datagouv")), ("format", FORMATS), ("theme", THEMES),
                          ("keyword", [k.casefold() for k in KEYWORDS]), ("license", [c.label for c in LICENSES]),
                          ("publisher", PUBLISHERS), ("quality", ("90-100", "75-89", "50-74", "0-49"))):
        if rng.random() < 0.2:
            filters[facet] = tuple(rng.sample(values, rng.randint(1, 2)))
    return SearchQuery(
        q=rng.choice(["", "", *WORDS, f"{WORDS[0]} {WORDS[1]}"]),
        filters=filters,
        sort=rng.choice(["relevance", *ORDERS]),
        page=rng.choice([1, 1, 2]),
        page_size=rng.choice([5, 20]),
        modified_since=rng.choice([None, None, "2020-01-01"]),
        modified_until=rng.choice([None, None, "2023-12-31"]),
        bbox=rng.choice([None, None, (2.0, 48.0, 3.0, 49.0)]),
        quality_min=rng.choice([None, None, 40]),
    )


class SqlReference:
    """The expected answers, from straightforward SQL over the backend's tables."""

    def __init__(self, backend: SqliteBackend, query: SearchQuery) -> None:
        self.conn = backend._conn()
        self.query = query
        parsed = parse_query(query.q)
        generation = backend._generation(self.conn)
        self.match = None if parsed.empty else backend._match_expression(self.conn, parsed, generation)

    def scope(self, *, without: str | None = None) -> tuple[str, list]:
        """WHERE over ``records r`` for the query, one facet's filter optionally left out."""
        clauses, params = ["1"], []
        if self.match:
            clauses.append("r.rowid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)")
            params.append(self.match)
        q = self.query
        if q.modified_since:
            clauses.append("r.modified >= ?")
            params.append(q.modified_since)
        if q.modified_until:
            clauses.append("r.modified < ?")
            params.append(day_after(q.modified_until))
        if q.bbox:
            clauses.append("r.east >= ? AND r.west <= ? AND r.north >= ? AND r.south <= ?")
            params += [q.bbox[0], q.bbox[2], q.bbox[1], q.bbox[3]]
        if q.quality_min is not None:
            clauses.append("r.quality >= ?")
            params.append(q.quality_min)
        for facet, values in q.filters.items():
            if facet != without:
                values = [v.casefold() for v in values] if facet == "keyword" else list(values)
                marks = ",".join("?" * len(values))
                clauses.append(f"r.rowid IN (SELECT record_rowid FROM record_facets WHERE facet = ? AND value IN ({marks}))")
                params += [facet, *values]
        return " AND ".join(clauses), params

    def total(self) -> int:
        where, params = self.scope()
        return self.conn.execute(f"SELECT count(DISTINCT r.cluster_id) FROM records r WHERE {where}", params).fetchone()[0]

    def facet(self, facet: str) -> list[tuple[str, int]]:
        where, params = self.scope(without=facet)
        return self.conn.execute(
            "SELECT f.value, count(DISTINCT r.cluster_id) AS n FROM record_facets f JOIN records r ON r.rowid = f.record_rowid"
            f" WHERE f.facet = ? AND {where} GROUP BY f.value ORDER BY n DESC, f.value ASC LIMIT ?",
            [facet, *params, self.query.facet_size],
        ).fetchall()

    def page(self) -> list[tuple[str, float]]:
        where, params = self.scope()
        sort = self.query.sort
        if sort == "relevance":
            order = "score ASC, r.record_id ASC" if self.match else ORDERS["-modified"]
        else:
            order = ORDERS[sort]
        score = "(SELECT bm25(records_fts, 10.0, 5.0, 3.0, 1.0, 0.0) FROM records_fts WHERE records_fts MATCH ? AND rowid = r.rowid)"
        score_params = [self.match] if self.match else []
        rows = self.conn.execute(
            f"WITH scored AS (SELECT r.*, {score if self.match else '0'} AS score FROM records r WHERE {where}),"
            f" ranked AS (SELECT r.record_id, row_number() OVER (PARTITION BY r.cluster_id ORDER BY {order}) AS rank_in_cluster,"
            f" r.title_sort, r.modified, r.issued, r.quality, r.score FROM scored r)"
            f" SELECT r.record_id, r.score FROM ranked r WHERE rank_in_cluster = 1 ORDER BY {order} LIMIT ? OFFSET ?",
            [*score_params, *params, self.query.page_size, self.query.offset],
        ).fetchall()
        return [(record_id, -float(score)) for record_id, score in rows]


def test_the_store_has_shared_clusters(store):
    conn = store._conn()
    shared = conn.execute("SELECT count(*) FROM (SELECT cluster_id FROM records GROUP BY cluster_id HAVING count(*) > 1)")
    assert shared.fetchone()[0] > 50


@pytest.mark.parametrize("seed", range(60))
def test_answers_equal_plain_sql(store, seed):
    query = random_query(random.Random(seed))
    page = store.search(query)
    expected = SqlReference(store, query)
    assert page.total == expected.total()
    for facet in FACETS:
        assert [(v.value, v.count) for v in page.facets[facet]] == expected.facet(facet), facet
    assert [(hit.record.record_id, hit.score) for hit in page.hits] == expected.page()


def test_a_write_is_seen_by_the_next_search():
    backend = SqliteBackend(":memory:")
    backend.replace_portal("paris", [RecordFactory(guid="a", keywords=("vélo",))], now=NOW)
    assert {v.value: v.count for v in backend.search(SearchQuery()).facets["keyword"]} == {"vélo": 1}
    backend.replace_portal("lyon", [RecordFactory(portal_id="lyon", guid="b", keywords=("vélo", "bus"))], now=NOW)
    page = backend.search(SearchQuery(q="jeu"))
    assert page.total == 2
    assert {v.value: v.count for v in page.facets["keyword"]} == {"vélo": 2, "bus": 1}
    backend.delete_portal("paris")
    page = backend.search(SearchQuery(q="jeu"))
    assert [h.record.guid for h in page.hits] == ["b"] and page.total == 1
    backend.close()


def test_warm_up_builds_the_index_of_the_current_data():
    backend = SqliteBackend(":memory:")
    backend.warm_up()  # an empty store too
    backend.replace_portal("paris", [RecordFactory(guid="a")], now=NOW)
    backend.warm_up()
    assert backend._columns[0] == backend.data_version()
    assert backend.search(SearchQuery()).total == 1
    backend.close()


def test_relevance_pages_of_a_large_match_equal_plain_sql():
    """Few results wanted from many matches: only the best are sorted, ties still going by record id."""
    rng = random.Random(3)
    backend = SqliteBackend(":memory:")
    records = [
        RecordFactory(guid=f"r{n}", title=f"velo {rng.choice(WORDS)} {n}", description=rng.choice(["velo", "", "velo velo"]))
        for n in range(300)
    ]
    backend.replace_portal("paris", records, now=NOW)
    for page in (1, 2, 7):
        query = SearchQuery(q="velo", page=page, page_size=10)
        assert [(h.record.record_id, h.score) for h in backend.search(query).hits] == SqlReference(backend, query).page()
    backend.close()


@pytest.mark.parametrize("share", [0.0, 0.05, 0.5, 0.9, 0.99, 1.0])
def test_every_way_of_counting_a_scope_agrees(store, share):
    """Few records, most records or some: counted record by record, by complement or over every pair."""
    store.warm_up()
    columns = store._columns[1]
    rng = np.random.default_rng(int(share * 100))
    for _ in range(10):
        mask = rng.random(columns.size) < share
        assert columns._counts(mask).tolist() == columns.facets.counts(mask).tolist()


def test_cluster_members_are_the_stored_records_whether_a_search_decoded_them_or_not(store):
    conn = store._conn()
    shared = [c for (c,) in conn.execute("SELECT cluster_id FROM records GROUP BY cluster_id HAVING count(*) > 1 LIMIT 20")]
    store.search(SearchQuery(q=WORDS[0], page_size=50))  # some members are now decoded already
    expected: dict[str, list] = {}
    for cluster_id, data in conn.execute(
        f"SELECT cluster_id, data FROM records WHERE cluster_id IN ({','.join('?' * len(shared))}) ORDER BY portal_id, record_id",
        shared,
    ):
        expected.setdefault(cluster_id, []).append(Record.from_dict(json.loads(data)))
    assert store.cluster_members(shared) == expected


def test_only_writes_of_records_move_the_data_version():
    from mappings.jobs import HarvestJob

    backend = SqliteBackend(":memory:")
    backend.replace_portal("paris", [RecordFactory(guid="a")], now=NOW)
    version = backend.data_version()
    backend.save_job(HarvestJob(job_id="j1", portal_id="paris", started_at=NOW.isoformat(), status="done"))
    backend.save_page_cache("paris", {"page-1": {"etag": '"x"'}})
    assert backend.data_version() == version, "jobs and page validators leave the index and its caches valid"
    backend.replace_portal("paris", [RecordFactory(guid="a", title="Autre")], now=NOW)
    assert backend.data_version() > version
    version = backend.data_version()
    backend.delete_portal("paris")
    assert backend.data_version() > version


def test_the_newest_job_of_each_portal_however_long_the_history():
    from mappings.jobs import HarvestJob
    from service.search.base import SearchBackend

    backend = SqliteBackend(":memory:")
    backend.save_job(HarvestJob(job_id="lyon-1", portal_id="lyon", started_at="2026-01-01T00:00:00+00:00", status="done"))
    for n in range(1200):  # more than the generic implementation reads
        backend.save_job(HarvestJob(job_id=f"p{n:04d}", portal_id="paris", started_at=f"2026-02-01T00:{n // 60:02d}:{n % 60:02d}+00:00", status="done"))
    backend.save_job(HarvestJob(job_id="p9999", portal_id="paris", started_at="2026-02-01T00:19:59+00:00", status="failed"))
    latest = backend.last_jobs()
    assert {portal: job.job_id for portal, job in latest.items()} == {"lyon": "lyon-1", "paris": "p9999"}
    assert "lyon" not in SearchBackend.last_jobs(backend), "the generic version reads only the latest 1,000 jobs"
