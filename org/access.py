"""Who may see and change what: the one department rule every path uses.

Admin pages, the report editor, public previews, PDF downloads, imports and the API all ask
here. The rule:

- An account with the `org.all_departments` permission (clerks, administrators, superusers)
  reaches every department's data; everyone else with a staff profile reaches their own
  department's data only; anyone else reaches none.
- A department report's own content (the report, its sections, cards and blocks) changes only
  while the report is being written (작성 중 or 보완 요청); after submission it is read-only for
  everyone, and once published it is frozen (also in the database, see reports/migrations).
- Beyond the department, Django's model permissions (given by the role groups, org/roles.py)
  decide which kinds of objects an account may view, add, change or delete.
"""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _

ALL_DEPARTMENTS = "org.all_departments"

# The path from each model to its department, and to the report whose status freezes it.
DEPARTMENT_PATHS: dict[str, str] = {
    "org.department": "pk",
    "org.team": "department",
    "org.staffingsnapshot": "department",
    "org.staffingcell": "snapshot__department",
    "org.staffprofile": "department",
    "budget.budgetline": "department",
    "budget.execution": "line__department",
    "reports.departmentreport": "department",
    "reports.reportsection": "report__department",
    "reports.reportversion": "report__department",
    "reports.reportevent": "report__department",
    "projects.card": "section__report__department",
    "projects.block": "card__section__report__department",
}
REPORT_PATHS: dict[str, str] = {
    "reports.departmentreport": "",
    "reports.reportsection": "report",
    "projects.card": "section__report",
    "projects.block": "card__section__report",
}


def _label(model) -> str:
    return model._meta.label_lower


def is_scoped(model) -> bool:
    """Whether the model's rows belong to a department (and so are subject to the rule)."""
    return _label(model) in DEPARTMENT_PATHS


def sees_all_departments(user) -> bool:
    return bool(user.is_active and user.has_perm(ALL_DEPARTMENTS))


def department_id_of(user) -> int | None:
    """The account's own department, or None (no profile, or a profile without one)."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_department_id_cache", False)
    if cached is not False:
        return cached
    from org.models import StaffProfile

    department_id = (
        StaffProfile.objects.filter(user=user).values_list("department_id", flat=True).first()
    )
    user._department_id_cache = department_id
    return department_id


def _department_lookup(model) -> str:
    path = DEPARTMENT_PATHS[_label(model)]
    return "pk" if path == "pk" else f"{path}_id"


def scope(user, queryset: QuerySet) -> QuerySet:
    """The rows of `queryset` that belong to a department the account may reach."""
    if not is_scoped(queryset.model) or sees_all_departments(user):
        return queryset
    department_id = department_id_of(user)
    if department_id is None or not user.is_active:
        return queryset.none()
    return queryset.filter(**{_department_lookup(queryset.model): department_id})


def department_of(obj: models.Model) -> int | None:
    """The id of the department an object belongs to (None for a new object without one)."""
    path = DEPARTMENT_PATHS[_label(type(obj))]
    if path == "pk":
        return obj.pk
    target = obj
    parts = path.split("__")
    for part in parts[:-1]:
        target = getattr(target, part, None)
        if target is None:
            return None
    return getattr(target, f"{parts[-1]}_id", None)


def in_reach(user, obj: models.Model) -> bool:
    """Whether the object belongs to a department the account may reach."""
    if not is_scoped(type(obj)) or sees_all_departments(user):
        return True
    own = department_id_of(user)
    return own is not None and user.is_active and department_of(obj) == own


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


# Department data a report quotes (teams, staffing, budget): it holds still while one of the
# department's reports is being reviewed, so what is approved is what gets published.
REVIEWED_DATA = {
    "org.team",
    "org.staffingsnapshot",
    "org.staffingcell",
    "budget.budgetline",
    "budget.execution",
}


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


def frozen_reason(obj: models.Model) -> str | None:
    """Why the object cannot change now whoever asks, or None when it can."""
    if _label(type(obj)) in REVIEWED_DATA:
        reviewed = under_review(department_of(obj))
        return review_reason(reviewed) if reviewed else None
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


def may_view(user, obj: models.Model) -> bool:
    return in_reach(user, obj)


def may_change(user, obj: models.Model) -> bool:
    return in_reach(user, obj) and frozen_reason(obj) is None
