"""Benchmark records: sample datasets rendered to DCAT and mapped by the real mapping code."""

from __future__ import annotations

from rdflib import Graph

from mappings.from_rdf import record_from_rdf
from mappings.record import Record
from simulators.dcat_render import add_dataset
from simulators.sample_data import PORTAL_PROFILES, generate

__all__ = ["benchmark_records"]


def benchmark_records(count: int, portal: str = "datagouv") -> list[Record]:
    """``count`` realistic records of one portal (mapped from DCAT, as a harvest would)."""
    records = []
    domain = PORTAL_PROFILES[portal].domain
    for dataset in generate(portal, count):
        graph = Graph()
        node = add_dataset(graph, dataset, f"https://{domain}/datasets/{dataset.slug}")
        records.append(record_from_rdf(graph, node, portal))
    return records
