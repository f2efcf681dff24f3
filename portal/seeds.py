"""Loading a report described in a seed file (fixtures/seeds/*.yaml) into the database.

Seed files hold what a department officer would enter: 개조식 text as it is pasted, money in
천원 split by funding source, headcounts by job series × grade. Everything goes through the
same parser and the same model validation (`full_clean`) as the admin forms, all in one
transaction: a seed with an error loads nothing and says where the error is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from budget.models import FUNDING_FIELDS, BudgetLine, Execution
from core import gaejosik
from org.models import Bureau, Department, Grade, JobSeries, StaffingCell, StaffingSnapshot, Team
from projects.models import Block, Card
from reports.models import DepartmentReport, ReportSection, Session

SEED_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


class SeedError(Exception):
    """A seed that cannot be loaded; the message says where, in Korean."""


# libyaml's safe loader when PyYAML has it (six times faster: the tests load a seed hundreds of
# times), else the pure-Python one; both build the same data.
SEED_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def seed_files() -> list[Path]:
    return sorted(SEED_DIR.glob("*.yaml"))


def seed_load_file(path: Path, *, replace: bool = False) -> tuple[DepartmentReport, bool]:
    """Load one seed file; returns the report and whether it was (re)created."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=SEED_LOADER)  # noqa: S506  (a safe loader)
    try:
        return seed_load(data=data, replace=replace)
    except SeedError as error:
        raise SeedError(f"{path.name}: {error}") from error


@transaction.atomic
def seed_load(*, data: dict[str, Any], replace: bool = False) -> tuple[DepartmentReport, bool]:
    session = _session(data["session"])
    department = _department(data)
    existing = DepartmentReport.objects.filter(session=session, department=department).first()
    if existing and not replace:
        return existing, False
    if existing and existing.versions.exists():
        raise SeedError(
            f"{existing}: 공개판이 있는 보고서는 다시 불러올 수 없습니다(공개판은 지울 수 없습니다)."
        )
    if existing:
        _clear(existing)

    year = session.year
    teams = _teams(department, data.get("teams") or [])
    _staffing(department, data.get("staffing"))
    lines = _budget(department, data.get("budget") or {"fiscal_year": year, "lines": []})
    report = _save(
        DepartmentReport(
            session=session,
            department=department,
            facilities=_parse(data.get("facilities"), "facilities"),
        ),
    )
    for order, section_data in enumerate(data.get("sections") or [], start=1):
        section = _save(
            ReportSection(
                report=report, kind=section_data["kind"], title=section_data["title"], order=order
            )
        )
        for card_order, card_data in enumerate(section_data.get("cards") or [], start=1):
            _card(section, card_order, card_data, teams, lines)
    return report, True


def _clear(report: DepartmentReport) -> None:
    """Remove a seeded report and the seeded figures of its department and year."""
    department, session = report.department, report.session
    report.delete()
    BudgetLine.objects.filter(department=department, fiscal_year=session.year).delete()


def _save(instance):
    try:
        instance.full_clean()
    except ValidationError as error:
        raise SeedError(
            f"{instance._meta.verbose_name} ‘{instance}’: {_messages(error)}"
        ) from error
    instance.save()
    return instance


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _parse(text: str | None, where: str) -> list[dict]:
    try:
        return gaejosik.parse(text or "")
    except gaejosik.GaejosikError as error:
        raise SeedError(f"{where}: {error}") from error


def _session(data: dict) -> Session:
    session = Session.objects.filter(number=data["number"]).first()
    if session:
        return session
    return _save(
        Session(
            number=data["number"],
            name=data["name"],
            kind=data.get("kind", Session.Kind.REGULAR),
            start_date=data["start"],
            end_date=data["end"],
            year=data["year"],
            figure_date=data["figure_date"],
        )
    )


