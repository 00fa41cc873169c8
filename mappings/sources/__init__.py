"""Source formats → DCAT: JSON catalogues (CKAN packages, DCAT-US data.json) written as DCAT graphs.

Each converter is pure (a dict in, triples out), so that
:func:`mappings.from_rdf.record_from_rdf` stays the one place where a record is made.
"""
