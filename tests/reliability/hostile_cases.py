"""The hostile input corpus: what a portal (or someone in its place) may send a harvester.

Each :class:`Case` names a portal family, the hostile answer, and the outcome
fedcat commits to:

``refused``
    the page cannot be used: the run fails with a readable error and the store
    keeps exactly what the previous run left;
``isolated``
    one dataset is bad: it is a failed entry of the job, every other record is stored;
``cleaned``
    the input is odd but usable: it is stored, made safe (text that encodes and
    fits XML, no markup), and the run is ``done``;
``partial``
    paging went wrong (a loop): the run keeps what it read, says so in a
    warning, and removes nothing.
"""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Callable

from simulators.dkan import DkanSimulator
from simulators.geonetwork import GeonetworkSimulator
from simulators.opendatasoft import OpendatasoftSimulator
from simulators.sample_data import generate
from simulators.server import PortalSimulator, SimRequest, SimResponse
from simulators.udata import UdataSimulator
from tests.reliability.servers import chunked, drip_forever, many_headers, no_length

__all__ = ["CASES", "Case", "Family", "FAMILIES", "GOOD_TITLES"]

MIB = 1024 * 1024
PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
GOOD_TITLES = ("Vélos en libre service", "Qualité de l'air", "Arbres d'alignement")
GOOD_TTL = PREFIXES + "".join(
    f'<http://p.test/d{n}> a dcat:Dataset ; dct:title "{title}" ; dct:description "Jeu numéro {n}." .\n'
    for n, title in enumerate(GOOD_TITLES, 1)
)
GOOD_JSONLD = ", ".join(
    json.dumps({"@id": f"http://p.test/d{n}", "@type": "http://www.w3.org/ns/dcat#Dataset", "http://purl.org/dc/terms/title": title})
    for n, title in enumerate(GOOD_TITLES, 1)
).encode()
RDF_OPEN = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#"'
    ' xmlns:dct="http://purl.org/dc/terms/">'
)
GOOD_RDF_BODY = "".join(
    f'<dcat:Dataset rdf:about="http://p.test/d{n}"><dct:title>{title.replace(chr(39), "&apos;")}</dct:title></dcat:Dataset>'
    for n, title in enumerate(GOOD_TITLES, 1)
)
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
)

Answer = Callable[[PortalSimulator, SimRequest], "SimResponse | None"]


class HostileMixin:
    """Lets a case answer the requests it targets; the simulator answers the rest (and everything until armed)."""

    answer: Answer | None = None

    def handle(self, request: SimRequest) -> SimResponse:
        """The case's answer when it has one, else the simulator's own."""
        if self.answer is not None:
            found = self.answer(self, request)
            if found is not None:
                return found
        return self.own_answer(request)

    def own_answer(self, request: SimRequest) -> SimResponse:
        """What the simulator itself answers."""
        return super().handle(request)  # type: ignore[misc]


class CatalogPortal(PortalSimulator):
    """A generic DCAT portal at ``/catalog``: three good datasets in Turtle."""

    def handle(self, request: SimRequest) -> SimResponse:
        """The good catalogue, or 404."""
        if request.path == "/catalog":
            return SimResponse(200, GOOD_TTL.encode(), "text/turtle; charset=utf-8")
        return SimResponse(404, b"not found", "text/plain")


@dataclass(frozen=True)
class Family:
    """A portal kind as the corpus stands it up: its simulator, portal URL and options, and sample size."""

    kind: str
    make: Callable[[], PortalSimulator]
    url: Callable[[PortalSimulator], str]
    options: dict = field(default_factory=dict)
    records: int = 3


