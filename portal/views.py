"""Public pages: sessions, a session's departments, a department report, its versions and PDFs.

Readers see a report's latest published version — the stored document and PDF, never the live
data. Staff of the department (and clerks), and council members for reports the clerk shares,
may also preview the live draft; every such view or download is recorded (AccessLog).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import quote

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from publishing import builds, hwpx, page_cache, pdf, tasks
from publishing.assembly import assemble_report, assemble_session_outline
from publishing.document import ReportDocument
from publishing.versions import changes_between, document_from_dict
from reports.access_log import log_access
from reports.models import AccessLog, BookletBuild, DepartmentReport, ReportVersion, Session


@dataclass
class Reading:
    """What a reader gets for one report: the live draft (preview) or a published version.

    A published version's document is read from the database when first asked for, so a page
    served from the published page cache never loads it."""

    report: DepartmentReport
    draft: ReportDocument | None  # the live draft's assembly (a preview), else None
    version: ReportVersion | None  # None: the live draft
    versions: list[ReportVersion]

    @property
    def is_preview(self) -> bool:
        return self.version is None

    @functools.cached_property
    def document(self) -> ReportDocument:
        if self.version is None:
            return self.draft
        return document_from_dict(_document(self.version))


def _versions(report: DepartmentReport) -> list[ReportVersion]:
    """The report's versions, newest first, without their (large) documents."""
    return list(report.versions.defer("document").select_related("report__session"))


def _document(version: ReportVersion) -> dict:
    return ReportVersion.objects.values_list("document", flat=True).get(pk=version.pk)


def reading_for(request, number: int, department_id: int, version_number: int | None = None):
    report = get_object_or_404(
        DepartmentReport.objects.visible_to(request.user).select_related("session", "department"),
        session__number=number,
        department_id=department_id,
    )
    versions = _versions(report)
    if version_number is not None:
        version = next((v for v in versions if v.number == version_number), None)
        if version is None:
            raise Http404
        return Reading(report, None, version, versions)
    previewable = DepartmentReport.objects.previewable_by(request.user).filter(pk=report.pk)
    if not report.is_published and previewable.exists():
        return Reading(report, assemble_report(report), None, versions)
    if not versions:  # visible_to let it through, so this reader may preview
        return Reading(report, assemble_report(report), None, versions)
    return Reading(report, None, versions[0], versions)


def _live_ids(request, session: Session) -> set[int]:
    """The session's reports this reader reads as live drafts (not their published version)."""
    previewable = DepartmentReport.objects.previewable_by(request.user).for_session(session)
    return set(
        previewable.exclude(status=DepartmentReport.Status.PUBLISHED).values_list("pk", flat=True)
    )


def _get_session(request, number: int) -> tuple[Session, QuerySet]:
    """A session with at least one report this reader may see, and those reports."""
    visible = DepartmentReport.objects.visible_to(request.user)
    session = get_object_or_404(
        Session.objects.filter(reports__in=visible).distinct(), number=number
    )
    return session, visible


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def visible_sessions(user) -> QuerySet:
    """Sessions with at least one report this reader may see, with how many (pages and API)."""
    visible = DepartmentReport.objects.visible_to(user)
    return (
        Session.objects.filter(reports__in=visible)
        .annotate(report_count=Count("reports", filter=Q(reports__in=visible), distinct=True))
        .order_by("-number")
    )


@require_safe
def session_list(request):
    return render(
        request, "reports/session_list.html", {"sessions": visible_sessions(request.user)}
    )


@require_safe
def session_detail(request, number: int):
    session, visible = _get_session(request, number)
    outline = assemble_session_outline(session, visible, _live_ids(request, session))
    return render(request, "reports/session_detail.html", {"outline": outline})


def _render_reading(request, reading: Reading, department_id: int):
    """The department page: the header is the reader's own; the rest is the same for every
    reader of a published version, so it is rendered once and kept (publishing/page_cache.py)."""
    if reading.is_preview:
        log_access(request, reading.report, AccessLog.Action.VIEW)
        page = _page(reading, department_id)
    else:
        page = page_cache.published_page(
            reading.version, reading.versions[0], lambda: _page(reading, department_id)
        )
    return render(request, "reports/department_report.html", {"page": page, "reading": reading})


