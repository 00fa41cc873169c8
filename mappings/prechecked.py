"""rdflib terms built from values that were already checked, without rdflib checking them again.

``Literal()`` validates the language tag and casts the value on every call, which
dominated the harvest's parsing (Oxigraph has checked every term it hands over)
and the export's page building (profiles write a few fixed tags). A plain or
language-tagged literal's value is its own text, so nothing is lost by skipping it.
"""

from __future__ import annotations

from rdflib import Literal

__all__ = ["plain_literal"]


def plain_literal(text: str, language: str | None) -> Literal:
    """``Literal(text, lang=language)`` for a ``str`` and a tag known to be well formed (or None).

    Relies on rdflib's ``Literal`` slots (``_language``, ``_datatype``, ``_value``,
    ``_ill_typed``); tests compare the result with ``Literal()``'s.
    """
    literal = str.__new__(Literal, text)
    literal._language = language
    literal._datatype = None
    literal._value = text
    literal._ill_typed = None
    return literal
