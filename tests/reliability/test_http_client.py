"""The harvest HTTP client's own decoding and limits: what the corpus does not pin down case by case."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest

from harvesters.errors import FetchError
from harvesters.fetch.http import HttpClient, HttpSettings
from simulators.server import PortalSimulator, SimRequest, SimResponse
from tests.reliability.hostile_cases import MIB, bomb
from tests.reliability.servers import RawPortal, no_length

TEXT = ("Vélos en libre service à Paris. " * 2000).encode()


def client(**settings) -> HttpClient:
    return HttpClient(allowed_hosts=frozenset({"127.0.0.1:*"}), settings=HttpSettings(retries=0, **settings))


@pytest.mark.parametrize(
    "encoding,encoded",
    [
        ("gzip", gzip.compress(TEXT)),
        ("x-gzip", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", zlib.compress(TEXT, wbits=-zlib.MAX_WBITS)),
        ("gzip", gzip.compress(TEXT[:1000]) + gzip.compress(TEXT[1000:])),
        ("identity", TEXT),
    ],
    ids=["gzip", "x-gzip", "deflate-zlib", "deflate-raw", "gzip-two-members", "identity"],
)
def test_compressed_bodies_are_inflated(encoding, encoded):
    with RawPortal(no_length(encoded, headers={"Content-Encoding": encoding})) as raw:
        assert client().get(raw.url + "/catalog").content == TEXT


def test_a_truncated_gzip_body_fails_clearly():
    with RawPortal(no_length(gzip.compress(TEXT)[:-200], headers={"Content-Encoding": "gzip"})) as raw:
        with pytest.raises(FetchError, match="compressed body ends early"):
            client().get(raw.url + "/catalog")


def test_the_limit_bounds_the_inflated_size_and_memory():
    """100 MiB of zeros in 100 KiB of gzip, limit 1 MiB: refused after about 1 MiB, never held whole."""
    compressed = bomb(100 * MIB)
    with RawPortal(no_length(compressed, headers={"Content-Encoding": "gzip"})) as raw:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="exceeds the 1048576-byte limit"):
                client(max_bytes=MIB).get(raw.url + "/catalog")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 6 * MIB, f"peak {peak / MIB:.1f} MiB"


class ConditionalGzip(PortalSimulator):
    """Answers 304 with Content-Encoding: gzip and no body, as some servers do."""

    def handle(self, request: SimRequest) -> SimResponse:
        return SimResponse(304, b"", "text/turtle", {"Content-Encoding": "gzip", "ETag": '"x"'}, conditional=False)


def test_a_304_with_a_content_encoding_and_no_body_is_fine():
    with ConditionalGzip() as simulator:
        response = client().get(simulator.url + "/catalog", headers={"If-None-Match": '"x"'})
    assert response.not_modified and response.content == b""


def test_error_answers_carry_an_excerpt_of_their_body():
    class Failing(PortalSimulator):
        def handle(self, request: SimRequest) -> SimResponse:
            body = b'{"error_code": "ODSQLError",\n "message": "ODSQL query is malformed"}' + b" " * 5000
            return SimResponse(400, body, "application/json")

    with Failing() as simulator:
        with pytest.raises(FetchError) as caught:
            client().get(simulator.url + "/catalog")
    assert caught.value.status == 400
    assert caught.value.reason == 'HTTP 400: {"error_code": "ODSQLError", "message": "ODSQL query is malformed"}'


def test_the_excerpt_never_shows_control_characters_and_stays_short():
    class Noisy(PortalSimulator):
        def handle(self, request: SimRequest) -> SimResponse:
            return SimResponse(404, b"\x1b[31mred\x07" + b"z" * 3000, "text/plain")

    with Noisy() as simulator:
        with pytest.raises(FetchError) as caught:
            client().get(simulator.url + "/catalog")
    reason = caught.value.reason
    assert reason.startswith("HTTP 404: [31mred") and reason.endswith("...")
    assert len(reason) < 230 and all(ch.isprintable() for ch in reason)
