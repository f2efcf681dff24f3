"""Staffing (정원/현원 by 직렬 × 직급) and teams in and out of spreadsheets.

Staffing rows are one cell each — 기준일, 직렬, 직급, 정원, 현원 — the long shape HR
spreadsheets export; all rows of one 기준일 are that date's whole table and replace its
snapshot (`org.services.staffing_save`, as the report editor does). Team rows are matched by
name within the department; the file adds and changes teams, never removes one.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields
from import_export.results import RowResult

from core import formats
from core.tabular import Column, Table
from org.imports import (
    DEPARTMENT_COLUMN,
    ImportPlan,
    NativeWidget,
    PlannedResource,
    PlannedRow,
    RowReader,
)
from org.models import (
    MAX_HEADCOUNT,
    Grade,
    JobSeries,
    StaffingCell,
    StaffingSnapshot,
    Team,
)
from org.services import staffing_save

STAFFING_COLUMNS = (
    DEPARTMENT_COLUMN,
    Column("as_of", "기준일", ("기준일자", "현원기준일", "인력기준일")),
    Column("series", "직렬", ("직종", "직군", "구분")),
    Column("grade", "직급", ("계급", "급")),
    Column("authorized", "정원", ("정원수", "정원인원")),
    Column("current", "현원", ("현원수", "현원인원")),
    Column("difference", "과부족", ("증감", "과부족인원")),  # computed: read past
)

SERIES_NAMES = {
    JobSeries.GENERAL: ("일반직", "일반", "general"),
    JobSeries.ADMIN_OPS: ("관리운영직", "관리운영", "admin_ops"),
    JobSeries.SPECIAL_TERM: (
        "별정직·임기제",
        "별정직임기제",
        "별정직",
        "임기제",
        "별정",
        "special_term",
    ),
    JobSeries.RESEARCH: ("연구·지도직", "연구지도직", "연구직", "지도직", "research"),
}


def read_series(value: object) -> str:
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value or "")))
    for series, names in SERIES_NAMES.items():
        if text.lower() in {re.sub(r"\s", "", name) for name in names}:
            return series
    raise ValueError(
        _("알 수 없는 직렬입니다. %(names)s 중 하나로 적어 주세요.")
        % {"names": ", ".join(str(series.label) for series in JobSeries)}
    )


def read_grade(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    # "6급", "행정6급", "6급 상당"; not the 1 of "11급".
    found = re.fullmatch(r"([1-9])", text) or re.search(r"(?<!\d)([1-9])\s*급", text)
    if found is None:
        raise ValueError(_("직급은 ‘6급’이나 6처럼 1~9급으로 적어 주세요."))
    return found.group(1)


class StaffingResource(PlannedResource):
    """인력 현황: one row per 직렬 × 직급 cell of a snapshot."""

    columns = STAFFING_COLUMNS
    required = ("series", "grade")

    department = fields.Field(column_name="부서", attribute="snapshot__department__name")
    as_of = fields.Field(column_name="기준일", attribute="snapshot__as_of", widget=NativeWidget())
    series = fields.Field(column_name="직렬")
    grade = fields.Field(column_name="직급")
    authorized = fields.Field(column_name="정원", attribute="authorized", widget=NativeWidget())
    current = fields.Field(column_name="현원", attribute="current", widget=NativeWidget())
    difference = fields.Field(column_name="과부족", attribute="difference", widget=NativeWidget())

    class Meta(PlannedResource.Meta):
        model = StaffingCell
        name = gettext_lazy("인력 현황(정원·현원)")
        fields = ("department", "as_of", "series", "grade", "authorized", "current", "difference")
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        """The cells of the snapshots asked for (the admin lists snapshots)."""
        if queryset.model is StaffingSnapshot:
            queryset = StaffingCell.objects.filter(snapshot__in=queryset)
        return queryset.select_related("snapshot__department").order_by(
            "snapshot__department__order",
            "snapshot__department__name",
            "snapshot__as_of",
            "series",
            "grade",
        )

    def dehydrate_series(self, cell):
        return cell.get_series_display()

    def dehydrate_grade(self, cell):
        return cell.get_grade_display()

    def plan(self, table: Table) -> ImportPlan:
        plan = ImportPlan()
        if not (table.has("authorized") or table.has("current")):
            plan.problem(None, None, None, _("‘정원’이나 ‘현원’ 열이 있어야 합니다."))
            return plan
        by_day: dict[datetime.date, list[StaffingRow]] = {}
        for row in self._read_rows(table, plan):
            by_day.setdefault(row.as_of, []).append(row)
        if plan.problems:
            return plan
        stored = {
            snapshot.as_of: {
                (c.series, c.grade): (c.authorized, c.current) for c in snapshot.cells.all()
            }
            for snapshot in StaffingSnapshot.objects.filter(
                department=self.department, as_of__in=list(by_day)
            ).prefetch_related(Prefetch("cells"))
        }
        for as_of, rows in by_day.items():
            _plan_day(plan, as_of, rows, stored.get(as_of, {}))
        # A new date where nobody is counted is shown as unchanged: it makes no (empty) snapshot,
        # which would otherwise become the department's latest staffing.
        plan.payload = {
            as_of: tuple(rows)
            for as_of, rows in by_day.items()
            if as_of in stored or any(any(row.counts) for row in rows)
        }
        return plan

    def _read_rows(self, table: Table, plan: ImportPlan) -> list[StaffingRow]:
        """The file's cells, each 기준일 × 직렬 × 직급 once."""
        rows: list[StaffingRow] = []
        lines: dict[tuple[datetime.date, str, str], int] = {}
        for source in table.rows:
            reader = RowReader(table, plan, source)
            row = self._read_row(reader)
            if row is None:
                continue
            if row.key in lines:
                reader.fail(
                    "grade",
                    _("같은 기준일의 같은 직렬·직급이 %(line)s행에도 있습니다.")
                    % {"line": lines[row.key]},
                )
                continue
            lines[row.key] = row.line
            rows.append(row)
        return rows

    def _read_row(self, reader: RowReader) -> StaffingRow | None:
        self.check_department_cell(reader)
        as_of = reader.date("as_of") or self.defaults.get("as_of")
        series = self._choice(reader, "series", read_series)
        grade = self._choice(reader, "grade", read_grade)
        counts = (_headcount(reader, "authorized"), _headcount(reader, "current"))
        if as_of is None and not reader.failed:
            reader.fail(
                "as_of",
                _(
                    "기준일이 없습니다. ‘기준일’ 열을 넣거나 가져오기 화면에서 기준일을 적어 주세요."
                ),
            )
        if reader.failed:
            return None
        return StaffingRow(reader.line, as_of, series, grade, counts)

    @staticmethod
    def _choice(reader: RowReader, key: str, read) -> str | None:
        try:
            return read(reader.values.get(key))
        except ValueError as error:
            reader.fail(key, str(error))
            return None

    def apply(self, plan: ImportPlan) -> None:
        for as_of, rows in plan.payload.items():
            cells = {(row.series, row.grade): row.counts for row in rows}
            staffing_save(department=self.department, as_of=as_of, cells=cells)


