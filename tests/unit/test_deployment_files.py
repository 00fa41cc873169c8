"""docker-compose.yml, the Dockerfile and the genuine-Elasticsearch smoke tier agree on versions.

The official Python client sends ``compatible-with=<its major>`` media types, which a server of
another major refuses: a compose stack whose image installs a 9.x client against an 8.x server
would answer every search with an error.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.engine import genuine

ROOT = Path(__file__).resolve().parents[2]


def compose_elasticsearch_version() -> str:
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    (version,) = re.findall(r"image: docker\.elastic\.co/elasticsearch/elasticsearch:(\S+)", compose)
    return version


def dockerfile_client_bound() -> int:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    (bound,) = re.findall(r"'elasticsearch>=[\d.]+,<(\d+)'", dockerfile)
    return int(bound)


def test_the_image_installs_a_client_of_the_compose_servers_major_version():
    server_major = int(compose_elasticsearch_version().split(".")[0])
    assert dockerfile_client_bound() == server_major + 1


def test_compose_runs_the_elasticsearch_the_smoke_tier_tests():
    assert compose_elasticsearch_version() == genuine.DEFAULT_VERSION


def test_the_smoke_tier_uses_a_client_of_its_servers_major_version():
    major = int(genuine.DEFAULT_VERSION.split(".")[0])
    assert genuine.DEFAULT_CLIENT == f"elasticsearch>=8.12,<{major + 1}"


def test_the_licence_is_an_spdx_expression_with_its_file():
    """A ``project.license`` table makes setuptools print a deprecation warning at every install (issue 14)."""
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert pyproject["project"]["license-files"] == ["LICENSE"]
