"""Writes of report data asked by every caller (admin, staff screens, API).

Each takes the acting account and the changes by field, applies the department rule to every
choice of department data (org/access.py), runs the model's checks and then the department
and freeze rules for the row itself, and saves only if all of that passes; otherwise a
ValidationError by field (NON_FIELD_ERRORS for the row as a whole) in the admin form's words.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from core.conflicts import revision_claim, revisions_check
from org import access
from org.changes import check, put, raise_errors
from reports.models import DepartmentReport, ReportSection

SECTION_FIELDS = ("report", "kind", "title", "order")
REPORT_FIELDS = ("session", "department")


def _checked_save(user, obj: models.Model, errors: dict[str, list]):
    """The model's checks (for the fields put), the department and freeze rules, the save."""
    raise_errors(check(user, obj, errors))
    with transaction.atomic():
        obj.save()
    return obj


def save_section(user, section: ReportSection | None, changes: Mapping) -> ReportSection:
    """Add (`section` None) or change a report section as `user`."""
    section = section or ReportSection()
    return _checked_save(user, section, put(user, section, changes))


def add_report(user, session: int | None, department: int | None) -> DepartmentReport:
    """A new department report of the session for a department within the account's reach."""
    report = DepartmentReport()
    errors = put(user, report, {"session": session, "department": department})
    return _checked_save(user, report, errors)


def report_facilities_save(
    user, report: DepartmentReport, facilities: list, *, revision: int | None
) -> list[str]:
    """Save the report's 주요시설 및 장비 (개조식 nodes) as the report editor does: the save
    claims the `revision` the caller read (EditConflict otherwise; a missing one is stale
    too), within the department and freeze rules. Returns the names of what changed."""
    with transaction.atomic():
        revisions_check(DepartmentReport, {report.pk: revision})
        if not access.in_reach(user, report):
            raise ValidationError(_("이 부서의 자료는 고칠 수 없습니다."))
        if reason := access.frozen_reason(report):
            raise ValidationError(str(reason))
        if facilities == report.facilities:
            return []
        changed = [_("주요시설 및 장비")]
        report.facilities = facilities
        report.revision = revision_claim(DepartmentReport, report.pk, revision)
        report._change_reason = ", ".join(changed)  # kept in its history record
        report.save(update_fields=["facilities", "updated_at", "revision"])
    return changed
