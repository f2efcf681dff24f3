"""A session's (or one department's) budget, staffing and teams as spreadsheets, for staff.

The figures are the ones the reports print: budget lines of the session's year with each
line's execution as of the 기준일, the staffing snapshot in force on the 기준일, and the teams
that existed then. Columns are the import columns (org/imports.py), so a department can edit
an export and import it back. Departments are those of the session's reports the account may
reach (org.access); text a spreadsheet would run as a formula is escaped, numbers stay numbers.
The download is a staff view (GET only) at
/admin/reports/session/<n>/data/<budget|staffing|teams|all>.<xlsx|csv>[?department=id].
"""

from __future__ import annotations

from urllib.parse import quote

import tablib
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from budget.models import BudgetLine
from budget.resources import BudgetLineResource
from org import access
from org.imports import escaped_dataset
from org.models import Department, StaffingCell, StaffingSnapshot, Team
from org.resources import StaffingResource, TeamResource
from reports.models import DepartmentReport, Session

KINDS = {
    "budget": (gettext_lazy("예산"), "budget.view_budgetline"),
    "staffing": (gettext_lazy("인력"), "org.view_staffingsnapshot"),
    "teams": (gettext_lazy("팀"), "org.view_team"),
}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def session_datasets(session: Session, departments: list[Department], kinds: list[str]):
    """One tablib Dataset per kind, for the departments, as of the session's 기준일."""
    day = session.figure_date
    datasets = []
    for kind in kinds:
        if kind == "budget":
            lines = BudgetLine.objects.filter(department__in=departments, fiscal_year=session.year)
            dataset = BudgetLineResource(as_of=day).export(queryset=lines)
        elif kind == "staffing":
            dataset = StaffingResource().export(queryset=_cells_in_force(departments, day))
        else:
            teams = Team.objects.active_on(day).filter(department__in=departments)
            dataset = TeamResource().export(queryset=teams)
        dataset.title = str(KINDS[kind][0])
        datasets.append(dataset)
    return datasets


def _cells_in_force(departments, day):
    """The cells of each department's latest snapshot on or before `day`."""
    latest: dict[int, int] = {}
    for snapshot_id, department_id in (
        StaffingSnapshot.objects.as_of(day)
        .filter(department__in=departments)
        .order_by("department_id", "-as_of")
        .values_list("pk", "department_id")
    ):
        latest.setdefault(department_id, snapshot_id)
    return StaffingCell.objects.filter(snapshot_id__in=latest.values())


class SessionDataView(View):
    """The spreadsheet of one kind (or all three, XLSX only) for the account's departments."""

    http_method_names = ["get", "head"]

    def get(self, request, number: int, kind: str, extension: str):
        session = get_object_or_404(Session, number=number)
        kinds = wanted_kinds(kind, extension)
        if not request.user.has_perms([KINDS[k][1] for k in kinds]):
            raise PermissionDenied
        departments, label = departments_for(request, session)
        datasets = [
            escaped_dataset(dataset, xlsx=extension == "xlsx")
            for dataset in session_datasets(session, departments, kinds)
        ]
        if extension == "csv":
            content = ("\ufeff" + datasets[0].export("csv")).encode("utf-8")
        else:
            content = tablib.Databook(datasets).export("xlsx")
        what = "_".join(str(KINDS[k][0]) for k in kinds)
        filename = f"제{number}회_{label}_{what}.{extension}"
        response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response


def wanted_kinds(kind: str, extension: str) -> list[str]:
    """budget, staffing, teams or all of them; a 404 for anything else (and all as CSV: one
    CSV holds one table)."""
    if (kind not in KINDS and kind != "all") or extension not in CONTENT_TYPES:
        raise Http404
    if kind == "all" and extension == "csv":
        raise Http404
    return list(KINDS) if kind == "all" else [kind]


def departments_for(request, session: Session) -> tuple[list[Department], str]:
    """The departments of the session's reports the account may reach (one, with
    ?department=id), and the word the file name uses for them."""
    reports = access.scope(
        request.user, DepartmentReport.objects.filter(session=session)
    ).select_related("department")
    departments = [report.department for report in reports]
    label = _("전체")
    if "department" in request.GET:
        wanted = request.GET["department"]
        departments = [d for d in departments if str(d.pk) == wanted]
        if not departments:
            raise Http404
        label = departments[0].name
    elif not access.sees_all_departments(request.user) and departments:
        label = departments[0].name
    return departments, label