def _page(reading: Reading, department_id: int) -> page_cache.Page:
    """The parts of the page that depend on the reading only (no request, so nothing of the
    reader's can slip in). A published version shows what changed since the one before it."""
    previous = None
    if reading.version is not None:
        previous = next(
            (v for v in reading.versions if v.number == reading.version.number - 1), None
        )
    changes = None
    if previous is not None:
        changes = changes_between(_document(previous), reading.document.to_dict())
    doc = reading.document
    context = {
        "doc": doc,
        "department_id": department_id,
        "reading": reading,
        "is_published": not reading.is_preview,
        "changes": changes,
        "previous": previous,
    }
    return page_cache.Page(
        title=f"{doc.department} · {doc.session.title}",
        breadcrumbs=render_to_string("reports/partials/department_breadcrumbs.html", context),
        content=render_to_string("reports/department_page.html", context),
    )


def _department_page(request, number: int, department_id: int, version_number=None):
    """Signed-in readers get their own header (and previews) as _render_reading makes them;
    an anonymous reader gets the whole answer kept for the edition (publishing/page_cache.py),
    found from one query of the report's editions' small columns."""
    if request.user.is_authenticated:
        reading = reading_for(request, number, department_id, version_number)
        return _render_reading(request, reading, department_id)
    version, latest = getattr(request, "anonymous_editions", None) or public_editions(
        number, department_id, version_number
    )
    key = page_cache.anonymous_key(version, latest)
    response = page_cache.anonymous_response(request, key)
    if response is None:
        reading = reading_for(request, number, department_id, version_number)
        response = _render_reading(request, reading, department_id)
        if reading.is_preview:
            return response
        # Keyed by what was rendered, in case an edition just came.
        key = page_cache.anonymous_key(reading.version, reading.versions[0])
        if not page_cache.keep_anonymous_response(request, response, key):
            return response
        # The first reader gets the answer every later one gets (brotli, same headers).
        response = page_cache.anonymous_response(request, key)
    response.anonymous_key = key  # portal/front_cache.py remembers the stack's headers
    return response


def public_editions(number: int, department_id: int, version_number: int | None):
    """The edition an anonymous reader is shown and the report's newest edition.

    Anyone may read a report that has a published edition (visible_to), and reads its newest
    one unless the URL names an earlier one (reading_for); drafts are never theirs."""
    rows = ReportVersion.objects.raw(
        _editions_sql(newest_only=version_number is None), [number, department_id]
    )
    editions = [page_cache.Edition(v.pk, v.number, v.content_sha256, v.published_at) for v in rows]
    version = editions[0] if version_number is None and editions else None
    if version_number is not None:
        version = next((e for e in editions if e.number == version_number), None)
    if version is None:
        raise Http404
    return version, editions[0]


@functools.cache
def _editions_sql(*, newest_only: bool) -> str:
    """The editions of the report of (session number, department), newest first.

    Written out because it runs on every anonymous reader's hit: the ORM spends ~0.25 ms
    building this query with its two joins, a quarter of the whole hit (make bench, readers).
    The raw queryset still converts the columns as the model does (published_at aware)."""
    version, report, session = (
        model._meta.db_table for model in (ReportVersion, DepartmentReport, Session)
    )
    return (
        f"SELECT v.id, v.number, v.content_sha256, v.published_at FROM {version} v"
        f" JOIN {report} r ON r.id = v.report_id JOIN {session} s ON s.id = r.session_id"
        " WHERE s.number = %s AND r.department_id = %s ORDER BY v.number DESC"
        + (" LIMIT 1" if newest_only else "")
    )


@require_safe
def department_report(request, number: int, department_id: int):
    return _department_page(request, number, department_id)


@require_safe
def department_version(request, number: int, department_id: int, version_number: int):
    return _department_page(request, number, department_id, version_number)


@require_safe
def department_pdf(request, number: int, department_id: int):
    reading = reading_for(request, number, department_id)
    return _reading_pdf(request, reading, number)


@require_safe
def department_version_pdf(request, number: int, department_id: int, version_number: int):
    return _reading_pdf(
        request, reading_for(request, number, department_id, version_number), number
    )


def _reading_pdf(request, reading: Reading, number: int) -> HttpResponse:
    # A preview is laid out now; a version's stored file is served byte for byte (checked).
    content = pdf.department_pdf(reading.document) if reading.is_preview else reading.version.pdf
    return _reading_download(request, reading, number, content, "pdf", "application/pdf")


def _reading_download(request, reading: Reading, number: int, content, extension, content_type):
    """A department's file: named by session, department and edition; previews are logged."""
    if reading.is_preview:
        log_access(request, reading.report, AccessLog.Action.DOWNLOAD)
        suffix = "_미리보기"
    else:
        suffix = f"_제{reading.version.number}판" if reading.version.number > 1 else ""
    name = f"제{number}회_{reading.document.department}_주요업무보고{suffix}.{extension}"
    return _download(content, name, content_type)


