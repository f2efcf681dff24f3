"""An idle PDF worker only reads: on SQLite the write lock is the whole file's, and a worker
that took it at every poll made the web server's saves wait (or fail) behind it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publishing import tasks
from publishing.workers import PdfTaskWorker, recover_lost_tasks, worker_id

pytestmark = pytest.mark.django_db


def _worker() -> PdfTaskWorker:
    return PdfTaskWorker(
        queue_names=["default"],
        interval=0.1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id(),
        excluded_queue_names=[],
    )


def _statements(queries) -> set[str]:
    return {query["sql"].split()[0].upper() for query in queries}


def test_an_idle_worker_polls_and_beats_with_reads_only(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    worker = _worker()
    with CaptureQueriesContext(connection) as polled:
        looked, claimed = worker._claim_next()
        recover_lost_tasks()
    assert (looked, claimed) == (True, None)
    assert _statements(polled.captured_queries) == {"SELECT"}


def test_a_worker_takes_the_write_lock_to_claim_a_ready_task(settings, make_report):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_report(cards=1)
    result = tasks.build_booklet.enqueue(0)
    worker = _worker()
    with CaptureQueriesContext(connection) as polled:
        _looked, claimed = worker._claim_next()
    assert str(claimed.pk) == str(result.id)
    assert "UPDATE" in _statements(polled.captured_queries)
