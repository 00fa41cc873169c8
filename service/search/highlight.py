"""Highlighting, computed from the query the same way for every backend.

Text is split into words and the rest; a word matches when its analysed form
is a query term, or a typo variant of a query word (the rule the search used).
The result is a list of segments, never HTML, so no client has to trust markup.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from service.search.french import analyze
from service.search.query import ParsedQuery, is_typo_of

__all__ = ["excerpt", "highlight"]

_WORDS = re.compile(r"\w+")
#: tokens remembered per query (titles and descriptions of a results page share most of them)
_DECIDED_TOKENS = 8192


def highlight(text: str, parsed: ParsedQuery) -> list[dict]:
    """``text`` as ``[{"text": ..., "match": bool}, ...]`` segments: each matching word, and the text between them."""
    text = text or ""
    matches = _matcher(parsed)
    segments: list[dict] = []
    done = 0
    for word in _WORDS.finditer(text):
        if matches(word.group()):
            if word.start() > done:
                segments.append({"text": text[done : word.start()], "match": False})
            segments.append({"text": word.group(), "match": True})
            done = word.end()
    if done < len(text):
        segments.append({"text": text[done:], "match": False})
    return segments


def excerpt(text: str, parsed: ParsedQuery, *, width: int = 240) -> list[dict]:
    """At most ``width`` characters of ``text`` around its first match, as segments."""
    if len(text or "") <= width:
        return highlight(text, parsed)
    start = _first_match_offset(text, parsed)
    begin = max(0, min(start - width // 4, len(text) - width))
    window = text[begin : begin + width]
    cut = highlight(window.rsplit(" ", 1)[0] if begin + width < len(text) else window, parsed)
    if begin > 0:
        cut.insert(0, {"text": "… ", "match": False})
    if begin + width < len(text):
        cut.append({"text": " …", "match": False})
    return _merged(cut)


@lru_cache(maxsize=64)
def _matcher(parsed: ParsedQuery) -> Callable[[str], bool]:
    """Whether a token matches the query, each distinct token decided once (a page repeats most words)."""
    terms, words = frozenset(parsed.terms), parsed.words
    decided: dict[str, bool] = {}

    def matches(token: str) -> bool:
        found = decided.get(token)
        if found is None:
            term = _term(token) if token[:1].isalnum() else ""
            found = bool(term) and (term in terms or any(is_typo_of(term, word) for word in words))
            if len(decided) < _DECIDED_TOKENS:
                decided[token] = found
        return found

    return matches


@lru_cache(maxsize=65536)
def _term(token: str) -> str:
    """A word's index term ("" for a stop word): the same words come back in every page of results."""
    analysed = analyze(token)
    return analysed[0] if analysed else ""


def _first_match_offset(text: str, parsed: ParsedQuery) -> int:
    """Where the first matching word starts (0 when none does): words are decided until one matches, no segments built."""
    matches = _matcher(parsed)
    for word in _WORDS.finditer(text):
        if matches(word.group()):
            return word.start()
    return 0


def _append(segments: list[dict], text: str, match: bool) -> None:
    # an ellipsis joins the unmatched text beside it: segments alternate between matched and not
    if segments and (segments[-1]["match"] == match):
        segments[-1]["text"] += text
    else:
        segments.append({"text": text, "match": match})


def _merged(segments: list[dict]) -> list[dict]:
    merged: list[dict] = []
    for segment in segments:
        _append(merged, segment["text"], segment["match"])
    return merged
