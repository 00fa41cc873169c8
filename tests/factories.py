"""factory_boy factories for records (udata's harvest/tests/factories.py idea)."""

from __future__ import annotations

import factory

from mappings.record import Agent, Concept, Distribution, Record, make_record_id

__all__ = ["DistributionFactory", "RecordFactory"]


class DistributionFactory(factory.Factory):
    class Meta:
        model = Distribution

    access_url = factory.Sequence(lambda n: f"https://data.example.fr/files/{n}.csv")
    download_url = factory.LazyAttribute(lambda d: d.access_url)
    title = factory.LazyAttribute(lambda d: f"Fichier {d.access_url.rsplit('/', 1)[-1]}")
    format = "CSV"
    media_type = "text/csv"
    byte_size = 1024
    license = factory.LazyFunction(
        lambda: Concept(label="Licence Ouverte v2.0", uri="https://www.etalab.gouv.fr/licence-ouverte-open-licence")
    )


class RecordFactory(factory.Factory):
    class Meta:
        model = Record

    portal_id = "paris"
    guid = factory.Sequence(lambda n: f"https://data.example.fr/datasets/jeu-{n}")
    record_id = factory.LazyAttribute(lambda r: make_record_id(r.portal_id, r.guid))
    source_uri = factory.LazyAttribute(lambda r: r.guid)
    identifier = factory.LazyAttribute(lambda r: r.guid.rsplit("/", 1)[-1])
    title = factory.Sequence(lambda n: f"Jeu de données {n}")
    description = "Description en texte brut."
    keywords = ("données",)
    themes = (Concept(label="Environnement"),)
    publisher = factory.LazyFunction(lambda: Agent(name="Ville de Paris"))
    license = factory.LazyFunction(
        lambda: Concept(label="Licence Ouverte v2.0", uri="https://www.etalab.gouv.fr/licence-ouverte-open-licence")
    )
    modified = "2024-01-01"
    distributions = factory.LazyFunction(lambda: (DistributionFactory(),))
    harvested_at = "2026-01-01T00:00:00+00:00"
