"""Why a portal could not be reached, in words (not urllib3's nested reprs cut mid-word).

``requests`` wraps the real cause several layers deep (``ConnectionError`` →
``MaxRetryError`` → ``NameResolutionError`` → ``socket.gaierror``); this walks
the chain once and says what happened, naming the host.
"""

from __future__ import annotations

import socket
from http.client import HTTPException, RemoteDisconnected
from typing import Iterator
from urllib.parse import urlsplit

from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError, ProtocolError

__all__ = ["causes", "describe_connection_failure", "is_name_resolution_failure", "short_text"]


def causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (cause, context, ``reason``, exception arguments), each once."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        pending.extend(item for item in linked if isinstance(item, BaseException))


def is_name_resolution_failure(exc: BaseException) -> bool:
    """True when the host name did not resolve (offline, or a typo): retrying will not help."""
    return any(isinstance(cause, (NameResolutionError, socket.gaierror)) for cause in causes(exc))


def describe_connection_failure(exc: BaseException, url: str, *, connect_timeout: float | None = None) -> str:
    """One sentence: ``cannot reach opendata.paris.fr: name not resolved (offline?)``."""
    parts = urlsplit(url)
    host = parts.hostname or url
    found = list(causes(exc))
    if is_name_resolution_failure(exc):
        return f"cannot reach {host}: name not resolved (offline?)"
    if any(isinstance(c, ConnectionRefusedError) for c in found):
        return f"cannot reach {host}: connection refused on port {parts.port or _default_port(parts.scheme)}"
    # urllib3's NewConnectionError subclasses ConnectTimeoutError: only a timeout of its own is one
    timeouts = (c for c in found if not isinstance(c, NewConnectionError))
    if any(isinstance(c, (ConnectTimeoutError, socket.timeout, TimeoutError)) for c in timeouts):
        within = f" within {connect_timeout:g} s" if connect_timeout else ""
        return f"cannot reach {host}: no answer{within}"
    invalid = next((c for c in found if isinstance(c, HTTPException) and not isinstance(c, RemoteDisconnected)), None)
    if invalid is not None:
        return f"{host} sent an invalid response: {short_text(invalid)}"
    if any(isinstance(c, (ConnectionResetError, ProtocolError, RemoteDisconnected)) for c in found):
        return f"{host} closed the connection"
    if any(isinstance(c, (NewConnectionError, OSError)) for c in found):
        os_error = next((c for c in found if isinstance(c, OSError) and c.strerror), None)
        return f"cannot reach {host}: {os_error.strerror.lower() if os_error else 'connection failed'}"
    return f"cannot reach {host}: {short_text(found[-1])}"


def short_text(exc: BaseException, limit: int = 160) -> str:
    """An exception's text, cut at a word boundary when long."""
    text = " ".join((str(exc) or exc.__class__.__name__).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80
