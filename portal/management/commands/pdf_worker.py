"""Run PDF workers: `manage.py pdf_worker` starts one worker process per core.

Start it on every machine that should build booklets; they share the work through the
database and PDF_BUILD_ROOT (see README, "PDF 작업자").
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django_tasks.base import DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from publishing.workers import PdfTaskWorker, worker_id


class Command(BaseCommand):
    help = "PDF 작업자를 실행합니다 (코어마다 한 프로세스). Ctrl+C로 멈춥니다."
    # The system checks load the URL conf, and with it every view and admin module: memory a
    # worker keeps for nothing (issue 13, point 8). `manage.py check --deploy` is the place.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--processes",
            type=int,
            default=os.cpu_count() or 1,
            help="작업자 프로세스 수 (기본: 이 컴퓨터의 코어 수)",
        )
        parser.add_argument(
            "--interval", type=float, default=0.5, help="할 일이 없을 때 다시 살피는 간격(초)"
        )
        parser.add_argument(
            "--batch", action="store_true", help="쌓인 작업을 모두 처리하면 끝냅니다 (한 프로세스)"
        )

    def handle(self, *, processes: int, interval: float, batch: bool, **options):
        if processes < 1:
            raise CommandError("--processes 는 1 이상이어야 합니다.")
        if processes == 1 or batch:
            self.work(interval, batch, options["verbosity"])
        else:
            self.supervise(processes, interval, options["verbosity"])

    def work(self, interval: float, batch: bool, verbosity: int) -> None:
        # django-tasks-db's own logging set-up: each task's start and end, on this stdout.
        DbWorkerCommand(stdout=self.stdout, stderr=self.stderr).configure_logging(verbosity)
        recovery = logging.getLogger("publishing.workers")
        if not recovery.hasHandlers() and verbosity:
            recovery.addHandler(logging.StreamHandler(self.stdout))
        worker = PdfTaskWorker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id(),
            excluded_queue_names=[],
        )
        self.stdout.write(f"PDF 작업자 {worker.worker_id} 시작")
        worker.configure_signals()
        worker.run()

    def supervise(self, processes: int, interval: float, verbosity: int) -> None:
        """Keep `processes` single workers running; restart one that exits; stop them all on
        SIGINT/SIGTERM."""
        command = [sys.argv[0], "pdf_worker", "--processes", "1", "--interval", str(interval)]
        command += ["--verbosity", str(verbosity)]
        if not command[0].endswith(".py"):
            command[0] = "manage.py"
        command = [sys.executable, *command]
        children: list[subprocess.Popen] = []
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"PDF 작업자 {processes}개를 시작합니다.")
        # Each worker in a session of its own: Ctrl+C in the terminal reaches this supervisor
        # only, which then asks every worker once to stop after its current task.
        children = [subprocess.Popen(command, start_new_session=True) for _ in range(processes)]
        try:
            while not stopping:
                time.sleep(0.5)
                for index, child in enumerate(children):
                    if child.poll() is not None and not stopping:
                        self.stderr.write(
                            f"PDF 작업자 {child.pid}가 끝났습니다 (종료 코드 {child.returncode}): 다시 시작합니다."
                        )
                        time.sleep(1)
                        children[index] = subprocess.Popen(command, start_new_session=True)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 30
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
