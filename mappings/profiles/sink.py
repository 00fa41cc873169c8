"""Where export profiles write: a sink of triples made of compact terms, with no graph in between.

Profiles add triples with :meth:`TripleSink.add`. The terms are plain Python
values, hashed and compared in C (rdflib's terms compare in Python on every
dictionary hit, which was most of an export page's time):

* an IRI is a ``str``;
* a literal is a ``tuple`` ``(lexical form, language or None, datatype IRI or None)``,
  built by :func:`literal`;
* a blank node is a :class:`Blank`, made by :meth:`TripleSink.blank`.

rdflib terms are accepted too (converted on the way in), so a profile written
against rdflib's vocabulary still works. Two sinks:

* :class:`PageSink` keeps a page's triples grouped by subject, each once, and
  writes them as N-Triples or Turtle text (:meth:`PageSink.ntriples`, :meth:`PageSink.turtle`)
  or through Oxigraph's serialisers (:meth:`PageSink.oxigraph`: RDF/XML, JSON-LD);
* :class:`GraphSink` adds rdflib terms to an rdflib ``Graph`` (for what needs a
  graph, and as the reference the fast output is checked against:
  ``tests/integration/mappings/profiles/test_export_isomorphism.py``).

:meth:`TripleSink.once` is how a profile says a thing once per page (a
concept's label, an agent's name): it answers True the first time it sees a key.
"""

from __future__ import annotations

import itertools
import re
import uuid
from abc import ABC, abstractmethod
from typing import Hashable, Iterator, Union

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef

__all__ = [
    "Blank",
    "GraphSink",
    "PageSink",
    "Term",
    "TripleSink",
    "as_sink",
    "compact",
    "literal",
    "ntriples_term",
    "to_rdflib",
]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class Blank(int):
    """A blank node of one sink (its number there)."""

    __slots__ = ()


#: an IRI (``str``), a literal (``(lexical, language, datatype)``) or a :class:`Blank`
Term = Union[str, tuple, Blank]


def literal(lexical: str, language: str | None = None, datatype: str | None = None) -> tuple:
    """A literal as a compact term: ``(lexical, language, datatype)`` (a language-tagged one has no datatype)."""
    return (lexical, language, None if language else datatype)


class TripleSink(ABC):
    """What an export profile writes into: triples of compact terms, said once each."""

    def __init__(self) -> None:
        self._said: set[Hashable] = set()
        self._blanks = itertools.count(1)

    @abstractmethod
    def add(self, subject: Term, predicate: str, obj: Term) -> None:
        """Add one triple (a triple already added is ignored).

        :param subject: an IRI or a blank node.
        :param predicate: an IRI.
        :param obj: an IRI, a blank node or a literal.
        """

    def blank(self) -> Blank:
        """A new blank node, distinct from every other of this sink."""
        return Blank(next(self._blanks))

    def once(self, key: Hashable) -> bool:
        """True the first time ``key`` is asked on this sink, False afterwards (first writer wins)."""
        if key in self._said:
            return False
        self._said.add(key)
        return True

    def bind(self, prefix: str, namespace: str) -> None:
        """Declare a prefix a document of this sink may use (profiles bind the namespaces they write)."""


#: the types of compact terms (anything else is converted by :func:`compact`)
_SUBJECT_TYPES = frozenset({str, Blank})
_OBJECT_TYPES = frozenset({str, tuple, Blank})


