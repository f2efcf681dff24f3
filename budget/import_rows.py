"""A budget file's rows on their way to `budget_lines_save`: each row read as a FileLine
(amounts as written, compared before rounding), matched with its stored line, and planned as
the BudgetLineRow to save with the preview of what changes (budget.resources reads the file).
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from import_export.results import RowResult

from budget.models import FUNDING_FIELDS, FUNDING_LABELS, BudgetLine, Execution
from budget.services import MAX_NAME_LENGTH, BudgetLineRow
from core import formats, tabular
from core.tabular import Table
from org.imports import ImportPlan, PlannedRow, RowReader

EXEC_KEYS = {f"exec_{part}": part for part in FUNDING_FIELDS}


def _money(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


@dataclass(frozen=True)
class WrittenAmounts:
    """A row's amounts in 원, exactly as the file writes them, so that sums can be compared
    before anything is rounded; `expected` is in 천원."""

    funding: Mapping[str, int]  # 예산 by the sources the file has columns for
    amount: int | None
    exec_parts: Mapping[str, int]  # 집행액 by the sources the file has columns for
    executed: int | None
    expected: int | None
    has_execution: bool

    @classmethod
    def read(cls, reader: RowReader) -> WrittenAmounts:
        funding = {p: reader.amount_in_won(p) or 0 for p in FUNDING_FIELDS if reader.has(p)}
        amount = reader.amount_in_won("amount") if not reader.blank("amount") else None
        exec_parts = {
            p: reader.amount_in_won(k) or 0 for k, p in EXEC_KEYS.items() if reader.has(k)
        }
        executed = reader.amount_in_won("executed") if not reader.blank("executed") else None
        expected = reader.amount("expected") if not reader.blank("expected") else None
        given = any(not reader.blank(k) for k in EXEC_KEYS) or executed is not None
        return cls(funding, amount, exec_parts, executed, expected, given)

    def check_sums(self, reader: RowReader) -> None:
        if len(self.funding) == len(FUNDING_FIELDS) and self.amount is not None:
            _check_sum(reader, "amount", self.funding, self.amount, _("재원별 합계"), _("예산액"))
        if len(self.exec_parts) == len(FUNDING_FIELDS) and self.executed is not None:
            _check_sum(
                reader,
                "executed",
                self.exec_parts,
                self.executed,
                _("재원별 집행액 합계"),
                _("집행액"),
            )


@dataclass(frozen=True)
class FileLine:
    """One budget line as a file row gives it, amounts in 천원. `funding` and `exec_parts`
    hold only the sources the file has columns for (None: no such column); `as_of` is the
    date of the row's execution, None when the row gives none."""

    reader: RowReader = field(compare=False, repr=False)  # where the row's problems go
    line: int
    name: str
    parent: str
    year: int
    as_of: datetime.date | None
    funding: Mapping[str, int] | None
    amount: int
    amount_given: bool
    exec_parts: Mapping[str, int] | None
    executed: int | None
    expected: int | None

    @property
    def key(self) -> tuple[int, str]:
        return (self.year, self.name)

    @property
    def label(self) -> str:
        return f"{self.year} " + (f"{self.parent} › " if self.parent else "") + self.name

    def fail(self, key: str | None, message: str) -> None:
        self.reader.fail(key, message)


@dataclass(frozen=True)
class PlannedLine:
    """A row of the file and the BudgetLineRow it is saved as."""

    source: FileLine
    row: BudgetLineRow


def read_names(reader: RowReader) -> tuple[str | None, str]:
    """(사업명, 상위 단위사업) of the row."""
    parent = reader.text("parent", max_length=MAX_NAME_LENGTH) or ""
    if parent and reader.blank("name"):
        return parent, ""  # a 단위사업's own row: its name in the 단위사업 column
    return reader.text("name", max_length=MAX_NAME_LENGTH, required=True), parent


def check_execution_date(reader: RowReader, written: WrittenAmounts, as_of, year) -> None:
    if not written.has_execution or reader.failed:
        return
    if as_of is None:
        reader.fail(
            "as_of",
            _(
                "집행액의 기준일이 없습니다. ‘집행 기준일’ 열을 넣거나 가져오기 화면에서 "
                "기준일을 적어 주세요."
            ),
        )
    elif year and as_of.year != year:
        reader.fail("as_of", _("집행 기준일은 %(year)s년 안의 날짜여야 합니다.") % {"year": year})


