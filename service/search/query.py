"""What a search string means, decided once for every backend.

``velo "qualité de l'air" budget OR finances -lyon`` reads as: the word
*velo*, the quoted phrase (which must appear as written, after analysis),
*budget* or *finances*, and nothing mentioning *lyon*. Every part not joined
by ``OR`` is required. A word tolerates typos only when its exact (stemmed)
form is in no record: the engine then expands it by Elasticsearch's
``fuzziness: AUTO`` on the folded word, first letter fixed: exact up to 2
letters, one edit up to 5, two beyond; a transposition counts as one edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.search.french import analyze, fold, stem

__all__ = ["ParsedQuery", "Term", "allowed_edits", "edit_distance", "is_typo_of", "parse_query", "PREFIX_LENGTH"]

_TOKEN = re.compile(r'-?"[^"]*"?|[^\s"]+')
_WORD = re.compile(r"\w+")
PREFIX_LENGTH = 1


@dataclass(frozen=True)
class Term:
    """One searched word (``folded`` as typed, one stem) or phrase (several stems, no typo tolerance).

    ``text`` is what was typed (without quotes), for engines that analyse it themselves.
    """

    stems: tuple[str, ...]
    folded: str = ""
    text: str = ""

    @property
    def is_phrase(self) -> bool:
        """True for a quoted phrase (a quoted single word is matched exactly too)."""
        return not self.folded


@dataclass(frozen=True)
class ParsedQuery:
    """Groups of alternatives (every group must match, any term of a group will do) and excluded terms."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing searchable is left (only stop words, or nothing)."""
        return not self.groups and not self.excluded

    @property
    def words(self) -> tuple[str, ...]:
        """The stems of the typed words that tolerate typos."""
        return tuple(dict.fromkeys(t.stems[0] for g in self.groups for t in g if not t.is_phrase))

    @property
    def phrases(self) -> tuple[tuple[str, ...], ...]:
        """The quoted phrases, as stems."""
        return tuple(t.stems for g in self.groups for t in g if t.is_phrase)

    @property
    def terms(self) -> tuple[str, ...]:
        """Every searched stem, words and phrase terms alike (for highlighting)."""
        return tuple(dict.fromkeys(s for g in self.groups for t in g for s in t.stems))


def parse_query(q: str | None) -> ParsedQuery:
    """Split a search string into required groups of alternatives and excluded terms."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for token in _TOKEN.findall(q or ""):
        if token == "OR" and groups:
            join_next = True
            continue
        negated = token.startswith("-") and len(token) > 1
        terms = _terms(token[1:] if negated else token)
        if negated:
            excluded.extend(terms)
            continue
        for i, term in enumerate(terms):
            if join_next and i == 0:
                groups[-1].append(term)
            elif not any(term in group for group in groups):
                groups.append([term])
        join_next = join_next and not terms
    return ParsedQuery(groups=tuple(tuple(dict.fromkeys(g)) for g in groups), excluded=tuple(dict.fromkeys(excluded)))


def _terms(token: str) -> list[Term]:
    """The terms of one token: a quoted phrase is one term, a bare token one per word left after analysis."""
    if token.startswith('"'):
        stems = tuple(analyze(token.strip('"')))
        return [Term(stems=stems, text=token.strip('"'))] if stems else []
    return [Term(stems=(stem(word),), folded=word, text=word) for word in _WORD.findall(fold(token)) if analyze(word)]


def allowed_edits(word: str) -> int:
    """How many edits a word tolerates (Elasticsearch's AUTO)."""
    if len(word) <= 2:
        return 0
    return 1 if len(word) <= 5 else 2


def is_typo_of(candidate: str, word: str) -> bool:
    """True when ``candidate`` is within the word's allowed edits and shares its first letter."""
    limit = allowed_edits(word)
    if candidate[:PREFIX_LENGTH] != word[:PREFIX_LENGTH] or abs(len(candidate) - len(word)) > limit:
        return False
    return edit_distance(candidate, word, limit) <= limit


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