def _readings(request, number: int):
    """The session, its outline and the readings of its reports, as this reader may read them."""
    session, visible = _get_session(request, number)
    outline = assemble_session_outline(session, visible, _live_ids(request, session))
    readings = [
        reading_for(request, number, report.department_id)
        for report in DepartmentReport.objects.filter(pk__in=outline.report_ids)
    ]
    for reading in readings:
        if reading.is_preview:
            log_access(request, reading.report, AccessLog.Action.DOWNLOAD)
    return session, outline, readings


def _booklet(request, number: int):
    """The session's outline and its reports' documents, as this reader may read them."""
    _session, outline, readings = _readings(request, number)
    return outline, [reading.document for reading in readings]


@require_safe
def session_pdf(request, number: int):
    """The booklet PDF if it is built for what this reader reads; otherwise its build page.

    Booklets are never laid out in a web request: a build is queued for the PDF workers (or
    one already building the same content is reused) and the reader follows its progress.
    """
    session, outline, readings = _readings(request, number)
    build = builds.find_or_request(session, outline, readings, request.user)
    return _booklet_file(build) or redirect(
        "reports:booklet_build", number=number, token=builds.token(build, request.user)
    )


def _with_build(view):
    """Resolve the build page's token for this reader, or answer 404 saying what to do."""

    @functools.wraps(view)
    def wrapper(request, number: int, token: str):
        build = builds.from_token(token, request.user)
        if build is None or build.session.number != number:
            reason = _(
                "책자 PDF 작업을 찾을 수 없습니다. 회기 화면에서 책자 내려받기를 다시 눌러 주세요."
            )
            return render(request, "404.html", {"reason": reason}, status=404)
        return view(request, build, token)

    return wrapper


def _booklet_file(build: BookletBuild) -> FileResponse | None:
    """The finished booklet streamed from the booklets storage (StorageUnavailable: 503)."""
    if build.status != BookletBuild.Status.SUCCEEDED or not tasks.booklet_exists(build):
        return None
    name = f"제{build.session.number}회_주요업무보고.pdf"
    return FileResponse(tasks.open_booklet(build), as_attachment=True, filename=name)


@require_safe
@_with_build
def booklet_build(request, build: BookletBuild, token: str):
    status = builds.status_of(build, token, staff=request.user.is_staff)
    context = {"build": build, "token": token, "status": status}
    return render(request, "reports/booklet_build.html", context)


@require_safe
@_with_build
def booklet_status(request, build: BookletBuild, token: str):
    response = JsonResponse(builds.status_of(build, token, staff=request.user.is_staff))
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@_with_build
def booklet_download(request, build: BookletBuild, token: str):
    response = _booklet_file(build)
    if response is None:
        reason = _("이 책자 PDF는 아직 완성되지 않았습니다. 진행 화면에서 기다려 주세요.")
        return render(request, "404.html", {"reason": reason}, status=404)
    if not build.public:  # drafts read: recorded like every other preview download
        for report in DepartmentReport.objects.filter(pk__in=builds.draft_reports(build)):
            log_access(request, report, AccessLog.Action.DOWNLOAD)
    return response


@require_POST
@_with_build
def booklet_retry(request, build: BookletBuild, token: str):
    builds.retry(build)
    return redirect("reports:booklet_build", number=build.session.number, token=token)


# HWPX (한글) downloads carry the same document as the PDF beside them: a published version's
# stored document, or the live draft for those who may preview it.
HWPX = "application/hwp+zip"


@require_safe
def session_hwpx(request, number: int):
    outline, documents = _booklet(request, number)
    content = hwpx.session_hwpx(outline, documents)
    return _download(content, f"제{number}회_주요업무보고.hwpx", HWPX)


@require_safe
def department_hwpx(request, number: int, department_id: int):
    return _reading_hwpx(request, reading_for(request, number, department_id), number)


@require_safe
def department_version_hwpx(request, number: int, department_id: int, version_number: int):
    return _reading_hwpx(
        request, reading_for(request, number, department_id, version_number), number
    )


def _reading_hwpx(request, reading: Reading, number: int) -> HttpResponse:
    if reading.is_preview:
        content = hwpx.department_hwpx(reading.document)
    elif reading.version.hwpx_sha256:  # the file stored when it was published
        content = reading.version.hwpx
    else:  # an edition published before HWPX files were kept: made once, keyed by its content
        content = cache.get_or_set(
            f"hwpx:{reading.version.content_sha256}",
            lambda: hwpx.department_hwpx(reading.document),
            timeout=None,
        )
    return _reading_download(request, reading, number, content, "hwpx", HWPX)
