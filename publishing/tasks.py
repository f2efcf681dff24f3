"""Background builds of session booklets (Django's tasks API; run by `manage.py pdf_worker`).

A build fans out: `build_booklet` works out which department parts are not cached yet and
enqueues one `render_department` per missing part, so every worker process (on every machine
sharing the database and the booklets storage, core/filestore.py) takes a department at a time; the task that finds all
parts present hands over to `assemble_booklet`, which puts the booklet together. Each task can
run again after a worker dies (publishing/workers.py): parts and booklets are written whole under
their final name, or not at all.

A task that cannot reach the file storage fails (its task result says why), leaves its build
waiting with the reason shown on the build page, and is enqueued again
PDF_STORAGE_RETRY_SECONDS later — at most PDF_STORAGE_ATTEMPTS times, then the build fails.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Callable, Iterator

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks_db.utils import exclusive_transaction

from core import filestore
from publishing import booklet
from publishing.assembly import (
    SessionOutline,
    assemble_report,
    assemble_reports,
    assemble_session_outline,
)
from publishing.document import ReportDocument
from publishing.versions import document_from_dict
from reports.models import BookletBuild, DepartmentReport, ReportVersion

Status = BookletBuild.Status
logger = logging.getLogger(__name__)


def composition(readings) -> dict:
    """What a build needs to know to rebuild a reader's booklet: report and version ids."""
    rows = [[r.report.pk, None if r.version is None else r.version.pk] for r in readings]
    return {"reports": sorted(rows)}


def outline_of(build: BookletBuild) -> SessionOutline:
    rows = build.composition["reports"]
    report_ids = [report for report, _version in rows]
    live = {report for report, version in rows if version is None}
    return assemble_session_outline(
        build.session, DepartmentReport.objects.filter(pk__in=report_ids), live
    )


def load(build: BookletBuild) -> tuple[SessionOutline, list[ReportDocument]]:
    """The outline and the documents of a build, as they are now."""
    rows = build.composition["reports"]
    outline = outline_of(build)
    stored = dict(
        ReportVersion.objects.filter(pk__in=[v for _r, v in rows if v]).values_list(
            "pk", "document"
        )
    )
    drafts = [report for report, version in rows if version is None]
    live = dict(zip(drafts, assemble_reports(drafts), strict=True))  # one query per table
    documents = [
        live[report] if version is None else document_from_dict(stored[version])
        for report, version in rows
    ]
    return outline, documents


def _document(report_id: int, version_id: int | None) -> ReportDocument:
    if version_id is None:
        return assemble_report(report_id)
    return document_from_dict(
        ReportVersion.objects.values_list("document", flat=True).get(pk=version_id)
    )


@contextlib.contextmanager
def _fails_build(
    build_id: int, what: str, again: Callable[[], None] | None = None, attempt: int = 1
) -> Iterator[None]:
    """A task's exception fails its build with a reason the clerk can read, then propagates
    (so the task result records it too). An unreachable file storage instead leaves the build
    waiting and calls `again` (the same task, enqueued for later), until the attempts run out."""
    try:
        yield
    except filestore.StorageUnavailable as exc:
        if again is not None and attempt < settings.PDF_STORAGE_ATTEMPTS:
            _wait_for_storage(build_id, exc, attempt)
            again()
        else:
            _fail(build_id, _("파일 저장소에 연결할 수 없어 책자를 만들지 못했습니다"), exc.detail)
        raise
    except BaseException as exc:  # SystemExit too: a worker told twice to stop mid-task
        if isinstance(exc, Exception):
            detail = f"{type(exc).__name__}: {exc}"
        else:
            detail = "PDF 작업자가 작업 중에 멈췄습니다. 다시 만들기를 눌러 주세요."
        logger.exception("Booklet build %s failed: %s", build_id, what)
        _fail(build_id, what, detail)
        raise


def _fail(build_id: int, what: str, detail: str) -> None:
    BookletBuild.objects.filter(pk=build_id).exclude(status=Status.SUCCEEDED).update(
        status=Status.FAILED,
        error=what,
        error_detail=detail[:4000],
        finished_at=timezone.now(),
    )


def _wait_for_storage(build_id: int, exc: filestore.StorageUnavailable, attempt: int) -> None:
    seconds = settings.PDF_STORAGE_RETRY_SECONDS
    logger.warning(
        "Booklet build %s: file storage unavailable (attempt %s), again in %ss: %s",
        build_id,
        attempt,
        seconds,
        exc.detail,
    )
    reason = _(
        "파일 저장소에 연결할 수 없습니다. %(seconds)s초 뒤에 다시 시도합니다"
        "(%(attempt)s/%(attempts)s번째 시도 실패)."
    ) % {"seconds": f"{seconds:g}", "attempt": attempt, "attempts": settings.PDF_STORAGE_ATTEMPTS}
    BookletBuild.objects.filter(pk=build_id, status__in=BookletBuild.ACTIVE).update(
        error=reason, error_detail=exc.detail[:4000]
    )


def _later(task_function, *args, attempt: int) -> Callable[[], None]:
    """Enqueue the task again after PDF_STORAGE_RETRY_SECONDS, as its next attempt."""

    def enqueue() -> None:
        delay = datetime.timedelta(seconds=settings.PDF_STORAGE_RETRY_SECONDS)
        later = task_function
        if task_function.get_backend().supports_defer:
            later = task_function.using(run_after=timezone.now() + delay)
        later.enqueue(*args, attempt=attempt + 1)

    return enqueue


def _active(build_id: int) -> BookletBuild | None:
    build = BookletBuild.objects.select_related("session").filter(pk=build_id).first()
    return build if build is not None and build.is_active else None