FAMILIES = {
    "dcat": Family("dcat", CatalogPortal, lambda s: s.url + "/catalog"),
    "geonetwork": Family(
        "geonetwork", lambda: GeonetworkSimulator(generate("lyon", 4)), lambda s: s.csw_url, {"page_size": 10}, 4
    ),
    "geonetwork_iso": Family(
        "geonetwork",
        lambda: GeonetworkSimulator(generate("lyon", 4)),
        lambda s: s.csw_url,
        {"page_size": 10, "output_schema": "iso"},
        4,
    ),
    "dkan": Family("dkan", lambda: DkanSimulator(generate("montpellier", 4)), lambda s: s.url, {"page_size": 10}, 4),
    "dkan_catalog": Family(
        "dkan", lambda: DkanSimulator(generate("montpellier", 4)), lambda s: s.url, {"source": "catalog"}, 4
    ),
    "opendatasoft": Family("opendatasoft", lambda: OpendatasoftSimulator(generate("paris", 4)), lambda s: s.url, {}, 4),
    "udata": Family(
        "udata", lambda: UdataSimulator(generate("datagouv", 4), page_size=10), lambda s: s.url, {"page_size": 10}, 4
    ),
    "udata_jsonld": Family(
        "udata",
        lambda: UdataSimulator(generate("datagouv", 4), page_size=10),
        lambda s: s.url,
        {"page_size": 10, "format": "jsonld"},
        4,
    ),
}


@dataclass(frozen=True)
class Case:
    """One hostile input and the outcome fedcat commits to.

    :param answer: the hostile answer for the requests it targets (None lets the
        simulator answer), or with ``raw`` a writer for :class:`RawPortal`.
    :param reason: a regular expression the job's error, a failed entry or a warning must match.
    :param settings: HttpSettings fields for this case.
    :param check: more assertions, given ``(job, store, simulator)``.
    :param max_mib: the most memory (traced Python allocations) the harvest may take.
    :param seconds: how long the harvest may take.
    """

    id: str
    family: str
    answer: Any
    outcome: str
    reason: str
    raw: bool = False
    settings: dict = field(default_factory=dict)
    check: Callable | None = None
    max_mib: float = 48.0
    seconds: float = 60.0


# -- answers ----------------------------------------------------------------------------


