"""Real PDF worker processes (`manage.py pdf_worker`) on the test database: a worker killed in
the middle of a booklet build publishes nothing, and its task runs again to success."""

import datetime
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from publishing import tasks
from publishing.workers import recover_lost_tasks
from reports.models import BookletBuild, PdfWorker
from tests.live_portal import database_url

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def start_worker(settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PDF_BUILD_ROOT": str(settings.PDF_BUILD_ROOT),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PDF_WORKER_HEARTBEAT_SECONDS": "0.2",
        "PDF_WORKER_STALE_SECONDS": "2",
        "SECRET_KEY": "pdf-worker-test-" + "k7Qz" * 12,  # long enough for DEBUG off
        "DEBUG": "0",
    }
    started = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "w+b")  # noqa: SIM115
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "pdf_worker", "--processes", "1", "--interval", "0.1"],
            cwd=Path(settings.BASE_DIR),
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        worker.log = log
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


def _wait_for(condition, what: str, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail(f"gave up waiting for {what}")


@pytest.mark.slow
def test_a_worker_killed_mid_build_publishes_nothing_and_the_task_is_retried_to_success(
    transactional_db, make_report, clerk_client, start_worker
):
    make_report(cards=2, department="가과", bureau="시험1국")
    make_report(cards=2, department="나과", bureau="시험2국")
    url = reverse("reports:session_pdf", args=[900])
    build_page = clerk_client.get(url)["Location"]
    build = BookletBuild.objects.get()

    first = start_worker()
    rendering = _wait_for(
        lambda: DBTaskResult.objects.filter(
            task_path="publishing.tasks.render_department", status="RUNNING"
        ).first(),
        "the first worker to start rendering a department",
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    build.refresh_from_db()
    assert build.status == BookletBuild.Status.RUNNING
    assert not tasks.file_of(build).exists()
    assert clerk_client.get(url).status_code == 302  # still the build page, never a partial file
    assert clerk_client.get(build_page + "booklet.pdf").status_code == 404

    second = start_worker()
    _wait_for(
        lambda: BookletBuild.objects.filter(pk=build.pk, status__in=["succeeded", "failed"]),
        "the build to finish on the second worker",
    )
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=20) == 0, Path(second.log.name).read_text()

    build.refresh_from_db()
    assert build.status == BookletBuild.Status.SUCCEEDED, build.error
    rendering.refresh_from_db()
    assert rendering.status == "SUCCESSFUL"
    assert len(rendering.worker_ids) == 2  # the killed worker, then the one that recovered it
    assert rendering.worker_ids[0] != rendering.worker_ids[1]
    assert not PdfWorker.objects.filter(worker_id=rendering.worker_ids[1]).exists()

    response = clerk_client.get(url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "가과" in text and "나과" in text


def _running(task, *args, worker_ids, minutes_ago=5):
    result = task.enqueue(*args)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING",
        worker_ids=worker_ids,
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_tasks_of_silent_workers_run_again_and_fail_after_the_last_attempt(make_report, settings):
    settings.TASKS = DATABASE_TASKS
    report = make_report(cards=1)
    build = BookletBuild.objects.create(
        session=report.session, key="k", composition={}, status=BookletBuild.Status.RUNNING
    )
    now = timezone.now()
    PdfWorker.objects.create(worker_id="alive", hostname="a", pid=1, last_seen=now)
    PdfWorker.objects.create(
        worker_id="silent", hostname="b", pid=2, last_seen=now - datetime.timedelta(minutes=2)
    )
    busy = _running(tasks.render_department, build.pk, 0, report.pk, None, worker_ids=["alive"])
    lost = _running(tasks.render_department, build.pk, 0, report.pk, None, worker_ids=["silent"])
    numbers = _running(tasks.render_numbers, 0, worker_ids=["x", "y", "silent"])

    assert recover_lost_tasks() == 2

    for row in (busy, lost, numbers, build):
        row.refresh_from_db()
    assert busy.status == "RUNNING"  # its worker beats: left alone
    assert lost.status == "READY" and lost.started_at is None  # any worker takes it again
    assert numbers.status == "FAILED"  # third attempt lost: given up
    assert "3번 모두" in numbers.traceback
    assert build.status == BookletBuild.Status.RUNNING  # a page-number chunk is not the build's

    lost = _running(
        tasks.render_department, build.pk, 0, report.pk, None, worker_ids=["a", "b", "silent"]
    )
    recover_lost_tasks()
    build.refresh_from_db()
    assert build.status == BookletBuild.Status.FAILED
    assert build.error == "PDF 작업자가 3번 모두 작업 중에 멈췄습니다."
