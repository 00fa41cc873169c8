"""Load the vocabulary tables (JSON package data) and fold text for matching.

Every lookup in this package compares *folded* keys, so that "Mobilité",
"MOBILITE" and "mobilite" are one term and data.gouv.fr tag slugs such as
"transition-ecologique" match the label "Transition écologique".
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from importlib import resources
from typing import Any
from urllib.parse import unquote

__all__ = ["fold", "iri_tail", "load_table"]

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_SEPARATORS = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """An accent-, case- and punctuation-insensitive key: ``"Réseaux-de l'État"`` → ``"reseaux de l etat"``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_SEPARATORS.sub(" ", bare.casefold()).split())


def iri_tail(value: str) -> str:
    """The last path segment or fragment of an IRI, URL-decoded (``…/freq/daily`` → ``daily``)."""
    stripped = value.strip().rstrip("/#")
    for separator in ("#", "/"):
        if separator in stripped:
            stripped = stripped.rsplit(separator, 1)[1]
            break
    return unquote(stripped)


@functools.cache
def load_table(name: str) -> Any:
    """The parsed ``data/<name>.json`` table, read once per process.

    The result is shared: callers must treat it as read-only.
    """
    path = resources.files(__package__) / "data" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))
