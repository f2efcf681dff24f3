"""Writes that span budget lines and their executions (report editor, spreadsheet import).

`budget_lines_save` takes every row a caller wants to change for one department and fiscal
year, checks all of them against each other and against the database, and only then writes,
in one transaction: a single bad row changes nothing. Errors come back by row and field, in
Korean, so a form can show them next to the cell and an importer can name the row.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from budget.models import FUNDING_FIELDS, FUNDING_LABELS, BudgetLine, Execution, execution_errors
from org.models import Department
from projects.models import Card

MAX_NAME_LENGTH = BudgetLine._meta.get_field("name").max_length


@dataclass(frozen=True)
class BudgetLineRow:
    """What a caller wants one budget line to be.

    `line_id` None makes a new line. `parent` is the *name* of the 단위사업 the line belongs to
    (as it will be named after the save, so new lines and renamed ones can be parents), None
    for a 단위사업. `executed` holds the 집행액 parts as of the save's date; None leaves the
    execution of that date as it is (or absent). `order` None keeps a line's place (new lines
    go last among their siblings). `delete` removes the line.
    """

    line_id: int | None
    name: str
    parent: str | None = None
    funding: Mapping[str, int] = field(default_factory=dict)
    executed: Mapping[str, int] | None = None
    expected: int | None = None
    order: int | None = None
    delete: bool = False


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

    if as_of.year != year:
        for index in range(len(rows)):
            add(
                index,
                "__all__",
                _("집행 기준일은 %(year)s년 안의 날짜여야 합니다.") % {"year": year},
            )

    # The state after the save: name and parent name of every line that will exist.
    final: dict[str, tuple[int | None, str | None]] = {}  # name -> (row index, parent name)
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
        if not name:
            add(index, "name", _("사업명을 입력하세요."))
        elif len(name) > MAX_NAME_LENGTH:
            add(
                index,
                "name",
                _("사업명은 %(max)s자를 넘을 수 없습니다.") % {"max": MAX_NAME_LENGTH},
            )
        elif name in final:
            add(
                index, "name", _("같은 이름의 예산 사업이 이미 있습니다: %(name)s") % {"name": name}
            )
        else:
            final[name] = (index, (row.parent or "").strip() or None)

    children: dict[str, list[str]] = {}
    for name, (_index, parent) in final.items():
        if parent:
            children.setdefault(parent, []).append(name)

    for index, row in enumerate(rows):
        if row.line_id is not None and row.line_id not in existing:
            continue
        if row.delete:
            if row.line_id is not None:
                _check_deletion(index, row, existing, children, citations, add)
            continue
        name = row.name.strip()
        parent = (row.parent or "").strip() or None
        if parent is not None:
            if parent == name:
                add(index, "parent", _("자기 자신을 상위 단위사업으로 고를 수 없습니다."))
            elif parent not in final:
                add(
                    index,
                    "parent",
                    _("상위 단위사업 ‘%(name)s’이(가) 없습니다.") % {"name": parent},
                )
            elif final[parent][1] is not None:
                add(index, "parent", _("세부사업 아래에 다시 세부사업을 둘 수 없습니다."))
            elif children.get(name):
                add(
                    index,
                    "parent",
                    _("세부사업이 딸린 단위사업은 다른 단위사업 아래에 둘 수 없습니다."),
                )
        _check_amounts(index, row, year, as_of, add)
    return errors


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
    if citations is None:
        cards = [str(card) for card in Card.objects.filter(budget_line=line)]
    else:
        cards = list(citations.get(line.pk, ()))
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
) -> list[BudgetLine]:
    """Create, change and delete the department's budget lines of `year` as `rows` say, and
    record each line's execution as of `as_of` (earlier executions stay as history).

    Raises BudgetLinesError, having written nothing, when any row is wrong. Lines not named in
    `rows` are left alone. Returns the department's lines of the year after the save.
    """
    errors = budget_lines_validate(
        department=department, year=year, as_of=as_of, rows=rows, citations=citations
    )
    if errors:
        raise BudgetLinesError(errors)

    existing = {line.pk: line for line in BudgetLine.objects.for_year(department, year)}
    doomed = [row.line_id for row in rows if row.delete and row.line_id is not None]
    if doomed:
        try:
            BudgetLine.objects.filter(pk__in=doomed).delete()
        except ProtectedError as error:  # a card started citing the line meanwhile
            raise ValidationError(
                _("사업 카드에서 쓰고 있는 예산 사업은 지울 수 없습니다.")
            ) from error
        for pk in doomed:
            existing.pop(pk, None)

    kept = [(index, row) for index, row in enumerate(rows) if not row.delete]
    # Free the names first so that two lines can swap names under the unique constraint.
    for _index, row in kept:
        line = existing.get(row.line_id) if row.line_id else None
        if line is not None and line.name != row.name.strip():
            BudgetLine.objects.filter(pk=line.pk).update(name=f"__renaming__{line.pk}")

    by_name = {line.name: line for line in existing.values()}
    saved: dict[int, BudgetLine] = {}
    # 단위사업 first, so that the 세부사업 written after them find their parent.
    for _index, row in sorted(kept, key=lambda item: bool(_parent_name(item[1]))):
        line = existing.get(row.line_id) if row.line_id else None
        parent = by_name[_parent_name(row)] if _parent_name(row) else None
        if line is None:
            line = BudgetLine(department=department, fiscal_year=year)
            line.order = (
                row.order if row.order is not None else _next_order(existing, saved, parent)
            )
        values = {
            "name": row.name.strip(),
            "parent_id": parent.pk if parent else None,
            **_parts(row.funding),
        }
        if row.order is not None:
            values["order"] = row.order
        changed = line.pk is None or any(
            getattr(line, key) != value for key, value in values.items()
        )
        for key, value in values.items():
            setattr(line, key, value)
        if changed:
            line.save()
        by_name[line.name] = line
        saved[line.pk] = line

    _save_executions(kept, saved, existing, by_name, as_of)
    return list(BudgetLine.objects.for_year(department, year))


def _parent_name(row: BudgetLineRow) -> str:
    return (row.parent or "").strip()


def _next_order(existing: dict, saved: dict, parent: BudgetLine | None) -> int:
    parent_id = parent.pk if parent else None
    siblings = [
        line.order for line in [*existing.values(), *saved.values()] if line.parent_id == parent_id
    ]
    return max(siblings, default=0) + 1


def _save_executions(kept, saved, existing, by_name, as_of: datetime.date) -> None:
    lines = [by_name[row.name.strip()] for _index, row in kept if row.executed is not None]
    if not lines:
        return
    current = {
        execution.line_id: execution
        for execution in Execution.objects.filter(line__in=lines, as_of=as_of)
    }
    for _index, row in kept:
        if row.executed is None:
            continue
        line = by_name[row.name.strip()]
        execution = current.get(line.pk) or Execution(line=line, as_of=as_of)
        values = {**_parts(row.executed), "expected": row.expected}
        if execution.pk and all(getattr(execution, key) == value for key, value in values.items()):
            continue
        for key, value in values.items():
            setattr(execution, key, value)
        execution.save()
