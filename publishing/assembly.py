"""Assembly: a department report as of its session's 기준일 → a `ReportDocument`.

Every query happens here, a fixed number of them whatever the size of the report; the web
pages and the PDF only read the document.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Subquery, prefetch_related_objects

from budget.models import FUNDING_LABELS, BudgetLine, Execution, FundingParts, execution_rate
from core import cutoff, formats
from org.models import (
    STANDARD_COLUMNS,
    Department,
    Grade,
    JobSeries,
    StaffingCell,
    StaffingSnapshot,
    Team,
)
from projects.models import Block, Card
from publishing import document as doc
from reports.models import DepartmentReport, ReportSection, ReportVersion, Session

GENERAL_STATUS_TITLE = "일반현황"


def assemble_report(report: DepartmentReport | int) -> doc.ReportDocument:
    """Build the document of one department report, with all figures as of the 기준일."""
    report_id = report.pk if isinstance(report, DepartmentReport) else report
    return assemble_reports([report_id])[0]


def assemble_reports(report_ids: Iterable[int]) -> list[doc.ReportDocument]:
    """The documents of several reports, in the order given, with the queries of one report:
    a session booklet's plan reads every department with one query per table, not one set
    of queries per department."""
    report_ids = list(report_ids)
    reports = DepartmentReport.objects.select_related("session", "department__bureau").in_bulk(
        report_ids
    )
    documents: dict[int, doc.ReportDocument] = {}
    by_session: dict[int, list[DepartmentReport]] = {}
    for report_id in report_ids:
        report = reports.get(report_id)
        if report is None:
            raise DepartmentReport.DoesNotExist(f"보고서 {report_id}이(가) 없습니다.")
        by_session.setdefault(report.session_id, []).append(report)
    for same_session in by_session.values():
        documents.update(_assemble_session_reports(same_session))
    return [documents[report_id] for report_id in report_ids]


def _with_executions(lines, day):
    return lines.prefetch_related(
        Prefetch("executions", queryset=Execution.objects.as_of(day).order_by("-as_of"))
    )


def _assemble_session_reports(reports: list[DepartmentReport]) -> dict[int, doc.ReportDocument]:
    session = reports[0].session
    day = session.figure_date
    departments = {report.department_id for report in reports}
    teams = _teams_by_department(departments, day)
    snapshots = _snapshots_by_department(departments, day)
    sections: dict[int, list[ReportSection]] = {}
    for section in ReportSection.objects.filter(report__in=reports).prefetch_related(
        Prefetch(
            "cards",
            queryset=Card.objects.select_related("team").prefetch_related(
                Prefetch("blocks", queryset=Block.objects.order_by("order", "pk"))
            ),
        )
    ):
        sections.setdefault(section.report_id, []).append(section)
    lines = _lines_by_report(reports, sections, session)
    return {
        report.pk: _document(
            report,
            teams.get(report.department_id, []),
            snapshots.get(report.department_id),
            lines[report.pk],
            sections.get(report.pk, []),
        )
        for report in reports
    }


def _teams_by_department(departments: set[int], day) -> dict[int, list[Team]]:
    teams: dict[int, list[Team]] = {}
    for team in (
        Team.objects.active_on(day).filter(department__in=departments).order_by("order", "name")
    ):
        teams.setdefault(team.department_id, []).append(team)
    return teams


def _snapshots_by_department(departments: set[int], day) -> dict[int, StaffingSnapshot]:
    snapshots: dict[int, StaffingSnapshot] = {}
    for snapshot in StaffingSnapshot.objects.as_of(day).filter(department__in=departments):
        snapshots.setdefault(snapshot.department_id, snapshot)  # the latest on or before `day`
    prefetch_related_objects(list(snapshots.values()), "cells")
    return snapshots


def _lines_by_report(reports, sections: dict[int, list[ReportSection]], session: Session):
    """Each report's budget lines: its department's lines of the session's year, then any
    other line one of its cards cites (a carried-forward project may cite last year's), all
    with their executions as of the 기준일."""
    day = session.figure_date
    departments = {report.department_id for report in reports}
    year_lines = list(
        _with_executions(
            BudgetLine.objects.filter(department__in=departments, fiscal_year=session.year), day
        )
    )
    cited = {
        report.pk: {
            card.budget_line_id
            for section in sections.get(report.pk, [])
            for card in section.cards.all()
        }
        - {None}
        for report in reports
    }
    known = {line.pk: line for line in year_lines}
    others = set().union(*cited.values()) - set(known)
    if others:
        known.update(
            (line.pk, line)
            for line in _with_executions(BudgetLine.objects.filter(pk__in=others), day)
        )
    lines_of: dict[int, list[BudgetLine]] = {}
    for line in year_lines:
        lines_of.setdefault(line.department_id, []).append(line)
    by_report = {}
    for report in reports:
        lines = lines_of.get(report.department_id, [])
        missing = cited[report.pk] - {line.pk for line in lines}
        extra = sorted(
            (known[pk] for pk in missing if pk in known),
            key=lambda line: (line.department_id, line.fiscal_year, line.order, line.pk),
        )
        by_report[report.pk] = [*lines, *extra]
    return by_report


def _document(report, teams, snapshot, lines, sections) -> doc.ReportDocument:
    session, department = report.session, report.department
    day = session.figure_date
    anchor = f"d{department.pk}"
    executions = {line.pk: cutoff.latest(line.executions.all()) for line in lines}
    card_sections = [
        _section(
            section,
            index,
            anchor,
            lines_by_id={line.pk: line for line in lines},
            executions=executions,
            day=day,
        )
        for index, section in enumerate(sections, start=2)
    ]
    contents = [doc.ContentsEntry(doc.roman(1), GENERAL_STATUS_TITLE, f"{anchor}-general")]
    contents += [doc.ContentsEntry(s.numeral, s.title, s.anchor) for s in card_sections]
    return doc.ReportDocument(
        anchor=anchor,
        session=session_info(session),
        department=department.name,
        bureau=department.bureau.name if department.bureau else "",
        teams=[doc.Team(team.name, team.duty_list()) for team in teams],
        staffing=_staffing(snapshot),
        facilities=report.facilities,
        budget=_budget_table(lines, executions, day),
        sections=card_sections,
        contents=contents,
    )


def session_info(session: Session) -> doc.SessionInfo:
    return doc.SessionInfo(
        number=session.number,
        title=session.title,
        period=session.period,
        year=session.year,
        figure_date=formats.date(session.figure_date),
    )


def _funding(parts: FundingParts | dict[str, int]) -> doc.Funding:
    values = parts.parts() if isinstance(parts, FundingParts) else parts
    return doc.Funding(
        total=sum(values.values()),
        parts=[(FUNDING_LABELS[name], value) for name, value in values.items() if value],
    )


def _rate(executed: int, amount: int) -> str | None:
    rate = execution_rate(executed, amount)
    return None if rate is None else str(rate)


# Staffing -----------------------------------------------------------------------------------


def _staffing(snapshot: StaffingSnapshot | None) -> doc.StaffingTable:
    cells: dict[tuple[str, str], StaffingCell] = {}
    if snapshot is not None:
        cells = {(cell.series, cell.grade): cell for cell in snapshot.cells.all()}
    extra = sorted(
        key
        for key, cell in cells.items()
        if key not in STANDARD_COLUMNS and (cell.authorized or cell.current)
    )
    columns = _column_order([*STANDARD_COLUMNS, *extra])

    groups: list[doc.StaffingGroup] = []
    for series, _grade in columns:
        label = str(JobSeries(series).label)
        if groups and groups[-1].label == label:
            groups[-1].span += 1
        else:
            groups.append(doc.StaffingGroup(label, 1))

    def row(label: str, value) -> doc.StaffingRow:
        values = [value(cells[key]) if key in cells else None for key in columns]
        return doc.StaffingRow(label, sum(v or 0 for v in values), values)

    return doc.StaffingTable(
        as_of=formats.date(snapshot.as_of) if snapshot else None,
        groups=groups,
        grades=[str(Grade(grade).label) for _series, grade in columns],
        rows=[
            row("정원", lambda c: c.authorized),
            row("현원", lambda c: c.current),
            row("과부족", lambda c: c.difference),
        ],
    )


def _column_order(columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    series_order = {value: index for index, value in enumerate(JobSeries.values)}
    return sorted(dict.fromkeys(columns), key=lambda key: (series_order[key[0]], key[1]))


# Budget -------------------------------------------------------------------------------------


def _budget_table(lines: list[BudgetLine], executions: dict, day) -> doc.BudgetTable:
    """예산 현황: the 단위사업 as of `day`; a line whose latest figure is older says its date."""
    rows = []
    for line in lines:
        if line.parent_id is not None:
            continue
        execution = executions.get(line.pk)
        executed = execution.executed if execution else None
        rows.append(
            doc.BudgetRow(
                name=line.name,
                amount=line.amount,
                executed=executed,
                expected=execution.expected if execution else None,
                rate=None if executed is None else _rate(executed, line.amount),
                as_of=formats.short_date(execution.as_of)
                if execution and execution.as_of != day
                else None,
            )
        )
    show_expected = any(row.expected is not None for row in rows)
    amount = sum(row.amount for row in rows)
    entered = [row.executed for row in rows if row.executed is not None]
    executed = sum(entered) if entered else None
    expected = sum(row.expected or 0 for row in rows) if show_expected else None
    rate = None if executed is None else _rate(executed, amount)
    total = doc.BudgetRow("계", amount, executed, expected, rate)
    return doc.BudgetTable(
        as_of=formats.short_date(day), show_expected=show_expected, total=total, rows=rows
    )


def _card_budget(card: Card, lines_by_id: dict, executions: dict) -> doc.CardBudget | None:
    kind = Card.BudgetKind
    heading = card.budget_heading or "예산현황"
    if card.budget_kind == kind.NON_BUDGET:
        return doc.CardBudget(kind=card.budget_kind, heading=heading)
    if card.budget_kind == kind.REQUIREMENT:
        return doc.CardBudget(
            kind=card.budget_kind, heading=heading, budget=_funding(card.required_parts())
        )
    if card.budget_kind == kind.EXECUTION and card.budget_line_id in lines_by_id:
        line = lines_by_id[card.budget_line_id]
        execution = executions.get(line.pk)
        executed = _funding(execution) if execution else None
        return doc.CardBudget(
            kind=card.budget_kind,
            heading=heading,
            budget=_funding(line),
            executed=executed,
            rate=_rate(executed.total, line.amount) if executed else None,
        )
    return None


# Sections and cards ---------------------------------------------------------------------------


def _blocks(blocks: Iterable[Block], day) -> list[doc.Block]:
    """The card's □ blocks as of `day`: quarterly entries under one heading become one block.

    A block dated after the 기준일 is left out; blocks sharing a heading are joined at the
    place of the first one, undated first, then by date.
    """
    shown = [block for block in blocks if cutoff.counts(block.as_of, day)]
    merged: dict[str, list[Block]] = {}
    for block in shown:
        merged.setdefault(block.heading, []).append(block)
    return [
        doc.Block(
            heading, [node for block in sorted(group, key=_entry_date) for node in block.content]
        )
        for heading, group in merged.items()
    ]


def _entry_date(block: Block) -> tuple[bool, object]:
    return (block.as_of is not None, block.as_of)


def _section(
    section: ReportSection, index: int, anchor: str, *, lines_by_id, executions, day
) -> doc.Section:
    section_anchor = f"{anchor}-s{index}"
    cards = [
        doc.Card(
            anchor=f"{section_anchor}-c{card.number}",
            number=card.number,
            marker=doc.circled(card.number),
            title=card.title,
            team=card.team.name if card.team else "",
            purpose=card.purpose,
            blocks=_blocks(card.blocks.all(), day),
            budget=_card_budget(card, lines_by_id, executions),
            card_id=card.pk,
        )
        for card in section.cards.all()
    ]
    return doc.Section(
        anchor=section_anchor,
        numeral=doc.roman(index),
        kind=section.kind,
        title=section.title,
        cards=cards,
    )


# Session ------------------------------------------------------------------------------------


@dataclass
class DepartmentEntry:
    department_id: int
    name: str
    report_id: int | None
    card_count: int
    published: bool = False


@dataclass
class BureauEntry:
    name: str
    departments: list[DepartmentEntry]


@dataclass
class SessionOutline:
    session: doc.SessionInfo
    bureaus: list[BureauEntry]

    @property
    def report_ids(self) -> list[int]:
        return [d.report_id for b in self.bureaus for d in b.departments if d.report_id is not None]


def assemble_session_outline(session: Session, reports=None, live=None) -> SessionOutline:
    """Bureaus in order with all their departments; those with a report in `reports` (by
    default every report of the session) link to it.

    A report is shown as published, with its latest version's card count, unless its id is in
    `live` (the drafts this reader previews; by default every report not published now).

    Departments under no bureau come first, under an empty bureau name.
    """
    reports = list(
        (DepartmentReport.objects.all() if reports is None else reports)
        .for_session(session)
        .select_related("department__bureau")
        .annotate(
            cards=Count("sections__cards"),
            published_cards=Subquery(
                ReportVersion.objects.filter(report=OuterRef("pk"))
                .order_by("-number")
                .values("card_count")[:1]
            ),
        )
        .in_booklet_order()
    )
    bureau_ids = {r.department.bureau_id for r in reports if r.department.bureau_id}
    by_department = {r.department_id: r for r in reports}
    siblings = Department.objects.filter(bureau_id__in=bureau_ids).select_related("bureau")
    departments = {r.department_id: r.department for r in reports}
    departments.update({d.pk: d for d in siblings})

    bureaus: dict[str, BureauEntry] = {}
    ordered = sorted(
        departments.values(),
        key=lambda d: (
            d.bureau is not None,
            d.bureau.order if d.bureau else 0,
            d.bureau.name if d.bureau else "",
            d.order,
            d.name,
        ),
    )
    for department in ordered:
        name = department.bureau.name if department.bureau else ""
        report = by_department.get(department.pk)
        read_live = report is not None and (
            report.pk in live if live is not None else not report.is_published
        )
        bureaus.setdefault(name, BureauEntry(name, [])).departments.append(
            DepartmentEntry(
                department.pk,
                department.name,
                report.pk if report else None,
                (report.cards if read_live else report.published_cards or 0) if report else 0,
                published=report is not None and not read_live,
            )
        )
    return SessionOutline(session=session_info(session), bureaus=list(bureaus.values()))