def _check_sum(reader, key, parts, total, parts_label, total_label) -> None:
    if sum(parts.values()) != total:
        unit = reader.table.unit
        reader.fail(
            key,
            _("%(parts)s %(sum)s과 %(total)s %(amount)s이 다릅니다.")  # both end in 원
            % {
                "parts": parts_label,
                "sum": tabular.won_text(sum(parts.values()), unit),
                "total": total_label,
                "amount": tabular.won_text(total, unit),
            },
        )


# --- planning one line ------------------------------------------------------------------------


def plan_line(plan: ImportPlan, row: FileLine, line, funding) -> PlannedLine | None:
    """The row as the BudgetLineRow to save, its preview added to `plan`; None when it fails."""
    execution = _execution_for(line, row.as_of)
    executed = _executed(row, funding, execution)
    _check_stored_executions(row, line, funding, executed)
    if row.reader.failed:
        return None
    expected = row.expected
    if not row.reader.has("expected") and execution is not None:
        expected = execution.expected  # a file without the column keeps it
    budget_row = BudgetLineRow(
        line_id=line.pk if line else None,
        name=row.name,
        parent=row.parent or None,
        funding=funding,
        executed=executed,
        expected=expected if executed is not None else None,
        as_of=row.as_of if executed is not None else None,
    )
    plan.rows.append(_planned(row, line, execution, funding, executed, expected))
    return PlannedLine(row, budget_row)


def funding_for(row: FileLine, line: BudgetLine | None) -> dict[str, int] | None:
    """The line's 예산 by source: as given, or the total put where it can only go."""
    if row.funding is not None:
        # Sources the file has no column for keep what they hold (0 for a new line).
        merged = {**(line.parts() if line else dict.fromkeys(FUNDING_FIELDS, 0))}
        merged.update(row.funding)
        partial = len(row.funding) < len(FUNDING_FIELDS)
        if row.amount_given and partial and sum(merged.values()) != row.amount:
            row.fail(
                "amount",
                _(
                    "재원별 금액(파일에 없는 재원은 지금 값 그대로) 합계 %(sum)s천원과 "
                    "예산액 %(amount)s천원이 다릅니다."
                )
                % {"sum": f"{sum(merged.values()):,}", "amount": f"{row.amount:,}"},
            )
            return None
        return merged
    split = _split(row.amount, line.parts() if line else None)
    if split is None:
        row.fail(
            "amount",
            _(
                "이 사업은 예산이 여러 재원(%(sources)s)으로 나뉘어 있어, 재원별 금액 열 없이 "
                "예산액만으로는 나눌 수 없습니다. ‘국비’·‘시비’·‘구비’·‘기타’ 열을 넣어 주세요."
            )
            % {"sources": _sources(line.parts())},
        )
    return split


def _check_stored_executions(row: FileLine, line, funding, executed) -> None:
    """A lowered budget must still cover what was already recorded as executed (the
    execution the file itself gives for its date is checked with the file)."""
    if line is None or funding is None:
        return
    for stored in line.stored_executions:
        if executed is not None and stored.as_of == row.as_of:
            continue
        part = next((p for p in FUNDING_FIELDS if getattr(stored, p) > funding[p]), None)
        if part is None:
            continue
        row.fail(
            part if row.reader.has(part) else "amount",
            _(
                "이미 기록된 %(day)s 기준 %(label)s 집행액 %(spent)s천원보다 "
                "%(label)s 예산이 적어집니다(%(budget)s천원). 집행액을 먼저 고치세요."
            )
            % {
                "day": formats.date(stored.as_of),
                "label": FUNDING_LABELS[part],
                "spent": f"{getattr(stored, part):,}",
                "budget": f"{funding[part]:,}",
            },
        )
        return


def _execution_for(line: BudgetLine | None, day) -> Execution | None:
    if line is None or day is None:
        return None
    return next((e for e in line.file_executions if e.as_of == day), None)


def _executed(row: FileLine, funding: dict, execution: Execution | None):
    if row.executed is None and row.exec_parts is None:
        return None
    if row.exec_parts is not None:
        merged = {**(execution.parts() if execution else dict.fromkeys(FUNDING_FIELDS, 0))}
        merged.update(row.exec_parts)
        return merged
    total = row.executed
    if total and not any(funding.values()):
        row.fail("executed", _("예산이 0인 사업에 집행액이 있습니다."))
        return None
    if execution is not None and execution.executed == total:
        return execution.parts()
    split = _split(total, funding, new_goes_to=None)
    if split is None:
        row.fail(
            "executed",
            _(
                "예산이 여러 재원(%(sources)s)으로 나뉜 사업이라 집행액 합계만으로는 재원별로 "
                "나눌 수 없습니다. ‘국비 집행액’·‘구비 집행액’처럼 재원별 집행액 열을 넣어 주세요."
            )
            % {"sources": _sources(funding)},
        )
    return split


