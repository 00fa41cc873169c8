"""Requests made ahead of a re-harvest's walk (harvesters/fetch/read_ahead.py), over a fake client."""

from __future__ import annotations

import threading

import pytest

from harvesters.errors import FetchError
from harvesters.fetch.http import Response
from harvesters.fetch.read_ahead import ReadAhead

PLAIN = {"Accept": "text/turtle"}


class FakeClient:
    """Answers every GET with its URL as the body, and notes what was asked (from any thread)."""

    def __init__(self, failing: frozenset[str] = frozenset()) -> None:
        self.asked: list[tuple[str, dict]] = []
        self.failing = failing
        self.lock = threading.Lock()

    def get(self, url: str, *, headers=None) -> Response:
        with self.lock:
            self.asked.append((url, dict(headers or {})))
        if url in self.failing:
            raise FetchError("HTTP 500", url=url, status=500)
        return Response(url=url, status=200, headers={}, content=url.encode())

    def count(self, url: str) -> int:
        with self.lock:
            return sum(1 for asked, _ in self.asked if asked == url)


def page(n: int) -> str:
    return f"https://portal.example/catalog?page={n}"


def walk(ahead: ReadAhead, pages: int) -> list[bytes]:
    """Ask for each page in turn, foreseeing the rest of the chain."""
    return [ahead.get(page(n), PLAIN, [(page(m), PLAIN) for m in range(n + 1, pages + 1)]).content for n in range(1, pages + 1)]


def test_a_walk_gets_every_page_once_and_its_own_answer():
    client = FakeClient()
    with ReadAhead(client, depth=2) as ahead:
        bodies = walk(ahead, 6)
    assert bodies == [page(n).encode() for n in range(1, 7)]
    assert [client.count(page(n)) for n in range(1, 7)] == [1] * 6


def test_no_more_than_depth_requests_go_ahead_and_those_are_not_made_again():
    client = FakeClient()
    with ReadAhead(client, depth=2) as ahead:
        ahead.get(page(1), PLAIN, [(page(2), PLAIN), (page(3), PLAIN), (page(4), PLAIN)])
        ahead.get(page(2), PLAIN, [(page(3), PLAIN)])
        ahead.get(page(3), PLAIN, [])
    assert [client.count(page(n)) for n in range(1, 5)] == [1, 1, 1, 0]


def test_a_request_asked_with_other_headers_is_made_again():
    client = FakeClient()
    with ReadAhead(client, depth=2) as ahead:
        ahead.get(page(1), PLAIN, [(page(2), PLAIN)])
        conditional = {**PLAIN, "If-None-Match": '"v1"'}
        assert ahead.get(page(2), conditional, []).content == page(2).encode()
    assert (page(2), conditional) in client.asked


def test_a_failure_of_a_request_made_ahead_is_raised_when_it_is_asked_for():
    client = FakeClient(failing=frozenset({page(2)}))
    with ReadAhead(client, depth=2) as ahead:
        ahead.get(page(1), PLAIN, [(page(2), PLAIN)])
        with pytest.raises(FetchError):
            ahead.get(page(2), PLAIN, [])
