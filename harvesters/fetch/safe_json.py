"""Load untrusted JSON (JSON-LD pages, DKAN answers) into plain values that are safe to store and serve.

* Nesting is bounded: a document deeper than :data:`MAX_DEPTH` is refused
  with a :class:`ParseError`, and so is one too deep for the decoder itself
  (instead of a ``RecursionError`` escaping).
* Every string comes out as text that encodes to UTF-8 and fits in XML:
  lone surrogates (``"\\ud800"``, which JSON allows) become U+FFFD, and control
  characters other than tab and newlines become spaces. Left in, the first
  fails every write of the record to the store, and the second makes the
  RDF/XML and Atom exports ill-formed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from harvesters.errors import ParseError

__all__ = ["MAX_DEPTH", "check_depth", "clean_text", "load_json"]

#: Deepest nesting of arrays and objects accepted (real portal answers stay under ten).
MAX_DEPTH = 64
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# JSON forbids raw control characters in strings: unsafe text can only come from these escapes
_UNSAFE_ESCAPE = re.compile(rb"\\u(?:00[01]|[dD][89a-fA-F])")


def load_json(content: bytes, url: str) -> Any:
    """The decoded document, depth-checked and with every string cleaned; :class:`ParseError` otherwise."""
    try:
        document = json.loads(content)
    except RecursionError:
        raise ParseError(f"JSON nested too deeply to decode at {url}") from None
    except UnicodeDecodeError as exc:
        raise ParseError(f"JSON that is not valid UTF-8 at {url}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON at {url}: {exc}") from None
    check_depth(document, url)
    return _cleaned(document) if _UNSAFE_ESCAPE.search(content) else document


def check_depth(document: Any, url: str) -> None:
    """Refuse a document nested deeper than :data:`MAX_DEPTH` (checked without recursion)."""
    stack = [(document, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels at {url}")
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def clean_text(text: str) -> str:
    """``text`` without lone surrogates (U+FFFD instead) or control characters (a space instead)."""
    if not _UNSAFE.search(text):
        return text
    # a UTF-16 round trip keeps well-formed surrogate pairs (joined) and replaces lone halves
    joined = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return _CONTROL.sub(" ", joined)


def _cleaned(node: Any) -> Any:
    # depth is bounded by check_depth, so recursion is safe here
    if isinstance(node, str):
        return clean_text(node)
    if isinstance(node, list):
        return [_cleaned(item) for item in node]
    if isinstance(node, dict):
        return {clean_text(key): _cleaned(value) for key, value in node.items()}
    return node
