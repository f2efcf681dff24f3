"""Opening a session, and carry forward (product rule 3).

The clerk opens a council session with its participating departments; each department's report
is created pre-filled from that department's previous report, so staff update instead of
retyping: facilities, sections, project cards (each linked to the card it continues) and their
□ blocks, and, for a new fiscal year, the budget lines. Teams and staffing are department history
(teams persist until abolished, the report shows the latest staffing snapshot on or before the
기준일), so they carry by themselves.

Everything is validated with `full_clean`, as in the admin forms, and written in one transaction:
an error anywhere creates nothing.
"""

from __future__ import annotations

import copy
import datetime
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils.translation import gettext as _

from budget.models import FUNDING_FIELDS, BudgetLine
from org.models import Department, Team
from projects.models import Block, Card
from reports.models import DepartmentReport, ReportSection, Session

# Headings of the blocks whose items become the next report's checklist, by preference.
CHECKLIST_HEADINGS: tuple[tuple[str, ...], ...] = (("향후계획",), ("추진계획", "추진일정"))

# A year written in a title: `2021년`, `2021 년`, `2021년도`, or the short `'21년`.
_TITLE_YEAR = re.compile(r"(?<![\d'])((?:19|20)\d{2})(?=\s*년)")
_TITLE_SHORT_YEAR = re.compile(r"'(\d{2})(?=\s*년)")


# Opening a session ------------------------------------------------------------------------------


def open_session(
    *,
    number: int,
    name: str,
    kind: str,
    start_date: datetime.date,
    end_date: datetime.date,
    year: int,
    figure_date: datetime.date,
    deadline: datetime.date | None,
    departments: Iterable[Department],
    user=None,
) -> Session:
    """Create a session and one report per participating department, carried forward.

    Raises ValidationError (Korean messages, by field where there is one) and then creates
    nothing.
    """
    with transaction.atomic():
        session = Session(
            number=number,
            name=name,
            kind=kind,
            start_date=start_date,
            end_date=end_date,
            year=year,
            figure_date=figure_date,
            deadline=deadline,
        )
        session.full_clean()  # Session.clean also checks the deadline
        _attribute(session, user)
        session.save()
        for department in booklet_order(departments):
            try:
                create_report(session, department, user=user)
            except ValidationError as error:
                raise ValidationError(
                    _("%(department)s 보고서를 만들 수 없습니다: %(reason)s")
                    % {"department": department.name, "reason": " ".join(error.messages)}
                ) from error
        return session


def booklet_order(departments: Iterable[Department]) -> list[Department]:
    """Departments as the session booklet orders them: by bureau (직속 first), then department."""
    ids = {department.pk for department in departments}
    return list(
        Department.objects.filter(pk__in=ids)
        .select_related("bureau")
        .order_by(F("bureau__order").asc(nulls_first=True), "bureau__name", "order", "name")
    )


def carried_count(session: Session) -> int:
    """How many of the session's departments had an earlier report to carry forward from."""
    return (
        DepartmentReport.objects.filter(
            department__reports__session=session, session__start_date__lt=session.start_date
        )
        .values("department")
        .distinct()
        .count()
    )


# One department's report ------------------------------------------------------------------------


def previous_report(session: Session, department: Department) -> DepartmentReport | None:
    """The department's report of the latest session that starts before `session`."""
    return (
        DepartmentReport.objects.filter(
            department=department, session__start_date__lt=session.start_date
        )
        .select_related("session")
        .order_by("-session__start_date", "-session__number")
        .first()
    )


def create_report(session: Session, department: Department, *, user=None) -> DepartmentReport:
    """The department's report for `session`, pre-filled from its previous report if any."""
    with transaction.atomic():
        previous = previous_report(session, department)
        report = DepartmentReport(session=session, department=department)
        if previous is not None:
            report.facilities = copy.deepcopy(previous.facilities)
        _save(report, user)
        if previous is None:
            _standard_sections(report, user)
        else:
            _carry_sections(previous, report, user)
        return report


def _standard_sections(report: DepartmentReport, user) -> None:
    year = report.session.year
    kind = ReportSection.Kind
    for order, (section_kind, title) in enumerate(
        [
            (kind.RESULTS, f"{year}년 주요업무 추진실적"),
            (kind.PLANS, f"{year + 1}년 주요업무 추진계획"),
            (kind.KEY, "신규·중점 추진사업"),
        ],
        start=1,
    ):
        _save(ReportSection(report=report, kind=section_kind, title=title, order=order), user)


