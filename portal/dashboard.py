"""The clerk's dashboard of a session (회기 현황판): where every department's report stands.

One page per session, for accounts with `reports.view_dashboard` (clerks): the deadline
countdown, counts by status, and one row per department in booklet order with its status,
its last change and who made it, when it was submitted and approved, links to the editor and
the preview, and the workflow buttons this account may use. The buttons post to
`dashboard_transition` and `dashboard_publish`, which go through `publishing.workflow`.

The last change is the latest of: the report's own history, its workflow events (reminders
excluded), the history of its sections, cards and blocks, and — since the report was opened
for the session — the history of the department's teams, budget lines, executions and
staffing. Each source is a pair of correlated subqueries (when, by whom), so the page runs
the same number of queries whatever the number of departments.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from budget.models import BudgetLine, Execution
from org.models import StaffingCell, StaffingSnapshot, Team
from projects.models import Block, Card
from publishing import workflow
from reports.models import DepartmentReport, ReportEvent, ReportSection, Session

PERMISSION = "reports.view_dashboard"
TEMPLATE = "admin/reports/session/dashboard.html"
# The action of the ReportEvent that records a deadline reminder (portal/notifications.py).
REMIND = "remind"
# perform() writes the event, then saves the report a moment later: a history record of the
# report this close after an event is that same step, and the event says more about it.
EVENT_SLACK = datetime.timedelta(seconds=5)

Status = DepartmentReport.Status


@dataclass(frozen=True)
class Source:
    """Where a report's changes are recorded: a model, and the lookup from it to the report."""

    key: str
    label: Promise
    model: type[Model]
    lookup: str  # the field leading to the report (or, by_department, to the department)
    when: str = "history_date"
    who: str = "history_user_id"
    by_department: bool = False  # department data, counted from when the report was opened

    def rows(self) -> QuerySet:
        outer = "department_id" if self.by_department else "pk"
        rows = self.model._default_manager.filter(**{self.lookup: OuterRef(outer)})
        if self.by_department:
            rows = rows.filter(**{f"{self.when}__gte": OuterRef("created_at")})
        if self.model is ReportEvent:
            rows = rows.exclude(action=REMIND)
        return rows.order_by(f"-{self.when}", "-pk")


SOURCES = [
    Source("report", gettext_lazy("보고서 수정"), DepartmentReport.history.model, "id"),
    Source("event", gettext_lazy("처리"), ReportEvent, "report", when="at", who="actor_id"),
    Source("section", gettext_lazy("보고 단원 수정"), ReportSection.history.model, "report"),
    Source("card", gettext_lazy("사업 카드 수정"), Card.history.model, "section__report"),
    Source("block", gettext_lazy("사업 내용 수정"), Block.history.model, "card__section__report"),
    Source("team", gettext_lazy("조직 수정"), Team.history.model, "department", by_department=True),
    Source(
        "budget",
        gettext_lazy("예산 수정"),
        BudgetLine.history.model,
        "department",
        by_department=True,
    ),
    Source(
        "execution",
        gettext_lazy("집행액 수정"),
        Execution.history.model,
        "line__department",
        by_department=True,
    ),
    Source(
        "staffing",
        gettext_lazy("인력 수정"),
        StaffingSnapshot.history.model,
        "department",
        by_department=True,
    ),
    Source(
        "staffing_cell",
        gettext_lazy("인력 수정"),
        StaffingCell.history.model,
        "snapshot__department",
        by_department=True,
    ),
]


def _last_event(to_status: str) -> Subquery:
    events = ReportEvent.objects.filter(report=OuterRef("pk"), to_status=to_status)
    return Subquery(events.order_by("-at", "-pk").values("at")[:1])


def dashboard_reports(session: Session) -> QuerySet:
    """The session's reports in booklet order, annotated with each source's latest change."""
    annotations = {"submitted_at": _last_event(Status.SUBMITTED)}
    annotations["approved_at"] = _last_event(Status.APPROVED)
    for source in SOURCES:
        rows = source.rows()
        annotations[f"{source.key}_at"] = Subquery(rows.values(source.when)[:1])
        annotations[f"{source.key}_by"] = Subquery(rows.values(source.who)[:1])
    events = next(source for source in SOURCES if source.model is ReportEvent)
    annotations["event_action"] = Subquery(events.rows().values("action")[:1])
    return (
        DepartmentReport.objects.for_session(session)
        .in_booklet_order()
        .select_related("session", "department__bureau")
        .annotate(**annotations)
    )


# Presentation -------------------------------------------------------------------------------


def countdown(deadline: datetime.date | None, today: datetime.date) -> str:
    """`마감 D-3`, `오늘 마감`, `마감 2일 지남`; empty without a deadline."""
    if deadline is None:
        return ""
    days = (deadline - today).days
    if days > 0:
        return _("마감 D-%(days)d") % {"days": days}
    if days == 0:
        return _("오늘 마감")
    return _("마감 %(days)d일 지남") % {"days": -days}


def urgency(days_left: int | None) -> str:
    """How the countdown is coloured: none, calm, soon (3 days or less), due, over."""
    if days_left is None:
        return "none"
    if days_left < 0:
        return "over"
    if days_left <= 1:
        return "due"
    return "soon" if days_left <= 3 else "calm"


