"""Booklet builds as readers meet them: find the finished booklet for what a reader reads, or
queue one; the build page's address and its progress figures.

The build page is addressed by a signed token naming the build and the reader it was handed
to, so a reader polls and downloads only builds that session_pdf gave them — a build made of
someone else's drafts is never reachable by guessing its number.
"""

from __future__ import annotations

import datetime

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from publishing import booklet, tasks
from reports.models import BookletBuild, DepartmentReport

Status = BookletBuild.Status
SALT = "publishing.booklet-build"
TOKEN_DAYS = 7  # a build page's address works this long
FAILED_SHOWN_MINUTES = 10


def find_or_request(session, outline, readings, user) -> BookletBuild:
    """The finished or running build of exactly this booklet, or a newly queued one."""
    documents = [reading.document for reading in readings]
    parts = booklet.parts_of(outline, documents)
    key = booklet.booklet_key(outline, [part.key for part in parts])
    same = BookletBuild.objects.filter(session=session, key=key).select_related("session")
    for build in same.filter(status=Status.SUCCEEDED):
        if tasks.booklet_exists(build):
            return build
    running = same.filter(status__in=BookletBuild.ACTIVE).first()
    if running is not None:
        return running
    # A build of the same content that failed a moment ago: show why (and the retry button)
    # rather than queue the same failure again on every click.
    recent = timezone.now() - datetime.timedelta(minutes=FAILED_SHOWN_MINUTES)
    failed = same.filter(status=Status.FAILED, finished_at__gte=recent).first()
    if failed is not None:
        return failed
    build = BookletBuild.objects.create(
        session=session,
        key=key,
        composition=tasks.composition(readings),
        public=all(reading.version is not None for reading in readings),
        requested_by=user if user.is_authenticated else None,
        departments_total=len(parts),
    )
    transaction.on_commit(lambda: tasks.build_booklet.enqueue(build.pk))
    return build


def retry(build: BookletBuild) -> None:
    """Queue a failed build again, from the start (cached parts are kept)."""
    queued = BookletBuild.objects.filter(pk=build.pk, status=Status.FAILED).update(
        status=Status.QUEUED,
        error="",
        error_detail="",
        departments_done=0,
        started_at=None,
        finished_at=None,
    )
    if queued:
        transaction.on_commit(lambda: tasks.build_booklet.enqueue(build.pk))


def token(build: BookletBuild, user) -> str:
    reader = 0 if build.public else (user.pk if user.is_authenticated else 0)
    return signing.dumps({"build": build.pk, "reader": reader}, salt=SALT, compress=True)


def from_token(value: str, user) -> BookletBuild | None:
    """The build a token names, if it was given to this reader, is not too old, and the
    reader may still preview every draft in it (a share withdrawn, a move to another
    department: the old address stops working)."""
    try:
        data = signing.loads(value, salt=SALT, max_age=TOKEN_DAYS * 86400)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(data, dict) or data.get("reader") not in (
        0,
        user.pk if user.is_authenticated else 0,
    ):
        return None
    build = BookletBuild.objects.select_related("session").filter(pk=data.get("build")).first()
    if build is None or build.public:
        return build
    drafts = draft_reports(build)
    previewable = DepartmentReport.objects.previewable_by(user).filter(pk__in=drafts)
    return build if previewable.count() == len(drafts) else None


def draft_reports(build: BookletBuild) -> list[int]:
    """The reports a build reads as live drafts."""
    return [report for report, version in build.composition["reports"] if version is None]


def status_of(build: BookletBuild, token: str, *, staff: bool = False) -> dict:
    """What the build page shows and polls: state, departments done / total, the reason of a
    failure, and where to download once finished."""
    number = build.session.number
    messages = {
        Status.QUEUED: _("PDF 작업자를 기다리고 있습니다."),
        Status.RUNNING: _("부서별 보고서를 조판하고 있습니다."),
        Status.ASSEMBLING: _("조판한 부서 보고서를 책자로 묶고 있습니다."),
        Status.SUCCEEDED: _("책자 PDF가 준비되었습니다."),
        Status.FAILED: _("책자 PDF를 만들지 못했습니다."),
    }
    message = messages[build.status]
    if build.is_active and build.error:  # waiting for the file storage, say so
        message = build.error
    data = {
        "status": build.status,
        "label": str(build.get_status_display()),
        "message": str(message),
        "done": build.departments_done,
        "total": build.departments_total,
        "percent": build.percent,
        "error": build.error,
        "detail": build.error_detail if staff else "",
        "download": None,
        "retry": None,
    }
    if build.status == Status.SUCCEEDED:
        data["download"] = reverse("reports:booklet_download", args=[number, token])
        data["pages"] = build.pages
        data["size_kib"] = round((build.size or 0) / 1024)
    if build.status == Status.FAILED:
        data["retry"] = reverse("reports:booklet_retry", args=[number, token])
    return data
