"""The life of a department report: 작성 중 → 제출 → 승인 → 공개, with 보완 요청 and 정정.

Every status change goes through `perform()`: it checks the account's role and department
(org/access.py), refuses a move the current status does not allow with a Korean message,
stores a `ReportEvent`, and on publishing freezes a new `ReportVersion` (publishing/versions.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import busy
from org import access
from reports.models import DepartmentReport, ReportEvent, ReportVersion, Session

Status = DepartmentReport.Status
logger = logging.getLogger(__name__)
MAX_COMMENT = 2_000


class WorkflowError(Exception):
    """A status change that is not allowed; the message says why, in Korean."""


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    comment_label: str = ""  # non-empty: a comment is required, asked with this label
    comment_object: str = ""  # the label with its particle, for "…을 적어야 합니다"


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "submit",
            gettext_lazy("제출"),
            frozenset({Status.DRAFT, Status.RETURNED}),
            Status.SUBMITTED,
            "reports.submit_report",
        ),
        Transition(
            "approve",
            gettext_lazy("승인"),
            frozenset({Status.SUBMITTED}),
            Status.APPROVED,
            "reports.approve_report",
        ),
        Transition(
            "return",
            gettext_lazy("보완 요청"),
            frozenset({Status.SUBMITTED, Status.APPROVED}),
            Status.RETURNED,
            "reports.approve_report",
            comment_label=gettext_lazy("보완할 내용"),
            comment_object=gettext_lazy("보완할 내용을"),
        ),
        Transition(
            "publish",
            gettext_lazy("공개"),
            frozenset({Status.APPROVED}),
            Status.PUBLISHED,
            "reports.publish_report",
        ),
        Transition(
            "reopen",
            gettext_lazy("정정 시작"),
            frozenset({Status.PUBLISHED}),
            Status.DRAFT,
            "reports.publish_report",
            comment_label=gettext_lazy("정정 사유"),
            comment_object=gettext_lazy("정정 사유를"),
        ),
    ]
}

# Called after a transition commits: (report, transition, actor, comment). Mail hooks here.
after_transition: list[Callable] = []


def allowed(user, report: DepartmentReport, transition: Transition) -> bool:
    return (
        report.status in transition.sources
        and user.has_perm(transition.permission)
        and access.in_reach(user, report)
    )


def available(user, report: DepartmentReport) -> list[Transition]:
    """The moves this account may make on this report now, for buttons."""
    return [t for t in TRANSITIONS.values() if allowed(user, report, t)]


def perform(report: DepartmentReport, action: str, user, *, comment: str = "") -> ReportEvent:
    """Move the report; raises WorkflowError (nothing changed) when the move is not allowed."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise WorkflowError(_("알 수 없는 처리입니다."))
    comment = (comment or "").strip()
    prepared = None
    if transition.target == Status.PUBLISHED:
        _check(report, transition, user, comment)  # before laying out a PDF for nothing
        prepared = _prepare(report)
    with transaction.atomic():
        locked = (
            DepartmentReport.objects.select_for_update()
            .select_related("session", "department")
            .get(pk=report.pk)
        )
        _check(locked, transition, user, comment)
        if transition.target == Status.PUBLISHED:
            _publish(locked, user, prepared)
        event = ReportEvent.objects.create(
            report=locked,
            action=transition.action,
            from_status=locked.status,
            to_status=transition.target,
            actor=user if user.is_authenticated else None,
            comment=comment,
        )
        locked.status = transition.target
        locked.status_comment = comment
        locked.revision += 1  # an editor opened before this move cannot save over it
        if user.is_authenticated:
            locked._history_user = user  # attributed also outside a request
        locked.save(update_fields=["status", "status_comment", "revision", "updated_at"])
        transaction.on_commit(lambda: _notify(locked, transition, user, comment))
    report.refresh_from_db()
    return event


def _check(report: DepartmentReport, transition: Transition, user, comment: str) -> None:
    if not access.in_reach(user, report) or not user.has_perm(transition.permission):
        raise WorkflowError(_("%(action)s 권한이 없습니다.") % {"action": transition.label})
    if report.status not in transition.sources:
        raise WorkflowError(
            _("‘%(status)s’ 상태의 보고서는 %(action)s할 수 없습니다.")
            % {"status": report.get_status_display(), "action": transition.label}
        )
    if transition.comment_label and not comment:
        raise WorkflowError(
            _("%(action)s하려면 %(what)s 적어야 합니다.")
            % {"action": transition.label, "what": transition.comment_object}
        )
    if len(comment) > MAX_COMMENT:
        raise WorkflowError(
            _("의견은 %(limit)s자까지 적을 수 있습니다(지금 %(length)s자).")
            % {"limit": f"{MAX_COMMENT:,}", "length": f"{len(comment):,}"}
        )


