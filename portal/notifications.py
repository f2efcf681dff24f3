"""E-mail to a department's staff: when its report is returned, and before the deadline.

`notify_returned` runs after a 보완 요청 commits (registered in `workflow.after_transition` by
ReportsConfig.ready). `send_deadline_reminders` runs once a day (`manage.py send_reminders`):
each report still being written gets one reminder on each of settings.REMINDER_DAYS days
before its session's deadline. A reminder sent is recorded as a ReportEvent with action
"remind" (from and to the report's status) whose comment starts with the day it was for,
so a second run on the same day sends nothing more.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dashboard import REMIND, countdown, display_name
from reports.models import DepartmentReport, ReportEvent, format_date

logger = logging.getLogger(__name__)

Status = DepartmentReport.Status
# Reports whose department still has to submit.
UNSUBMITTED = (Status.DRAFT, Status.RETURNED)


def editor_url(report: DepartmentReport) -> str:
    """The report editor's full address, for mail (there is no request to build it from)."""
    path = reverse("admin:reports_departmentreport_change", args=[report.pk])
    return settings.SITE_URL.rstrip("/") + path


def staff_emails(department_ids) -> dict[int, list[str]]:
    """The addresses of the active staff of each department, sorted, without repeats."""
    rows = (
        get_user_model()
        ._default_manager.filter(is_active=True, staff_profile__department_id__in=department_ids)
        .exclude(email="")
        .values_list("staff_profile__department_id", "email")
    )
    found: dict[int, set[str]] = defaultdict(set)
    for department_id, email in rows:
        found[department_id].add(email)
    return {department_id: sorted(emails) for department_id, emails in found.items()}


def _message(template: str, context: dict, to: list[str], connection=None) -> EmailMessage:
    subject = render_to_string(f"reports/email/{template}_subject.txt", context)
    body = render_to_string(f"reports/email/{template}_body.txt", context)
    return EmailMessage(" ".join(subject.split()), body, to=to, connection=connection)


def _context(report: DepartmentReport, today: datetime.date) -> dict:
    deadline = report.session.deadline
    return {
        "report": report,
        "session": report.session,
        "department": report.department,
        "url": editor_url(report),
        "deadline": format_date(deadline) if deadline else "",
        "countdown": countdown(deadline, today),
    }


# On return ----------------------------------------------------------------------------------


def notify_returned(report: DepartmentReport, transition, actor, comment: str) -> None:
    """A `workflow.after_transition` hook: tell the department what to fix (보완 요청)."""
    if transition.action != "return":
        return
    try:
        to = staff_emails([report.department_id]).get(report.department_id, [])
        if actor is not None and getattr(actor, "email", ""):
            to = [email for email in to if email != actor.email]
        if not to:
            logger.info("return of report %s: no staff address to tell", report.pk)
            return
        context = {
            **_context(report, timezone.localdate()),
            "comment": comment,
            "actor": display_name(actor),
        }
        _message("returned", context, to).send()
    except Exception:  # the return is done; a mail server problem must not undo the page
        logger.exception("could not send the return notice for report %s", report.pk)


# Before the deadline ------------------------------------------------------------------------


@dataclass
class Reminder:
    """One report's reminder of one day: sent, already sent that day, or nobody to send it to."""

    report: DepartmentReport
    days: int
    outcome: str  # "sent", "already_sent", "no_recipients", "submitted", "failed"
    recipients: list[str] = field(default_factory=list)


def reminder_mark(today: datetime.date) -> str:
    """How a reminder event's comment starts: the day it was sent for."""
    return f"{today.isoformat()} "


def send_deadline_reminders(
    today: datetime.date | None = None, *, connection=None
) -> list[Reminder]:
    """Remind the staff of every unsubmitted report whose deadline is REMINDER_DAYS away."""
    today = today or timezone.localdate()
    days_by_deadline = {
        today + datetime.timedelta(days=days): days for days in settings.REMINDER_DAYS
    }
    reports = list(
        DepartmentReport.objects.filter(
            session__deadline__in=list(days_by_deadline), status__in=UNSUBMITTED
        )
        .select_related("session", "department")
        .in_booklet_order()
    )
    addresses = staff_emails({report.department_id for report in reports})
    connection = connection or get_connection()
    results = []
    with connection:
        for report in reports:
            days = days_by_deadline[report.session.deadline]
            to = addresses.get(report.department_id, [])
            if not to:
                results.append(Reminder(report, days, "no_recipients"))
                continue
            outcome = _remind(report, days, to, today, connection)
            results.append(Reminder(report, days, outcome, to))
    return results


def _remind(report, days: int, to: list[str], today: datetime.date, connection) -> str:
    """Send one report's reminder unless it went out already today; record it when sent."""
    with transaction.atomic():
        locked = DepartmentReport.objects.select_for_update().get(pk=report.pk)
        if locked.status not in UNSUBMITTED:  # submitted since the list was read
            return "submitted"
        reminded = ReportEvent.objects.filter(
            report=locked, action=REMIND, comment__startswith=reminder_mark(today)
        )
        if reminded.exists():
            return "already_sent"
        when = countdown(report.session.deadline, today)
        context = {
            **_context(report, today),
            "days": days,
            "status": locked.get_status_display(),
            "status_comment": locked.status_comment if locked.status == Status.RETURNED else "",
        }
        try:
            connection.send_messages([_message("reminder", context, to)])
        except (OSError, smtplib.SMTPException):
            # Not recorded as sent: the next run tries again; the other departments go on.
            logger.exception("reminder for report %s could not be sent", report.pk)
            return "failed"
        ReportEvent.objects.create(
            report=locked,
            action=REMIND,
            from_status=locked.status,
            to_status=locked.status,
            comment=reminder_mark(today)
            + _("%(when)s 알림 메일을 %(count)d명에게 보냈습니다.")
            % {"when": when, "count": len(to)},
        )
    return "sent"
