"""When a report's status freezes what: the reports app's freeze rules for org.access.

- A department report's own content (the report, its sections, cards and blocks) changes only
  while it is being written (작성 중 or 보완 요청); published, it is frozen for good.
- The department data a report quotes (teams, staffing, budget) holds still while one of the
  department's reports is being reviewed, so what is approved is what gets published.

`register()` (ReportsConfig.ready) adds both rules and the department paths of the reports
models; projects registers its cards and blocks the same way (projects/apps.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from org import access

# The path from each model to the report whose status freezes it ("" for the report itself).
REPORT_PATHS: dict[str, str] = {
    "reports.departmentreport": "",
    "reports.reportsection": "report",
}

REVIEWED_DATA = {
    "org.team",
    "org.staffingsnapshot",
    "org.staffingcell",
    "budget.budgetline",
    "budget.execution",
}

DEPARTMENT_PATHS = {
    "reports.departmentreport": "department",
    "reports.reportsection": "report__department",
    "reports.reportversion": "report__department",
    "reports.reportevent": "report__department",
}


def register_report_path(label: str, path: str) -> None:
    """Say how rows of model `label` reach the report whose status freezes them."""
    REPORT_PATHS[label] = path


def register() -> None:
    for label, path in DEPARTMENT_PATHS.items():
        access.register_department_path(label, path)
    access.add_freeze_rule(frozen_reason)
    access.add_department_freeze_rule(department_frozen_reason)


def _label(model) -> str:
    return model._meta.label_lower


def report_of(obj: models.Model):
    """The department report whose status governs the object, if there is one."""
    path = REPORT_PATHS.get(_label(type(obj)))
    if path is None:
        return None
    if path == "":
        return obj
    target = obj
    for part in path.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target


def under_review(department_id: int | None, *, excluding: int | None = None):
    """The department's report that is submitted or approved now, if any."""
    from reports.models import DepartmentReport

    if department_id is None:
        return None
    reviewed = DepartmentReport.objects.filter(
        department_id=department_id,
        status__in=[DepartmentReport.Status.SUBMITTED, DepartmentReport.Status.APPROVED],
    ).select_related("session")
    if excluding is not None:
        reviewed = reviewed.exclude(pk=excluding)
    return reviewed.first()


def review_reason(report) -> str:
    return _(
        "%(session)s 보고서가 %(status)s 상태라 이 부서의 조직·인력·예산 자료를 고칠 수 없습니다. "
        "고치려면 보완 요청을 받아야 합니다."
    ) % {"session": report.session, "status": report.get_status_display()}


def department_frozen_reason(department_id: int) -> str | None:
    reviewed = under_review(department_id)
    return review_reason(reviewed) if reviewed else None


def frozen_reason(obj: models.Model) -> str | None:
    """Why the object cannot change now whoever asks, or None when it can."""
    if _label(type(obj)) in REVIEWED_DATA:
        return department_frozen_reason(access.department_of(obj))
    report = report_of(obj)
    if report is None:
        return None
    if report.is_editable:
        # The editor also writes the department's budget and staffing.
        if _label(type(obj)) == "reports.departmentreport":
            if not hasattr(report, "_reviewed_sibling"):  # asked several times per page
                report._reviewed_sibling = under_review(report.department_id, excluding=report.pk)
            reviewed = report._reviewed_sibling
            return review_reason(reviewed) if reviewed else None
        return None
    if report.is_published:
        return _(
            "공개된 보고서는 고칠 수 없습니다. 정정하려면 기획·의회사무국에 정정을 요청하세요."
        )
    return _("%(status)s 상태의 보고서는 고칠 수 없습니다. 고치려면 보완 요청을 받아야 합니다.") % {
        "status": report.get_status_display()
    }
