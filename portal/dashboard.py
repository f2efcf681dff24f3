"""The clerk's dashboard of a session (회기 현황판): where every department's report stands.

One page per session, for accounts with `reports.view_dashboard` (clerks): the deadline
countdown, counts by status, and one row per department in booklet order with its status,
its last change and who made it, when it was submitted and approved, links to the editor and
the preview, and the workflow buttons this account may use. This module reads the rows; the
page and its buttons' URLs are staff views (portal/staff/dashboard.py), which go through
`publishing.workflow`.

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

from django.contrib.auth import get_user_model
from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from budget.models import BudgetLine, Execution
from core import formats
from org.models import StaffingCell, StaffingSnapshot, Team
from projects.models import Block, Card
from publishing import workflow
from reports.models import DepartmentReport, ReportEvent, ReportSection, Session

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
    return formats.day_of(moment)


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
