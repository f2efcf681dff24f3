"""Booklet builds as readers meet them: find the finished booklet for what a reader reads, or
queue one; the build page's address and its progress figures.

The build page is addressed by a signed token naming the build and the reader it was handed
to, so a reader polls and downloads only builds that session_pdf gave them — a build made of
someone else's drafts is never reachable by guessing its number.
"""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from reports import booklet, tasks
from reports.models import BookletBuild

Status = BookletBuild.Status
SALT = "reports.booklet-build"


def find_or_request(session, outline, readings, user) -> BookletBuild:
    """The finished or running build of exactly this booklet, or a newly queued one."""
    documents = [reading.document for reading in readings]
    parts = booklet.parts_of(outline, documents)
    key = booklet.booklet_key(outline, [part.key for part in parts])
    same = BookletBuild.objects.filter(session=session, key=key).select_related("session")
    for build in same.filter(status=Status.SUCCEEDED):
        if tasks.file_of(build).exists():
            return build
    running = same.filter(status__in=BookletBuild.ACTIVE).first()
    if running is not None:
        return running
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
    if build.status != Status.FAILED:
        return
    BookletBuild.objects.filter(pk=build.pk, status=Status.FAILED).update(
        status=Status.QUEUED, error="", departments_done=0, started_at=None, finished_at=None
    )
    transaction.on_commit(lambda: tasks.build_booklet.enqueue(build.pk))


def token(build: BookletBuild, user) -> str:
    reader = 0 if build.public else (user.pk if user.is_authenticated else 0)
    return signing.dumps({"build": build.pk, "reader": reader}, salt=SALT, compress=True)


def from_token(value: str, user) -> BookletBuild | None:
    try:
        data = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return None
    if data.get("reader") not in (0, user.pk if user.is_authenticated else 0):
        return None
    return BookletBuild.objects.select_related("session").filter(pk=data.get("build")).first()


def status_of(build: BookletBuild, token: str) -> dict:
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
    data = {
        "status": build.status,
        "label": str(build.get_status_display()),
        "message": str(messages[build.status]),
        "done": build.departments_done,
        "total": build.departments_total,
        "percent": build.percent,
        "error": build.error,
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
