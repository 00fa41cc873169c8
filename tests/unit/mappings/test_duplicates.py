"""Duplicate clustering: keys, guards, merging, and precision/recall on a labelled set."""

from __future__ import annotations

import itertools
import random

import pytest

from mappings.duplicates import ClusterEntry, compute_clusters, duplicate_keys, merge_cluster, normalise_url, title_signature
from mappings.record import Agent
from simulators.sample_data import PORTAL_PROFILES, generate
from tests.factories import DistributionFactory, RecordFactory


def entry(record):
    return ClusterEntry(record.record_id, record.portal_id, duplicate_keys(record), record.quality or 0)


@pytest.mark.parametrize(
    "a,b",
    [
        ("https://opendata.paris.fr/explore/dataset/velib/", "http://opendata.paris.fr/explore/dataset/velib"),
        ("https://www.data.gouv.fr/datasets/x#resource", "https://data.gouv.fr/datasets/x"),
        ("https://A.example.fr/p?q=1", "https://a.example.fr/p?q=1"),
    ],
)
def test_urls_compare_loosely(a, b):
    assert normalise_url(a) == normalise_url(b)


def test_title_signature_ignores_case_accents_punctuation_and_stop_words():
    assert title_signature("Vélib' - Vélos et bornes") == title_signature("VELIB VELOS BORNES")
    assert title_signature("Budget 2022") != title_signature("Budget 2023")


def test_keys_only_link_different_portals():
    shared = DistributionFactory(download_url="https://wms.paris.fr/ows", access_url="https://wms.paris.fr/ows")
    a = RecordFactory(guid="a", distributions=(shared,))
    b = RecordFactory(guid="b", distributions=(shared,))
    assert compute_clusters([entry(a), entry(b)]) == {}


def test_a_key_shared_inside_one_portal_is_no_evidence():
    shared = DistributionFactory(download_url="https://wms.paris.fr/ows")
    a, b = RecordFactory(guid="a", distributions=(shared,)), RecordFactory(guid="b", distributions=(shared,))
    copy = RecordFactory(portal_id="datagouv", guid="c", distributions=(shared,))
    assert compute_clusters([entry(a), entry(b), entry(copy)]) == {}


def test_a_cluster_holds_one_record_per_portal():
    paris_one = RecordFactory(guid="https://p.fr/1", title="Arbres", publisher=Agent("Ville de Paris"))
    paris_two = RecordFactory(guid="https://p.fr/2", title="Autre", publisher=Agent("Ville de Paris"),
                              landing_page="https://p.fr/landing")
    aggregate = RecordFactory(portal_id="datagouv", guid="https://p.fr/1", title="Autre",
                              publisher=Agent("Ville de Paris"), landing_page="https://p.fr/landing")
    clusters = compute_clusters([entry(paris_one), entry(paris_two), entry(aggregate)])
    members = {}
    for record_id, cluster in clusters.items():
        members.setdefault(cluster, []).append(record_id.split(":")[0])
    assert all(len(portals) == len(set(portals)) for portals in members.values())


def test_cluster_id_is_the_smallest_member_id():
    a = RecordFactory(portal_id="paris", guid="https://x.fr/d")
    b = RecordFactory(portal_id="datagouv", guid="https://x.fr/d")
    assert compute_clusters([entry(a), entry(b)]) == {a.record_id: b.record_id, b.record_id: b.record_id}


def test_merge_keeps_per_field_provenance():
    city = RecordFactory(portal_id="paris", guid="https://x.fr/d", description="Description de la ville", quality=80)
    copy = RecordFactory(portal_id="datagouv", guid="https://x.fr/d", description="", keywords=("extra",), quality=50,
                         distributions=(DistributionFactory(download_url="https://dg.fr/f.csv"),))
    merged = merge_cluster([copy, city])
    assert merged["description"] == {"value": "Description de la ville", "portal": "paris", "record": city.record_id}
    assert merged["keywords"]["portal"] == "paris"
    assert {d["portal"] for d in merged["distributions"]} == {"paris", "datagouv"}


# -- a labelled set -------------------------------------------------------------------

VARIATIONS = ("same-uri", "same-landing", "same-download", "same-title", "title-variant")