@dataclass(frozen=True)
class StaffingRow:
    """One 직렬 × 직급 cell of a file: 정원 and 현원 as of a day."""

    line: int
    as_of: datetime.date
    series: str
    grade: str
    counts: tuple[int, int]  # (정원, 현원)

    @property
    def key(self) -> tuple[datetime.date, str, str]:
        return (self.as_of, self.series, self.grade)

    @property
    def label(self) -> str:
        return f"{_day(self.as_of)} {JobSeries(self.series).label} {Grade(self.grade).label}"


def _day(as_of: datetime.date) -> str:
    return formats.date(as_of)


def _headcount(reader: RowReader, key: str) -> int:
    value = reader.count(key) or 0
    if not 0 <= value <= MAX_HEADCOUNT:
        reader.fail(key, _("0부터 %(max)s까지의 정수여야 합니다.") % {"max": MAX_HEADCOUNT})
    return value


def _plan_day(plan: ImportPlan, as_of, rows: list[StaffingRow], before: dict) -> None:
    """What the file's cells of one day do to that day's snapshot (`before`: its cells)."""
    for row in rows:
        plan.rows.append(_planned_cell(row, before.get((row.series, row.grade))))
    given = {(row.series, row.grade) for row in rows}
    dropped = [key for key, counts in before.items() if key not in given and any(counts)]
    if not dropped:
        return
    plan.notices.append(
        _("%(day)s 인력 현황에서 파일에 없는 칸을 지웁니다: %(cells)s")
        % {
            "day": _day(as_of),
            "cells": ", ".join(
                f"{JobSeries(s).label} {Grade(g).label}" for s, g in sorted(dropped)
            ),
        }
    )
    plan.rows.append(
        PlannedRow(
            0,
            RowResult.IMPORT_TYPE_UPDATE,
            _day(as_of),
            [_("지움: %(n)s칸") % {"n": len(dropped)}],
        )
    )


def _planned_cell(row: StaffingRow, old: tuple[int, int] | None) -> PlannedRow:
    counts = row.counts
    if old is None:
        if not any(counts):
            return PlannedRow(row.line, RowResult.IMPORT_TYPE_SKIP, row.label, [])
        text = _("정원 %(a)s, 현원 %(c)s") % {"a": counts[0], "c": counts[1]}
        return PlannedRow(row.line, RowResult.IMPORT_TYPE_NEW, row.label, [text])
    if old == counts:
        return PlannedRow(row.line, RowResult.IMPORT_TYPE_SKIP, row.label)
    change = _("정원 %(a0)s → %(a1)s, 현원 %(c0)s → %(c1)s") % {
        "a0": old[0],
        "a1": counts[0],
        "c0": old[1],
        "c1": counts[1],
    }
    return PlannedRow(row.line, RowResult.IMPORT_TYPE_UPDATE, row.label, [change])