class PageSink(TripleSink):
    """A page's triples, grouped by subject in order of first use, each once; written out with no graph in between.

    :param blank_prefix: label prefix of this page's blank nodes (random by default, so pages
        concatenated into one document never share a label).
    """

    def __init__(self, blank_prefix: str | None = None) -> None:
        super().__init__()
        self._by_subject: dict[Term, dict[tuple[str, Term], None]] = {}
        self.prefixes: dict[str, str] = {}
        self._blank_prefix = blank_prefix or f"b{uuid.uuid4().hex[:10]}x"

    def add(self, subject: Term, predicate: str, obj: Term) -> None:
        """See :meth:`TripleSink.add`."""
        if type(subject) not in _SUBJECT_TYPES:
            subject = compact(subject)
        if type(predicate) is not str:
            predicate = compact(predicate)
        if type(obj) not in _OBJECT_TYPES:
            obj = compact(obj)
        statements = self._by_subject.get(subject)
        if statements is None:
            statements = self._by_subject[subject] = {}
        statements[(predicate, obj)] = None

    def bind(self, prefix: str, namespace: str) -> None:
        """See :meth:`TripleSink.bind`."""
        self.prefixes[prefix] = str(namespace)

    def __len__(self) -> int:
        return sum(map(len, self._by_subject.values()))

    def triples(self) -> Iterator[tuple[Term, str, Term]]:
        """Every triple, each subject's together (subjects in order of first use)."""
        for subject, statements in self._by_subject.items():
            for predicate, obj in statements:
                yield subject, predicate, obj

    def ntriples(self) -> bytes:
        """The triples as N-Triples (UTF-8)."""
        text: dict[Term, str] = {}
        lines = []
        for subject, statements in self._by_subject.items():
            head = self._text(subject, text)
            for predicate, obj in statements:
                p = text.get(predicate)
                if p is None:
                    p = text[predicate] = ntriples_term(predicate, self._blank_prefix)
                o = text.get(obj)
                if o is None:
                    o = text[obj] = ntriples_term(obj, self._blank_prefix)
                lines.append(f"{head} {p} {o} .\n")
        return "".join(lines).encode("utf-8")

    def turtle(self, prefixes: dict[str, str] | None = None) -> bytes:
        """The triples as Turtle (UTF-8): each subject once with all it says, after the prefixes it uses (or ``prefixes``).

        N-Triples terms are Turtle terms, so this is the N-Triples writer with subjects
        grouped and predicates, classes and datatypes written as prefixed names.
        """
        names = _PrefixedNames(self.prefixes if prefixes is None else prefixes)
        text: dict[Term, str] = {}
        body = []
        for subject, statements in self._by_subject.items():
            said = []
            for predicate, obj in statements:
                p = names.known.get(predicate)
                if p is None:
                    p = names.name(predicate)
                o = text.get(obj)
                if o is None:
                    o = text[obj] = self._turtle_object(obj, names)
                if p == "a" and type(obj) is str:
                    o = names.name(obj)  # a class: prefixed
                said.append(f"{p} {o}")
            body.append(f"\n{self._text(subject, text)} " + " ;\n    ".join(said) + " .\n")
        declared = names.used if prefixes is None else prefixes
        head = [f"@prefix {prefix}: <{_iri_text(declared[prefix])}> .\n" for prefix in sorted(declared)]
        return "".join(head + body).encode("utf-8")

    def _turtle_object(self, term: Term, names: _PrefixedNames) -> str:
        if type(term) is tuple and term[2] is not None and not term[1]:
            return f'"{_escaped(term[0])}"^^{names.name(term[2])}'
        return ntriples_term(term, self._blank_prefix)

    def oxigraph(self, fmt: pyoxigraph.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
        """The triples in one of Oxigraph's syntaxes, each subject stated once, with ``prefixes`` (default: those used)."""
        terms: dict[Term, object] = {}

        def convert(term: Term):
            converted = terms.get(term)
            if converted is None:
                converted = terms[term] = _oxigraph_term(term, self._blank_prefix)
            return converted

        statements = (pyoxigraph.Triple(convert(s), convert(p), convert(o)) for s, p, o in self.triples())
        return pyoxigraph.serialize(statements, format=fmt, prefixes=self.used_prefixes() if prefixes is None else prefixes)

    def used_prefixes(self) -> dict[str, str]:
        """``{prefix: namespace}`` of the bound prefixes that predicates, classes and datatypes use."""
        bound = {namespace: prefix for prefix, namespace in self.prefixes.items()}
        used: dict[str, str] = {}
        for iri in self._prefixable():
            namespace = iri[: max(iri.rfind("#"), iri.rfind("/")) + 1]
            prefix = bound.get(namespace)
            if prefix is not None:
                used[prefix] = namespace
        return dict(sorted(used.items()))

    def _prefixable(self) -> set[str]:
        """Every predicate, class and datatype (``rdf:type`` aside: each syntax has a word for it)."""
        iris: set[str] = set()
        for statements in self._by_subject.values():
            for predicate, obj in statements:
                iris.add(predicate)
                if type(obj) is tuple:
                    if obj[2] is not None:
                        iris.add(obj[2])
                elif predicate == _RDF_TYPE and type(obj) is str:
                    iris.add(obj)
        iris.discard(_RDF_TYPE)
        return iris

    def _text(self, term: Term, cache: dict[Term, str]) -> str:
        text = cache.get(term)
        if text is None:
            text = cache[term] = ntriples_term(term, self._blank_prefix)
        return text


class _PrefixedNames:
    """Turtle names of IRIs: ``prefix:local`` where a bound namespace covers the IRI with a plain local name.

    :attr:`used` gathers the prefixes the names written so far need.
    """

    def __init__(self, prefixes: dict[str, str]) -> None:
        self._prefixes = {namespace: prefix for prefix, namespace in prefixes.items()}
        self._by_prefix = prefixes
        self.known: dict[str, str] = {_RDF_TYPE: "a"}
        self.used: dict[str, str] = {}

    def name(self, iri: str) -> str:
        """``prefix:local``, else ``<iri>`` (``rdf:type`` as a class, should it be one, is written in full)."""
        if iri == _RDF_TYPE:
            return f"<{iri}>"
        name = self.known.get(iri)
        if name is None:
            name = self.known[iri] = self._prefixed(iri)
        return name

    def _prefixed(self, iri: str) -> str:
        split = max(iri.rfind("#"), iri.rfind("/")) + 1
        prefix = self._prefixes.get(iri[:split])
        if prefix is not None and _LOCAL_NAME.match(iri[split:]):
            self.used[prefix] = self._by_prefix[prefix]
            return f"{prefix}:{iri[split:]}"
        return f"<{_iri_text(iri)}>"


#: local names written after a prefix: a safe subset of Turtle's PN_LOCAL
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class GraphSink(TripleSink):
    """Writes rdflib terms into an rdflib ``Graph`` (rdflib's own term constructors and serialisers)."""

    def __init__(self, graph: Graph) -> None:
        super().__init__()
        self.graph = graph
        self._nodes: dict[Blank, BNode] = {}

    def add(self, subject: Term, predicate: str, obj: Term) -> None:
        """See :meth:`TripleSink.add`."""
        self.graph.add((self.rdflib_term(subject), self.rdflib_term(predicate), self.rdflib_term(obj)))

    def bind(self, prefix: str, namespace: str) -> None:
        """See :meth:`TripleSink.bind`."""
        self.graph.bind(prefix, URIRef(namespace), override=True, replace=True)

    def rdflib_term(self, term: Term):
        """The rdflib term of a compact one (each blank node of this sink is one ``BNode``)."""
        if type(term) is Blank:
            node = self._nodes.get(term)
            if node is None:
                node = self._nodes[term] = BNode()
            return node
        return to_rdflib(term)


def as_sink(target: TripleSink | Graph) -> TripleSink:
    """The sink itself, or the :class:`GraphSink` of an rdflib graph (one per graph, so ``once`` holds across calls)."""
    if type(target) is PageSink or isinstance(target, TripleSink):
        return target
    sink = getattr(target, "_fedcat_sink", None)
    if sink is None:
        sink = target._fedcat_sink = GraphSink(target)
    return sink


def compact(term) -> Term:
    """The compact term of an rdflib term (or of a compact one, unchanged)."""
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype is not None else None
        return literal(str(term), term.language, datatype)
    if isinstance(term, BNode):
        raise TypeError("an rdflib blank node has no compact form: use TripleSink.blank()")
    if isinstance(term, (str, tuple, Blank)):
        return str(term) if isinstance(term, str) else term
    raise TypeError(f"{term!r} is not an RDF term")


def to_rdflib(term: Term):
    """The rdflib term of a compact IRI or literal."""
    if type(term) is tuple:
        lexical, language, datatype = term
        return Literal(lexical, lang=language, datatype=URIRef(datatype) if datatype else None, normalize=False)
    if isinstance(term, (URIRef, BNode, Literal)):
        return term
    return URIRef(term)


def ntriples_term(term: Term, blank_prefix: str = "b") -> str:
    """A compact term in N-Triples syntax (also Turtle's)."""
    if type(term) is tuple:
        lexical, language, datatype = term
        text = f'"{_escaped(lexical)}"'
        if language:
            return f"{text}@{language}"
        if datatype is not None:
            return f"{text}^^<{_iri_text(datatype)}>"
        return text
    if type(term) is Blank:
        return f"_:{blank_prefix}{int(term)}"
    return f"<{_iri_text(term)}>"


def _oxigraph_term(term: Term, blank_prefix: str):
    if type(term) is tuple:
        lexical, language, datatype = term
        return pyoxigraph.Literal(lexical, language=language, datatype=pyoxigraph.NamedNode(datatype) if datatype else None)
    if type(term) is Blank:
        return pyoxigraph.BlankNode(f"{blank_prefix}{int(term)}")
    return pyoxigraph.NamedNode(term)


def _escaped(text: str) -> str:
    """A string literal's text with N-Triples escapes (ECHAR; UCHAR for the other control characters)."""
    if _NEEDS_ESCAPE.search(text) is None:  # most texts: one compiled scan
        return text
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return text.translate(_CONTROL_ESCAPES) if _CONTROL.search(text) else text


def _iri_text(iri: str) -> str:
    """An IRI with the characters N-Triples forbids in one written as UCHAR escapes (safe IRIs have none)."""
    return iri.translate(_IRI_ESCAPES) if _NOT_IN_IRI.search(iri) else iri


_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ESCAPES = {code: f"\\u{code:04X}" for code in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)}
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
#: characters an N-Triples IRI may not hold, written as UCHAR escapes
_IRI_ESCAPES = {code: f"\\u{code:04X}" for code in (*range(0x21), *map(ord, '<>"{}|^`\\'))}
