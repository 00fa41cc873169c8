"""Stores, one narrow seam per kind of state: records, jobs and locks (``base``, ``sqlite``), link checks (``link_checks``).

Import the modules themselves: this package imports nothing, so that the search backends and the
stores can import each other's seams without a cycle.
"""
