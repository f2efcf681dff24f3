"""Synthetic reports shaped like the seeds, for query-count tests and `manage.py bench`."""

from __future__ import annotations

import datetime

from django.db import transaction

from budget.models import BudgetLine, Execution
from core import gaejosik
from org.models import Bureau, Department, StaffingCell, StaffingSnapshot, Team
from projects.models import Block, Card
from reports.models import DepartmentReport, ReportSection, Session

BODY = """○ 사업기간: '20. 1. ~ 12.
○ 사업지역: 여의도 일대
○ 주요 사업내용
 - 금융개발진흥지구 육성을 위한 종합적인 진흥계획 수립
 - 국제금융컨퍼런스 개최 및 홍보영상 제작
  · 세부 일정: '20. 7월 ~ 10월
 - 서울시 타운매니지먼트 공모사업 선정
○ 운영현황
구분\t협치분과회의\t분과실무협의회\t민관공론장
횟수\t28\t7\t7
참여자(누적)\t393명\t74명\t140명
※ 참여자는 누적 인원임"""

ACHIEVEMENTS = "\n".join(
    f"○ {month}월 추진실적: 관계기관 협의 및 현장 점검 {month}회 실시" for month in range(1, 13)
)

HEADINGS = ["사업개요", "주요 추진실적", "향후계획", "추진일정"]


def _session(number: int) -> Session:
    session = Session.objects.filter(number=number).first()
    if session:
        return session
    return Session.objects.create(
        number=number,
        name="제2차 정례회",
        kind=Session.Kind.REGULAR,
        start_date=datetime.date(2020, 11, 20),
        end_date=datetime.date(2020, 12, 23),
        year=2020,
        figure_date=datetime.date(2020, 10, 31),
    )


@transaction.atomic
def build_report(
    *,
    cards: int,
    session_number: int = 900,
    department_name: str = "시험과",
    bureau_name: str = "시험국",
) -> DepartmentReport:
    """A department report with teams, staffing, 5 budget lines and `cards` full cards."""
    session = _session(session_number)
    bureau, _created = Bureau.objects.get_or_create(name=bureau_name)
    department = Department.objects.create(name=department_name, bureau=bureau)
    teams = [
        Team.objects.create(
            department=department, name=f"{name}팀", duties="업무 계획 수립\n성과 관리", order=i
        )
        for i, name in enumerate(["기획", "협력", "지원", "관리"])
    ]
    snapshot = StaffingSnapshot.objects.create(department=department, as_of=session.figure_date)
    StaffingCell.objects.bulk_create(
        StaffingCell(
            snapshot=snapshot, series="general", grade=grade, authorized=2, current=1 + i % 3
        )
        for i, grade in enumerate("456789")
    )
    lines = []
    for i in range(5):
        line = BudgetLine.objects.create(
            department=department,
            fiscal_year=session.year,
            name=f"단위사업 {i + 1}",
            order=i,
            city=20_000,
            district=95_900,
        )
        Execution.objects.create(
            line=line, as_of=session.figure_date, city=20_000, district=62_810, expected=110_000
        )
        lines.append(line)

    report = DepartmentReport.objects.create(
        session=session, department=department, status=DepartmentReport.Status.DRAFT
    )
    sections = [
        ReportSection.objects.create(report=report, kind=kind, title=title, order=i)
        for i, (kind, title) in enumerate(
            [
                ("results", "주요업무 추진실적"),
                ("plans", "2021년 주요업무 추진계획"),
                ("key", "신규·중점 추진사업"),
            ]
        )
    ]
    body, achievements = gaejosik.parse(BODY), gaejosik.parse(ACHIEVEMENTS)
    blocks = []
    for index in range(cards):
        section = sections[index % len(sections)]
        card = Card.objects.create(
            section=section,
            number=index // len(sections) + 1,
            title=f"시험 사업 {index + 1}",
            team=teams[index % len(teams)],
            purpose="국내외 도시와의 다양한 분야 협력 체계 구축을 통해 상호 호혜적 관계를 발전시키고자 함",
            order=index,
            budget_kind=Card.BudgetKind.EXECUTION,
            budget_line=lines[index % len(lines)],
        )
        blocks += [
            Block(card=card, heading=heading, content=achievements if i == 1 else body, order=i)
            for i, heading in enumerate(HEADINGS)
        ]
    Block.objects.bulk_create(blocks)
    return report
