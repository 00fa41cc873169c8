"""How much one harvest page and one record may hold (``FEDCAT_MAX_PAGE_TRIPLES`` and the record limits)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mappings.limits import RecordLimits

__all__ = ["HarvestLimits", "RecordLimits"]


@dataclass(frozen=True)
class HarvestLimits:
    """Bounds on a harvest's memory and on what it stores.

    :param max_page_triples: a page with more triples is refused while it is
        parsed (its graph never grows past this); paging stops there and the
        run goes on as an incomplete one.
    :param record: what one record may hold; longer texts are cut, longer lists shortened.
    """

    max_page_triples: int = 250_000
    record: RecordLimits = field(default_factory=RecordLimits)