TEAM_COLUMNS = (
    DEPARTMENT_COLUMN,
    Column("name", "팀 이름", ("팀", "팀명", "팀이름", "담당", "team_nm")),
    Column("duties", "업무분장", ("담당업무", "분장사무", "주요업무", "업무", "사무분장")),
    Column("order", "순서", ("순번", "번호")),
    Column("established_on", "신설일", ("설치일", "신설일자")),
    Column("abolished_on", "폐지일", ("폐지일자",)),
)


TEAM_NAME_LENGTH = Team._meta.get_field("name").max_length
TEAM_FIELDS = ("duties", "order", "established_on", "abolished_on")


class TeamResource(PlannedResource):
    """팀과 업무분장: one row per team, duties one per line in the cell."""

    columns = TEAM_COLUMNS
    required = ("name",)

    department = fields.Field(column_name="부서", attribute="department__name")
    name = fields.Field(column_name="팀 이름", attribute="name")
    duties = fields.Field(column_name="업무분장", attribute="duties")
    order = fields.Field(column_name="순서", attribute="order", widget=NativeWidget())
    established_on = fields.Field(
        column_name="신설일", attribute="established_on", widget=NativeWidget()
    )
    abolished_on = fields.Field(
        column_name="폐지일", attribute="abolished_on", widget=NativeWidget()
    )

    class Meta(PlannedResource.Meta):
        model = Team
        name = gettext_lazy("팀과 업무분장")
        fields = ("department", "name", "duties", "order", "established_on", "abolished_on")
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("department").order_by(
            "department__order", "department__name", "order", "name"
        )

    def plan(self, table: Table) -> ImportPlan:
        plan = ImportPlan()
        existing = {team.name: team for team in Team.objects.filter(department=self.department)}
        seen: dict[str, int] = {}
        teams = []
        for source in table.rows:
            reader = RowReader(table, plan, source)
            row = self._read_row(reader)
            if row is None:
                continue
            if row.name in seen:
                reader.fail(
                    "name", _("같은 팀이 %(line)s행에도 있습니다.") % {"line": seen[row.name]}
                )
                continue
            seen[row.name] = row.line
            team = existing.get(row.name) or Team(department=self.department, name=row.name)
            before = _team_fields(team)
            after = {**before, **row.given}
            if not _valid_team(reader, team, after):
                continue
            planned = _planned_team(row, team, before, after)
            plan.rows.append(planned)
            if planned.kind != RowResult.IMPORT_TYPE_SKIP:
                teams.append(team)
        plan.payload = teams
        return plan

    def _read_row(self, reader: RowReader) -> TeamRow | None:
        self.check_department_cell(reader)
        name = reader.text("name", max_length=TEAM_NAME_LENGTH, required=True)
        read = {
            "duties": reader.text("duties", max_length=2000),
            "order": reader.count("order"),
            "established_on": reader.date("established_on"),
            "abolished_on": reader.date("abolished_on"),
        }
        if reader.failed:
            return None
        read["duties"] = "\n".join(
            part.strip() for part in (read["duties"] or "").splitlines() if part.strip()
        )
        read["order"] = read["order"] or 0
        given = {key: value for key, value in read.items() if reader.has(key)}
        return TeamRow(reader.line, name, given)

    def apply(self, plan: ImportPlan) -> None:
        for team in plan.payload:
            team.save()


@dataclass(frozen=True)
class TeamRow:
    """One team of a file: its name and the fields the file has columns for (the others keep
    what the team holds)."""

    line: int
    name: str
    given: Mapping[str, object]


def _team_fields(team: Team) -> dict[str, object]:
    return {key: getattr(team, key) for key in TEAM_FIELDS}


def _valid_team(reader: RowReader, team: Team, after: dict[str, object]) -> bool:
    """Sets `after` on the (unsaved) team and checks it as the model does."""
    established, abolished = after["established_on"], after["abolished_on"]
    if established and abolished and established >= abolished:
        reader.fail("abolished_on", _("폐지일은 신설일보다 뒤여야 합니다."))
        return False
    for key, value in after.items():
        setattr(team, key, value)
    try:
        team.full_clean(validate_unique=False)
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            key = field_name if reader.has(field_name) else None
            for message in messages:
                reader.fail(key, message)
        return False
    return True


def _planned_team(row: TeamRow, team: Team, before: dict, after: dict) -> PlannedRow:
    if team.pk is None:
        return PlannedRow(row.line, RowResult.IMPORT_TYPE_NEW, row.name, [_("새 팀")])
    changed = [
        str(Team._meta.get_field(key).verbose_name) for key in after if after[key] != before[key]
    ]
    if not changed:
        return PlannedRow(row.line, RowResult.IMPORT_TYPE_SKIP, row.name, [])
    changes = [_("바뀜: %(fields)s") % {"fields": ", ".join(changed)}]
    return PlannedRow(row.line, RowResult.IMPORT_TYPE_UPDATE, row.name, changes)
