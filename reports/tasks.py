"""Background builds of session booklets (Django's tasks API; run by `manage.py pdf_worker`).

A build fans out: `build_booklet` works out which department parts are not cached yet and
enqueues one `render_department` per missing part, so every worker process (on every machine
sharing the database and PDF_BUILD_ROOT) takes a department at a time; the task that finds all
parts present hands over to `assemble_booklet`, which puts the booklet together. Each task can
run again after a worker dies (reports/workers.py): parts and booklets are written whole under
their final name, or not at all.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from django.utils import timezone
from django_tasks import task
from django_tasks_db.utils import exclusive_transaction

from reports import booklet
from reports.assembly import SessionOutline, assemble_report, assemble_session_outline
from reports.document import ReportDocument
from reports.models import BookletBuild, DepartmentReport, ReportVersion
from reports.versions import document_from_dict

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
    documents = [
        assemble_report(report) if version is None else document_from_dict(stored[version])
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
def _fails_build(build_id: int, what: str) -> Iterator[None]:
    """A task's exception fails its build with a reason the clerk can read, then propagates
    (so the task result records it too)."""
    try:
        yield
    except BaseException as exc:  # SystemExit too: a worker told twice to stop mid-task
        if isinstance(exc, Exception):
            detail = f"{type(exc).__name__}: {exc}"
        else:
            detail = "PDF 작업자가 작업 중에 멈췄습니다. 다시 만들기를 눌러 주세요."
        logger.exception("Booklet build %s failed: %s", build_id, what)
        BookletBuild.objects.filter(pk=build_id).exclude(status=Status.SUCCEEDED).update(
            status=Status.FAILED,
            error=what,
            error_detail=detail[:4000],
            finished_at=timezone.now(),
        )
        raise


def _active(build_id: int) -> BookletBuild | None:
    build = BookletBuild.objects.select_related("session").filter(pk=build_id).first()
    return build if build is not None and build.is_active else None


@task()
def build_booklet(build_id: int) -> None:
    """Plan a build: count the cached parts, enqueue a task per missing one."""
    build = _active(build_id)
    if build is None or build.status == Status.ASSEMBLING:
        return
    with _fails_build(build_id, "책자 구성을 읽지 못했습니다"):
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
def render_department(build_id: int, index: int, report_id: int, version_id: int | None) -> None:
    """Render one department's part (if no build has meanwhile) and count it done."""
    if _active(build_id) is None:
        return
    report = DepartmentReport.objects.select_related("department").get(pk=report_id)
    with _fails_build(build_id, f"{report.department.name} 보고서를 조판하지 못했습니다"):
        key = booklet.render_part(_document(report_id, version_id))
    with exclusive_transaction(BookletBuild.objects.db):  # parts finish side by side
        build = BookletBuild.objects.select_for_update().get(pk=build_id)
        keys = list(build.part_keys)
        if index >= len(keys) or keys[index][0] != report.department_id:
            return  # a task of an earlier plan of this build: its slot is someone else's
        keys[index] = [report.department_id, key]  # the draft may have changed since planning
        done = sum(booklet.has_part(k) for _department, k in keys)
        BookletBuild.objects.filter(pk=build_id).update(part_keys=keys, departments_done=done)
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
def assemble_booklet(build_id: int) -> None:
    """Put the booklet together from the parts and publish it under the build's name."""
    build = _active(build_id)
    if build is None:
        return
    with _fails_build(build_id, "책자를 묶지 못했습니다"):
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
        BookletBuild.objects.filter(pk=build_id).update(
            status=Status.SUCCEEDED,
            part_keys=[[p.department_id, p.key] for p in parts],
            departments_done=len(parts),
            pages=result.pages,
            size=result.content_path.stat().st_size,
            finished_at=timezone.now(),
        )


def file_of(build: BookletBuild):
    """The finished booklet's path (only for a succeeded build)."""
    return booklet.booklet_path(f"session-{build.session.number}-build-{build.pk}")
