"""PDF workers: django-tasks-db's database worker, plus a heartbeat and recovery of the tasks
of workers that died.

django-tasks-db marks a task RUNNING when a worker claims it and finishes it when the task
returns or raises; a worker killed in between (out of memory, machine restarted, `kill -9`)
would leave it RUNNING for ever and the clerk's progress bar stuck. So every worker records
a heartbeat (PdfWorker.last_seen) from a side thread, and the same thread looks for RUNNING
tasks whose worker has been silent for PDF_WORKER_STALE_SECONDS: those are made READY again
(any worker then runs them; the booklet tasks are safe to repeat), or failed — with their
booklet build — once they have been tried PDF_TASK_ATTEMPTS times.
"""

from __future__ import annotations

import datetime
import gc
import logging
import os
import random
import socket
import threading
import time
import uuid

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models.functions import Now
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from reports.models import BookletBuild, PdfWorker

logger = logging.getLogger(__name__)

OUR_TASKS = "publishing.tasks."
BUILD_TASKS = {"build_booklet", "render_department", "assemble_booklet"}  # args[0]: build id


def keep_startup_out_of_collections() -> None:
    """What a worker has loaded before its first task (Django, the PDF code, their caches) is
    never garbage: move it out of the collector's sight (gc.freeze), so the collection after
    each laid-out unit (booklet._cached) walks only that unit's boxes."""
    gc.collect()
    gc.freeze()


def worker_id() -> str:
    """Unique across machines and restarts (a container's pid comes back)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def recover_lost_tasks(now: datetime.datetime | None = None) -> int:
    """Hand the tasks of silent workers to others (or fail them); how many were found."""
    now = now or _database_now()  # one clock for every machine: the database's
    stale_before = now - datetime.timedelta(seconds=settings.PDF_WORKER_STALE_SECONDS)
    alive = set(
        PdfWorker.objects.filter(last_seen__gte=stale_before).values_list("worker_id", flat=True)
    )
    found = 0
    running = DBTaskResult.objects.running().filter(
        task_path__startswith=OUR_TASKS, started_at__lt=stale_before
    )
    if not running.exists():  # the usual case: a plain read, no write lock taken
        _forget_old_workers(now)
        return found
    with exclusive_transaction(DBTaskResult.objects.db):
        for result in running.select_for_update(skip_locked=True):
            if result.worker_ids and result.worker_ids[-1] in alive:
                continue
            found += 1
            if len(result.worker_ids) >= settings.PDF_TASK_ATTEMPTS:
                _give_up(result, now)
            else:
                logger.warning(
                    "Task %s lost its worker %s: queued again", result.id, result.worker_ids
                )
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
    _forget_old_workers(now)
    return found


def _forget_old_workers(now: datetime.datetime) -> None:
    old = PdfWorker.objects.filter(last_seen__lt=now - datetime.timedelta(days=1))
    if old.exists():
        old.delete()


def _database_now() -> datetime.datetime:
    return PdfWorker.objects.annotate(now=Now()).values_list("now", flat=True).first() or (
        timezone.now()
    )


def _give_up(result: DBTaskResult, now: datetime.datetime) -> None:
    message = f"PDF 작업자가 {len(result.worker_ids)}번 모두 작업 중에 멈췄습니다."
    result.status = TaskResultStatus.FAILED
    result.finished_at = now
    result.exception_class_path = "publishing.workers.WorkerLost"
    result.traceback = message
    result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
    if result.task_path.rsplit(".", 1)[-1] not in BUILD_TASKS:
        return
    build_id = (result.args_kwargs.get("args") or [None])[0]
    BookletBuild.objects.filter(pk=build_id, status__in=BookletBuild.ACTIVE).update(
        status=BookletBuild.Status.FAILED, error=message, error_detail="", finished_at=now
    )


class Heartbeat(threading.Thread):
    """Keeps this worker's PdfWorker row fresh and recovers other workers' lost tasks."""

    def __init__(self, worker: str):
        super().__init__(name="pdf-worker-heartbeat", daemon=True)
        self.worker = worker
        self.stopped = threading.Event()

    def beat(self) -> None:
        """One short write (an UPDATE, or the INSERT of the first beat)."""
        fields = {"hostname": socket.gethostname(), "pid": os.getpid(), "last_seen": timezone.now()}
        if not PdfWorker.objects.filter(worker_id=self.worker).update(**fields):
            PdfWorker.objects.create(worker_id=self.worker, **fields)

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.PDF_WORKER_HEARTBEAT_SECONDS):
                try:
                    self.beat()
                    recover_lost_tasks()
                except Exception:  # a locked SQLite file, a dropped connection: next beat
                    logger.exception("PDF worker heartbeat failed")
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


class PdfTaskWorker(Worker):
    """django-tasks-db's worker, with a heartbeat while it runs, that takes the database's
    write lock only to claim a task that a plain read has found ready.

    django-tasks-db's own loop opens an exclusive transaction at every poll; on SQLite that is
    the one write lock of the file, taken twice a second per worker process even when there is
    nothing to do, and every web request that saves waits behind it."""

    def run(self) -> None:
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.beat()  # before the first claim, so no one takes this worker for dead
        recover_lost_tasks()
        heartbeat.start()
        try:
            self._loop()
        finally:
            heartbeat.stop()
            with transaction.atomic():
                PdfWorker.objects.filter(worker_id=self.worker_id).delete()

    def _loop(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        keep_startup_out_of_collections()
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311  (workers started together spread out)
        while self.running:
            close_old_connections()
            looked, task_result = self._claim_next()
            if task_result is not None:
                self.run_task(task_result)
            elif self.batch and looked:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)

    def _ready(self):
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        return tasks

    def _claim_next(self) -> tuple[bool, DBTaskResult | None]:
        """(whether the queue could be read, the task claimed or None)."""
        tasks = self._ready()
        try:
            if not tasks.exists():
                return True, None
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)  # no other worker runs it now
            return True, task_result
        except OperationalError as error:
            if is_locked_database_exception(error):  # busy for longer than the timeout
                return False, None
            raise