def _pdf_failed(report: DepartmentReport, error: Exception) -> WorkflowError:
    logger.exception("laying out the PDF of report %s failed", report.pk)
    return WorkflowError(
        _("PDF를 만들지 못해 공개하지 않았습니다(%(error)s). 관리자에게 알려 주세요.")
        % {"error": error}
    )


def _file_failed(report: DepartmentReport, error: Exception) -> WorkflowError:
    """The version's files could not be made or stored: nothing was published."""
    from core.filestore import StorageUnavailable
    from publishing.versions import PdfFailed

    if isinstance(error, PdfFailed):
        return _pdf_failed(report, error)
    if isinstance(error, StorageUnavailable):
        logger.warning("storing the files of report %s: %s", report.pk, error.detail)
        return WorkflowError(
            _(
                "파일 저장소에 연결할 수 없어 PDF·한글 파일을 저장하지 못해 공개하지 않았습니다. "
                "아무것도 바뀌지 않았습니다. 잠시 뒤에 다시 공개해 주세요."
            )
        )
    logger.exception("writing the HWPX of report %s failed", report.pk)
    return WorkflowError(
        _("한글(HWPX) 파일을 만들지 못해 공개하지 않았습니다(%(error)s). 관리자에게 알려 주세요.")
        % {"error": error}
    )


def _prepare(report: DepartmentReport):
    """The PDF and HWPX, made and stored before the transaction (no database lock held
    meanwhile)."""
    from core.filestore import StorageUnavailable
    from publishing.versions import HwpxFailed, PdfFailed, prepare_version

    try:
        return prepare_version(report)
    except (PdfFailed, HwpxFailed, StorageUnavailable) as error:
        raise _file_failed(report, error) from error


def _publish(report: DepartmentReport, user, prepared=None) -> ReportVersion:
    """Store the version; any failure publishes nothing, and the message names its cause."""
    from core.filestore import StorageUnavailable
    from publishing.versions import HwpxFailed, PdfFailed, publish_version

    try:
        with transaction.atomic():
            return publish_version(report, user, note=_correction_note(report), prepared=prepared)
    except (PdfFailed, HwpxFailed, StorageUnavailable) as error:
        raise _file_failed(report, error) from error
    except DatabaseError as error:
        if not busy.is_busy(error):
            raise _store_failed(report, error) from error
        logger.warning("storing the version of report %s: database busy", report.pk)
        raise WorkflowError(
            _(
                "데이터베이스가 다른 저장을 처리하느라 공개판을 저장하지 못해 공개하지 않았습니다. "
                "잠시 뒤에 다시 공개해 주세요."
            )
        ) from error
    except Exception as error:
        raise _store_failed(report, error) from error


def _store_failed(report: DepartmentReport, error: Exception) -> WorkflowError:
    logger.exception("storing the version of report %s failed", report.pk)
    return WorkflowError(
        _("공개판을 저장하지 못해 공개하지 않았습니다(%(error)s). 관리자에게 알려 주세요.")
        % {"error": type(error).__name__}
    )


def _correction_note(report: DepartmentReport) -> str:
    """A re-publication's note: the reason given when the report was reopened."""
    reopened = report.events.filter(action="reopen").order_by("-at", "-pk").first()
    return reopened.comment if reopened else ""


def _notify(report, transition, user, comment) -> None:
    for hook in after_transition:
        hook(report, transition, user, comment)


def publish_session(session: Session, user) -> list[ReportVersion]:
    """Publish every approved report of the session, each in its own transaction; the others
    are left as they are. A failure names the department and how many were published before."""
    versions = []
    for report in session.reports.filter(status=Status.APPROVED).select_related("department"):
        try:
            perform(report, "publish", user)
        except WorkflowError as error:
            raise WorkflowError(
                _("%(department)s: %(error)s (그 전에 %(count)s건은 공개했습니다.)")
                % {"department": report.department.name, "error": error, "count": len(versions)}
            ) from error
        versions.append(report.versions.latest())
    return versions


def publish_imported(report: DepartmentReport, *, comment: str) -> ReportVersion:
    """Publish a report that the council already received on paper (the seeds), as version 1."""
    from publishing.versions import publish_version

    with transaction.atomic():
        version = publish_version(report, None)
        ReportEvent.objects.create(
            report=report,
            action="publish",
            from_status=report.status,
            to_status=Status.PUBLISHED,
            comment=comment,
        )
        report.status = Status.PUBLISHED
        report.save(update_fields=["status", "updated_at"])
    return version
