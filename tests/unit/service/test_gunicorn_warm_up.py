"""gunicorn's post_worker_init hook warms the search backend up, and never keeps a worker from starting."""

from __future__ import annotations

from types import SimpleNamespace

from service import gunicorn_conf
from service.search.base import StoreError


class Backend:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.warmed = 0

    def warm_up(self) -> None:
        self.warmed += 1
        if self.error:
            raise self.error


def worker_over(backend) -> SimpleNamespace:
    return SimpleNamespace(wsgi=SimpleNamespace(extensions={"fedcat": SimpleNamespace(backend=backend)}))


def test_each_worker_warms_its_backend_up_before_serving():
    backend = Backend()
    gunicorn_conf.post_worker_init(worker_over(backend))
    assert backend.warmed == 1


def test_a_store_that_is_down_only_logs_a_warning(caplog):
    gunicorn_conf.post_worker_init(worker_over(Backend(StoreError("database is locked"))))
    assert "search warm-up failed: database is locked" in caplog.text


def test_an_app_without_a_catalogue_is_left_alone(caplog):
    for app in (object(), SimpleNamespace(extensions={"another": SimpleNamespace(backend=None)})):
        gunicorn_conf.post_worker_init(SimpleNamespace(wsgi=app))  # neither raises ...
    assert caplog.records == []  # ... nor warns of a failed warm-up
