"""The request limits hold under the deployed server, in the API's JSON error shape (issue 16, item 4).

gunicorn's own limits are set above fedcat's, so fedcat answers oversize request
lines, headers and repeated parameters itself; what gunicorn's parser still
refuses (thousands of headers, a request head over a megabyte, garbage) gets the
same JSON body and security headers from the worker. One server for the module.
"""

from __future__ import annotations

import json
import socket

import pytest

from service.security import API_POLICY, MAX_HEADER_BYTES, MAX_PATH_BYTES, MAX_QUERY_BYTES, MAX_VALUES_PER_PARAMETER
from tests.reliability.live_server import live_server, raw_exchange


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    with live_server("fedcat-serve", tmp_path_factory.mktemp("limits")) as (_, started):
        yield started


def _get(target: str, headers: str = "") -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: fedcat.test\r\n{headers}Connection: close\r\n\r\n".encode("latin-1")


CASES = {
    "query-over-limit": (_get("/api/datasets?q=" + "a" * (MAX_QUERY_BYTES + 10)), 400, "Query string over"),
    "request-line-over-gunicorn-default": (_get("/api/datasets?" + "&".join(["portal=paris"] * 400)), 400, "Query string over"),
    "repeated-parameter": (_get("/api/datasets?" + "&".join(["portal=p"] * (MAX_VALUES_PER_PARAMETER + 1))), 400, "repeated more than"),
    "path-over-limit": (_get("/api/datasets/" + "x" * (MAX_PATH_BYTES + 10)), 400, "Path over"),
    "one-huge-header": (_get("/healthz", f"X-Big: {'b' * (MAX_HEADER_BYTES + 10)}\r\n"), 431, "header over"),
    "too-many-headers": (_get("/api/portals", "".join(f"X-H{n}: v\r\n" for n in range(150))), 431, "More than 100"),
    "headers-beyond-gunicorn": (_get("/api/portals", "".join(f"X-H{n}: v\r\n" for n in range(1500))), 431, "Invalid request"),
    "request-head-over-a-megabyte": (_get("/api/portals", "".join(f"X-H{n}: {'v' * 60000}\r\n" for n in range(20))), 431, "over"),
    "request-line-over-a-megabyte": (b"GET /api/datasets?q=" + b"a" * (2 * 1024 * 1024) + b" HTTP/1.1\r\n\r\n", 414, "Request line over"),
    "garbage-request-line": (b"\x01\x02 NOT HTTP\r\n\r\n", 400, "Invalid request"),
}


@pytest.mark.parametrize("case", CASES)
def test_oversize_and_malformed_requests_get_the_json_error_with_security_headers(port, case):
    request, status, message = CASES[case]
    got, headers, body = raw_exchange(port, request)
    assert got == status, (got, body[:300])
    assert headers.get("content-type", "").startswith("application/json"), headers
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("content-security-policy") == API_POLICY
    error = json.loads(body)
    assert error["ok"] is False and error["status"] == status and message in error["error"], error


def test_requests_within_the_limits_are_answered(port):
    got, _, body = raw_exchange(port, _get("/healthz", "X-Ok: " + "o" * 4000 + "\r\n" + "".join(f"X-H{n}: v\r\n" for n in range(90))))
    assert got == 200, body[:300]
    # 100 values of one filter pass the limits (the empty store then says the value matches nothing)
    got, _, body = raw_exchange(port, _get("/api/datasets?" + "&".join(["portal=p"] * MAX_VALUES_PER_PARAMETER)))
    assert got in (200, 400) and b"repeated more than" not in body, body[:300]


def test_pipelined_requests_and_bodies_still_reach_the_app(port):
    """The worker buffers whole requests: two pipelined on one connection, and bodies of known length or chunked."""
    pipelined = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/portals HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(pipelined)
        answers = b""
        while chunk := sock.recv(65536):  # the server closes after the second answer
            answers += chunk
    assert answers.count(b"HTTP/1.1 200 OK") == 2 and b'"alive"' in answers and b"paris" in answers, answers[:500]
    post = b"POST /api/datasets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
    assert raw_exchange(port, post)[0] == 405
    chunked = b"POST /api/datasets HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    assert raw_exchange(port, chunked)[0] == 405


def test_a_body_over_the_limit_is_refused_from_its_headers(port):
    announced = b"POST /api/datasets HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n{"
    got, headers, body = raw_exchange(port, announced)
    assert got == 413 and json.loads(body)["code"] == "payload_too_large" and headers["x-content-type-options"] == "nosniff"
    chunked = b"POST /api/datasets HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + b"100000\r\n" + b"x" * 0x100000 + b"\r\n" + b"100000\r\n" + b"x" * 0x100000
    got, _, body = raw_exchange(port, chunked)
    assert got == 413 and "Request body over" in json.loads(body)["error"]