def labelled_set():
    """City datasets, data.gouv.fr copies made five ways, and look-alikes that are not copies."""
    rng = random.Random(42)
    records, truth = [], []
    n = 0
    for portal in ("paris", "lyon", "montpellier"):
        profile = PORTAL_PROFILES[portal]
        for sample in generate(portal, 40):
            n += 1
            city = RecordFactory(
                portal_id=portal,
                guid=f"https://{profile.domain}/explore/dataset/{sample.slug}/",
                title=sample.title,
                description=sample.description,
                publisher=Agent(sample.publisher),
                landing_page=f"https://{profile.domain}/explore/dataset/{sample.slug}/",
                distributions=tuple(
                    DistributionFactory(access_url=r.url, download_url=r.url) for r in sample.resources
                ),
            )
            records.append(city)
            kind = VARIATIONS[n % len(VARIATIONS)]
            copy = _copy(city, kind, n, rng)
            if copy is not None:
                records.append(copy)
                truth.append({city.record_id, copy.record_id})
            if n % 7 == 0:
                records.append(_look_alike(city, n))
            if n % 11 == 0:  # a copy re-titled by hand, sharing nothing: the rules cannot see it
                hidden = _copy(city, "same-title", n + 10_000, rng)
                hidden = RecordFactory(**{**hidden.__dict__, "title": "Données : " + city.title.split(" ")[0] + " (mise à jour)",
                                          "portal_id": "other"} | {"record_id": f"other:{hidden.guid}"})
                records.append(hidden)
                truth.append({city.record_id, hidden.record_id})
            if n in (4, 64):  # unrelated datasets that happen to carry the same title and publisher
                records.append(_same_title_other_dataset(city, n))
    return records, truth


def _copy(city, kind, n, rng):
    native = f"https://www.data.gouv.fr/datasets/{n:024x}"
    # data.gouv.fr keeps a harvested description (HTML turned into Markdown: the same plain text)
    base = dict(portal_id="datagouv", guid=native, title=city.title, description=city.description,
                publisher=Agent(city.publisher.name),
                landing_page=native, distributions=(DistributionFactory(download_url=f"https://static.data.gouv.fr/{n}.csv"),))
    if kind == "same-uri":
        base.update(guid=city.guid)
    elif kind == "same-landing":
        base.update(landing_page=city.landing_page, title=city.title + " (copie)")
    elif kind == "same-download":
        base.update(distributions=(city.distributions[0],), title="Jeu moissonné " + str(n))
    elif kind == "same-title":
        base.update(title=city.title.upper().replace("'", " ").replace("-", " "))
    else:  # a genuinely different dataset whose title differs by one word: not a copy
        return None
    return RecordFactory(**base)


def _look_alike(city, n):
    """Same publisher, title one word off, nothing else shared: a different dataset."""
    return RecordFactory(portal_id="datagouv", guid=f"https://www.data.gouv.fr/datasets/other-{n}",
                         title=city.title + " archive", description=city.description, publisher=Agent(city.publisher.name),
                         landing_page=f"https://www.data.gouv.fr/datasets/other-{n}",
                         distributions=(DistributionFactory(download_url=f"https://static.data.gouv.fr/other-{n}.csv"),))


def _same_title_other_dataset(city, n):
    return RecordFactory(portal_id="datagouv", guid=f"https://www.data.gouv.fr/datasets/homonym-{n}", title=city.title,
                         description=f"Édition {2000 + n} publiée séparément, autre périmètre.",
                         publisher=Agent(city.publisher.name), landing_page=f"https://www.data.gouv.fr/datasets/homonym-{n}",
                         distributions=(DistributionFactory(download_url=f"https://static.data.gouv.fr/homonym-{n}.csv"),))


def pairs(groups):
    return {frozenset(p) for group in groups for p in itertools.combinations(sorted(group), 2)}


def test_precision_and_recall_on_the_labelled_set():
    records, truth = labelled_set()
    clusters = compute_clusters(entry(r) for r in records)
    predicted_groups: dict[str, set] = {}
    for record_id, cluster in clusters.items():
        predicted_groups.setdefault(cluster, set()).add(record_id)
    predicted, expected = pairs(predicted_groups.values()), pairs(truth)
    true_positives = len(predicted & expected)
    precision = true_positives / len(predicted) if predicted else 1.0
    recall = true_positives / len(expected)
    print(f"\nduplicates: {len(records)} records, {len(expected)} true pairs, "
          f"precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.98 and recall >= 0.9
    assert len(expected) >= 90


def test_a_route_fragment_is_part_of_the_address():
    """GeoNetwork shows every record at ``catalog.search#/metadata/<uuid>``: the fragment tells them apart."""
    page = "https://data.grandlyon.com/geonetwork/srv/fre/catalog.search#/metadata/"
    assert normalise_url(page + "a") != normalise_url(page + "b")
    assert normalise_url("https://www.example.org/data/#section") == normalise_url("http://example.org/data")
