"""Smoke tier: fedcat's Elasticsearch backend on a genuine Elasticsearch, no compatibility proxy.

The scenario (``tests/engine/genuine_smoke.py``) runs in a subprocess whose
``sys.path`` starts with an ``elasticsearch`` 8.x client: the 9.x client of
this environment sends ``compatible-with=9`` media types, which an
Elasticsearch 8 server refuses.  What the scenario reduces, and why, is in its
docstring (the server is the integ-test distribution, which lacks modules).
"""

from __future__ import annotations

import pytest

from tests.engine.genuine import run_smoke

pytestmark = pytest.mark.engine


def test_the_backend_works_on_a_genuine_elasticsearch(genuine_engine_url):
    result = run_smoke(genuine_engine_url)
    assert result.returncode == 0, f"genuine Elasticsearch smoke failed:\n{result.stdout}"
    assert "FAIL" not in result.stdout and "passed in" in result.stdout, result.stdout