def body(content: bytes | str, content_type: str, status: int = 200, **headers: str) -> Answer:
    """Answer every request with this body."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return lambda sim, request: SimResponse(status, data, content_type, dict(headers), conditional=False)


def turtle(extra: str) -> Answer:
    """The good catalogue plus ``extra`` Turtle."""
    return body(GOOD_TTL + extra, "text/turtle; charset=utf-8")


def rdf_xml(prolog: str, inner: str = "", content_type: str = "application/rdf+xml") -> Answer:
    """An RDF/XML catalogue (the good datasets, then ``inner``) after ``prolog``."""
    return body(f"{prolog}{RDF_OPEN}{GOOD_RDF_BODY}{inner}</rdf:RDF>", content_type)


def next_link(target: Callable[[str], str]) -> Answer:
    """The good catalogue whose Hydra view points ``next`` at ``target(server_url)``."""

    def answer(sim: PortalSimulator, request: SimRequest) -> SimResponse:
        view = f'<{sim.url}/catalog> a hydra:PartialCollectionView ; hydra:next <{target(sim.url)}> .\n'
        return SimResponse(200, (GOOD_TTL + view).encode(), "text/turtle", conditional=False)

    return answer


def two_page_loop(sim: PortalSimulator, request: SimRequest) -> SimResponse:
    """``/catalog`` → ``/catalog?p=2`` → ``/catalog`` again."""
    second = request.arg("p") == "2"
    here, there = (f"{sim.url}/catalog?p=2", f"{sim.url}/catalog") if second else (f"{sim.url}/catalog", f"{sim.url}/catalog?p=2")
    extra = '<http://p.test/d9> a dcat:Dataset ; dct:title "Page deux" .\n' if second else ""
    view = f"<{here}> a hydra:PartialCollectionView ; hydra:next <{there}> .\n"
    return SimResponse(200, (GOOD_TTL + extra + view).encode(), "text/turtle", conditional=False)


def redirect(location: Callable[[str, SimRequest], str]) -> Answer:
    """A 302 to ``location(server_url, request)``."""
    return lambda sim, request: SimResponse(302, b"", "text/plain", {"Location": location(sim.url, request)}, conditional=False)


def jsonld(document: Callable[[str], Any]) -> Answer:
    """A JSON-LD page built from the server URL."""
    return lambda sim, request: SimResponse(200, json.dumps(document(sim.url)).encode(), "application/ld+json", conditional=False)


def nested(depth: int) -> bytes:
    """A JSON-LD document nested ``depth`` levels deep."""
    return b'{"@id": "http://p.test/deep", "http://purl.org/dc/terms/title": ' + b"[" * depth + b'"x"' + b"]" * depth + b"}"


@cache
def bomb(inflated: int, wbits: int = 16 + zlib.MAX_WBITS) -> bytes:
    """``inflated`` zero bytes compressed (gzip by default; a thousandth of the size), built once per size.

    gzip is one 1 MiB member repeated (a valid gzip file, RFC 1952 2.2): compressing
    256 MiB on a loaded machine took longer than the client's read timeout.
    """
    if wbits == 16 + zlib.MAX_WBITS:
        return gzip.compress(bytes(MIB), compresslevel=9, mtime=0) * (inflated // MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block, parts = bytes(MIB), []
    for _ in range(inflated // MIB):
        parts.append(compressor.compress(block))
    parts.append(compressor.flush())
    return b"".join(parts)


def csw(operation: str, answer: Answer) -> Answer:
    """``answer`` for one CSW operation (GetCapabilities or GetRecords); the simulator answers the rest."""

    def on(sim: PortalSimulator, request: SimRequest) -> SimResponse | None:
        return answer(sim, request) if (request.arg("request") or "") == operation else None

    return on


def csw_records(inner: str, prolog: str = "") -> str:
    """A GetRecordsResponse holding ``inner`` as its records."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">'
        '<csw:SearchStatus timestamp="2026-01-01T00:00:00"/>'
        f'<csw:SearchResults numberOfRecordsMatched="1" numberOfRecordsReturned="1" nextRecord="0">{inner}'
        "</csw:SearchResults></csw:GetRecordsResponse>"
    )


def with_extra_record(extra: bytes) -> Answer:
    """The real GetRecords page, plus ``extra`` as one more record."""

    def answer(sim: HostileMixin, request: SimRequest) -> SimResponse | None:
        if (request.arg("request") or "") != "GetRecords":
            return None
        real = sim.own_answer(request)
        return SimResponse(200, real.body.replace(b"</csw:SearchResults>", extra + b"</csw:SearchResults>"), "application/xml")

    return answer


def dkan_api(answer: Answer, catalog: bool = False) -> Answer:
    """``answer`` for every Action API call, and (unless ``catalog``) a 404 for ``/catalog.xml``."""

    def on(sim: PortalSimulator, request: SimRequest) -> SimResponse | None:
        if request.path.startswith("/api/3/action/"):
            return answer(sim, request)
        if request.path == "/catalog.xml" and not catalog:
            return SimResponse(404, b"<html><body>introuvable</body></html>", "text/html")
        return None

    return on


def dkan_surrogate(sim: HostileMixin, request: SimRequest) -> SimResponse | None:
    """The real package list, with a lone surrogate and control characters escaped into a title."""
    if not request.path.startswith("/api/3/action/"):
        return None
    real = sim.own_answer(request)
    return SimResponse(200, real.body.replace(b'"title": "', b'"title": "\\ud800\\u0007', 1), "application/json")


# -- checks -----------------------------------------------------------------------------


def no_request_to(path: str) -> Callable:
    """The simulator never saw a request for ``path``."""

    def check(job, store, sim) -> None:
        assert path not in [r.path for r in getattr(sim, "requests", [])], f"{path} was fetched"

    return check


