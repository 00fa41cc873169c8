"""Harvest errors say what happened in words, and an unresolvable host fails at once (issue 14)."""

from __future__ import annotations

import socket

import pytest

from harvesters.errors import FetchError
from harvesters.fetch.fetch_failures import short_text
from harvesters.fetch.http import HttpClient, HttpSettings
from service.metrics import fetch_error_kind


def test_an_unresolvable_host_fails_at_once_in_words():
    waits: list[float] = []
    client = HttpClient(allowed_hosts=frozenset({"opendata.invalid"}), settings=HttpSettings(retries=3), sleep=waits.append)
    with pytest.raises(FetchError) as caught:
        client.get("https://opendata.invalid/api/catalog")
    assert caught.value.reason == "cannot reach opendata.invalid: name not resolved (offline?)"
    assert waits == []  # no retry: a name that does not resolve will not resolve in a second either
    assert fetch_error_kind(caught.value) == "dns"


def test_a_refused_connection_names_host_and_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    client = HttpClient(
        allowed_hosts=frozenset({"127.0.0.1:*"}), settings=HttpSettings(retries=1, allowed_networks=("127.0.0.1/32",)), sleep=lambda s: None
    )
    with pytest.raises(FetchError) as caught:
        client.get(f"http://127.0.0.1:{port}/catalog")
    assert caught.value.reason == f"cannot reach 127.0.0.1: connection refused on port {port}"
    assert fetch_error_kind(caught.value) == "connection"


def test_long_texts_are_cut_between_words():
    text = short_text(ValueError("word " * 100), limit=22)
    assert text == "word word word word …"
