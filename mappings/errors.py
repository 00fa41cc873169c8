"""Signals raised by the pure mapping layer; harvesters sort records by them."""

__all__ = ["InvalidRecord", "SkipRecord"]


class InvalidRecord(ValueError):
    """The source describes a dataset we cannot turn into a record (the reason says why)."""


class SkipRecord(Exception):
    """The node is deliberately not harvested (not an error)."""
