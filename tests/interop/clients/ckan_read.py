"""Read a DCAT catalogue the way CKAN does: ckanext-dcat's ``RDFParser`` with the ``euro_dcat_ap_3`` profile.

Runs inside the ckan client virtualenv (``.ci/install-clients.sh``), never in fedcat's:

    python ckan_read.py http://127.0.0.1:PORT/catalog.ttl [licences.json]   (or catalog.rdf: RDF/XML)

Walks the Hydra pages the way ckanext-dcat's DCAT RDF harvester does (``RDFParser.next_page``),
and prints one JSON object: ``{"pages": n, "datasets": [<CKAN dataset dict>, ...]}``.
Each dataset dict is what ckanext-dcat would pass to ``package_create``. With a licence
file, CKAN's register is that list (CKAN's ``licenses_group_url`` setting, as a French CKAN
loading data.gouv.fr's licences would have it) instead of CKAN's default register.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request

from ckan.common import config
from ckanext.dcat.processors import RDFParser

MAX_PAGES = 100


def fetch(url: str) -> bytes:
    """The body at ``url`` (the catalogue is on loopback: no proxy)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(urllib.request.Request(url), timeout=60) as response:
        return response.read()


#: the syntax of each of fedcat's catalogue URLs, as rdflib names it
SYNTAXES = {".ttl": "turtle", ".rdf": "xml", ".jsonld": "json-ld"}


def syntax_of(url: str) -> str:
    """The RDF syntax of a catalogue page URL (``/catalog.rdf?page=2`` is RDF/XML)."""
    path = urllib.parse.urlsplit(url).path
    return next((name for suffix, name in SYNTAXES.items() if path.endswith(suffix)), "turtle")


def read_catalogue(url: str) -> dict:
    """Every dataset of every page, as ckanext-dcat's parser maps it."""
    datasets, pages = [], 0
    while url and pages < MAX_PAGES:
        parser = RDFParser(profiles=["euro_dcat_ap_3"])
        parser.parse(fetch(url), _format=syntax_of(url))
        datasets.extend(parser.datasets())
        pages += 1
        url = parser.next_page()
    return {"pages": pages, "datasets": datasets}


if __name__ == "__main__":
    if len(sys.argv) > 2:
        config["licenses_group_url"] = f"file://{sys.argv[2]}"
    json.dump(read_catalogue(sys.argv[1]), sys.stdout, ensure_ascii=False, default=str)