def ago(moment: datetime.datetime, now: datetime.datetime) -> str:
    """`방금`, `5분 전`, `2시간 전`, `3일 전`, then the date."""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return _("방금")
    if seconds < 3600:
        minutes = int(seconds // 60)
        return ngettext("%(n)d분 전", "%(n)d분 전", minutes) % {"n": minutes}
    if seconds < 86400:
        hours = int(seconds // 3600)
        return ngettext("%(n)d시간 전", "%(n)d시간 전", hours) % {"n": hours}
    days = int(seconds // 86400)
    if days < 7:
        return ngettext("%(n)d일 전", "%(n)d일 전", days) % {"n": days}
    local = timezone.localtime(moment)
    return f"{local.year}. {local.month}. {local.day}."


def display_name(user) -> str:
    """Korean order, family name first (김철수); the username when no name is set."""
    if user is None:
        return _("시스템")
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


@dataclass
class Change:
    at: datetime.datetime
    what: str
    by: object  # a user, or None for a system change (seed import, reminder)
    ago: str = ""

    @property
    def by_name(self) -> str:
        return display_name(self.by)


def _last_change(report: DepartmentReport) -> tuple[datetime.datetime, Source, int | None] | None:
    found = [
        (at, source, getattr(report, f"{source.key}_by"))
        for source in SOURCES
        if (at := getattr(report, f"{source.key}_at")) is not None
    ]
    event_at = report.event_at
    if event_at is not None:
        found = [
            item
            for item in found
            if not (item[1].key == "report" and event_at <= item[0] <= event_at + EVENT_SLACK)
        ]
    return max(found, key=lambda item: item[0], default=None)


def _what(report: DepartmentReport, source: Source) -> str:
    if source.key == "event":
        transition = workflow.TRANSITIONS.get(report.event_action)
        return str(transition.label) if transition else str(source.label)
    return str(source.label)


@dataclass
class Row:
    report: DepartmentReport
    change: Change | None
    transitions: list[workflow.Transition]

    @property
    def anchor(self) -> str:
        return f"report-{self.report.pk}"


def dashboard_rows(session: Session, user) -> list[Row]:
    reports = list(dashboard_reports(session))
    latest = {report.pk: _last_change(report) for report in reports}
    user_ids = {item[2] for item in latest.values() if item and item[2] is not None}
    users = get_user_model()._default_manager.in_bulk(user_ids) if user_ids else {}
    rows = []
    for report in reports:
        item = latest[report.pk]
        change = None
        if item is not None:
            at, source, user_id = item
            change = Change(at, _what(report, source), users.get(user_id))
        rows.append(Row(report, change, workflow.available(user, report)))
    return rows


def status_counts(rows: list[Row]) -> list[dict]:
    counts = Counter(row.report.status for row in rows)
    return [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Status.choices
    ]


# Views --------------------------------------------------------------------------------------


def _require_permission(request) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied(_("회기 현황판을 볼 권한이 없습니다."))


def _dashboard_url(session_number: int, report: DepartmentReport | None = None) -> str:
    url = reverse("session_dashboard", args=[session_number])
    return f"{url}#report-{report.pk}" if report else url


def _session_dashboard(request, number: int):
    _require_permission(request)
    session = get_object_or_404(Session, number=number)
    rows = dashboard_rows(session, request.user)
    now = timezone.now()
    today = timezone.localdate(now)
    for row in rows:
        if row.change:
            row.change.ago = ago(row.change.at, now)
    days_left = (session.deadline - today).days if session.deadline else None
    approved = sum(row.report.status == Status.APPROVED for row in rows)
    request.current_app = admin.site.name
    context = {
        **admin.site.each_context(request),
        "title": _("%(session)s 제출 현황") % {"session": session.title},
        "is_nav_sidebar_enabled": False,
        "session": session,
        "rows": rows,
        "counts": status_counts(rows),
        "total": len(rows),
        "countdown": countdown(session.deadline, today),
        "urgency": urgency(days_left),
        "approved_count": approved,
        "can_publish": approved > 0 and request.user.has_perm("reports.publish_report"),
        "other_sessions": Session.objects.exclude(pk=session.pk).values("number", "name")[:8],
        "latest_build": session.booklet_builds.first(),
        "opts": Session._meta,
        "report_opts": DepartmentReport._meta,
    }
    return TemplateResponse(request, TEMPLATE, context)


@require_POST
def _dashboard_transition(request, number: int, report_id: int):
    _require_permission(request)
    report = get_object_or_404(
        DepartmentReport.objects.select_related("session", "department"),
        pk=report_id,
        session__number=number,
    )
    try:
        workflow.perform(
            report,
            request.POST.get("action", ""),
            request.user,
            comment=request.POST.get("comment", ""),
        )
    except workflow.WorkflowError as error:
        messages.error(request, f"{report.department.name}: {error}")
    else:
        messages.success(
            request,
            _("%(department)s 보고서가 ‘%(status)s’ 상태가 되었습니다.")
            % {"department": report.department.name, "status": report.get_status_display()},
        )
    return HttpResponseRedirect(_dashboard_url(number, report))


@require_POST
def _dashboard_publish(request, number: int):
    _require_permission(request)
    session = get_object_or_404(Session, number=number)
    try:
        versions = workflow.publish_session(session, request.user)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        if versions:
            messages.success(
                request,
                ngettext(
                    "승인된 보고서 %(count)d건을 공개했습니다.",
                    "승인된 보고서 %(count)d건을 공개했습니다.",
                    len(versions),
                )
                % {"count": len(versions)},
            )
        else:
            messages.info(request, _("공개할 승인된 보고서가 없습니다."))
    return HttpResponseRedirect(_dashboard_url(number))


session_dashboard = admin.site.admin_view(_session_dashboard)
dashboard_transition = admin.site.admin_view(_dashboard_transition)
dashboard_publish = admin.site.admin_view(_dashboard_publish)
