"""What a search string means, decided once for every backend.

``velo "qualité de l'air" budget`` is three required parts: two words, which
tolerate typos, and one quoted phrase, which must appear as written (after
analysis). Typo tolerance follows Elasticsearch's ``fuzziness: AUTO`` on the
analysed term with the first letter fixed: exact up to 2 letters, one edit up
to 5, two beyond; a transposition counts as one edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.search.french import analyze

__all__ = ["ParsedQuery", "allowed_edits", "edit_distance", "is_typo_of", "parse_query"]

_PHRASE = re.compile(r'"([^"]*)"')
PREFIX_LENGTH = 1


@dataclass(frozen=True)
class ParsedQuery:
    """The analysed words (each must match, typos tolerated) and phrases (each must match exactly)."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing searchable is left (only stop words, or nothing)."""
        return not self.words and not self.phrases

    @property
    def terms(self) -> tuple[str, ...]:
        """Every analysed term, words and phrase terms alike (for highlighting)."""
        return self.words + tuple(term for phrase in self.phrases for term in phrase)


def parse_query(q: str | None) -> ParsedQuery:
    """Split a search string into analysed words and quoted phrases."""
    text = q or ""
    phrases = tuple(terms for terms in (tuple(analyze(p)) for p in _PHRASE.findall(text)) if terms)
    rest = _PHRASE.sub(" ", text).replace('"', " ")
    words = tuple(dict.fromkeys(analyze(rest)))
    if any(len(p) == 1 for p in phrases):  # a one-word phrase is just a word, matched exactly
        single = tuple(p[0] for p in phrases if len(p) == 1)
        phrases = tuple(p for p in phrases if len(p) > 1) + tuple((w,) for w in single)
    return ParsedQuery(words=words, phrases=phrases)


def allowed_edits(term: str) -> int:
    """How many edits a term tolerates (Elasticsearch's AUTO)."""
    if len(term) <= 2:
        return 0
    return 1 if len(term) <= 5 else 2


def is_typo_of(candidate: str, term: str) -> bool:
    """True when ``candidate`` is within the term's allowed edits and shares its first letter."""
    limit = allowed_edits(term)
    if candidate[:PREFIX_LENGTH] != term[:PREFIX_LENGTH] or abs(len(candidate) - len(term)) > limit:
        return False
    return edit_distance(candidate, term, limit) <= limit


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a transposition is one edit), stopping early past ``limit``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
