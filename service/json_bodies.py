"""JSON response bodies encoded by orjson, a compiled encoder.

A results page of 20 datasets with its facets is about 90 KB of JSON: the standard library encodes
it in about 1.4 ms, orjson in about 0.15 ms, and that was a quarter of a search request's CPU
(docs/benchmarks.md). The output is what Flask's own provider writes (compact, UTF-8, keys in
their order, dates and dataclasses through Flask's conversions); indented output, as in debug
mode, is still left to the standard library.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

__all__ = ["OrjsonProvider"]

#: dates and dataclasses go through Flask's conversions (``default``), as with the standard encoder
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON provider, encoding with orjson."""

    sort_keys = False
    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """``obj`` as compact JSON text; other formatting (``indent``…) by the standard library."""
        if kwargs.keys() - {"separators"}:
            return super().dumps(obj, **kwargs)
        return self._encoded(obj).decode("utf-8")

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """A JSON response of ``args`` or ``kwargs``, as :meth:`DefaultJSONProvider.response` makes it."""
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)
        body = self._encoded(self._prepare_response_obj(args, kwargs)) + b"\n"
        return self._app.response_class(body, mimetype=self.mimetype)

    def _encoded(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=self.default, option=_OPTIONS)
