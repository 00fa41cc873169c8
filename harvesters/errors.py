"""The harvest error family. A bad record never aborts a run; these say why a run or a record failed."""

from mappings.errors import InvalidRecord, SkipRecord

__all__ = ["FetchError", "HarvestError", "InvalidRecord", "PageCapReached", "PageTooLarge", "ParseError", "SkipRecord", "UnknownHarvester"]


class HarvestError(Exception):
    """Base of every error that fails a harvest run."""


class FetchError(HarvestError):
    """The portal could not be reached, answered an error, or sent too much."""

    def __init__(self, reason: str, *, url: str | None = None, status: int | None = None) -> None:
        super().__init__(f"{reason} ({url})" if url else reason)
        self.reason, self.url, self.status = reason, url, status


class ParseError(HarvestError):
    """A page could not be parsed as the RDF (or XML, or JSON) it claimed to be."""


class PageTooLarge(ParseError):
    """A page holds more triples than ``FEDCAT_MAX_PAGE_TRIPLES``: refused before its graph grows further.

    The page is left out and paging stops there; the run goes on as an
    incomplete one (what was read is stored, nothing is removed).
    """


class PageCapReached(HarvestError):
    """The portal still offered a next page after ``FEDCAT_MAX_PAGES`` pages.

    Endless paging is what a broken or hostile portal does: the run fails and
    nothing of it is written, rather than committing an unbounded, unfinished
    catalogue (as a udata or CKAN job that errors leaves the datasets as they were).
    """

    def __init__(self, max_pages: int, url: str) -> None:
        super().__init__(
            f"the portal still offered a next page after the {max_pages}-page cap ({url}): endless or runaway "
            "paging, so nothing of this run was written and the previous harvest stays; raise FEDCAT_MAX_PAGES "
            "if the catalogue really is that long"
        )


class UnknownHarvester(HarvestError, LookupError):
    """No harvester is registered under that kind."""