def stored_title(record_id: str, predicate: Callable[[str], bool]) -> Callable:
    """The record is stored and its title passes ``predicate``."""

    def check(job, store, sim) -> None:
        hit = store.get(record_id)
        assert hit is not None, f"{record_id} not stored"
        assert predicate(hit.record.title), repr(hit.record.title)

    return check


def any_title(predicate: Callable[[str], bool]) -> Callable:
    """Some stored record's title passes ``predicate``."""

    def check(job, store, sim) -> None:
        titles = [record.title for record in store.iter_records()]
        assert any(predicate(title) for title in titles), titles

    return check


def safe_text(text: str) -> bool:
    """Encodes to UTF-8 and holds no control character but tab and newlines."""
    text.encode("utf-8")
    return not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text)


def record_where(record_id: str, predicate: Callable[[Any], bool]) -> Callable:
    """The stored record passes ``predicate``."""

    def check(job, store, sim) -> None:
        hit = store.get(record_id)
        assert hit is not None, f"{record_id} not stored"
        assert predicate(hit.record), {k: str(v)[:80] for k, v in vars(hit.record).items()} if hasattr(hit.record, "__dict__") else hit.record

    return check


def record_fields(record_id: str, **expected: Any) -> Callable:
    """The stored record has these field values."""

    def check(job, store, sim) -> None:
        hit = store.get(record_id)
        assert hit is not None, f"{record_id} not stored"
        for name, value in expected.items():
            assert getattr(hit.record, name) == value, (name, getattr(hit.record, name))

    return check


# -- the corpus -------------------------------------------------------------------------

_XXE_FILE = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
_BAD_DATES = (
    '<http://p.test/bad> a dcat:Dataset ; dct:title "Dates impossibles" ;'
    ' dct:modified "2024-13-45"^^xsd:date ; dct:issued "yesterday" ;'
    ' dct:temporal [ dcat:startDate "99999-01-01T00:00:00Z"^^xsd:dateTime ; dcat:endDate "0000-00-00" ] .\n'
)
_INJECTION = (
    '<http://p.test/xss> a dcat:Dataset ; dct:title "<script>alert(1)</script>Vélos <b>gras</b>" ;'
    ' dct:description "<img src=x onerror=alert(2)> </script><script>alert(3)</script> texte" ;'
    ' dcat:keyword "</script><script>alert(4)</script>", "<svg onload=alert(5)>" ;'
    ' dcat:landingPage <javascript:alert(6)> .\n'
)