@task()
def build_booklet(build_id: int, attempt: int = 1) -> None:
    """Plan a build: count the cached parts, enqueue a task per missing one."""
    build = _active(build_id)
    if build is None or build.status == Status.ASSEMBLING:
        return
    again = _later(build_booklet, build_id, attempt=attempt)
    with _fails_build(build_id, "책자 구성을 읽지 못했습니다", again, attempt):
        outline, documents = load(build)
        parts = booklet.parts_of(outline, documents)
        if not parts:
            raise ValueError("책자에 넣을 부서 보고서가 없습니다.")
        rows = {report: version for report, version in build.composition["reports"]}
        report_of = {d.department_id: d.report_id for d in booklet.departments_in_booklet(outline)}
        missing = [(i, p) for i, p in enumerate(parts) if not booklet.has_part(p.key)]
        BookletBuild.objects.filter(pk=build_id).update(
            status=Status.RUNNING,
            started_at=timezone.now(),
            part_keys=[[p.department_id, p.key] for p in parts],
            departments_total=len(parts),
            departments_done=len(parts) - len(missing),
            error="",
            error_detail="",
        )
    for index, part in missing:
        report_id = report_of[part.department_id]
        render_department.enqueue(build_id, index, report_id, rows[report_id])
    if missing:  # page-number overlays for a first booklet this long, after the departments
        for chunk in booklet.numbers_to_warm(len(parts)):
            render_numbers.using(priority=-10).enqueue(chunk)
    else:
        _hand_over(build_id)


@task()
def render_department(
    build_id: int, index: int, report_id: int, version_id: int | None, attempt: int = 1
) -> None:
    """Render one department's part (if no build has meanwhile) and count it done."""
    if _active(build_id) is None:
        return
    report = DepartmentReport.objects.select_related("department").get(pk=report_id)
    again = _later(render_department, build_id, index, report_id, version_id, attempt=attempt)
    with _fails_build(
        build_id, f"{report.department.name} 보고서를 조판하지 못했습니다", again, attempt
    ):
        key = booklet.render_part(_document(report_id, version_id))
        # Which parts are made, asked of the storage before the lock is taken; inside it only
        # the parts still missing then are asked again (one may have finished meanwhile).
        planned = BookletBuild.objects.values_list("part_keys", flat=True).get(pk=build_id)
        made = {key, *(k for _department, k in planned if booklet.has_part(k))}
        with exclusive_transaction(BookletBuild.objects.db):  # parts finish side by side
            build = BookletBuild.objects.select_for_update().get(pk=build_id)
            keys = list(build.part_keys)
            if index >= len(keys) or keys[index][0] != report.department_id:
                return  # a task of an earlier plan of this build: its slot is someone else's
            keys[index] = [report.department_id, key]  # the draft may have changed since
            done = sum(k in made or booklet.has_part(k) for _department, k in keys)
            BookletBuild.objects.filter(pk=build_id).update(
                part_keys=keys, departments_done=done, error="", error_detail=""
            )
    if done == len(keys):
        _hand_over(build_id)


@task()
def render_numbers(chunk: int) -> None:
    """Cache the "책자 N" overlay pages of one chunk (the assembly renders any still missing)."""
    booklet.numbers_chunk(chunk)


def _hand_over(build_id: int) -> None:
    """Enqueue the assembly once, whichever part task (or the plan) gets here first."""
    claimed = BookletBuild.objects.filter(pk=build_id, status__in=[Status.RUNNING]).update(
        status=Status.ASSEMBLING
    )
    if claimed:
        assemble_booklet.enqueue(build_id)


@task()
def assemble_booklet(build_id: int, attempt: int = 1) -> None:
    """Put the booklet together from the parts and publish it under the build's name."""
    build = _active(build_id)
    if build is None:
        return
    again = _later(assemble_booklet, build_id, attempt=attempt)
    with _fails_build(build_id, "책자를 묶지 못했습니다", again, attempt):
        outline = outline_of(build)
        parts = [booklet.PartRef(department, key) for department, key in build.part_keys]
        planned = [d.department_id for d in booklet.departments_in_booklet(outline)]
        if [p.department_id for p in parts] != planned or not all(
            booklet.has_part(p.key) for p in parts
        ):  # the session changed shape since the plan (or a part went missing): plan here
            outline, documents = load(build)
            parts = booklet.parts_of(outline, documents)
            for part in parts:
                booklet.render_part(part.document)
        result = booklet.assemble(outline, parts, file_of(build))
        filestore.share(file_of(build), name_of(build))
        BookletBuild.objects.filter(pk=build_id).update(
            status=Status.SUCCEEDED,
            error="",
            error_detail="",
            part_keys=[[p.department_id, p.key] for p in parts],
            departments_done=len(parts),
            pages=result.pages,
            size=result.content_path.stat().st_size,
            finished_at=timezone.now(),
        )


def _file_stem(build: BookletBuild) -> str:
    return f"session-{build.session.number}-build-{build.pk}"


def file_of(build: BookletBuild):
    """The finished booklet's path in the working folder where it was assembled."""
    return booklet.booklet_path(_file_stem(build))


def name_of(build: BookletBuild) -> str:
    """The finished booklet's name in the booklets storage."""
    return booklet.booklet_name(_file_stem(build))


def booklet_exists(build: BookletBuild) -> bool:
    """Whether the build's booklet is in the storage (StorageUnavailable if it cannot tell)."""
    return filestore.shared(file_of(build), name_of(build))


def open_booklet(build: BookletBuild):
    """The build's booklet, opened for reading from the storage."""
    return filestore.open_shared(name_of(build))
