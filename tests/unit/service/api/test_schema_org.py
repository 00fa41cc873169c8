"""schema.org JSON-LD of a record: what dataset search engines read, and safe inside <script>."""

from __future__ import annotations

import json

from mappings.portals import Portal
from mappings.record import Agent, Concept
from service.api.schema_org import dataset_jsonld, script_json
from tests.factories import RecordFactory

PAGE = "http://fedcat.test/datasets/paris%3Ax"
PORTAL = Portal(id="paris", name="Paris Data", kind="dcat", url="https://opendata.paris.fr/catalog.ttl")


def test_a_record_as_a_schema_org_dataset():
    record = RecordFactory(issued="2020-01-02", temporal_start="2019-01-01", spatial=(Concept(label="Paris"),))
    data = dataset_jsonld(record, page_url=PAGE, portal=PORTAL)
    assert data["@type"] == "Dataset" and data["name"] == record.title and data["url"] == PAGE
    assert data["license"] == record.license.uri
    assert data["publisher"] == {"@type": "Organization", "name": "Ville de Paris"}
    # Google's Dataset guidelines recommend a creator: the publisher the portal names
    assert data["creator"] == {"@type": "Organization", "name": "Ville de Paris"}
    assert data["datePublished"] == "2020-01-02" and data["dateModified"] == "2024-01-01"
    assert data["temporalCoverage"] == "2019-01-01/.."
    # a name alone: the place fedcat knows by that name, with its INSEE IRI and its box
    assert data["spatialCoverage"] == [
        {"@type": "Place", "name": "Paris", "sameAs": ["http://id.insee.fr/geo/commune/75056"],
         "geo": {"@type": "GeoShape", "box": "48.815 2.224 48.903 2.47"}}
    ]
    (download,) = data["distribution"]
    assert download["@type"] == "DataDownload" and download["encodingFormat"] == "text/csv"
    assert download["contentUrl"] == record.distributions[0].download_url
    assert data["includedInDataCatalog"] == {"@type": "DataCatalog", "name": "Paris Data", "url": PORTAL.url}


def test_empty_properties_are_left_out():
    record = RecordFactory(keywords=(), distributions=(), publisher=None, license=None, modified=None)
    data = dataset_jsonld(record, page_url=PAGE)
    left_out = {"keywords", "distribution", "publisher", "creator", "license", "dateModified", "includedInDataCatalog"}
    assert not left_out & set(data)


def test_an_agent_known_only_by_its_iri_and_e_mail_is_still_the_creator():
    publisher = Agent(name="", uri="https://example.org/org/env", email="mailto: env@example.org",
                      kind="http://xmlns.com/foaf/0.1/Person")
    data = dataset_jsonld(RecordFactory(publisher=publisher), page_url=PAGE)
    expected = {"@id": "https://example.org/org/env", "@type": "Person", "name": "env@example.org",
                "email": "env@example.org", "url": "https://example.org/org/env"}
    assert data["creator"] == data["publisher"] == expected


def test_a_bounding_box_becomes_a_geo_shape():
    record = RecordFactory(spatial=(Concept(label="Lyon"),), bbox=(4.68, 45.55, 5.11, 45.91))
    data = dataset_jsonld(record, page_url=PAGE)
    assert data["spatialCoverage"][0]["geo"] == {"@type": "GeoShape", "box": "45.55 4.68 45.91 5.11"}


def test_script_json_cannot_close_the_script_element():
    data = {"name": "</script><script>alert(1)</script> & <!--", "line": "a\u2028b"}
    text = script_json(data)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == data