CASES: list[Case] = [
    # -- XML external entities and DTDs ------------------------------------------------
    Case("xxe-file-rdfxml", "dcat", rdf_xml(_XXE_FILE, "<dcat:Dataset rdf:about='http://p.test/x'><dct:title>&x;</dct:title></dcat:Dataset>"), "refused", "DTD"),
    Case(
        "xxe-parameter-entity-http",
        "dcat",
        lambda sim, request: rdf_xml(f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{sim.url}/evil.dtd"> %p;]>')(sim, request)
        if request.path == "/catalog"
        else SimResponse(200, b'<!ENTITY % e "x">', "application/xml-dtd"),
        "refused",
        "DTD",
        check=no_request_to("/evil.dtd"),
    ),
    Case("billion-laughs-rdfxml", "dcat", rdf_xml('<?xml version="1.0"?>' + LAUGHS, "<rdf:Description rdf:about='http://p.test/l'><dct:title>&lol9;</dct:title></rdf:Description>"), "refused", "DTD"),
    Case(
        "billion-laughs-utf16",
        "dcat",
        body(('<?xml version="1.0" encoding="UTF-16"?>' + LAUGHS + RDF_OPEN + "</rdf:RDF>").encode("utf-16"), "application/rdf+xml"),
        "refused",
        "DTD",
    ),
    Case("dtd-after-70kb-comment", "dcat", rdf_xml('<?xml version="1.0"?><!--' + "x" * 70_000 + "-->" + LAUGHS), "refused", "DTD"),
    Case("xxe-as-application-xml", "dcat", rdf_xml(_XXE_FILE, content_type="application/xml"), "refused", "DTD"),
    Case("csw-capabilities-dtd", "geonetwork", csw("GetCapabilities", body(_XXE_FILE + "<Capabilities/>", "application/xml")), "refused", "DTD"),
    Case("csw-records-billion-laughs", "geonetwork", csw("GetRecords", body(csw_records("", '<!DOCTYPE r [<!ENTITY a "aaaa">]>'), "application/xml")), "refused", "DTD"),
    Case(
        "csw-iso-records-xxe",
        "geonetwork_iso",
        csw("GetRecords", body(csw_records('<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd">&x;</gmd:MD_Metadata>', '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>'), "application/xml")),
        "refused",
        "DTD",
    ),
    Case("dkan-catalog-xml-dtd", "dkan_catalog", lambda sim, r: rdf_xml('<?xml version="1.0"?>' + LAUGHS)(sim, r) if r.path == "/catalog.xml" else None, "refused", "DTD"),
    Case("opendatasoft-export-dtd", "opendatasoft", rdf_xml('<?xml version="1.0"?>' + LAUGHS), "refused", "DTD"),
    # -- sizes, compression, slowness ----------------------------------------------------
    Case("oversized-declared-length", "dcat", turtle("#" + "x" * (3 * MIB) + "\n"), "refused", "exceeds the .*-byte limit", settings={"max_bytes": MIB}),
    Case("oversized-without-length", "dcat", no_length(b"#" + b"x" * (8 * MIB)), "refused", "exceeds the .*-byte limit", raw=True, settings={"max_bytes": MIB}),
    Case(
        "oversized-chunked-endless",
        "dcat",
        chunked(lambda: (b"#" + b"y" * 65535 for _ in range(2000))),
        "refused",
        "exceeds the .*-byte limit",
        raw=True,
        settings={"max_bytes": MIB},
    ),
    Case("gzip-bomb-10mb", "dcat", no_length(lambda: bomb(10 * MIB), headers={"Content-Encoding": "gzip"}), "refused", "exceeds the 1048576-byte limit", raw=True, settings={"max_bytes": MIB}, max_mib=8),
    Case("gzip-bomb-256mb", "dcat", no_length(lambda: bomb(256 * MIB), headers={"Content-Encoding": "gzip"}), "refused", "exceeds the 1048576-byte limit", raw=True, settings={"max_bytes": MIB}, max_mib=8),
    Case("deflate-bomb-64mb", "dcat", no_length(lambda: bomb(64 * MIB, zlib.MAX_WBITS), headers={"Content-Encoding": "deflate"}), "refused", "exceeds the 1048576-byte limit", raw=True, settings={"max_bytes": MIB}, max_mib=8),
    Case("gzip-header-on-plain-body", "dcat", body(GOOD_TTL, "text/turtle", **{"Content-Encoding": "gzip"}), "refused", "compressed body is corrupt"),
    Case("unsupported-content-encoding", "dcat", body(b"\x1b\x00\x00", "text/turtle", **{"Content-Encoding": "br"}), "refused", "unsupported Content-Encoding 'br'"),
    Case("endless-drip", "dcat", drip_forever(), "refused", r"still arriving after 1 s", raw=True, settings={"deadline": 1.0}),
    Case("too-many-headers", "dcat", many_headers(), "refused", "(?i)headers", raw=True),
    # -- encodings and content types ----------------------------------------------------
    Case("invalid-utf8-turtle", "dcat", body(GOOD_TTL.encode() + b'<http://p.test/u> a dcat:Dataset ; dct:title "caf\xe9 \xff\xfe" .', "text/turtle"), "refused", "could not parse turtle.*utf-8"),
    Case(
        "latin1-declared-rdfxml",
        "dcat",
        body(('<?xml version="1.0" encoding="ISO-8859-1"?>' + RDF_OPEN + GOOD_RDF_BODY + "</rdf:RDF>").encode("latin-1"), "application/rdf+xml"),
        "cleaned",
        "",
        check=stored_title("dcat:http://p.test/d1", lambda t: t == "Vélos en libre service"),
    ),
    Case(
        "latin1-bytes-undeclared",
        "dcat",
        body(('<?xml version="1.0"?>' + RDF_OPEN + GOOD_RDF_BODY + "</rdf:RDF>").encode("latin-1"), "application/rdf+xml"),
        "refused",
        "could not parse xml",
    ),
    Case("turtle-served-as-json", "dcat", body(GOOD_TTL + "# changed\n", "application/json"), "refused", "invalid JSON"),
    Case("html-error-page-200", "dcat", body("<!DOCTYPE html><html><body>Maintenance</body></html>", "text/html"), "refused", "HTML page"),
    Case("empty-body-200", "dcat", body(b"", "text/turtle"), "refused", "empty response"),
    Case("binary-garbage", "dcat", body(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "text/turtle"), "refused", "could not parse"),
    Case("truncated-turtle", "dcat", body(GOOD_TTL[: len(GOOD_TTL) // 2], "text/turtle"), "refused", r"could not parse turtle .*line \d+.*(end of file|Unexpected end)"),
    # -- IRIs and links -----------------------------------------------------------------
    Case(
        "invalid-iri-braces-turtle",
        "dcat",
        turtle("<http://exa mple.org/{x}> a dcat:Dataset ; dct:title \"accolades\" .\n"),
        # parsed by the lenient parser; the mapping then refuses an IRI with spaces as an identity (fidelity, #15)
        "isolated",
        "has an IRI with spaces and no dct:identifier",
    ),
    Case("iri-with-markup-turtle", "dcat", turtle("<http://p.test/m> a dcat:Dataset ; dcat:landingPage <data:text/html,<script>alert(1)</script>> .\n"), "refused", "could not parse turtle"),
    Case(
        "invalid-iri-space-turtle",
        "dcat",
        turtle("<http://p.test/a b> a dcat:Dataset ; dct:title \"espace\" .\n"),
        "isolated",
        "has an IRI with spaces and no dct:identifier",
    ),
    Case(
        "invalid-iris-rdfxml",
        "dcat",
        rdf_xml(
            '<?xml version="1.0"?>',
            '<dcat:Dataset rdf:about="http://p.test/iri"><dct:title>IRI bizarres</dct:title>'
            '<dcat:landingPage rdf:resource="javascript:alert(1)"/>'
            '<dcat:distribution><dcat:Distribution><dcat:downloadURL rdf:resource="http://exa mple.org/{x}"/></dcat:Distribution></dcat:distribution>'
            "</dcat:Dataset>",
        ),
        "cleaned",
        "",
        check=stored_title("dcat:http://p.test/iri", lambda t: t == "IRI bizarres"),
    ),
    Case("hydra-next-self", "dcat", next_link(lambda url: f"{url}/catalog"), "partial", "loops back"),
    Case("hydra-next-two-page-loop", "dcat", two_page_loop, "partial", "loops back", check=stored_title("dcat:http://p.test/d9", lambda t: t == "Page deux")),
    Case("hydra-next-other-host", "dcat", next_link(lambda url: "http://evil.example/catalog?page=2"), "refused", "not a configured portal host"),
    Case("hydra-next-cloud-metadata", "dcat", next_link(lambda url: "http://169.254.169.254/latest/meta-data/"), "refused", "not a configured portal host"),
    Case("hydra-next-file-scheme", "dcat", next_link(lambda url: "file:///etc/passwd"), "refused", "refused to fetch a file URL"),
    Case("redirect-to-other-host", "dcat", redirect(lambda url, r: "http://evil.example/catalog"), "refused", "not a configured portal host"),
    Case("redirect-to-other-port", "dcat", redirect(lambda url, r: url.rsplit(":", 1)[0] + ":1/catalog"), "refused", "not the configured scheme and port"),
    Case("redirect-to-other-scheme", "dcat", redirect(lambda url, r: url.replace("http://", "https://") + "/catalog"), "refused", "not the configured scheme and port"),
    Case("hydra-next-other-port", "dcat", next_link(lambda url: url.rsplit(":", 1)[0] + ":1/catalog?page=2"), "refused", "not the configured scheme and port"),
    Case("redirect-loop", "dcat", redirect(lambda url, r: f"{url}/catalog?n={int(r.arg('n', '0')) + 1}"), "refused", "more than 5 redirects"),
    # -- JSON-LD --------------------------------------------------------------------------
    Case(
        "jsonld-remote-context",
        "dcat",
        jsonld(lambda url: {"@context": f"{url}/context.jsonld", "@id": "http://p.test/r", "title": "R"}),
        "refused",
        "remote JSON-LD context",
        check=no_request_to("/context.jsonld"),
    ),
    Case(
        "jsonld-scoped-remote-context",
        "dcat",
        jsonld(lambda url: {"@context": {"t": {"@id": "http://purl.org/dc/terms/title", "@context": f"{url}/scoped.jsonld"}}, "@id": "http://p.test/r", "t": {"@value": "R"}}),
        "refused",
        "remote JSON-LD context",
        check=no_request_to("/scoped.jsonld"),
    ),
    Case(
        "jsonld-context-import",
        "dcat",
        jsonld(lambda url: {"@context": {"@import": f"{url}/import.jsonld"}, "@id": "http://p.test/r"}),
        "refused",
        "@import",
        check=no_request_to("/import.jsonld"),
    ),
    Case("jsonld-nested-70", "dcat", body(nested(70), "application/ld+json"), "refused", "deeper than 64 levels"),
    Case("jsonld-nested-100000", "dcat", body(nested(100_000), "application/ld+json"), "refused", "nested too deeply"),
    Case(
        "jsonld-lone-surrogate",
        "dcat",
        body(b'{"@graph": [' + GOOD_JSONLD + b', {"@id": "http://p.test/s", "@type": "http://www.w3.org/ns/dcat#Dataset", "http://purl.org/dc/terms/title": "x\\ud800y\\u0000z"}]}', "application/ld+json"),
        "cleaned",
        "",
        check=stored_title("dcat:http://p.test/s", lambda t: safe_text(t) and "\ufffd" in t),
    ),
    Case("udata-remote-context", "udata_jsonld", lambda sim, r: jsonld(lambda url: {"@context": "https://evil.example/context.jsonld", "@graph": []})(sim, r) if "catalog" in r.path else None, "refused", "remote JSON-LD context"),
    # -- records ------------------------------------------------------------------------
    Case(
        "fifty-thousand-keywords",
        "dcat",
        turtle('<http://p.test/kw> a dcat:Dataset ; dct:title "Mots-clés" ; dcat:keyword ' + ", ".join(f'"mot{n}"' for n in range(50_000)) + " .\n"),
        "cleaned",
        r"1 record\(s\) had keywords left out \(FEDCAT_MAX_KEYWORDS\): dcat:http://p.test/kw",
        settings={"max_bytes": 16 * MIB},
        check=record_where("dcat:http://p.test/kw", lambda r: r.title == "Mots-clés" and r.keywords[:2] == ("mot0", "mot1") and len(r.keywords) == 500),
        max_mib=400,
        seconds=120,  # a hang guard (it took 314 s before bug 9): far above the 2-5 s it takes, for loaded machines
    ),
    Case(
        "ten-megabyte-literal",
        "dcat",
        turtle('<http://p.test/big> a dcat:Dataset ; dct:title "Gros" ; dct:description "' + ("x" * 1000 + " ") * (10 * MIB // 1001) + '" .\n'),
        "cleaned",
        r"1 record\(s\) had a text cut \(FEDCAT_MAX_LITERAL_CHARS\): dcat:http://p.test/big",
        settings={"max_bytes": 16 * MIB},
        check=record_where("dcat:http://p.test/big", lambda r: r.title == "Gros" and 99_000 < len(r.description) <= 100_000 and r.description.endswith(" […]")),
        max_mib=400,
        seconds=120,
    ),
    Case("malformed-dates", "dcat", turtle(_BAD_DATES), "cleaned", "", check=record_fields("dcat:http://p.test/bad", modified=None, issued=None)),
    Case("script-and-html-injection", "dcat", turtle(_INJECTION), "cleaned", "", check=any_title(lambda t: "<" not in t and "Vélos" in t)),
    Case("lone-surrogate-turtle", "dcat", turtle('<http://p.test/s> a dcat:Dataset ; dct:title "x\\uD800y" .\n'), "cleaned", "", check=stored_title("dcat:http://p.test/s", lambda t: t == "x\ufffdy")),
    Case(
        "control-characters-turtle",
        "dcat",
        turtle('<http://p.test/c> a dcat:Dataset ; dct:title "a\\u0000b\\u001b[31mc\x07d" ; dct:description "e\\U0000000Bf" .\n'),
        "cleaned",
        "",
        check=stored_title("dcat:http://p.test/c", safe_text),
    ),
    Case("dataset-without-title", "dcat", turtle('<http://p.test/untitled> a dcat:Dataset ; dct:description "rien" .\n'), "isolated", "has no dct:title"),
    Case("csw-exception-report", "geonetwork", csw("GetRecords", body('<?xml version="1.0"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" version="1.2.0"><ows:Exception exceptionCode="NoApplicableCode"><ows:ExceptionText>java.lang.NullPointerException</ows:ExceptionText></ows:Exception></ows:ExceptionReport>', "application/xml")), "refused", "CSW exception NoApplicableCode: java.lang.NullPointerException"),
    Case("csw-deeply-nested-record", "geonetwork", with_extra_record(b"<a>" * 50_000 + b"</a>" * 50_000), "isolated", "could not convert the a record"),
    Case("csw-empty-iso-record", "geonetwork_iso", with_extra_record(b'<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"/>'), "isolated", "MD_Metadata"),
    # -- portals' own error answers ----------------------------------------------------------
    Case(
        "dkan-error-json-200",
        "dkan",
        dkan_api(body(b'{"help": "", "success": false, "error": {"message": "Internal Server Error", "__type": "Server Error"}}', "application/json")),
        "refused",
        "no DKAN source answered",
        check=lambda job, store, sim: any("not a successful Action API result" in w for w in job.warnings),
    ),
    Case("dkan-error-json-500", "dkan", dkan_api(body(b'{"success": false, "error": {"message": "Database gone"}}', "application/json", 500)), "refused", "HTTP 500: .*Database gone"),
    Case("dkan-nested-json", "dkan", dkan_api(body(b"[" * 100_000 + b"]" * 100_000, "application/json"), catalog=True), "cleaned", "", check=lambda job, store, sim: any("nested too deeply" in w for w in job.warnings)),
    Case("dkan-lone-surrogate", "dkan", dkan_surrogate, "cleaned", "", check=any_title(lambda t: "\ufffd" in t and safe_text(t))),
    Case("opendatasoft-error-json", "opendatasoft", body(b'{"error_code": "ODSQLError", "message": "ODSQL query is malformed: where=("}', "application/json; charset=utf-8", 400), "refused", "HTTP 400: .*ODSQLError"),
    Case("opendatasoft-html-maintenance", "opendatasoft", body("<html><head><title>Maintenance</title></head><body>Revenez plus tard</body></html>", "text/html"), "refused", "HTML page"),
    Case("gzip-encoded-error-json", "opendatasoft", body(gzip.compress(b'{"error_code": "TooManyRequests", "message": "quota"}'), "application/json", 403, **{"Content-Encoding": "gzip"}), "refused", "HTTP 403: .*quota"),
]
