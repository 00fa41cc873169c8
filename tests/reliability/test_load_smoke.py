"""A short run of bench/load.py: gunicorn on 127.0.0.1 under concurrent searches while harvests write.

The figures of docs/reliability.md come from the full run (5 minutes at
concurrency 32); this only proves the scenario holds in the test suite, with
zero errors (run_load stops gunicorn and the harvest processes it starts).
"""

from __future__ import annotations

from bench.load import run_load


def test_searches_during_harvests_get_no_errors():
    result = run_load(duration=4, concurrency=8, workers=2, size=8, churn=60)
    assert result.requests > 50
    assert result.errors == 0, (result.statuses, result.error_kinds, result.failures, result.server_errors)
    assert result.harvests.get("done", 0) >= 1 and not result.harvests.get("failed"), result.harvests
    assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms <= result.max_ms
    assert 0 < result.search_requests < result.requests
    assert 0 < result.search_p50_ms <= result.search_p95_ms <= result.search_p99_ms <= result.max_ms
