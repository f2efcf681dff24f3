"""Budget lines and their executions in and out of spreadsheets (django-import-export).

One row is one budget line (단위사업, or a 세부사업 under its 단위사업) with its 예산 by source
and, optionally, its 집행액 as of a 기준일 — the shape of an e-호조 or 지방재정365 export and of
our own export, which reads back unchanged. The whole file is checked with
`budget.services.budget_lines_validate` and written with `budget_lines_save`, the same code
the report editor uses, in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields
from import_export.results import RowResult

from budget.models import FUNDING_FIELDS, FUNDING_LABELS, BudgetLine, Execution, execution_rate
from budget.services import (
    MAX_NAME_LENGTH,
    BudgetLineRow,
    budget_lines_save,
    budget_lines_validate,
)
from core import tabular
from core.tabular import Column, Table
from org.imports import (
    DEPARTMENT_COLUMN,
    ImportPlan,
    NativeWidget,
    PlannedResource,
    PlannedRow,
    RowReader,
)

SOURCE_NAMES = {
    "national": ("국비", "국고", "국고보조금"),
    "city": ("시비", "시도비", "시·도비"),
    "district": ("구비", "시군구비", "시·군·구비", "자치구비"),
    "other": ("기타", "기타재원", "기금"),
}
BUDGET_WORDS = ("예산", "예산액", "예산현액")
EXECUTION_WORDS = ("집행액", "지출액", "집행", "지출", "지출금액", "집행금액")


def _combined(names: Iterable[str], words: Iterable[str]) -> tuple[str, ...]:
    return tuple(
        combined for name in names for word in words for combined in (name + word, word + name)
    )


COLUMNS = (
    DEPARTMENT_COLUMN,
    Column("fiscal_year", "회계연도", ("연도", "년도", "예산연도", "회계년도", "fyr", "fis_fy_yr")),
    Column(
        "parent",
        "상위 단위사업",
        ("단위사업명", "단위사업", "상위사업", "단위사업명칭", "ubiz_nm", "unit_biz_nm"),
    ),
    Column(
        "name",
        "사업명",
        ("세부사업명", "세부사업", "dbiz_nm", "예산사업명", "사업", "세부사업명칭"),
    ),
    *(
        Column(part, FUNDING_LABELS[part], (*names, *_combined(names, BUDGET_WORDS)), amount=True)
        for part, names in SOURCE_NAMES.items()
    ),
    Column(
        "amount",
        "예산액",
        ("예산현액", "세출예산현액", "bdg_cash_amt", "예산", "현액", "예산액계", "예산계"),
        amount=True,
    ),
    Column("as_of", "집행 기준일", ("기준일", "기준일자", "exe_ymd", "집행기준일", "집행일자")),
    *(
        Column(
            f"exec_{part}",
            f"{FUNDING_LABELS[part]} 집행액",
            _combined(names, EXECUTION_WORDS),
            amount=True,
        )
        for part, names in SOURCE_NAMES.items()
    ),
    Column(
        "executed",
        "집행액",
        ("지출액", "지출금액", "ep_amt", "집행액계", "집행금액", "집행계", "지출계"),
        amount=True,
    ),
    Column(
        "expected",
        "연말 집행 예정액",
        ("집행예정액", "연말집행예정액", "연말까지집행예정액", "12월말집행예정액"),
        amount=True,
    ),
    Column("rate", "집행률", ("집행률%", "집행율")),  # computed: read past, never stored
)
EXEC_KEYS = {f"exec_{part}": part for part in FUNDING_FIELDS}


def _money(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


class BudgetLineResource(PlannedResource):
    """예산 사업: export columns are the import columns (round trip), amounts in 천원."""

    columns = COLUMNS
    required = ("name",)

    department = fields.Field(column_name="부서", attribute="department__name")
    fiscal_year = fields.Field(
        column_name="회계연도", attribute="fiscal_year", widget=NativeWidget()
    )
    parent = fields.Field(column_name="상위 단위사업", attribute="parent__name")
    name = fields.Field(column_name="사업명", attribute="name")
    national = fields.Field(column_name="국비(천원)", attribute="national", widget=NativeWidget())
    city = fields.Field(column_name="시비(천원)", attribute="city", widget=NativeWidget())
    district = fields.Field(column_name="구비(천원)", attribute="district", widget=NativeWidget())
    other = fields.Field(column_name="기타(천원)", attribute="other", widget=NativeWidget())
    amount = fields.Field(column_name="예산액(천원)", attribute="amount", widget=NativeWidget())
    as_of = fields.Field(column_name="집행 기준일", widget=NativeWidget())
    exec_national = fields.Field(column_name="국비 집행액(천원)", widget=NativeWidget())
    exec_city = fields.Field(column_name="시비 집행액(천원)", widget=NativeWidget())
    exec_district = fields.Field(column_name="구비 집행액(천원)", widget=NativeWidget())
    exec_other = fields.Field(column_name="기타 집행액(천원)", widget=NativeWidget())
    executed = fields.Field(column_name="집행액(천원)", widget=NativeWidget())
    expected = fields.Field(column_name="연말 집행 예정액(천원)", widget=NativeWidget())
    rate = fields.Field(column_name="집행률(%)", widget=NativeWidget())

    class Meta(PlannedResource.Meta):
        model = BudgetLine
        name = gettext_lazy("예산 사업과 집행액")
        fields = (
            "department",
            "fiscal_year",
            "parent",
            "name",
            "national",
            "city",
            "district",
            "other",
            "amount",
            "as_of",
            "exec_national",
            "exec_city",
            "exec_district",
            "exec_other",
            "executed",
            "expected",
            "rate",
        )
        export_order = fields
        import_id_fields = ("fiscal_year", "name")

    def __init__(self, *, as_of: datetime.date | None = None, **kwargs):
        """`as_of`: export each line's execution as of that day (a session's 기준일); by
        default its latest one."""
        super().__init__(**kwargs)
        self.export_as_of = as_of

    # --- export ---------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        executions = Execution.objects.order_by("-as_of")
        if self.export_as_of is not None:
            executions = executions.filter(as_of__lte=self.export_as_of)
        # The admin's changelist queryset prefetches executions already (latest first, every
        # date): its prefetch is dropped, as Django refuses two for one lookup.
        return (
            queryset.select_related("department", "parent")
            .prefetch_related(None)
            .prefetch_related(Prefetch("executions", queryset=executions))
            .order_by("department__order", "department__name", "fiscal_year", "order", "pk")
        )

    def get_queryset(self):
        return BudgetLine.objects.none()

    def _execution(self, line: BudgetLine) -> Execution | None:
        return next(iter(line.executions.all()), None)

    def dehydrate_as_of(self, line):
        execution = self._execution(line)
        return execution.as_of if execution else None

    def dehydrate_executed(self, line):
        execution = self._execution(line)
        return execution.executed if execution else None

    def dehydrate_expected(self, line):
        execution = self._execution(line)
        return execution.expected if execution else None

    def dehydrate_rate(self, line):
        execution = self._execution(line)
        return execution_rate(execution.executed, line.amount) if execution else None

    def dehydrate_exec_national(self, line):
        return self._execution_part(line, "national")

    def dehydrate_exec_city(self, line):
        return self._execution_part(line, "city")

    def dehydrate_exec_district(self, line):
        return self._execution_part(line, "district")

    def dehydrate_exec_other(self, line):
        return self._execution_part(line, "other")

    def _execution_part(self, line, part):
        execution = self._execution(line)
        return getattr(execution, part) if execution else None

    # --- import ---------------------------------------------------------------------------

    def plan(self, table: Table) -> ImportPlan:
        plan = ImportPlan()
        if table.has("parent") and not table.has("name"):
            table = table.renamed("parent", "name")  # a file naming only 단위사업: top-level lines
        if not any(table.has(key) for key in ("amount", *FUNDING_FIELDS)):
            plan.problem(
                None,
                None,
                None,
                _(
                    "예산액 열이 없습니다. ‘예산액’(예산현액) 열이나 ‘국비’·‘시비’·‘구비’ 열이 있어야 합니다."
                ),
            )
            return plan
        if table.unit != 1000:
            plan.notices.append(
                _("금액을 원 단위로 읽어 천원으로 바꿉니다(%(source)s). 천원 미만은 반올림합니다.")
                % {"source": table.unit_source}
            )
        file_year = _file_year(table)
        rows = [self._read_row(RowReader(table, plan, source), file_year) for source in table.rows]
        rows = [row for row in rows if row is not None]
        by_year = self._plan_lines(plan, rows, self._existing(rows))
        if plan.problems:
            return plan
        self._validate(by_year)
        plan.payload = {year: [item.row for item in items] for year, items in by_year.items()}
        return plan

    def _existing(self, rows: list[FileLine]) -> dict[tuple[int, str], BudgetLine]:
        """The department's stored lines of the file's years, by (year, name), with their
        executions of the file's dates and all their executions, latest first."""
        years = {row.year for row in rows}
        days = {row.as_of for row in rows if row.as_of}
        lines = BudgetLine.objects.filter(department=self.department, fiscal_year__in=years)
        if getattr(self, "confirming", False):
            # Held until the import commits: an editor saving meanwhile waits, then finds its
            # revision gone (core.conflicts); a save just before is in what is planned.
            lines = lines.select_for_update(of=("self",))
        return {
            (line.fiscal_year, line.name): line
            for line in lines.select_related("parent").prefetch_related(
                Prefetch(
                    "executions",
                    queryset=Execution.objects.filter(as_of__in=days),
                    to_attr="file_executions",
                ),
                Prefetch(
                    "executions",
                    queryset=Execution.objects.order_by("-as_of"),
                    to_attr="stored_executions",
                ),
            )
        }

    def _plan_lines(self, plan: ImportPlan, rows: list[FileLine], existing) -> dict:
        """Each row against its stored line: the rows to save, by year, and what each does."""
        seen: dict[tuple[int, str], int] = {}
        by_year: dict[int, list[PlannedLine]] = {}
        new_district_only = False
        for row in rows:
            if row.key in seen:
                row.fail(
                    "name",
                    _("같은 사업이 %(line)s행에도 있습니다. 한 사업은 한 행에만 적어 주세요.")
                    % {"line": seen[row.key]},
                )
                continue
            seen[row.key] = row.line
            line = existing.get(row.key)
            funding = _funding(row, line)
            if funding is None:
                continue
            if line is None and row.funding is None and funding.get("district"):
                new_district_only = True
            planned = _plan_line(plan, row, line, funding)
            if planned is not None:
                by_year.setdefault(row.year, []).append(planned)
        if new_district_only:
            plan.notices.append(_("재원별 금액 열이 없어 새 사업의 예산액을 구비로 넣습니다."))
        return by_year

    def _validate(self, by_year: dict[int, list[PlannedLine]]) -> None:
        """The checks `budget_lines_save` makes, each problem put on its row and column."""
        for year, items in by_year.items():
            errors = budget_lines_validate(
                department=self.department,
                year=year,
                as_of=datetime.date(year, 12, 31),
                rows=[item.row for item in items],
            )
            for index, problems in sorted(errors.items()):
                source = items[index].source
                for field_name, messages in problems.items():
                    key = _column_for(source.reader.table, field_name)
                    for message in messages:
                        source.fail(key, message)

    def apply(self, plan: ImportPlan) -> None:
        for year, rows in plan.payload.items():
            budget_lines_save(
                department=self.department,
                year=year,
                as_of=datetime.date(year, 12, 31),
                rows=rows,
                bump_revisions=True,
                validated=True,  # by plan(), in this transaction
            )

    # --- reading one row --------------------------------------------------------------------

    def _read_row(self, reader: RowReader, file_year: int | None) -> FileLine | None:
        """The row as a FileLine, or None (its problems recorded) when it cannot be read."""
        self.check_department_cell(reader)
        name, parent = _read_names(reader)
        as_of = reader.date("as_of") or self.defaults.get("as_of")
        year = reader.year("fiscal_year")
        if year is None and not reader.failed:
            year = as_of.year if as_of else (file_year or self.defaults.get("fiscal_year"))
        if year is None and not reader.failed:
            reader.fail(
                None,
                _(
                    "회계연도를 알 수 없습니다. ‘회계연도’나 ‘집행 기준일’ 열을 넣거나 "
                    "가져오기 화면에서 회계연도를 적어 주세요."
                ),
            )
        written = WrittenAmounts.read(reader)
        _check_execution_date(reader, written, as_of, year)
        if reader.failed:
            return None
        written.check_sums(reader)  # a row whose sums differ is still planned, to say all
        return FileLine(
            reader=reader,
            line=reader.line,
            name=name,
            parent=parent,
            year=year,
            as_of=as_of if written.has_execution else None,
            funding=tabular.to_thousands(written.funding) if written.funding else None,
            amount=_half_up(written.amount),
            amount_given=written.amount is not None,
            exec_parts=tabular.to_thousands(written.exec_parts)
            if written.has_execution and written.exec_parts
            else None,
            executed=_half_up(written.executed) if written.has_execution else None,
            expected=written.expected,
        )


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


def _read_names(reader: RowReader) -> tuple[str | None, str]:
    """(사업명, 상위 단위사업) of the row."""
    parent = reader.text("parent", max_length=MAX_NAME_LENGTH) or ""
    if parent and reader.blank("name"):
        return parent, ""  # a 단위사업's own row: its name in the 단위사업 column
    return reader.text("name", max_length=MAX_NAME_LENGTH, required=True), parent


def _check_execution_date(reader: RowReader, written: WrittenAmounts, as_of, year) -> None:
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


def _plan_line(plan: ImportPlan, row: FileLine, line, funding) -> PlannedLine | None:
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


def _funding(row: FileLine, line: BudgetLine | None) -> dict[str, int] | None:
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
                "day": f"{stored.as_of:%Y. %m. %d.}",
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
                "day": f"{row.as_of:%Y. %m. %d.}",
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
    day = f"{row.as_of:%m. %d.}"
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


def _column_for(table: Table, field_name: str) -> str | None:
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


def _file_year(table: Table) -> int | None:
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


def _half_up(won: int | None) -> int:
    return 0 if won is None else (won + 500) // 1000
