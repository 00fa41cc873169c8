"""The harvest error family. A bad record never aborts a run; these say why a run or a record failed."""

from mappings.errors import InvalidRecord, SkipRecord

__all__ = ["FetchError", "HarvestError", "InvalidRecord", "ParseError", "SkipRecord", "UnknownHarvester"]


class HarvestError(Exception):
    """Base of every error that fails a harvest run."""


class FetchError(HarvestError):
    """The portal could not be reached, answered an error, or sent too much."""

    def __init__(self, reason: str, *, url: str | None = None, status: int | None = None, kind: str | None = None) -> None:
        super().__init__(f"{reason} ({url})" if url else reason)
        self.reason, self.url, self.status = reason, url, status
        #: what went wrong, for metrics (``dns``, ``connection``, ``timeout``, …); None: read from the reason
        self.kind = kind


class ParseError(HarvestError):
    """A page could not be parsed as the RDF (or XML, or JSON) it claimed to be."""


class UnknownHarvester(HarvestError, LookupError):
    """No harvester is registered under that kind."""
