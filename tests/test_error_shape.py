"""Every error the API returns has one shape: {ok, status, code, error, errors}."""

import pytest


@pytest.mark.parametrize(
    "path,status",
    [
        ("/api/datasets?page_size=500", 400),
        ("/api/datasets/none:none", 404),
        ("/does-not-exist", 404),
        ("/catalog.ttl?page=50", 404),
    ],
)
def test_error_shape(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"ok", "status", "code", "error", "errors"}
    assert body["ok"] is False and body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["errors"], dict)


def test_method_not_allowed_is_json(client):
    response = client.post("/api/datasets")
    assert response.status_code == 405 and response.get_json()["status"] == 405


def test_store_failure_is_a_json_500_without_internals(client, backend, monkeypatch):
    from service.search.base import StoreError

    def broken(query):
        raise StoreError("database read failed: disk I/O error at /secret/path")

    monkeypatch.setattr(backend, "search", broken)
    response = client.get("/api/datasets")
    assert response.status_code == 500
    assert "/secret/path" not in response.get_data(as_text=True)


def test_unavailable_store_is_a_503(client, backend, monkeypatch):
    from service.search.base import SearchUnavailable

    def down(query):
        raise SearchUnavailable("connection refused")

    monkeypatch.setattr(backend, "search", down)
    response = client.get("/api/datasets")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["code"] == "search_unavailable"
