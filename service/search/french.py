"""French text analysis for the embedded index, applied identically to documents and queries.

Steps: Unicode folding (accents, ligatures, case), word split (elisions such as
``l'`` fall away as one-letter words), French stop words, a plural strip the
Snowball stemmer does not do on short words (``vélos`` → ``velo``), then Snowball.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import Stemmer

__all__ = ["analyze", "fold", "STOP_WORDS"]

_WORD = re.compile(r"\w+", re.UNICODE)
_local = threading.local()

#: Folded French stop words (articles, pronouns, prepositions, common auxiliaries).
STOP_WORDS = frozenset(
    """
    a au aux avec ce ces c d dans de des du elle en et eux il ils je j l la le les leur leurs lui
    m ma mais me meme mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses
    son sur t ta te tes toi ton tu un une vos votre vous y est sont ete etre ont avoir cet cette
    """.split()
)


def fold(text: str) -> str:
    """Lower-case, ligature-free, accent-free text (``"Œuvre Élève"`` → ``"oeuvre eleve"``)."""
    if text.isascii():
        return text.lower()
    for special, plain in _SPECIAL:
        if special in text:
            text = text.replace(special, plain)
    decomposed = unicodedata.normalize("NFKD", text)
    if not _NOT_ASCII_NOR_ACCENT.search(decomposed):  # the common case: accents alone, dropped in C
        return decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


#: what Unicode decomposition leaves as it is: ligatures, and typographic apostrophes (they split words like "'")
_SPECIAL = (("œ", "oe"), ("Œ", "oe"), ("æ", "ae"), ("Æ", "ae"), ("ß", "ss"), ("’", "'"), ("‘", "'"), ("ʼ", "'"))
_NOT_ASCII_NOR_ACCENT = re.compile(r"[^\x00-\x7f\u0300-\u034e\u0350-\u036f]")  # U+034F joins, it is no accent


def analyze(text: str) -> list[str]:
    """The index terms of a text, in order (stop words removed)."""
    return [stem(word) for word in _WORD.findall(fold(text)) if word not in STOP_WORDS and len(word) > 1]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """One folded word reduced to its stem."""
    if len(word) > 3 and word[-1] in "sx" and not word.isdigit():
        word = word[:-1]
    return _stemmer().stemWord(word)


def _stemmer() -> Stemmer.Stemmer:
    # PyStemmer objects are not thread-safe: one per thread
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("french")
    return stemmer
