"""The normalised record model every harvester produces and every backend stores.

Records are frozen dataclasses of plain values (strings, tuples, ints) so that
they hash, compare and serialise to JSON without surprises.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from functools import lru_cache
from typing import Any

import msgspec

__all__ = [
    "hash_of_dict",
    "Agent",
    "Concept",
    "Distribution",
    "Record",
    "ThemeAssignment",
    "Translation",
    "make_record_id",
]


@dataclass(frozen=True)
class Concept:
    """A value from a vocabulary: an IRI when the source gave one, and a readable label."""

    label: str
    uri: str | None = None


@dataclass(frozen=True)
class ThemeAssignment:
    """One EU data theme given to a record, with how sure we are and why."""

    code: str
    uri: str
    label_fr: str
    label_en: str
    confidence: float
    rule: str


@dataclass(frozen=True)
class Translation:
    """A text the source also gave in another language than the one the record shows."""

    field: str  # "title" | "description" | "keyword"
    lang: str
    text: str


@dataclass(frozen=True)
class Agent:
    """A publisher or a contact point.

    ``name`` is "" when the source identifies the agent only by an IRI or an e-mail;
    ``kind`` is the RDF type IRI the source gave (``foaf:Organization``, ``vcard:Organization``…).
    """

    name: str
    uri: str | None = None
    email: str | None = None
    url: str | None = None
    kind: str | None = None

    @property
    def display_name(self) -> str:
        """The name, else the e-mail, else the IRI: something to show a person."""
        return self.name or self.email or self.uri or ""


@dataclass(frozen=True)
class Distribution:
    """One way to get the data: a file to download or a service to call."""

    access_url: str | None = None
    download_url: str | None = None
    title: str | None = None
    description: str | None = None
    format: str | None = None
    media_type: str | None = None
    byte_size: int | None = None
    license: Concept | None = None
    uri: str | None = None

    @property
    def url(self) -> str | None:
        """The best single link to this distribution."""
        return self.download_url or self.access_url


@dataclass(frozen=True)
class Record:
    """A dataset as fedcat knows it, whatever portal it came from.

    ``record_id`` is ``"<portal_id>:<guid>"``; the guid is the dataset URI when
    the source has one, else its ``dct:identifier`` (ckanext-dcat's rule).
    ``bbox`` is ``(west, south, east, north)`` in WGS 84 degrees.
    ``title_lang``/``description_lang``/``keywords_lang`` are the language tags the source
    gave those texts (None: a plain literal, or keywords of which some were plain); ``translations`` hold the other languages' titles,
    descriptions and keywords; ``rights`` is a ``dct:rights`` statement that is not a licence.
    """

    record_id: str
    portal_id: str
    guid: str
    title: str
    source_uri: str | None = None
    identifier: str | None = None
    description: str = ""
    keywords: tuple[str, ...] = ()
    keywords_lang: str | None = None
    title_lang: str | None = None
    description_lang: str | None = None
    translations: tuple[Translation, ...] = ()
    rights: str | None = None
    themes: tuple[Concept, ...] = ()
    eu_themes: tuple[ThemeAssignment, ...] = ()
    publisher: Agent | None = None
    contact_point: Agent | None = None
    license: Concept | None = None
    access_rights: Concept | None = None
    issued: str | None = None
    modified: str | None = None
    frequency: Concept | None = None
    spatial: tuple[Concept, ...] = ()
    bbox: tuple[float, float, float, float] | None = None
    temporal_start: str | None = None
    temporal_end: str | None = None
    landing_page: str | None = None
    languages: tuple[str, ...] = ()
    distributions: tuple[Distribution, ...] = ()
    harvested_at: str | None = None
    quality: int | None = None
    #: stamped by the service from its link checks: ok, wrong_type, broken or unchecked (None: never stamped)
    link_status: str | None = None
    #: stamped by the service: later than the declared frequency allows (None: no period or date to judge by)
    overdue: bool | None = None
    extras: tuple[tuple[str, str], ...] = field(default=())

    @property
    def formats(self) -> tuple[str, ...]:
        """The distinct distribution formats, in order of first appearance."""
        return _unique(d.format for d in self.distributions if d.format)

    @property
    def licenses(self) -> tuple[Concept, ...]:
        """The record licence followed by any distinct distribution licences."""
        found = [self.license] + [d.license for d in self.distributions]
        return _unique(c for c in found if c is not None)

    def content_hash(self) -> str:
        """A digest of what the portal published, ignoring when we harvested it.

        Two harvests of unchanged metadata give the same hash, which is how the
        store counts records as unchanged.
        """
        return hash_of_dict(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        return _plain(self)

    def hash_and_json(self) -> tuple[str, str]:
        """:meth:`content_hash` and the record as JSON, from one serialisation (what a store writes)."""
        payload = self.to_dict()
        harvested_at = payload.pop("harvested_at", None)
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
        stamp = json.dumps({"harvested_at": harvested_at}, ensure_ascii=False)
        return digest, (stamp if text == "{}" else f"{text[:-1]}, {stamp[1:]}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Rebuild a record from :meth:`to_dict` output (unknown keys are ignored)."""
        values = {k: v for k, v in data.items() if k in _RECORD_FIELDS}
        values["keywords"] = tuple(values.get("keywords") or ())
        values["translations"] = tuple(_built(Translation, t) for t in values.get("translations") or ())
        values["languages"] = tuple(values.get("languages") or ())
        values["themes"] = tuple(_built(Concept, c) for c in values.get("themes") or ())
        values["eu_themes"] = tuple(_built(ThemeAssignment, t) for t in values.get("eu_themes") or ())
        values["spatial"] = tuple(_built(Concept, c) for c in values.get("spatial") or ())
        values["extras"] = tuple(tuple(pair) for pair in values.get("extras") or ())
        values["bbox"] = tuple(values["bbox"]) if values.get("bbox") else None
        for key in ("license", "frequency", "access_rights"):
            values[key] = _built(Concept, values[key]) if values.get(key) else None
        for key in ("publisher", "contact_point"):
            values[key] = _built(Agent, values[key]) if values.get(key) else None
        values["distributions"] = tuple(_distribution_from_dict(d) for d in values.get("distributions") or ())
        return _built(cls, values)

    @classmethod
    def from_json(cls, text: str | bytes) -> Record:
        """A record from its JSON (:meth:`hash_and_json`), decoded straight into the dataclasses (msgspec, in C).

        Three times cheaper than :meth:`from_dict` after ``json.loads``, the same record; a stored value
        of another type than the field's (which :meth:`from_dict` would keep as it is), or a text that is not JSON
        (which fails as ``json.loads`` fails), goes through :meth:`from_dict`.
        """
        try:
            return _record_decoder().decode(text)
        except msgspec.DecodeError:  # ValidationError is one
            return cls.from_dict(json.loads(text))

    @staticmethod
    def has_every_field(data: dict[str, Any]) -> bool:
        """Whether a stored :meth:`to_dict` output has every field of today's record (an older one may lack some)."""
        return _RECORD_FIELDS <= data.keys()

    def with_harvest_time(self, harvested_at: str) -> Record:
        """The same record stamped with a harvest time."""
        return replace(self, harvested_at=harvested_at)


@lru_cache(maxsize=1)
def _record_decoder() -> msgspec.json.Decoder:
    return msgspec.json.Decoder(Record)


def hash_of_dict(payload: dict[str, Any]) -> str:
    """The content hash of a record's :meth:`Record.to_dict` (its harvest time left out)."""
    published = {key: value for key, value in payload.items() if key != "harvested_at"}
    text = json.dumps(published, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _plain(value: Any) -> Any:
    # dataclasses.asdict deep-copies every value; records hold only immutable ones
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is tuple:
        return [_plain(item) for item in value]
    names = _FIELD_NAMES.get(kind)
    if names is None:
        if not is_dataclass(value):
            return value
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    return {name: _plain(getattr(value, name)) for name in names}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
#: values a record holds that are JSON already (the most common by far: checked first)
_LEAVES = frozenset({str, type(None), int, float, bool})


def make_record_id(portal_id: str, guid: str) -> str:
    """The stable id of a record: ``<portal_id>:<guid>``."""
    return f"{portal_id}:{guid}"


def _distribution_from_dict(data: dict[str, Any]) -> Distribution:
    values = dict(data)
    values["license"] = _built(Concept, values["license"]) if values.get("license") else None
    return _built(Distribution, values)


def _built(cls: type, values: dict[str, Any]) -> Any:
    """``cls(**values)`` for a frozen dataclass of ours without its ``__init__``'s one ``object.__setattr__`` per field.

    Stored records are read for every export page and search result; their values come
    from :meth:`Record.to_dict`, so nothing needs converting. Missing fields get their
    defaults and an unknown or missing required field still fails, as ``cls(**values)`` would.
    """
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        defaults = _DEFAULTS[cls] = _defaults_of(cls)
    names, required, default_values = defaults
    if not required <= values.keys() or not values.keys() <= names:
        return cls(**values)  # let the dataclass raise its usual TypeError
    instance = object.__new__(cls)
    instance.__dict__.update(default_values)
    instance.__dict__.update(values)
    return instance


def _defaults_of(cls: type) -> tuple[frozenset[str], frozenset[str], dict[str, Any]]:
    """(field names, required field names, defaults) of a dataclass."""
    default_values = {}
    for f in fields(cls):
        if f.default is not MISSING:
            default_values[f.name] = f.default
        elif f.default_factory is not MISSING:  # a fresh value per instance: only __init__ gives one
            names = frozenset()
            return names, frozenset({"<always use __init__>"}), {}
    names = frozenset(f.name for f in fields(cls))
    return names, names - default_values.keys(), default_values


_DEFAULTS: dict[type, tuple[frozenset[str], frozenset[str], dict[str, Any]]] = {}


def _unique(items):
    return tuple(dict.fromkeys(items))


_RECORD_FIELDS = frozenset(f.name for f in fields(Record))
