"""Budget lines and their executions in and out of spreadsheets (django-import-export).

One row is one budget line (단위사업, or a 세부사업 under its 단위사업) with its 예산 by source
and, optionally, its 집행액 as of a 기준일 — the shape of an e-호조 or 지방재정365 export and of
our own export, which reads back unchanged. The whole file is checked with
`budget.services.budget_lines_validate` and written with `budget_lines_save`, the same code
the report editor uses, in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from budget.import_rows import (
    FileLine,
    PlannedLine,
    WrittenAmounts,
    check_execution_date,
    column_for,
    file_year,
    funding_for,
    half_up,
    plan_line,
    read_names,
)
from budget.models import FUNDING_FIELDS, FUNDING_LABELS, BudgetLine, Execution, execution_rate
from budget.services import budget_lines_save, budget_lines_validate
from core import cutoff, tabular
from core.tabular import Column, Table
from org.imports import (
    DEPARTMENT_COLUMN,
    ImportPlan,
    NativeWidget,
    PlannedResource,
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
            executions = Execution.objects.as_of(self.export_as_of)
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
        return cutoff.latest(line.executions.all())

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
        year_of_file = file_year(table)
        rows = [
            self._read_row(RowReader(table, plan, source), year_of_file) for source in table.rows
        ]
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
            funding = funding_for(row, line)
            if funding is None:
                continue
            if line is None and row.funding is None and funding.get("district"):
                new_district_only = True
            planned = plan_line(plan, row, line, funding)
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
                    key = column_for(source.reader.table, field_name)
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
        name, parent = read_names(reader)
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
        check_execution_date(reader, written, as_of, year)
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
            amount=half_up(written.amount),
            amount_given=written.amount is not None,
            exec_parts=tabular.to_thousands(written.exec_parts)
            if written.has_execution and written.exec_parts
            else None,
            executed=half_up(written.executed) if written.has_execution else None,
            expected=written.expected,
        )