def _department(data: dict) -> Department:
    bureau_data = data.get("bureau")
    bureau = None
    names = [data["department"]]
    if bureau_data:
        bureau, _created = Bureau.objects.get_or_create(
            name=bureau_data["name"], defaults={"order": Bureau.objects.count() + 1}
        )
        names = bureau_data.get("departments") or names
    department = None
    for order, name in enumerate(names, start=1):
        found, _created = Department.objects.get_or_create(
            name=name, defaults={"bureau": bureau, "order": order}
        )
        if name == data["department"]:
            department = found
    if department is None:
        raise SeedError(f"부서 ‘{data['department']}’가 국·단의 부서 목록에 없습니다.")
    return department


def _teams(department: Department, teams: list[dict]) -> dict[str, Team]:
    result = {}
    for order, team_data in enumerate(teams, start=1):
        team = Team.objects.filter(department=department, name=team_data["name"]).first()
        if team is None:
            team = _save(
                Team(
                    department=department,
                    name=team_data["name"],
                    duties=team_data.get("duties") or "",
                    order=order,
                )
            )
        result[team.name] = team
    return result


SERIES = {str(choice.label): choice.value for choice in JobSeries}
GRADES = {str(choice.label): choice.value for choice in Grade}


def _staffing(department: Department, data: dict | None) -> None:
    if not data:
        return
    snapshot, _created = StaffingSnapshot.objects.get_or_create(
        department=department, as_of=data["as_of"]
    )
    snapshot.cells.all().delete()
    for series, grade, authorized, current in data["cells"]:
        if series not in SERIES or grade not in GRADES:
            raise SeedError(f"인력: ‘{series} {grade}’는 알 수 없는 직렬·직급입니다.")
        _save(
            StaffingCell(
                snapshot=snapshot,
                series=SERIES[series],
                grade=GRADES[grade],
                authorized=authorized,
                current=current,
            )
        )


def _budget(department: Department, data: dict) -> dict[str, BudgetLine]:
    lines: dict[str, BudgetLine] = {}

    def add(line_data: dict, order: int, parent: BudgetLine | None) -> None:
        funding = line_data.get("funding") or {}
        line = _save(
            BudgetLine(
                department=department,
                fiscal_year=data["fiscal_year"],
                parent=parent,
                name=line_data["name"],
                order=order,
                **{name: funding.get(name, 0) for name in FUNDING_FIELDS},
            )
        )
        lines[line.name] = line
        execution = line_data.get("execution")
        if execution:
            parts = execution.get("parts") or {}
            _save(
                Execution(
                    line=line,
                    as_of=execution["as_of"],
                    expected=execution.get("expected"),
                    **{name: parts.get(name, 0) for name in FUNDING_FIELDS},
                )
            )
        for child_order, child in enumerate(line_data.get("children") or [], start=1):
            add(child, child_order, line)

    for order, line_data in enumerate(data.get("lines") or [], start=1):
        add(line_data, order, None)
    return lines


def _card(
    section: ReportSection,
    order: int,
    data: dict,
    teams: dict[str, Team],
    lines: dict[str, BudgetLine],
) -> Card:
    where = f"{section.title} {data.get('number')}번 카드"
    team = None
    if data.get("team"):
        team = teams.get(data["team"])
        if team is None:
            raise SeedError(f"{where}: 팀 ‘{data['team']}’이 teams에 없습니다.")
    card = Card(
        section=section,
        number=data["number"],
        title=data["title"],
        team=team,
        purpose=(data.get("purpose") or "").strip(),
        order=order,
    )
    budget = data.get("budget")
    if budget:
        card.budget_kind = budget["kind"]
        card.budget_heading = budget.get("heading") or "예산현황"
        if budget["kind"] == Card.BudgetKind.EXECUTION:
            card.budget_line = lines.get(budget["line"])
            if card.budget_line is None:
                raise SeedError(f"{where}: 예산 사업 ‘{budget['line']}’이 budget.lines에 없습니다.")
        for name, value in (budget.get("funding") or {}).items():
            setattr(card, f"required_{name}", value)
    _save(card)
    for block_order, block in enumerate(data.get("blocks") or [], start=1):
        nodes = _parse(block.get("body"), f"{where} □ {block['heading']}")
        _save(Block(card=card, heading=block["heading"], content=nodes, order=block_order))
    return card
