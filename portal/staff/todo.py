"""An officer's to-do list: their department's reports and what each still lacks."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from budget.models import BudgetLine
from org import access
from org.models import StaffingSnapshot
from portal.dashboard import countdown, urgency
from projects.models import Card
from reports.models import DepartmentReport


def quarter_start(day: datetime.date) -> datetime.date:
    """The first day of the quarter that holds `day` (the 기준일 is a quarter's last day)."""
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass
class TodoRow:
    report: DepartmentReport
    countdown: str
    urgency: str
    cards_missing: int
    lines_missing: int
    staffing_missing: bool

    @property
    def missing_anything(self) -> bool:
        return bool(self.cards_missing or self.lines_missing or self.staffing_missing)


def _cards_missing(report: DepartmentReport, first: datetime.date, last: datetime.date) -> int:
    """Cards with no results block dated in the quarter of the 기준일."""
    with_results = Q(blocks__as_of__gte=first, blocks__as_of__lte=last)
    return Card.objects.filter(section__report=report).exclude(with_results).distinct().count()


def _lines_missing(report: DepartmentReport, first: datetime.date, last: datetime.date) -> int:
    """Budget lines of the session's year with no 집행액 dated in the quarter of the 기준일."""
    with_figure = Q(executions__as_of__gte=first, executions__as_of__lte=last)
    lines = BudgetLine.objects.filter(
        department_id=report.department_id, fiscal_year=report.session.year
    )
    return lines.exclude(with_figure).distinct().count()


def _staffing_missing(report: DepartmentReport, first: datetime.date, last: datetime.date):
    """No staffing snapshot dated in the quarter of the 기준일."""
    snapshots = StaffingSnapshot.objects.filter(department_id=report.department_id)
    return not snapshots.filter(as_of__gte=first, as_of__lte=last).exists()


def todo_row(report: DepartmentReport, today: datetime.date) -> TodoRow:
    session = report.session
    last = session.figure_date
    first = quarter_start(last)
    days_left = (session.deadline - today).days if session.deadline else None
    open_report = report.is_editable
    return TodoRow(
        report=report,
        countdown=countdown(session.deadline, today) if open_report else "",
        urgency=urgency(days_left) if open_report else "none",
        cards_missing=_cards_missing(report, first, last) if open_report else 0,
        lines_missing=_lines_missing(report, first, last) if open_report else 0,
        staffing_missing=_staffing_missing(report, first, last) if open_report else False,
    )


def todo_rows(user, *, limit: int = 12) -> list[TodoRow]:
    """The account's department's reports, newest session first."""
    reports = access.scope(
        user, DepartmentReport.objects.select_related("session", "department")
    ).order_by("-session__number")[:limit]
    today = timezone.localdate()
    return [todo_row(report, today) for report in reports]