def _carry_sections(previous: DepartmentReport, report: DepartmentReport, user) -> None:
    session = report.session
    shift = session.year - previous.session.year
    lines = _budget_lines(report.department, previous.session.year, session.year, user)
    teams = set(
        Team.objects.active_on(session.figure_date)
        .filter(department=report.department)
        .values_list("pk", flat=True)
    )
    sections = ReportSection.objects.filter(report=previous).prefetch_related(
        Prefetch(
            "cards",
            queryset=Card.objects.select_related("budget_line").prefetch_related(
                Prefetch("blocks", queryset=Block.objects.order_by("order", "pk"))
            ),
        )
    )
    for old_section in sections:
        section = _save(
            ReportSection(
                report=report,
                kind=old_section.kind,
                title=bump_years(old_section.title, shift),
                order=old_section.order,
            ),
            user,
        )
        for old_card in old_section.cards.all():
            card = _carry_card(old_card, section, teams, lines, user)
            for old_block in old_card.blocks.all():
                _carry_block(old_block, card, user)


def _carry_card(
    old: Card, section: ReportSection, teams: set[int], lines: dict[str, BudgetLine], user
) -> Card:
    card = Card(
        section=section,
        number=old.number,
        title=old.title,
        team_id=old.team_id if old.team_id in teams else None,
        purpose=old.purpose,
        order=old.order,
        predecessor=old,
        budget_kind=old.budget_kind,
        budget_heading=old.budget_heading,
        **{f"required_{name}": getattr(old, f"required_{name}") for name in FUNDING_FIELDS},
    )
    if old.budget_kind == Card.BudgetKind.EXECUTION:
        card.budget_line = lines.get(old.budget_line.name) if old.budget_line_id else None
        if card.budget_line is None:
            # No line of that name in the new fiscal year: staff choose one again.
            card.budget_kind = Card.BudgetKind.NONE
    return _save(card, user)


def _carry_block(old: Block, card: Card, user) -> Block | None:
    """Copy a block; a dated one only while the new session still accepts its date."""
    block = Block(
        card=card,
        heading=old.heading,
        content=copy.deepcopy(old.content),
        order=old.order,
        as_of=old.as_of,
    )
    try:
        block.full_clean()
    except ValidationError as error:
        if block.as_of is not None and "as_of" in getattr(error, "error_dict", {}):
            return None  # an achievement of a quarter the new report no longer covers
        raise
    _attribute(block, user)
    block.save()
    return block


def _budget_lines(
    department: Department, old_year: int, new_year: int, user
) -> dict[str, BudgetLine]:
    """The department's lines of `new_year` by name, copied from `old_year` if it has none."""
    existing = {line.name: line for line in BudgetLine.objects.for_year(department, new_year)}
    if existing or old_year == new_year:
        return existing
    copies: dict[int, BudgetLine] = {}
    old_lines = BudgetLine.objects.for_year(department, old_year).order_by(
        F("parent_id").asc(nulls_first=True), "order", "pk"
    )
    for old in old_lines:
        if old.parent_id is not None and old.parent_id not in copies:
            continue  # a 세부사업 whose 단위사업 is of another year: cannot happen when valid
        copies[old.pk] = _save(
            BudgetLine(
                department=department,
                fiscal_year=new_year,
                parent=copies.get(old.parent_id),
                name=old.name,
                order=old.order,
                **{name: getattr(old, name) for name in FUNDING_FIELDS},
            ),
            user,
        )
    return {line.name: line for line in copies.values()}


def bump_years(title: str, shift: int) -> str:
    """`2021년 주요업무 추진계획` → `2022년 주요업무 추진계획` when the report year moved by 1."""
    if not shift:
        return title
    title = _TITLE_YEAR.sub(lambda match: str(int(match.group(1)) + shift), title)
    return _TITLE_SHORT_YEAR.sub(lambda match: f"'{(int(match.group(1)) + shift) % 100:02d}", title)


def _attribute(instance, user) -> None:
    """Record `user` as the author of the history entry the save will write."""
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user


def _save(instance, user):
    instance.full_clean()
    _attribute(instance, user)
    instance.save()
    return instance


# The checklist beside 주요 추진실적 ---------------------------------------------------------------


def checklist(card: Card) -> list[str]:
    """Last time's 향후계획 of the card, as plain lines to check this time's 추진실적 against.

    The top-level items of the predecessor's 향후계획 block(s), markers stripped; when it has
    none, those of its 추진계획 / 추진일정 blocks. Blocks dated after the predecessor's 기준일
    were not in that report and are left out.
    """
    previous = card.predecessor
    if previous is None:
        return []
    figure_date = previous.section.report.session.figure_date
    blocks = [
        block
        for block in previous.blocks.order_by("order", "pk")
        if block.as_of is None or block.as_of <= figure_date
    ]
    for words in CHECKLIST_HEADINGS:
        chosen = [block for block in blocks if any(w in _compact(block.heading) for w in words)]
        if chosen:
            break
    else:
        return []
    lines: list[str] = []
    for block in chosen:
        for node in block.content:
            if node.get("type") != "item":
                continue
            text = " ".join(node["text"].replace("**", "").split())
            if text and text not in lines:
                lines.append(text)
    return lines


def _compact(heading: str) -> str:
    return "".join(heading.split())
