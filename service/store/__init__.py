"""Stores that sit beside the search backend: narrow seams, one per kind of state."""

from service.store.link_checks import LinkCheckStore, SqliteLinkCheckStore

__all__ = ["LinkCheckStore", "SqliteLinkCheckStore"]
