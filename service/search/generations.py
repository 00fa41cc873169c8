"""Which stored versions of the engine's records are visible: per-portal generations behind a filtered alias.

The Elasticsearch backend never overwrites a record in place. Every harvest of
a portal writes under a new *generation* number: a changed record becomes a new
document (``generation`` = that number), and the version it replaces is marked
``superseded_in`` = that number. Searches go through the records alias, whose
filter shows, for each portal, the documents of its *committed* generation:

    portal_id = p  and  generation <= committed(p)  and  not superseded_in <= committed(p)

A harvest commits by rewriting the alias filter with the portal's new number: a
single atomic cluster-state update, so searches see either the whole previous
harvest or the whole new one, never a mix, whatever fails in between. The alias
filter is the only record of what is committed; these pure functions build it
and read it back.
"""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["committed_generations", "visibility_filter", "portal_leftovers", "portal_retirements_to_undo"]

_NOTHING = {"match_none": {}}


def visibility_filter(committed: Mapping[str, int]) -> dict[str, Any]:
    """The alias filter showing each portal's committed generation (nothing when no portal is committed)."""
    if not committed:
        return dict(_NOTHING)
    return {
        "bool": {
            "should": [_portal_clause(portal_id, committed[portal_id]) for portal_id in sorted(committed)],
            "minimum_should_match": 1,
        }
    }


def committed_generations(alias_filter: Mapping[str, Any] | None) -> dict[str, int]:
    """Read back what :func:`visibility_filter` wrote: portal id → committed generation.

    :raises ValueError: when the filter is not one this module wrote (the alias was changed by hand).
    """
    if not alias_filter or "match_none" in alias_filter:
        return {}
    try:
        clauses = alias_filter["bool"]["should"]
        return {_clause_portal(clause): _clause_generation(clause) for clause in clauses}
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"the records alias has a filter fedcat did not write: {alias_filter!r}") from exc


def portal_leftovers(portal_id: str, committed: int) -> dict[str, Any]:
    """Documents of a portal no search can see and no harvest will: an aborted harvest's, or superseded ones."""
    return {
        "bool": {
            "filter": [{"term": {"portal_id": portal_id}}],
            "should": [
                {"range": {"generation": {"gt": committed}}},
                {"range": {"superseded_in": {"lte": committed}}},
            ],
            "minimum_should_match": 1,
        }
    }


def portal_retirements_to_undo(portal_id: str, committed: int) -> dict[str, Any]:
    """Visible documents an aborted harvest had marked as superseded (the mark must go)."""
    return {"bool": {"filter": [{"term": {"portal_id": portal_id}}, {"range": {"superseded_in": {"gt": committed}}}]}}


def _portal_clause(portal_id: str, generation: int) -> dict[str, Any]:
    return {
        "bool": {
            "filter": [{"term": {"portal_id": portal_id}}, {"range": {"generation": {"lte": generation}}}],
            "must_not": [{"range": {"superseded_in": {"lte": generation}}}],
        }
    }


def _clause_portal(clause: Mapping[str, Any]) -> str:
    term = clause["bool"]["filter"][0]["term"]["portal_id"]
    return str(term["value"] if isinstance(term, Mapping) else term)  # an engine may hand back the long form


def _clause_generation(clause: Mapping[str, Any]) -> int:
    return int(clause["bool"]["filter"][1]["range"]["generation"]["lte"])
