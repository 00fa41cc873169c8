"""One contract every search backend must honour: same records, same queries, same answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from mappings.jobs import HarvestJob, WriteStats
from mappings.record import Agent, Concept, Record, ThemeAssignment
from service.search import backend_names
from service.search.base import SearchQuery, StoreError
from service.store.base import KeptRecord
from tests.conftest import NOW
from tests.factories import DistributionFactory, RecordFactory
from tests.integration.backends import BACKEND_FACTORIES

ODBL = Concept(label="ODbL", uri="http://opendatacommons.org/licenses/odbl/")
ETALAB = Concept(label="Licence Ouverte v2.0", uri="https://www.etalab.gouv.fr/licence-ouverte-open-licence")


@pytest.fixture(params=backend_names())
def store(request):
    # every registered backend runs the contract: one without a test factory fails loudly here
    assert request.param in BACKEND_FACTORIES, f"no test factory for the registered backend {request.param!r}"
    backend = BACKEND_FACTORIES[request.param](request)
    yield backend
    backend.close()


def corpus():
    """Twelve records over two portals with known titles, keywords, facets and dates."""
    paris = dict(portal_id="paris", publisher=Agent(name="Ville de Paris"), license=ODBL)
    lyon = dict(portal_id="lyon", publisher=Agent(name="Métropole de Lyon"), license=ETALAB)
    csv = (DistributionFactory(access_url="https://x.fr/a.csv", format="CSV", license=None),)
    geo = (
        DistributionFactory(access_url="https://x.fr/a.geojson", format="GEOJSON", license=None),
        DistributionFactory(access_url="https://x.fr/b.csv", format="CSV", license=None),
    )
    return [
        RecordFactory(guid="p1", title="Vélos en libre-service", keywords=("mobilité",), modified="2024-05-01",
                      themes=(Concept("Mobilité"),), distributions=geo, bbox=(2.224, 48.815, 2.470, 48.902), **paris),
        RecordFactory(guid="p2", title="Stationnement vélo", keywords=("stationnement",), modified="2023-01-01",
                      themes=(Concept("Mobilité"),), distributions=csv, **paris),
        RecordFactory(guid="p3", title="Arbres d'alignement", keywords=("végétation",), modified="2022-07-14",
                      themes=(Concept("Environnement"),), distributions=geo, **paris),
        RecordFactory(guid="p4", title="Qualité de l'air", keywords=("pollution", "arbres"), modified="2021-03-02",
                      description="Mesures quotidiennes.", themes=(Concept("Environnement"),), distributions=csv, **paris),
        RecordFactory(guid="p5", title="Budget primitif", keywords=("finances",), modified=None,
                      description="Le budget finance aussi les arbres de la ville.", themes=(Concept("Finances"),),
                      distributions=csv, **paris),
        RecordFactory(guid="p6", title="Écoles élémentaires", keywords=("éducation",), modified="2020-09-01",
                      themes=(Concept("Éducation"),), distributions=geo, **paris),
        RecordFactory(guid="l1", title="Stations Vélo'v", keywords=("mobilité", "vélo"), modified="2025-01-15",
                      themes=(Concept("Transports"),), distributions=geo, bbox=(4.681, 45.556, 5.111, 45.917), **lyon),
        RecordFactory(guid="l2", title="Aménagements cyclables", keywords=("vélo",), modified="2024-11-30",
                      themes=(Concept("Transports"),), distributions=geo, **lyon),
        RecordFactory(guid="l3", title="Parcs et jardins", keywords=("espaces verts",), modified="2019-05-05",
                      themes=(Concept("Environnement"),), distributions=csv, **lyon),
        RecordFactory(guid="l4", title="Zones à faibles émissions", keywords=("pollution",), modified="2023-06-30",
                      themes=(Concept("Transports"),), distributions=csv, **lyon),
        RecordFactory(guid="l5", title="Musées", keywords=("culture",), modified="2018-02-02",
                      themes=(Concept("Culture"),), distributions=csv, **lyon),
        RecordFactory(guid="l6", title="Orthophotographie 2023", keywords=("imagerie",), modified="2023-12-01",
                      themes=(Concept("Imagerie"),), distributions=(DistributionFactory(access_url="https://x.fr/o.tif", format="TIFF", license=None),),
                      **lyon),
    ]


@pytest.fixture
def loaded(store):
    records = corpus()
    for portal in ("paris", "lyon"):
        store.replace_portal(portal, [r for r in records if r.portal_id == portal], now=NOW)
    return store


def ids(page):
    return [hit.record.guid for hit in page.hits]


def facet(page, name):
    return {v.value: v.count for v in page.facets[name]}


# -- full text -------------------------------------------------------------------


@pytest.mark.parametrize("q", ["velos", "vélo", "VÉLOS", "velo"])
def test_stemming_and_accent_folding_find_velos(loaded, q):
    page = loaded.search(SearchQuery(q=q))
    assert {"p1", "p2", "l1", "l2"} <= set(ids(page))
    assert page.total == 4


def test_every_term_must_match(loaded):
    assert ids(loaded.search(SearchQuery(q="velo libre"))) == ["p1"]


def test_title_outweighs_keywords_outweighs_description(loaded):
    ranked = ids(loaded.search(SearchQuery(q="arbres")))
    assert ranked == ["p3", "p4", "p5"]


def test_stop_words_alone_match_everything(loaded):
    assert loaded.search(SearchQuery(q="les de la")).total == 12


@pytest.mark.parametrize("q, plain", [
    ('"vélo', "vélo"),
    ("stationnement:vélo", "stationnement vélo"),
    ("(vélo stationnement)", "vélo stationnement"),
    ("vélo*", "vélo"),
    ("vélo~", "vélo"),
    ("+vélo && stationnement", "vélo stationnement"),
    ("arbres^3", "arbres 3"),
])
def test_engine_syntax_in_queries_is_plain_text(loaded, q, plain):
    # neither engine's own query language reaches it: its punctuation only separates words
    found, expected = loaded.search(SearchQuery(q=q)), loaded.search(SearchQuery(q=plain))
    assert expected.total > 0
    assert (found.total, set(ids(found))) == (expected.total, set(ids(expected)))


def test_only_our_operators_have_a_meaning(loaded):
    assert set(ids(loaded.search(SearchQuery(q="velo OR musees")))) == {"p1", "p2", "l1", "l2", "l5"}
    without_velo = loaded.search(SearchQuery(q="-velo"))
    assert without_velo.total == 8 and not {"p1", "p2", "l1", "l2"} & set(ids(without_velo))


@pytest.mark.parametrize("q", ["vleo", "velso", "vélos"])
def test_typos_are_tolerated(loaded, q):
    assert {"p1", "p2", "l1", "l2"} <= set(ids(loaded.search(SearchQuery(q=q))))


def test_typos_never_flood_an_exact_word_nor_reach_a_proper_noun(loaded):
    # "parcs" is one edit from "paris": every Paris record would match if typos were always tolerated
    assert ids(loaded.search(SearchQuery(q="parcs"))) == ["l3"]
    assert ids(loaded.search(SearchQuery(q="parcz"))) == ["l3"], "a typo reaches parcs, never Paris"


def test_a_word_is_not_reached_through_a_longer_word_of_the_same_stem(store):
    store.replace_portal("paris", [
        RecordFactory(guid="e1", title="Points de recharge électrique"),
        RecordFactory(guid="e2", title="Résultats des élections municipales"),
    ], now=NOW)
    assert ids(store.search(SearchQuery(q="élection"))) == ["e2"]
    assert ids(store.search(SearchQuery(q="electon"))) == ["e2"]


def test_or_and_minus_operators(loaded):
    assert set(ids(loaded.search(SearchQuery(q="musées OR orthophotographie")))) == {"l5", "l6"}
    assert set(ids(loaded.search(SearchQuery(q="vélo -lyon")))) == {"p1", "p2"}
    assert set(ids(loaded.search(SearchQuery(q='vélo -"libre service"')))) == {"p2", "l1", "l2"}
    assert loaded.search(SearchQuery(q="-vélo")).total == 8


def test_short_words_must_match_exactly(loaded):
    assert loaded.search(SearchQuery(q="zz")).total == 0


def test_quoted_phrases_keep_their_order(loaded):
    assert ids(loaded.search(SearchQuery(q='"qualité de l\'air"'))) == ["p4"]
    assert loaded.search(SearchQuery(q='"air qualité"')).total == 0
    assert ids(loaded.search(SearchQuery(q='"faibles émissions" zones'))) == ["l4"]


@pytest.mark.parametrize(
    "since,until,expected",
    [
        ("2024-01-01", None, {"p1", "l1", "l2"}),
        (None, "2019-12-31", {"l3", "l5"}),
        ("2023-01-01", "2023-06-30", {"p2", "l4"}),
    ],
)
def test_modified_date_range(loaded, since, until, expected):
    page = loaded.search(SearchQuery(modified_since=since, modified_until=until, page_size=50))
    assert set(ids(page)) == expected
    assert sum(v.count for v in page.facets["portal"]) == len(expected)


@pytest.mark.parametrize(
    "bbox,expected",
    [
        ((2.30, 48.85, 2.40, 48.87), {"p1"}),
        ((-5.0, 41.0, 9.6, 51.1), {"p1", "l1"}),
        ((10.0, 10.0, 11.0, 11.0), set()),
    ],
)
def test_bounding_box_filter(loaded, bbox, expected):
    assert set(ids(loaded.search(SearchQuery(bbox=bbox, page_size=50)))) == expected


def test_text_and_ranges_combine(loaded):
    assert set(ids(loaded.search(SearchQuery(q="velo", modified_since="2024-06-01")))) == {"l1", "l2"}


def suggestions(store, prefix):
    return [(s.kind, s.text) for s in store.suggest(prefix)]


def test_suggestions_complete_titles_keywords_and_publishers(loaded):
    assert ("keyword", "vélo") in suggestions(loaded, "vel")
    assert ("title", "Vélos en libre-service") in suggestions(loaded, "vel")
    assert ("title", "Qualité de l'air") in suggestions(loaded, "qualite de l")
    assert ("publisher", "Métropole de Lyon") in suggestions(loaded, "metro")
    assert suggestions(loaded, "   ") == [] and suggestions(loaded, "zzz") == []


def test_suggestions_rank_by_count(loaded):
    ranked = suggestions(loaded, "mob")
    assert ranked[0] == ("keyword", "mobilité")


def test_quality_filter_and_sort(store):
    records = [RecordFactory(guid=f"q{n}", quality=score) for n, score in enumerate([40, 90, 65, None])]
    store.replace_portal("paris", records, now=NOW)
    assert store.quality_by_portal() == {"paris": 65.0}
    assert ids(store.search(SearchQuery(sort="-quality"))) == ["q1", "q2", "q0", "q3"]
    assert ids(store.search(SearchQuery(sort="quality"))) == ["q0", "q2", "q1", "q3"]
    assert set(ids(store.search(SearchQuery(quality_min=60)))) == {"q1", "q2"}
    page = store.search(SearchQuery(filters={"quality": ("90-100", "50-74")}))
    assert set(ids(page)) == {"q1", "q2"}
    assert facet(page, "quality") == {"90-100": 1, "50-74": 1, "0-49": 1}


def test_theme_facet_prefers_eu_themes(store):
    transport = ThemeAssignment("TRAN", "http://publications.europa.eu/resource/authority/data-theme/TRAN",
                                "Transports", "Transport", 0.95, "portal-theme:exact")
    records = [
        RecordFactory(guid="a", themes=(Concept("Mobilité et Transport"),), eu_themes=(transport,)),
        RecordFactory(guid="b", themes=(Concept("Transports en commun"),), eu_themes=(transport,)),
        RecordFactory(guid="c", themes=(Concept("Divers"),)),
    ]
    store.replace_portal("paris", records, now=NOW)
    assert facet(store.search(SearchQuery()), "theme") == {"Transports": 2, "Divers": 1}
    assert set(ids(store.search(SearchQuery(filters={"theme": ("Transports",)})))) == {"a", "b"}


# -- filters and facets ------------------------------------------------------------


@pytest.mark.parametrize(
    "filters,expected",
    [
        ({"portal": ("lyon",)}, {"l1", "l2", "l3", "l4", "l5", "l6"}),
        ({"publisher": ("Ville de Paris",)}, {"p1", "p2", "p3", "p4", "p5", "p6"}),
        ({"theme": ("Transports", "Culture")}, {"l1", "l2", "l4", "l5"}),
        ({"format": ("GEOJSON",)}, {"p1", "p3", "p6", "l1", "l2"}),
        ({"license": ("ODbL",)}, {"p1", "p2", "p3", "p4", "p5", "p6"}),
        ({"keyword": ("Pollution",)}, {"p4", "l4"}),
        ({"keyword": ("pollution",), "portal": ("paris",)}, {"p4"}),
        ({"theme": ("Environnement",), "format": ("CSV",)}, {"p3", "p4", "l3"}),
    ],
)
def test_filters(loaded, filters, expected):
    page = loaded.search(SearchQuery(filters=filters, page_size=50))
    assert set(ids(page)) == expected
    assert page.total == len(expected)


def test_facet_counts_over_the_whole_result(loaded):
    page = loaded.search(SearchQuery(q="velo"))
    assert facet(page, "portal") == {"paris": 2, "lyon": 2}
    assert facet(page, "format") == {"GEOJSON": 3, "CSV": 4}
    assert facet(page, "theme") == {"Mobilité": 2, "Transports": 2}
    assert facet(page, "license") == {"ODbL": 2, "Licence Ouverte v2.0": 2}
    assert facet(page, "keyword")["velo"] == 2
    assert {v.value: v.label for v in page.facets["keyword"]}["velo"] == "vélo", "shown with its spelling"


def test_keywords_differing_only_by_accents_or_case_are_one_value_shown_as_most_spelled(store):
    spellings = ["vélo", "vélo", "Velo", "velo", "vélo"]
    store.replace_portal("paris", [RecordFactory(guid=f"k{i}", portal_id="paris", keywords=(k,)) for i, k in enumerate(spellings)], now=NOW)
    (value,) = [v for v in store.search(SearchQuery()).facets["keyword"] if v.value == "velo"]
    assert (value.count, value.label) == (5, "vélo")
    assert store.search(SearchQuery(filters={"keyword": ("VÉLO",)})).total == 5


def test_a_facet_ignores_its_own_filter_but_honours_the_others(loaded):
    page = loaded.search(SearchQuery(filters={"portal": ("paris",), "theme": ("Environnement",)}))
    assert set(ids(page)) == {"p3", "p4"}
    assert facet(page, "portal") == {"paris": 2, "lyon": 1}, "portal counts ignore the portal filter"
    assert facet(page, "theme") == {"Mobilité": 2, "Environnement": 2, "Finances": 1, "Éducation": 1}
    assert facet(page, "format") == {"CSV": 2, "GEOJSON": 1}


def test_facets_are_sorted_by_count_then_value(loaded):
    values = [v.value for v in loaded.search(SearchQuery()).facets["theme"]]
    assert values == ["Environnement", "Transports", "Mobilité", "Culture", "Finances", "Imagerie", "Éducation"]


# -- sorting and paging --------------------------------------------------------------


def test_sort_by_title_folds_accents(loaded):
    titles = [h.record.title for h in loaded.search(SearchQuery(sort="title", page_size=50)).hits]
    assert titles[:4] == ["Aménagements cyclables", "Arbres d'alignement", "Budget primitif", "Écoles élémentaires"]


def test_equal_titles_are_in_record_id_order_both_ways_and_across_pages(store):
    tied = [RecordFactory(guid=f"t{n}", title="Vélos" if n % 2 else "velos", description=f"Jeu numéro {n}.") for n in (3, 0, 5, 1, 4, 2)]
    store.replace_portal("paris", [RecordFactory(guid="z", title="Zones"), *tied, RecordFactory(guid="a", title="Arbres")], now=NOW)
    in_order = ["t0", "t1", "t2", "t3", "t4", "t5"]
    assert ids(store.search(SearchQuery(sort="title"))) == ["a", *in_order, "z"]
    assert ids(store.search(SearchQuery(sort="-title"))) == ["z", *in_order, "a"]
    pages = [ids(store.search(SearchQuery(sort="title", page=n, page_size=3))) for n in (1, 2, 3)]
    assert pages == [["a", "t0", "t1"], ["t2", "t3", "t4"], ["t5", "z"]]


def test_sort_by_modified_puts_missing_dates_last(loaded):
    newest = ids(loaded.search(SearchQuery(sort="-modified", page_size=50)))
    oldest = ids(loaded.search(SearchQuery(sort="modified", page_size=50)))
    assert newest[0] == "l1" and newest[-1] == "p5"
    assert oldest[0] == "l5" and oldest[-1] == "p5"


def test_relevance_without_query_is_newest_first(loaded):
    assert ids(loaded.search(SearchQuery(page_size=3))) == ["l1", "l2", "p1"]


def test_paging_is_stable_and_complete(loaded):
    pages = [loaded.search(SearchQuery(sort="title", page=n, page_size=5)) for n in (1, 2, 3)]
    seen = [guid for page in pages for guid in ids(page)]
    assert [len(ids(p)) for p in pages] == [5, 5, 2]
    assert len(set(seen)) == 12 and all(p.total == 12 for p in pages)
    assert loaded.search(SearchQuery(page=9, page_size=5)).hits == []


# -- reading -----------------------------------------------------------------------


def test_get_and_iterate(loaded):
    record = corpus()[0]
    assert loaded.get(record.record_id).record == record
    assert loaded.get("paris:nope") is None
    listed = list(loaded.iter_records())
    assert [r.record_id for r in listed] == sorted(r.record_id for r in listed)
    assert [r.record_id for r in loaded.iter_records(offset=10, limit=5)] == [r.record_id for r in listed[10:]]
    for offset in range(0, 13, 3):
        assert list(loaded.iter_records(offset=offset, limit=4)) == listed[offset : offset + 4]
    assert [Record.from_json(text) for text in loaded.iter_record_json(offset=5, limit=3)] == listed[5:8]
    assert loaded.count() == 12
    assert loaded.counts_by_portal() == {"paris": 6, "lyon": 6}


# -- writing -----------------------------------------------------------------------


def test_replace_counts_created_updated_unchanged_deleted(loaded):
    paris = [r for r in corpus() if r.portal_id == "paris"]
    changed = [paris[0].__class__(**{**paris[0].__dict__, "title": "Vélos partagés"})] + paris[1:4]
    stats = loaded.replace_portal("paris", changed + [RecordFactory(guid="p9")], now=NOW)
    assert stats == WriteStats(created=1, updated=1, unchanged=3, deleted=2, flagged=0)
    assert loaded.counts_by_portal() == {"paris": 5, "lyon": 6}
    assert loaded.get(paris[0].record_id).record.title == "Vélos partagés"
    assert ids(loaded.search(SearchQuery(q="partages"))) == ["p1"]
    assert loaded.search(SearchQuery(q="budget")).total == 0, "removed records leave the index"


def test_failed_stream_changes_nothing(loaded):
    def broken():
        yield RecordFactory(guid="new")
        raise RuntimeError("portal went away")

    with pytest.raises(RuntimeError):
        loaded.replace_portal("paris", broken(), now=NOW)
    assert loaded.counts_by_portal() == {"paris": 6, "lyon": 6}
    assert loaded.get("paris:new") is None


def test_missing_records_are_flagged_then_deleted_after_the_grace_period(loaded):
    keep = [r for r in corpus() if r.portal_id == "paris"][:5]
    grace = timedelta(days=7)
    first = loaded.replace_portal("paris", keep, now=NOW, grace=grace)
    assert (first.flagged, first.deleted) == (1, 0)
    assert loaded.get("paris:p6").missing_since == NOW.isoformat()
    second = loaded.replace_portal("paris", keep, now=NOW + timedelta(days=3), grace=grace)
    assert (second.flagged, second.deleted) == (0, 0)
    third = loaded.replace_portal("paris", keep, now=NOW + timedelta(days=8), grace=grace)
    assert third.deleted == 1 and loaded.get("paris:p6") is None


def test_a_flagged_record_that_comes_back_is_unflagged(loaded):
    paris = [r for r in corpus() if r.portal_id == "paris"]
    loaded.replace_portal("paris", paris[:5], now=NOW, grace=timedelta(days=7))
    loaded.replace_portal("paris", paris, now=NOW + timedelta(days=1), grace=timedelta(days=7))
    assert loaded.get("paris:p6").missing_since is None


def _keeping(store):
    if not store.keeps_records:
        pytest.skip("this backend takes records in full, never kept ones")
    return store


def test_kept_records_stay_as_stored_and_a_flagged_one_comes_back(loaded):
    store = _keeping(loaded)
    paris = [r for r in corpus() if r.portal_id == "paris"]
    store.replace_portal("paris", paris[:5], now=NOW, grace=timedelta(days=7))
    version = store.data_version()
    stats = store.replace_portal("paris", [KeptRecord(r.record_id) for r in paris], now=NOW + timedelta(days=1))
    assert (stats.created, stats.updated, stats.unchanged, stats.deleted) == (0, 0, 6, 0)
    assert store.get("paris:p6").missing_since is None and store.get("paris:p1").record == paris[0]
    assert store.data_version() > version  # a record came back: what readers computed is stale


def test_a_kept_record_no_longer_stored_is_not_created(loaded):
    store = _keeping(loaded)
    paris = [KeptRecord(r.record_id) for r in corpus() if r.portal_id == "paris"]
    stats = store.replace_portal("paris", [*paris, KeptRecord("paris:gone")], now=NOW)
    assert (stats.created, stats.unchanged) == (0, 6)
    assert store.get("paris:gone") is None and store.counts_by_portal()["paris"] == 6


def test_a_record_given_in_full_wins_over_a_kept_one_of_the_same_id(loaded):
    store = _keeping(loaded)
    paris = [r for r in corpus() if r.portal_id == "paris"]
    renamed = replace(paris[0], title="Vélos, nouveau titre")
    both = [KeptRecord(r.record_id) for r in paris] + [renamed]
    stats = store.replace_portal("paris", both, now=NOW)
    assert (stats.updated, stats.unchanged) == (1, 5)
    assert store.get(renamed.record_id).record.title == "Vélos, nouveau titre"


def test_incomplete_harvest_removes_nothing(loaded):
    stats = loaded.replace_portal("paris", corpus()[:1], now=NOW, is_complete=lambda: False)
    assert (stats.deleted, stats.flagged) == (0, 0)
    assert loaded.counts_by_portal()["paris"] == 6


def test_records_of_another_portal_are_refused(loaded):
    with pytest.raises(StoreError):
        loaded.replace_portal("lyon", [RecordFactory(portal_id="paris", guid="x")], now=NOW)
    assert loaded.counts_by_portal() == {"paris": 6, "lyon": 6}


def test_delete_portal(loaded):
    assert loaded.delete_portal("lyon") == 6
    assert loaded.counts_by_portal() == {"paris": 6}


def test_jobs_newest_first_and_per_portal(store):
    for n, portal in enumerate(["paris", "lyon", "paris"]):
        store.save_job(HarvestJob(job_id=f"j{n}", portal_id=portal, started_at=f"2026-01-0{n + 1}T00:00:00"))
    store.save_job(HarvestJob(job_id="j2", portal_id="paris", started_at="2026-01-03T00:00:00", status="done"))
    assert [j.job_id for j in store.jobs()] == ["j2", "j1", "j0"]
    assert [j.job_id for j in store.jobs(portal_id="paris")] == ["j2", "j0"]
    assert store.jobs(portal_id="paris")[0].status == "done"
    assert {p: j.job_id for p, j in store.last_jobs().items()} == {"paris": "j2", "lyon": "j1"}


def test_reindex_keeps_every_answer(loaded):
    queries = [SearchQuery(q="velo"), SearchQuery(filters={"theme": ("Transports",)}), SearchQuery(sort="title")]
    before = [(ids(p), p.facets) for p in map(loaded.search, queries)]
    loaded.reindex()
    assert [(ids(p), p.facets) for p in map(loaded.search, queries)] == before
    assert loaded.count() == 12


# -- clusters ------------------------------------------------------------------------


@pytest.fixture
def clustered(store):
    paris = [
        RecordFactory(guid="https://opendata.paris.fr/explore/dataset/velib/", title="Vélib' - Vélos", quality=90,
                      themes=(Concept("Mobilité"),)),
        RecordFactory(guid="https://opendata.paris.fr/explore/dataset/arbres/", title="Les arbres", quality=80),
    ]
    datagouv = [
        # the same Vélib' dataset, harvested by data.gouv.fr with its upstream URI
        RecordFactory(portal_id="datagouv", guid="https://opendata.paris.fr/explore/dataset/velib/",
                      title="Vélib' - Vélos", quality=60, themes=(Concept("Mobilité"),)),
        RecordFactory(portal_id="datagouv", guid="https://www.data.gouv.fr/datasets/velos-nationaux",
                      title="Vélos nationaux", quality=70),
    ]
    store.replace_portal("paris", paris, now=NOW)
    store.replace_portal("datagouv", datagouv, now=NOW)
    return store


def test_a_cluster_is_shown_and_counted_once(clustered):
    page = clustered.search(SearchQuery(q="velos"))
    assert page.total == 2
    assert sorted(ids(page)) == ["https://opendata.paris.fr/explore/dataset/velib/", "https://www.data.gouv.fr/datasets/velos-nationaux"]
    assert len({h.cluster_id for h in page.hits}) == 2
    assert facet(page, "portal") == {"datagouv": 2, "paris": 1}
    assert facet(page, "theme")["Mobilité"] == 1, "the two copies count as one dataset"


def test_the_member_shown_is_the_best_match_in_the_query_order(clustered):
    (velib,) = [h for h in clustered.search(SearchQuery(q="velib", sort="-quality")).hits]
    assert velib.record.portal_id == "paris"
    only_datagouv = clustered.search(SearchQuery(q="velib", filters={"portal": ("datagouv",)}))
    assert [h.record.portal_id for h in only_datagouv.hits] == ["datagouv"]


def test_cluster_members_and_ids(clustered):
    hit = clustered.get("paris:https://opendata.paris.fr/explore/dataset/velib/")
    copy = clustered.get("datagouv:https://opendata.paris.fr/explore/dataset/velib/")
    assert hit.cluster_id == copy.cluster_id == "datagouv:https://opendata.paris.fr/explore/dataset/velib/"
    members = clustered.cluster_members([hit.cluster_id])[hit.cluster_id]
    assert [m.portal_id for m in members] == ["datagouv", "paris"]
    lone = clustered.get("paris:https://opendata.paris.fr/explore/dataset/arbres/")
    assert lone.cluster_id == lone.record.record_id


def test_clusters_dissolve_when_a_copy_goes(clustered):
    clustered.delete_portal("datagouv")
    hit = clustered.get("paris:https://opendata.paris.fr/explore/dataset/velib/")
    assert hit.cluster_id == hit.record.record_id


def test_page_cache_round_trip_and_reset(loaded):
    pages = {"https://p.fr/catalog?page=1": {"etag": '"abc"', "digest": "d1", "records": ["paris:p1"]}}
    assert loaded.page_cache("paris") == {}
    loaded.save_page_cache("paris", pages)
    assert loaded.page_cache("paris") == pages
    loaded.delete_portal("paris")
    assert loaded.page_cache("paris") == {}


def test_get_many_keeps_the_order_asked(loaded):
    wanted = ["lyon:l2", "paris:nope", "paris:p1"]
    assert [r.record_id for r in loaded.get_many(wanted)] == ["lyon:l2", "paris:p1"]


# -- locks (one harvest per portal across processes) -----------------------------------


def test_a_lock_has_one_owner_at_a_time_and_names_are_independent(store):
    assert store.acquire_lock("harvest:paris", "a", ttl=60)
    assert not store.acquire_lock("harvest:paris", "b", ttl=60)
    assert store.acquire_lock("harvest:lyon", "b", ttl=60)


def test_the_owner_renews_its_lock(store):
    assert store.acquire_lock("harvest:paris", "a", ttl=0)
    assert store.acquire_lock("harvest:paris", "a", ttl=60), "taking one's own lock again renews it"
    assert not store.acquire_lock("harvest:paris", "b", ttl=60), "a renewed lock has not expired"


def test_only_the_owner_releases_a_lock(store):
    store.acquire_lock("harvest:paris", "a", ttl=60)
    store.release_lock("harvest:paris", "b")
    assert not store.acquire_lock("harvest:paris", "b", ttl=60)
    store.release_lock("harvest:paris", "a")
    assert store.acquire_lock("harvest:paris", "b", ttl=60)
    store.release_lock("harvest:never-taken", "a")


def test_an_expired_lock_is_taken_over_and_its_old_owner_cannot_release_it(store):
    assert store.acquire_lock("harvest:paris", "crashed", ttl=0)
    assert store.acquire_lock("harvest:paris", "b", ttl=60)
    store.release_lock("harvest:paris", "crashed")
    assert not store.acquire_lock("harvest:paris", "c", ttl=60)


def test_both_engines_give_the_same_ids_totals_and_facet_counts(request):
    """The same fixture data through every registered backend: same answers (relevance order may differ on ties)."""
    backends = {name: BACKEND_FACTORIES[name](request) for name in backend_names()}
    records = corpus()
    for backend in backends.values():
        for portal in ("paris", "lyon"):
            backend.replace_portal(portal, [r for r in records if r.portal_id == portal], now=NOW)
    queries = [
        SearchQuery(), SearchQuery(q="velo"), SearchQuery(q="vélos"), SearchQuery(q="vleo"), SearchQuery(q="arbres"),
        SearchQuery(q="parcs"), SearchQuery(q='"qualité de l\'air"'), SearchQuery(q="vélo -lyon"),
        SearchQuery(q="musées OR écoles"), SearchQuery(filters={"theme": ("Transports",)}),
        SearchQuery(q="velo", filters={"portal": ("lyon",), "format": ("CSV",)}), SearchQuery(sort="title"),
        SearchQuery(sort="-modified", page=2, page_size=5), SearchQuery(sort="quality"),
        SearchQuery(modified_since="2023-01-01"), SearchQuery(bbox=(2.0, 48.0, 3.0, 49.0)),
    ]
    for query in queries:
        answers = {name: backend.search(query) for name, backend in backends.items()}
        first, *others = answers.values()
        for other in others:
            same_order = query.sort != "relevance" or not query.q
            assert (ids(other) if same_order else sorted(ids(other))) == (ids(first) if same_order else sorted(ids(first))), query
            assert other.total == first.total, query
            assert {f: facet(other, f) for f in other.facets} == {f: facet(first, f) for f in first.facets}, query
    for backend in backends.values():
        backend.close()
