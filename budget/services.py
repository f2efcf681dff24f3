"""Writes that span budget lines and their executions (report editor, spreadsheet import).

`budget_lines_save` takes every row a caller wants to change for one department and fiscal
year, checks all of them against each other and against the database, and only then writes,
in one transaction: a single bad row changes nothing. Errors come back by row and field, in
Korean, so a form can show them next to the cell and an importer can name the row.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from budget.models import FUNDING_FIELDS, FUNDING_LABELS, BudgetLine, Execution, execution_errors
from core import formats
from core.conflicts import Child, revisions_check
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
from org.models import Department

MAX_NAME_LENGTH = BudgetLine._meta.get_field("name").max_length
LINE_FIELDS = ["name", "parent", "order", "revision", *FUNDING_FIELDS]
EXECUTION_FIELDS = [*FUNDING_FIELDS, "expected"]


@dataclass(frozen=True)
class BudgetLineRow:
    """What a caller wants one budget line to be.

    `line_id` None makes a new line. `parent` is the *name* of the 단위사업 the line belongs to
    (as it will be named after the save, so new lines and renamed ones can be parents), None
    for a 단위사업. `executed` holds the 집행액 parts as of the save's date (or the row's own
    `as_of`, as an import's rows may carry); None leaves the execution of that date as it is
    (or absent). `order` None keeps a line's place (new lines go last among their siblings).
    `delete` removes the line.
    """

    line_id: int | None
    name: str
    parent: str | None = None
    funding: Mapping[str, int] = field(default_factory=dict)
    executed: Mapping[str, int] | None = None
    expected: int | None = None
    order: int | None = None
    delete: bool = False
    as_of: datetime.date | None = None

    def execution_date(self, default: datetime.date) -> datetime.date:
        return self.as_of or default


RowErrors = dict[int, dict[str, list[str]]]


class BudgetLinesError(ValidationError):
    """Rows that cannot be saved: `row_errors[index][field]` holds Korean messages.

    Field keys: name, parent, national/city/district/other (예산), exec_<part> (집행액),
    expected, delete, and __all__ for the row as a whole.
    """

    def __init__(self, row_errors: RowErrors):
        self.row_errors = row_errors
        messages = [
            f"{index + 1}행: {message}"
            for index, fields in sorted(row_errors.items())
            for messages in fields.values()
            for message in messages
        ]
        super().__init__(messages)


def budget_lines_validate(
    *,
    department: Department,
    year: int,
    as_of: datetime.date,
    rows: Sequence[BudgetLineRow],
    citations: Mapping[int, Sequence[str]] | None = None,
) -> RowErrors:
    """Every reason the rows cannot be saved, by row index and field; {} when they can.

    `citations` maps a line id to the cards that will cite it after the caller's other writes;
    by default the cards citing it now are read from the database.
    """
    existing = {line.pk: line for line in BudgetLine.objects.for_year(department, year)}
    errors: RowErrors = {}

    def add(index: int, key: str, message: str) -> None:
        errors.setdefault(index, {}).setdefault(key, []).append(message)

    for index, row in enumerate(rows):
        if row.execution_date(as_of).year != year:
            add(
                index,
                "__all__",
                _("집행 기준일은 %(year)s년 안의 날짜여야 합니다.") % {"year": year},
            )
    final = _final_lines(rows, existing, year, add)
    children: dict[str, list[str]] = {}
    for name, (_index, parent) in final.items():
        if parent:
            children.setdefault(parent, []).append(name)
    _check_children_within_parents(rows, existing, final, children, add)

    for index, row in enumerate(rows):
        if row.line_id is not None and row.line_id not in existing:
            continue
        if row.delete:
            if row.line_id is not None:
                _check_deletion(index, row, existing, children, citations, add)
            continue
        _check_parent(index, row, final, children, add)
        _check_amounts(index, row, year, row.execution_date(as_of), add)
    return errors


Final = dict[str, tuple[int | None, str | None]]  # name -> (row index or None, parent name)


def _final_lines(rows, existing, year: int, add) -> Final:
    """The state after the save: name and parent name of every line that will exist (rows
    naming a line that is gone, or a name that cannot be, are reported and left out)."""
    final: Final = {}
    touched = {row.line_id for row in rows if row.line_id is not None}
    for line in existing.values():
        if line.pk not in touched:
            parent = existing.get(line.parent_id)
            final[line.name] = (None, parent.name if parent else None)
    for index, row in enumerate(rows):
        if row.line_id is not None and row.line_id not in existing:
            add(
                index,
                "__all__",
                _("이 예산 사업은 이미 지워졌거나 이 부서의 %(year)s년 사업이 아닙니다.")
                % {"year": year},
            )
            continue
        if row.delete:
            continue
        name = row.name.strip()
        if message := _name_problem(name, final):
            add(index, "name", message)
        else:
            final[name] = (index, (row.parent or "").strip() or None)
    return final


def _name_problem(name: str, final: Final) -> str | None:
    if not name:
        return _("사업명을 입력하세요.")
    if len(name) > MAX_NAME_LENGTH:
        return _("사업명은 %(max)s자를 넘을 수 없습니다.") % {"max": MAX_NAME_LENGTH}
    if name in final:
        return _("같은 이름의 예산 사업이 이미 있습니다: %(name)s") % {"name": name}
    return None


def _check_parent(index: int, row: BudgetLineRow, final: Final, children, add) -> None:
    """A 세부사업 sits under an existing 단위사업, one level deep."""
    name = row.name.strip()
    parent = (row.parent or "").strip() or None
    if parent is None:
        return
    if parent == name:
        add(index, "parent", _("자기 자신을 상위 단위사업으로 고를 수 없습니다."))
    elif parent not in final:
        add(index, "parent", _("상위 단위사업 ‘%(name)s’이(가) 없습니다.") % {"name": parent})
    elif final[parent][1] is not None:
        add(index, "parent", _("세부사업 아래에 다시 세부사업을 둘 수 없습니다."))
    elif children.get(name):
        add(
            index,
            "parent",
            _("세부사업이 딸린 단위사업은 다른 단위사업 아래에 둘 수 없습니다."),
        )


def _check_children_within_parents(rows, existing, final, children, add) -> None:
    """세부사업 of one 단위사업 add up, source by source, to no more than it (as the model's
    clean says), in the state after the save."""
    by_name = {line.name: line for line in existing.values()}

    def funding(name: str) -> dict[str, int]:
        index = final[name][0]
        if index is None:
            return by_name[name].parts()
        return {part: rows[index].funding.get(part, 0) for part in FUNDING_FIELDS}

    for parent, names in children.items():
        if parent not in final or final[parent][1] is not None:
            continue  # reported as a wrong parent
        budget = funding(parent)
        for part in FUNDING_FIELDS:
            values = [funding(name).get(part, 0) for name in names]
            if not all(isinstance(value, int) for value in values):
                continue  # reported as a wrong amount
            used = sum(values)
            if used <= (budget.get(part) or 0):
                continue
            message = _(
                "세부사업의 %(label)s 합계 %(used)s천원이 단위사업 ‘%(parent)s’의 "
                "%(label)s %(budget)s천원보다 많습니다."
            ) % {
                "label": FUNDING_LABELS[part],
                "used": f"{used:,}",
                "parent": parent,
                "budget": f"{budget.get(part) or 0:,}",
            }
            blamed = [final[name][0] for name in names if final[name][0] is not None]
            if final[parent][0] is not None:
                blamed = blamed or [final[parent][0]]
            for index in blamed:
                add(index, part, message)


def _cited_by(line: BudgetLine):
    """The rows of apps above budget that cite the line and protect it (project cards)."""
    for relation in BudgetLine._meta.related_objects:
        model = relation.related_model
        if relation.on_delete is models.PROTECT and model._meta.app_label != "budget":
            for row in model._default_manager.filter(**{relation.field.name: line}):
                yield str(row)


def _check_deletion(index, row, existing, children, citations, add) -> None:
    line = existing[row.line_id]
    staying = children.get(line.name, [])
    if staying:
        add(
            index,
            "delete",
            _(
                "세부사업(%(names)s)이 딸려 있어 지울 수 없습니다. 세부사업을 먼저 지우거나 옮기세요."
            )
            % {"names": ", ".join(staying)},
        )
    cards = list(_cited_by(line)) if citations is None else list(citations.get(line.pk, ()))
    if cards:
        add(
            index,
            "delete",
            _(
                "사업 카드 %(cards)s에서 이 예산 사업을 쓰고 있어 지울 수 없습니다. 카드의 예산 사업을 먼저 바꾸세요."
            )
            % {"cards": ", ".join(f"‘{card}’" for card in cards)},
        )


def _check_amounts(index, row, year, as_of, add) -> None:
    for name in FUNDING_FIELDS:
        value = row.funding.get(name, 0)
        if not isinstance(value, int) or value < 0:
            add(
                index,
                name,
                _("%(label)s 예산은 0 이상의 정수여야 합니다.") % {"label": FUNDING_LABELS[name]},
            )
    if row.executed is None:
        return
    for name in FUNDING_FIELDS:
        value = row.executed.get(name, 0)
        if not isinstance(value, int) or value < 0:
            add(
                index,
                f"exec_{name}",
                _("%(label)s 집행액은 0 이상의 정수여야 합니다.") % {"label": FUNDING_LABELS[name]},
            )
    line = BudgetLine(
        fiscal_year=year, **{name: row.funding.get(name, 0) for name in FUNDING_FIELDS}
    )
    execution = Execution(as_of=as_of, expected=row.expected, **_parts(row.executed))
    for key, message in execution_errors(execution, line).items():
        if key == "as_of":
            continue  # reported once for every row above
        add(index, f"exec_{key}" if key in FUNDING_FIELDS else key, str(message))


def _parts(values: Mapping[str, int]) -> dict[str, int]:
    return {name: values.get(name, 0) or 0 for name in FUNDING_FIELDS}


@transaction.atomic
def budget_lines_save(
    *,
    department: Department,
    year: int,
    as_of: datetime.date,
    rows: Sequence[BudgetLineRow],
    citations: Mapping[int, Sequence[str]] | None = None,
    bump_revisions: bool = False,
    validated: bool = False,
) -> list[BudgetLine]:
    """Create, change and delete the department's budget lines of `year` as `rows` say, and
    record each line's execution as of `as_of` (earlier executions stay as history).

    Raises BudgetLinesError, having written nothing, when any row is wrong. Lines not named in
    `rows` are left alone. Returns the department's lines of the year after the save.
    `bump_revisions` raises the revision of every existing line the save changes (itself or
    its execution), so a page opened before it is told (core.conflicts); callers that
    claimed the revisions themselves leave it off. `validated` skips the checks when the
    caller has just run `budget_lines_validate` on the same rows in the same transaction.
    """
    if not validated:
        errors = budget_lines_validate(
            department=department, year=year, as_of=as_of, rows=rows, citations=citations
        )
        if errors:
            raise BudgetLinesError(errors)

    existing = {line.pk: line for line in BudgetLine.objects.for_year(department, year)}
    _delete_lines(rows, existing)
    kept = [(index, row) for index, row in enumerate(rows) if not row.delete]
    # Free the names first so that two lines can swap names under the unique constraint.
    for _index, row in kept:
        line = existing.get(row.line_id) if row.line_id else None
        if line is not None and line.name != row.name.strip():
            BudgetLine.objects.filter(pk=line.pk).update(name=f"__renaming__{line.pk}")

    writer = _LineWriter(department, year, existing, bump_revisions=bump_revisions)
    # 단위사업 first, so that the 세부사업 written after them find their parent's id.
    for children in (False, True):
        writer.write([row for _index, row in kept if bool(_parent_name(row)) == children])
    moved = _save_executions(kept, writer.by_name, department, year, as_of)
    if bump_revisions:
        touched = [line for line in moved if line.pk in existing and line.pk not in writer.bumped]
        for line in touched:
            line.revision += 1
        if touched:
            bulk_update_with_history(touched, BudgetLine, ["revision"])
    return list(BudgetLine.objects.for_year(department, year))


def _delete_lines(rows: Sequence[BudgetLineRow], existing: dict[int, BudgetLine]) -> None:
    """Deletes the lines rows mark for deletion (and forgets them in `existing`)."""
    doomed = [row.line_id for row in rows if row.delete and row.line_id is not None]
    if not doomed:
        return
    try:
        BudgetLine.objects.filter(pk__in=doomed).delete()
    except ProtectedError as error:  # a card started citing the line meanwhile
        raise ValidationError(_("사업 카드에서 쓰고 있는 예산 사업은 지울 수 없습니다.")) from error
    for pk in doomed:
        existing.pop(pk, None)


class _LineWriter:
    """Writes rows as budget lines, one wave at a time, each in bulk with its history records
    (an import may bring thousands of lines); `by_name` holds every line as written."""

    def __init__(self, department, year: int, existing: dict[int, BudgetLine], *, bump_revisions):
        self.department, self.year, self.existing = department, year, existing
        self.bump_revisions = bump_revisions
        self.by_name = {line.name: line for line in existing.values()}
        self.orders: dict[int | None, int] = {}  # parent id -> the last order among its lines
        for line in existing.values():
            self.orders[line.parent_id] = max(self.orders.get(line.parent_id, 0), line.order)
        self.bumped: set[int] = set()  # lines whose revision this save raised

    def write(self, rows: list[BudgetLineRow]) -> None:
        created, updated = [], []
        for row in rows:
            line = self.existing.get(row.line_id) if row.line_id else None
            values = self._values(row)
            if line is None:
                line = self._new_line(row, values)
                created.append(line)
            elif any(getattr(line, key) != value for key, value in values.items()):
                self._change(line, values)
                updated.append(line)
            self.by_name[line.name] = line
        for line in bulk_create_with_history(created, BudgetLine):
            self.by_name[line.name] = line
        if updated:
            bulk_update_with_history(updated, BudgetLine, LINE_FIELDS)

    def _values(self, row: BudgetLineRow) -> dict[str, object]:
        parent = self.by_name[_parent_name(row)] if _parent_name(row) else None
        values = {
            "name": row.name.strip(),
            "parent_id": parent.pk if parent else None,
            **_parts(row.funding),
        }
        if row.order is not None:
            values["order"] = row.order
        return values

    def _new_line(self, row: BudgetLineRow, values: dict[str, object]) -> BudgetLine:
        line = BudgetLine(department=self.department, fiscal_year=self.year, **values)
        if row.order is None:
            line.order = self.orders.get(line.parent_id, 0) + 1  # last among its siblings
        self.orders[line.parent_id] = max(self.orders.get(line.parent_id, 0), line.order)
        return line

    def _change(self, line: BudgetLine, values: dict[str, object]) -> None:
        for key, value in values.items():
            setattr(line, key, value)
        if self.bump_revisions:
            line.revision += 1
            self.bumped.add(line.pk)


def _parent_name(row: BudgetLineRow) -> str:
    return (row.parent or "").strip()


def _save_executions(kept, by_name, department, year, as_of: datetime.date) -> list[BudgetLine]:
    """Write each row's execution (in bulk); returns the lines whose execution changed."""
    rows = [row for _index, row in kept if row.executed is not None]
    if not rows:
        return []
    days = {row.execution_date(as_of) for row in rows}
    current = {
        (execution.line_id, execution.as_of): execution
        for execution in Execution.objects.filter(
            line__department=department, line__fiscal_year=year, as_of__in=days
        )
    }
    created, updated, moved = [], [], []
    for row in rows:
        line = by_name[row.name.strip()]
        day = row.execution_date(as_of)
        values = {**_parts(row.executed), "expected": row.expected}
        execution = current.get((line.pk, day))
        if execution is None:
            created.append(Execution(line=line, as_of=day, **values))
        elif any(getattr(execution, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(execution, key, value)
            updated.append(execution)
        else:
            continue
        moved.append(line)
    bulk_create_with_history(created, Execution)
    if updated:
        bulk_update_with_history(updated, Execution, EXECUTION_FIELDS)
    return moved


# The line's own page and the staff API: one budget line with its executions ------------------

LINE_FORM_FIELDS = ("department", "fiscal_year", "parent", "name", "order", *FUNDING_FIELDS)
EXECUTION_FORM_FIELDS = ("as_of", *FUNDING_FIELDS, "expected")


def _execution_label(execution: Execution) -> str:
    return _("%(day)s 기준 집행 실적") % {"day": formats.date(execution.as_of)}


# What the line's page saves with the line, for the message of an edit conflict.
LINE_CHILDREN = (Child(Execution, "line_id", _execution_label),)


def budget_line_save(
    user,
    line: BudgetLine | None,
    changes: Mapping,
    *,
    revision: int | None = None,
    executions: Sequence[Mapping] | None = None,
) -> Saved:
    """Add (`line` None) or change a budget line as `user`, with its executions when given
    (rows with an id are changed, rows without one added, rows left out deleted), each checked
    against the line as it will be saved. A change claims the `revision` the caller read
    (EditConflict otherwise). All or nothing: ValidationError by field, nothing saved."""
    with transaction.atomic():
        if line is not None:
            revisions_check(BudgetLine, {line.pk: revision}, children=LINE_CHILDREN)
        target = copy.copy(line) if line is not None else BudgetLine()
        before = field_values(target, LINE_FORM_FIELDS)
        errors = check(user, target, put(user, target, changes))
        plan = plan_children(
            user,
            target,
            key="executions",
            model=Execution,
            fk="line",
            rows=executions,
            fields=EXECUTION_FORM_FIELDS,
        )
        raise_errors(errors, plan.errors)
        changed = changed_fields(before, target)
        if line is not None and (changed or plan.writes_anything):
            target.revision = revision + 1
        target.save()
        plan.write(target)
    return Saved(target, history_message(target, added=line is None, changed=changed, plan=plan))