# --- the preview of one line ------------------------------------------------------------------


def _planned(row: FileLine, line, execution, funding, executed, expected) -> PlannedRow:
    if line is None:
        text = _("예산 %(amount)s천원") % {"amount": f"{sum(funding.values()):,}"}
        if executed is not None:
            text += _(", 집행 %(executed)s천원(%(day)s)") % {
                "executed": f"{sum(executed.values()):,}",
                "day": formats.date(row.as_of),
            }
        return PlannedRow(row.line, RowResult.IMPORT_TYPE_NEW, row.label, [text])
    changes = _line_changes(row, line, funding)
    if executed is not None:
        changes += _execution_changes(row, execution, executed, expected)
    kind = RowResult.IMPORT_TYPE_UPDATE if changes else RowResult.IMPORT_TYPE_SKIP
    return PlannedRow(row.line, kind, row.label, changes)


def _line_changes(row: FileLine, line: BudgetLine, funding) -> list[str]:
    changes = []
    old_parent = line.parent.name if line.parent_id else ""
    if old_parent != row.parent:
        changes.append(
            _("상위 단위사업 %(old)s → %(new)s")
            % {"old": old_parent or "-", "new": row.parent or "-"}
        )
    for part in FUNDING_FIELDS:
        if getattr(line, part) != funding[part]:
            changes.append(
                _("%(label)s 예산 %(old)s → %(new)s")
                % {
                    "label": FUNDING_LABELS[part],
                    "old": _money(getattr(line, part)),
                    "new": _money(funding[part]),
                }
            )
    return changes


def _execution_changes(row: FileLine, execution, executed, expected) -> list[str]:
    changes = []
    day = formats.short_date(row.as_of)
    for part in FUNDING_FIELDS:
        old = getattr(execution, part) if execution else None
        if old != executed[part] and not (old is None and executed[part] == 0):
            changes.append(
                _("%(label)s 집행액(%(day)s) %(old)s → %(new)s")
                % {
                    "label": FUNDING_LABELS[part],
                    "day": day,
                    "old": _money(old),
                    "new": _money(executed[part]),
                }
            )
    if execution is None and not any(executed.values()):
        changes.append(_("집행액(%(day)s) 0 기록") % {"day": day})
    old_expected = execution.expected if execution else None
    if old_expected != expected:
        changes.append(
            _("연말 집행 예정액 %(old)s → %(new)s")
            % {"old": _money(old_expected), "new": _money(expected)}
        )
    return changes


def column_for(table: Table, field_name: str) -> str | None:
    """The file column a service error on `field_name` belongs to."""
    if field_name in FUNDING_FIELDS:
        return field_name if table.has(field_name) else "amount"
    if field_name.startswith("exec_"):
        return field_name if table.has(field_name) else "executed"
    if field_name in {"name", "parent", "expected"}:
        return field_name
    return None


def _split(
    total: int, basis: dict[str, int] | None, *, new_goes_to: str | None = "district"
) -> dict[str, int] | None:
    """`total` by source without source columns: kept as it is when it did not change, in the
    one source the line has, or (a new line) in `new_goes_to`; None when it cannot be told."""
    zero = dict.fromkeys(FUNDING_FIELDS, 0)
    used = [part for part in FUNDING_FIELDS if basis and basis.get(part)]
    if total == 0:
        return zero
    if basis and sum(basis.values()) == total:
        return dict(basis)
    if len(used) == 1:
        return {**zero, used[0]: total}
    if not used and new_goes_to:
        return {**zero, new_goes_to: total}
    return None


def _sources(parts: dict[str, int]) -> str:
    return ", ".join(FUNDING_LABELS[part] for part in FUNDING_FIELDS if parts.get(part))


def file_year(table: Table) -> int | None:
    """The one year the file's dated rows speak of, for its undated rows (a 단위사업's own row
    often has no 기준일); None when the rows name several years or none."""
    years = set()
    for row in table.rows:
        for key, read in (("fiscal_year", tabular.read_count), ("as_of", tabular.read_date)):
            if table.has(key) and row.get(key) not in (None, ""):
                with contextlib.suppress(tabular.CellError, ValueError):
                    value = read(row.get(key))
                    years.add(value if key == "fiscal_year" else value.year)
                break
    return years.pop() if len(years) == 1 else None


def half_up(won: int | None) -> int:
    return 0 if won is None else (won + 500) // 1000
