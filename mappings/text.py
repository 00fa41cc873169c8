"""Turn the descriptions portals publish (HTML, Markdown, plain) into clean plain text.

Nothing executable survives: script and style elements are dropped with their
content, tags are removed, entities decoded, and whitespace normalised.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

__all__ = ["clean_text", "html_to_text", "markdown_to_text", "looks_like_html"]

_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table blockquote pre section article header footer dd dt".split()
)
_DROPPED_TAGS = frozenset({"script", "style", "template", "iframe", "object", "noscript", "svg", "math"})
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _DROPPED_TAGS:
            self._dropping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_TAGS:
            self._dropping = max(0, self._dropping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    """True when the text contains at least one HTML tag."""
    return "<" in text and bool(_HTML_TAG.search(text))


def html_to_text(text: str) -> str:
    """Plain text from an HTML fragment."""
    extractor = _TextExtractor()
    extractor.feed(text)
    extractor.close()
    return _normalise_whitespace("".join(extractor.parts))


#: (characters one of which a match needs, pattern, replacement): a rule is tried only when
#: the text holds one of its characters (most descriptions are plain and skip every rule)
_MD_RULES = [
    ("`", re.compile(r"```.*?```", re.S), lambda m: m.group(0).strip("`")),
    ("[", re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images keep their alt text
    ("[", re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    ("#", re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*", re.M), ""),  # headings
    (">", re.compile(r"^[ \t]{0,3}>[ \t]?", re.M), ""),  # quotes
    ("-*+", re.compile(r"^[ \t]*[-*+][ \t]+", re.M), "- "),  # bullets, normalised
    ("*_", re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    ("*_", re.compile(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])"), r"\1"),  # italics
    ("`", re.compile(r"`([^`]+)`"), r"\1"),  # inline code
    ("-*_", re.compile(r"^[ \t]*([-*_][ \t]*){3,}$", re.M), ""),  # horizontal rules
]


def markdown_to_text(text: str) -> str:
    """Plain text from Markdown (the common subset portals use)."""
    for needs, pattern, replacement in _MD_RULES:
        if any(char in text for char in needs):
            text = pattern.sub(replacement, text)
    return _normalise_whitespace(text)


def clean_text(text: str | None) -> str:
    """Plain text from a description that may be HTML, Markdown or already plain."""
    if not text:
        return ""
    if looks_like_html(text):
        text = html_to_text(text)
    else:
        text = html.unescape(text)
    return markdown_to_text(text)


def _normalise_whitespace(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    paragraphs = "\n".join(lines)
    if "\n\n\n" in paragraphs:
        paragraphs = re.sub(r"\n{3,}", "\n\n", paragraphs)
    return paragraphs.strip()
