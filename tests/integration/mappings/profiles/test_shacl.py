"""The DCAT-AP export against the official DCAT-AP 3.0.1 SHACL shapes: no violation, anywhere.

The four simulated portals are harvested through the real harvesters
(``service.demo.harvest_demo``), then every Hydra page of ``/catalog.ttl`` and a
sample of ``/datasets/<id>.ttl`` are fetched through the Flask client and
validated with pyshacl against ``shapes.ttl`` + ``range.ttl``. Records built here
cover what the sample portals never publish (bounding boxes, HVD, access rights,
free-text licences). Recommended-property warnings (``shapes_recommended.ttl``)
are counted; docs/dcat-ap.md explains each kind that remains.

The official shapes need no SHACL-AF features and no inference (every value's
class is stated in the export), and they import nothing: they are read from
files and validation runs with ``do_owl_imports=False`` and a socket guard.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, RDFS, SH

from mappings.normalise import normalise
from mappings.profiles.base import (
    CatalogInfo,
    CatalogPage,
    build_catalog_graph,
    build_dataset_graph,
    dataset_ref,
    get_profiles,
)
from mappings.record import Agent, Concept, Distribution
from mappings.vocab import HYDRA
from tests.integration.demo_app import harvested_demo
from tests.factories import DistributionFactory, RecordFactory
from tests.paths import ROOT

# next to the checkout (/work/main -> /work/shared); FEDCAT_SHACL_SHAPES points elsewhere (a worktree)
SHAPES = Path(os.environ.get("FEDCAT_SHACL_SHAPES") or ROOT.parent / "shared" / "dcat-ap-3.0.1-shacl")
DOC = ROOT / "docs" / "dcat-ap.md"
BASE = "http://fedcat.test"
PAGE_SIZE = 10


# -- shapes, loaded once -----------------------------------------------------------------


def _shapes(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(SHAPES / name, format="turtle")
    return graph


@pytest.fixture(scope="session")
def mandatory_shapes() -> Graph:
    """``shapes.ttl`` + ``range.ttl``: every result there has severity Violation."""
    return _shapes("shapes.ttl", "range.ttl")


@pytest.fixture(scope="session")
def recommended_shapes() -> Graph:
    """``shapes_recommended.ttl``: the Warning-level recommended properties."""
    return _shapes("shapes_recommended.ttl")


@contextmanager
def loopback_only():
    """Refuse any connection off this machine while validating (no owl:imports, no remote context)."""
    real_connect = socket.socket.connect

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"validation tried to reach {address}")
        return real_connect(sock, address)

    socket.socket.connect = connect
    try:
        yield
    finally:
        socket.socket.connect = real_connect


def validate(data: Graph, shapes: Graph) -> list[dict]:
    """Every top-level validation result, as a readable dict."""
    with loopback_only():
        _, report, _ = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=False, do_owl_imports=False, allow_warnings=True
        )
    return [_result(report, shapes, node) for node in report.objects(None, SH.result)]


def _result(report: Graph, shapes: Graph, node) -> dict:
    """One result; ``shape`` names the node shape (``Dataset_Shape``) a property shape belongs to."""
    shape = report.value(node, SH.sourceShape)
    owner = next(shapes.subjects(SH.property, shape), shape)
    path = report.value(node, SH.resultPath)
    return {
        "severity": str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
        "shape": str(owner).rsplit("#", 1)[-1],
        "path": report.namespace_manager.normalizeUri(path) if path is not None else "",
        "focus": str(report.value(node, SH.focusNode)),
        "message": str(report.value(node, SH.resultMessage)),
        "value": str(report.value(node, SH.value)),
    }


def test_the_network_guard_refuses_remote_connections():
    with loopback_only(), socket.socket() as sock, pytest.raises(AssertionError, match="tried to reach"):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed


def assert_no_violation(data: Graph, shapes: Graph) -> None:
    violations = [r for r in validate(data, shapes) if r["severity"] == "Violation"]
    details = "\n".join(
        f"{r['shape']} {r['path']} on {r['focus']} (value {r['value']}): {r['message']}" for r in violations[:40]
    )
    assert not violations, f"{len(violations)} DCAT-AP violations:\n{details}"


# -- the simulated portals, harvested and exported ---------------------------------------


@pytest.fixture(scope="module")
def exported():
    """Harvest the four sample portals, then read every catalogue page and a sample of dataset exports."""
    with ExitStack() as stack:
        run, client = harvested_demo(stack, BASE)
        pages = catalogue_pages(client)
        records = list(run.catalogue.backend.iter_records())
        sample = records[:: max(1, len(records) // 12)]
        datasets = {r.record_id: read_turtle(client, f"/datasets/{quote(r.record_id, safe='')}.ttl") for r in sample}
        yield {"pages": pages, "datasets": datasets, "records": records}


def read_turtle(client, path: str) -> Graph:
    response = client.get(path)
    assert response.status_code == 200, (path, response.data[:300])
    return Graph().parse(data=response.data, format="turtle")


def catalogue_pages(client) -> list[Graph]:
    """Every Hydra page of /catalog.ttl, following hydra:next as a harvester would."""
    pages, url = [], f"/catalog.ttl?page_size={PAGE_SIZE}"
    while url:
        page = read_turtle(client, url)
        pages.append(page)
        view = next(page.subjects(RDF.type, HYDRA.PartialCollectionView))
        following = page.value(view, HYDRA.next)
        url = str(following).removeprefix(BASE) if following else None
    return pages


def union(graphs) -> Graph:
    merged = Graph()
    for graph in graphs:
        merged += graph
    return merged


def test_the_sample_portals_fill_several_pages(exported):
    assert len(exported["pages"]) == -(-len(exported["records"]) // PAGE_SIZE) >= 4
    assert {r.portal_id for r in exported["records"]} == {"paris", "lyon", "montpellier", "datagouv"}


def test_every_catalogue_page_conforms(exported, mandatory_shapes):
    # Blank nodes stay distinct when graphs are merged, so one validation of the union checks each page.
    assert_no_violation(union(exported["pages"]), mandatory_shapes)


def test_one_catalogue_page_alone_conforms(exported, mandatory_shapes):
    assert_no_violation(exported["pages"][-1], mandatory_shapes)


def test_dataset_exports_conform(exported, mandatory_shapes):
    datasets = list(exported["datasets"].values())
    assert_no_violation(datasets[0], mandatory_shapes)
    assert_no_violation(union(datasets[1:]), mandatory_shapes)


# -- what the sample portals do not publish ----------------------------------------------


def edge_records():
    """Records exercising every branch of the profile the sample portals leave untouched."""
    return [
        RecordFactory(
            bbox=(2.224, 48.815, 2.47, 48.902),
            spatial=(Concept("Paris"),),
            keywords=("hvd", "mobilite", "statistiques"),
            access_rights=Concept("PUBLIC", "http://publications.europa.eu/resource/authority/access-right/PUBLIC"),
            frequency=Concept("daily", "http://purl.org/cld/freq/daily"),
            languages=("fr", "en"),
            temporal_start="2020-01",
            temporal_end="2024",
            contact_point=Agent(name="Open data", email="opendata@paris.fr", uri="https://opendata.paris.fr/contact"),
            publisher=Agent(name="Ville de Paris", uri="https://www.paris.fr/#org", url="https://www.paris.fr"),
        ),
        RecordFactory(
            license=Concept("Réutilisation libre sous réserve de citer la source"),
            access_rights=Concept("Sur demande motivée"),
            themes=(Concept("Réseaux de transport", "http://inspire.ec.europa.eu/theme/tn"), Concept("Urbanisme")),
            spatial=(Concept("Lyon"), Concept("Villeurbanne"), Concept("France", "https://sws.geonames.org/3017382/")),
            bbox=(4.77, 45.7, 4.9, 45.8),
            publisher=Agent(name="Région Auvergne-Rhône-Alpes"),
            distributions=(
                DistributionFactory(license=Concept("License Not Specified")),
                Distribution(access_url="https://x.fr/wms", format="WMS_SRVC"),
                Distribution(download_url="https://x.fr/a.truc", media_type="application/x-truc", byte_size=0),
                Distribution(access_url="pas une URL"),
            ),
            issued="2024-02-30",
            modified="2024-06-01T12:00:00Z",
        ),
        RecordFactory(
            source_uri=None, description="", keywords=(), themes=(), publisher=None, license=None, distributions=()
        ),
    ]


def test_records_with_every_optional_part_conform(mandatory_shapes):
    graphs = [build_dataset_graph(normalise(r), get_profiles(["dcat_ap_3"]), BASE) for r in edge_records()]
    assert_no_violation(union(graphs), mandatory_shapes)


def test_chained_profiles_keep_the_export_conformant(exported, mandatory_shapes):
    profiles = get_profiles(["dcat_ap_3", "schema_org"])
    records = exported["records"]
    page = CatalogPage(CatalogInfo(BASE), records, len(records), 1, len(records), lambda n: f"{BASE}/catalog?page={n}")
    chained = build_catalog_graph(page, profiles) + union(build_dataset_graph(r, profiles, BASE) for r in records[:10])
    assert (URIRef(f"{BASE}/catalog"), RDF.type, URIRef("http://schema.org/DataCatalog")) in chained
    assert_no_violation(chained, mandatory_shapes)


def test_upstream_copies_are_not_datasets(exported):
    page = union(exported["pages"])
    catalog = URIRef(f"{BASE}/catalog")
    members = set(page.objects(catalog, DCAT.dataset))
    assert set(page.subjects(RDF.type, DCAT.Dataset)) == members
    # no class of fedcat's own: a client that infers classes sees the catalogue's datasets and no others
    assert not list(page.triples((None, RDFS.subClassOf, None)))
    upstream = set(page.objects(None, PROV.wasDerivedFrom))
    derived = {member for member in members if (member, PROV.wasDerivedFrom, None) in page}
    # a city's dataset and its data.gouv.fr copy may derive from one upstream page
    assert len(derived) >= len(members) - 2 and not upstream & members
    # the upstream IRI may be a landing page (a foaf:Document), never a described dataset
    assert not any(page.value(node, DCTERMS.title) for node in upstream)


def test_every_dataset_has_its_own_identifier(exported):
    page = union(exported["pages"])
    identifiers = [page.value(ref, DCTERMS.identifier) for ref in page.subjects(RDF.type, DCAT.Dataset)]
    assert len(identifiers) == len(set(identifiers)) == len(exported["records"])


# -- recommended properties --------------------------------------------------------------


def warning_counts(data: Graph, shapes: Graph) -> Counter:
    """``(shape, path) -> count`` for every warning."""
    counts: Counter = Counter()
    for result in validate(data, shapes):
        assert result["severity"] == "Warning", result
        counts[(result["shape"], result["path"])] += 1
    return counts


def test_recommended_warnings_are_all_documented(exported, recommended_shapes):
    counts = warning_counts(union(exported["pages"]), recommended_shapes)
    table = "\n".join(f"{shape:<22} {path:<22} {n}" for (shape, path), n in sorted(counts.items()))
    print(f"\nRecommended-property warnings on {len(exported['records'])} records:\n{table}")
    rows = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    explained = {(shape, path) for shape, path in counts if any(shape in row and f"`{path}`" in row for row in rows)}
    missing = sorted(set(counts) - explained)
    assert not missing, f"docs/dcat-ap.md has no table row explaining these warnings: {missing}\n{table}"


#: what a record holds for each recommended Dataset property (a warning there means the export lost it)
CARRIED = {
    "dct:temporal": lambda r: r.temporal_start or r.temporal_end,
    "dct:spatial": lambda r: r.spatial or r.bbox,
    "dcat:contactPoint": lambda r: r.contact_point,
    "dct:publisher": lambda r: r.publisher,
    "dcat:keyword": lambda r: r.keywords,
    "dcat:distribution": lambda r: r.distributions,
    "dcat:theme": lambda r: r.eu_themes or r.themes,
}


def test_no_warning_for_a_recommended_property_the_source_carries(exported, recommended_shapes):
    by_ref = {str(dataset_ref(BASE, r.record_id)): r for r in exported["records"]}
    lost = []
    for result in validate(union(exported["pages"]), recommended_shapes):
        record = by_ref.get(result["focus"])
        carried = CARRIED.get(result["path"])
        if record is not None and carried is not None and carried(record):
            lost.append((record.record_id, result["path"]))
    assert lost == []


PUBLISHED = ROOT / "tests" / "fixtures" / "published"


def published_records() -> list:
    """Records read from files other projects published (three languages; agents by IRI; rights codes)."""
    from harvesters.fetch.rdf_parsing import parse_rdf
    from mappings.from_rdf import dataset_nodes, record_from_rdf

    files = [
        ("ckanext-dcat/dataset_multilingual.ttl", "text/turtle"),
        ("udata/geonetwork.xml", "application/rdf+xml"),
        ("semic/example-bee-population-2022-2023.ttl", "text/turtle"),
    ]
    records = []
    for name, media_type in files:
        graph = parse_rdf((PUBLISHED / name).read_bytes(), media_type, f"https://published.test/{name}")
        records += [normalise(record_from_rdf(graph, node, "pub")) for node in dataset_nodes(graph)]
    return records


def test_exports_of_published_files_conform(mandatory_shapes):
    records = published_records()
    assert len(records) == 4
    graphs = [build_dataset_graph(r, get_profiles(["dcat_ap_3"]), BASE) for r in records]
    assert_no_violation(union(graphs), mandatory_shapes)
