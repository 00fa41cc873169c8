"""Fetch the pages a re-harvest will ask for next while it works on the current one.

A re-harvest knows where paging went last time (each page's ``next`` in the page cache), so
the next few requests can be in flight while the current page is digested: on a catalogue that
did not change, the walk is otherwise one round trip after another. A request made ahead is
used only when the walk asks for exactly that request (same URL, same headers); a page whose
``next`` changed leaves the requests made ahead unused, and the walk fetches what it asks for.
Bounded: at most ``depth`` requests ahead, through the harvest's own guarded client (so only
to the hosts and ports the harvest may reach, with its timeouts, size limits and retries).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Mapping, Sequence

from harvesters.fetch.http import HttpClient, Response

__all__ = ["ReadAhead", "Request"]

#: a GET as the walk makes it: the URL and its headers
Request = tuple[str, Mapping[str, str]]


class ReadAhead:
    """GET requests answered from those made ahead when they were foreseen; use as a context manager.

    :param http: the harvest's client (every request, made ahead or not, goes through it).
    :param depth: the most requests in flight ahead of the walk.
    """

    def __init__(self, http: HttpClient, depth: int = 3) -> None:
        self._http = http
        self.depth = depth
        self._closed = False
        self._pool = ThreadPoolExecutor(max_workers=depth, thread_name_prefix="fedcat-read-ahead")
        self._pending: dict[tuple, Future] = {}

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, url: str, headers: Mapping[str, str], upcoming: Sequence[Request]) -> Response:
        """The answer to ``GET url`` (made ahead, or now), after sending the ``upcoming`` requests ahead.

        :param upcoming: the requests the walk expects to make next, in order (the first ``depth`` are sent).
        :raises FetchError: as :meth:`HttpClient.get` does.
        """
        made = self._pending.pop(_key(url, headers), None)
        if not self._closed:
            self._send_ahead(upcoming[: self.depth])
        if made is None:
            return self._http.get(url, headers=headers)
        return made.result()

    def close(self) -> None:
        """Stop: requests not yet started are dropped, those in flight finish unread."""
        self._closed = True
        self._pending.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _send_ahead(self, upcoming: Sequence[Request]) -> None:
        """Keep in flight the upcoming requests only: those no longer foreseen are dropped."""
        wanted = {_key(url, headers): (url, headers) for url, headers in upcoming}
        for key in self._pending.keys() - wanted.keys():
            self._pending.pop(key).cancel()
        for key, (url, headers) in wanted.items():
            if key not in self._pending:
                self._pending[key] = self._pool.submit(self._http.get, url, headers=dict(headers))


def _key(url: str, headers: Mapping[str, str]) -> tuple:
    return url, tuple(sorted(headers.items()))
