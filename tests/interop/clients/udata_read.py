"""Harvest a DCAT catalogue the way data.gouv.fr does: udata's ``DcatBackend``, on an in-memory MongoDB.

Runs inside the udata client virtualenv (``.ci/install-clients.sh``), never in fedcat's:

    python udata_read.py http://127.0.0.1:PORT/catalog licenses.json

udata's own harvest job runs (``udata.harvest.actions.run``) against a harvest source
pointing at the catalogue, with mongomock standing in for MongoDB and data.gouv.fr's
licence list loaded (``licenses.json``, the ``/api/1/datasets/licenses/`` payload).
Prints one JSON object: the job's status and errors, and every dataset udata created.
"""

from __future__ import annotations

import json
import logging
import sys

import mongomock


class Settings:
    """The least udata needs to run a harvest without MongoDB, Elasticsearch or a network."""

    SECRET_KEY = "fedcat-interop"
    API_TOKEN_SECRET = "fedcat-interop"
    MONGODB_HOST = "mongodb://localhost:27017/udata"
    # mongoengine's way to an in-memory MongoDB (it dropped the ``mongomock://`` scheme)
    MONGODB_SETTINGS = {"host": MONGODB_HOST, "mongo_client_class": mongomock.MongoClient}
    URLS_ALLOW_LOCAL = True  # fedcat is served on 127.0.0.1
    CELERY_TASK_ALWAYS_EAGER = True  # the harvest job runs in this process
    SERVER_NAME = "udata.test"
    HARVESTER_BACKENDS = ["dcat"]


def load_licenses(path: str) -> None:
    """data.gouv.fr's licences, as ``udata licenses <file>`` loads them."""
    from udata.models import License

    with open(path, encoding="utf-8") as fp:
        for entry in json.load(fp):
            License.objects.create(
                id=entry["id"],
                title=entry["title"],
                url=entry.get("url"),
                alternate_urls=entry.get("alternate_urls", []),
                alternate_titles=entry.get("alternate_titles", []),
                flags=entry.get("flags", []),
            )


def harvest(url: str) -> dict:
    """Run udata's DCAT harvest job on ``url``; the job and the datasets it created."""
    from udata.core.organization.models import Organization
    from udata.harvest import actions
    from udata.harvest.models import HarvestSource
    from udata.models import Dataset

    organization = Organization.objects.create(name="fedcat interop", description="the harvesting organisation")
    source = HarvestSource.objects.create(name="fedcat", url=url, backend="dcat", organization=organization)
    actions.run(source)
    source.reload()
    job = source.get_last_job()
    return {
        "status": str(job.status),
        "errors": [error.message for error in job.errors],
        "items": [{"remote_id": i.remote_id, "status": str(i.status), "errors": [e.message for e in i.errors]} for i in job.items],
        "datasets": [describe(dataset) for dataset in Dataset.objects],
    }


def describe(dataset) -> dict:
    """What udata stored of one dataset."""
    temporal = dataset.temporal_coverage
    harvest = dataset.harvest
    return {
        "title": dataset.title,
        "description": dataset.description,
        "remote_url": harvest.remote_url if harvest else None,
        "issued": str(harvest.issued_at) if harvest and harvest.issued_at else None,
        "modified": str(harvest.modified_at) if harvest and harvest.modified_at else None,
        "dcat_extras": sorted((dataset.extras or {}).get("dcat", {})),
        "uri": dataset.harvest.uri if dataset.harvest else None,
        "remote_id": dataset.harvest.remote_id if dataset.harvest else None,
        "dct_identifier": dataset.harvest.dct_identifier if dataset.harvest else None,
        "license": dataset.license.id if dataset.license else None,
        "tags": list(dataset.tags),
        "resources": [
            {"url": r.url, "format": r.format, "title": r.title, "mime": r.mime, "filesize": r.filesize}
            for r in dataset.resources
        ],
        "temporal": [str(temporal.start), str(temporal.end)] if temporal else None,
        "spatial": bool(dataset.spatial and (dataset.spatial.geom or dataset.spatial.zones)),
        "contact_points": [
            {"name": c.name, "email": c.email, "role": c.role} for c in (dataset.contact_points or [])
        ],
        "frequency": str(dataset.frequency) if dataset.frequency else None,
    }


def main(url: str, licenses: str) -> dict:
    """Create the udata app on mongomock, load the licences, harvest ``url``."""
    from udata.app import create_app, standalone

    app = create_app(override=Settings)
    standalone(app)
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context(), app.test_request_context():
        load_licenses(licenses)
        return harvest(url)


if __name__ == "__main__":
    json.dump(main(sys.argv[1], sys.argv[2]), sys.stdout, ensure_ascii=False, default=str)
