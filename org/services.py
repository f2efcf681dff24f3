"""Writes that span a staffing snapshot and its cells (report editor, spreadsheet import,
staff API)."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from org.changes import (
    Saved,
    changed_fields,
    check,
    field_values,
    history_message,
    plan_children,
    put,
    raise_errors,
)
from org.models import MAX_HEADCOUNT, Department, Grade, JobSeries, StaffingCell, StaffingSnapshot

Column = tuple[str, str]  # (series, grade)


def staffing_errors(cells: Mapping[Column, tuple[int, int]]) -> list[str]:
    """Korean messages for cells that cannot be stored; [] when all can."""
    errors = []
    for (series, grade), counts in cells.items():
        if series not in JobSeries.values or grade not in Grade.values:
            errors.append(
                _("‘%(series)s %(grade)s’는 알 수 없는 직렬·직급입니다.")
                % {"series": series, "grade": grade}
            )
            continue
        label = f"{JobSeries(series).label} {Grade(grade).label}"
        for row, value in zip((_("정원"), _("현원")), counts, strict=True):
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not 0 <= value <= MAX_HEADCOUNT
            ):
                errors.append(
                    _("%(cell)s %(row)s은 0부터 %(max)s까지의 정수여야 합니다.")
                    % {"cell": label, "row": row, "max": MAX_HEADCOUNT}
                )
    return errors


@transaction.atomic
def staffing_save(
    *, department: Department, as_of: datetime.date, cells: Mapping[Column, tuple[int, int]]
) -> StaffingSnapshot:
    """Record the department's 정원 and 현원 as of `as_of`.

    `cells` maps (series, grade) to (정원, 현원) and replaces the cells of that date's snapshot,
    which is created when there is none; cells with nobody on either row are not stored.
    Snapshots of other dates stay as history. Raises ValidationError, writing nothing, when a
    cell is unknown or out of range.
    """
    errors = staffing_errors(cells)
    if errors:
        raise ValidationError(errors)
    snapshot, _created = StaffingSnapshot.objects.get_or_create(department=department, as_of=as_of)
    stored = {(cell.series, cell.grade): cell for cell in snapshot.cells.all()}
    wanted = {key: counts for key, counts in cells.items() if any(counts)}

    gone = [cell.pk for key, cell in stored.items() if key not in wanted]
    if gone:
        StaffingCell.objects.filter(pk__in=gone).delete()
    new = []
    for (series, grade), (authorized, current) in wanted.items():
        cell = stored.get((series, grade))
        if cell is None:
            new.append(
                StaffingCell(
                    snapshot=snapshot,
                    series=series,
                    grade=grade,
                    authorized=authorized,
                    current=current,
                )
            )
        elif (cell.authorized, cell.current) != (authorized, current):
            cell.authorized, cell.current = authorized, current
            cell.save(update_fields=["authorized", "current"])
    StaffingCell.objects.bulk_create(new)
    return snapshot


def spreadsheet_import(
    *,
    resource_class,
    data: bytes,
    filename: str = "",
    user,
    department: Department,
    defaults: dict | None = None,
    dry_run: bool = True,
):
    """Import a spreadsheet file through `resource_class` (an org.imports.PlannedResource)
    into `department` as `user`: the same plan, checks and all-or-nothing write as the admin's
    import. `dry_run` only plans (and rolls back). Returns the ImportPlan; nothing was written
    when it has problems."""
    from core import tabular
    from org.imports import ImportPlan, SheetsDataset

    try:
        dataset = SheetsDataset(tabular.read_sheets(data, filename=filename))
    except tabular.FileRejected as error:
        plan = ImportPlan()
        plan.problem(None, None, None, str(error))
        return plan
    resource = resource_class(user=user, department=department, defaults=defaults)
    return resource.import_data(dataset, dry_run=dry_run).plan


# The snapshot's own page and the staff API: one snapshot with its cells ----------------------

SNAPSHOT_FIELDS = ("department", "as_of")
CELL_FIELDS = ("series", "grade", "authorized", "current")


def staffing_snapshot_save(
    user,
    snapshot: StaffingSnapshot | None,
    changes: Mapping,
    *,
    cells: Sequence[Mapping] | None = None,
) -> Saved:
    """Add (`snapshot` None) or change a staffing snapshot as `user`, with its cells when
    given (rows with an id are changed, rows without one added, rows left out deleted).
    All or nothing: ValidationError by field, nothing saved."""
    with transaction.atomic():
        target = copy.copy(snapshot) if snapshot is not None else StaffingSnapshot()
        before = field_values(target, SNAPSHOT_FIELDS)
        errors = check(user, target, put(user, target, changes))
        plan = plan_children(
            user,
            target,
            key="cells",
            model=StaffingCell,
            fk="snapshot",
            rows=cells,
            fields=CELL_FIELDS,
        )
        raise_errors(errors, plan.errors)
        changed = changed_fields(before, target)
        target.save()
        plan.write(target)
    return Saved(
        target, history_message(target, added=snapshot is None, changed=changed, plan=plan)
    )
