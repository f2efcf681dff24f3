"""Opening a session carries each department's previous report forward (product rule 3)."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from budget.models import BudgetLine, Execution
from org.models import Department, StaffingSnapshot, Team
from org.roles import Role, make_staff
from projects.carry import bump_years, checklist, create_report, open_session
from projects.models import Block, Card
from publishing.assembly import assemble_report
from reports.models import DepartmentReport, ReportSection, Session

OPEN_URL = "/admin/reports/session/open/"

SESSION_228 = {
    "number": 228,
    "name": "제2차 정례회",
    "kind": Session.Kind.REGULAR,
    "start_date": datetime.date(2021, 11, 19),
    "end_date": datetime.date(2021, 12, 22),
    "year": 2021,
    "figure_date": datetime.date(2021, 10, 31),
    "deadline": datetime.date(2021, 11, 10),
}


def open_228(*departments, **changes) -> Session:
    return open_session(**{**SESSION_228, **changes}, departments=departments)


def report_of(session: Session, department) -> DepartmentReport:
    return DepartmentReport.objects.get(session=session, department=department)


def cards_of(report: DepartmentReport) -> list[Card]:
    return list(
        Card.objects.filter(section__report=report)
        .select_related("section", "predecessor__section", "budget_line", "team")
        .order_by("section__order", "order")
    )


@pytest.fixture
def vision(report_2020) -> Department:
    return report_2020.department


@pytest.fixture
def report_228(report_2020, vision) -> DepartmentReport:
    return report_of(open_228(vision), vision)


def form_data(**changes) -> dict:
    data = {
        key: value.isoformat() if isinstance(value, datetime.date) else value
        for key, value in SESSION_228.items()
    }
    data["departments"] = [str(pk) for pk in Department.objects.values_list("pk", flat=True)]
    data.update(changes)
    return data


@pytest.fixture
def clerk(db, client):
    user = User.objects.create_user("charlie")
    make_staff(user, Role.CLERK)
    client.force_login(user)
    return client


# Opening a session ------------------------------------------------------------------------------


def test_it_gives_the_new_report_last_years_cards_each_linked_to_its_predecessor(
    report_2020, report_228
):
    old, new = cards_of(report_2020), cards_of(report_228)

    assert [(c.section.title[-10:], c.number, c.title) for c in new] == [
        (c.section.title[-10:], c.number, c.title) for c in old
    ]
    assert [card.predecessor_id for card in new] == [card.pk for card in old]


def test_it_moves_the_year_of_section_titles_on_with_the_session(report_228):
    titles = list(report_228.sections.values_list("title", flat=True))

    assert titles == ["주요업무 추진실적", "2022년 주요업무 추진계획", "신규·중점 추진사업"]


def test_it_copies_blocks_purposes_budgets_and_facilities(report_2020, report_228):
    old, new = cards_of(report_2020), cards_of(report_228)

    assert [[(b.heading, b.content) for b in c.blocks.all()] for c in new] == [
        [(b.heading, b.content) for b in c.blocks.all()] for c in old
    ]
    assert [(c.purpose, c.budget_kind, c.required_parts()) for c in new] == [
        (c.purpose, c.budget_kind, c.required_parts()) for c in old
    ]
    assert report_228.facilities == report_2020.facilities


def test_the_budget_lines_of_the_new_year_start_from_last_years_without_executions(
    report_2020, report_228, vision
):
    old = BudgetLine.objects.for_year(vision, 2020)
    new = BudgetLine.objects.for_year(vision, 2021)

    assert [(line.name, line.order, line.parts()) for line in new] == [
        (line.name, line.order, line.parts()) for line in old
    ]
    assert not Execution.objects.filter(line__in=new).exists()


def test_a_budget_cards_line_is_the_same_named_line_of_the_new_year(report_2020, report_228):
    cited = [
        (c.budget_line.fiscal_year, c.budget_line.name)
        for c in cards_of(report_228)
        if c.budget_line
    ]
    old = [c.budget_line.name for c in cards_of(report_2020) if c.budget_line]

    assert cited == [(2021, name) for name in old]


def test_a_card_whose_line_is_missing_in_a_year_already_budgeted_keeps_no_budget_block(
    report_2020, vision
):
    BudgetLine.objects.create(department=vision, fiscal_year=2021, name="기본경비", district=90000)

    report = report_of(open_228(vision), vision)

    results = [c for c in cards_of(report) if c.section.kind == ReportSection.Kind.RESULTS]
    assert {(c.budget_kind, c.budget_line_id) for c in results} == {(Card.BudgetKind.NONE, None)}
    assert BudgetLine.objects.for_year(vision, 2021).count() == 1


def test_a_team_abolished_by_the_new_figure_date_is_dropped_from_its_cards(report_2020, vision):
    team = Team.objects.get(department=vision, name="국제금융특구팀")
    team.abolished_on = datetime.date(2021, 7, 1)
    team.save()

    report = report_of(open_228(vision), vision)

    old_teams = [c.team.name if c.team else None for c in cards_of(report_2020)]
    new_teams = [c.team.name if c.team else None for c in cards_of(report)]
    assert "국제금융특구팀" in old_teams
    assert new_teams == [None if name == "국제금융특구팀" else name for name in old_teams]


def test_teams_and_staffing_carry_by_themselves_as_department_history(report_228, vision):
    document = assemble_report(report_228)

    assert [team.name for team in document.teams] == ["국제금융특구팀", "대외협력팀"]
    assert document.staffing.as_of == "2020. 10. 31."
    assert StaffingSnapshot.objects.filter(department=vision).count() == 1


def test_a_newer_staffing_snapshot_shows_in_the_new_report(report_228, vision):
    StaffingSnapshot.objects.create(department=vision, as_of=datetime.date(2021, 9, 30))

    assert assemble_report(report_228).staffing.as_of == "2021. 9. 30."


def test_dated_blocks_older_than_the_new_sessions_window_are_left_behind(report_2020, vision):
    card = cards_of(report_2020)[0]
    Block.objects.create(
        card=card, heading="주요 추진실적", as_of=datetime.date(2019, 12, 31), order=9
    )
    Block.objects.create(
        card=card, heading="주요 추진실적", as_of=datetime.date(2020, 9, 30), order=9
    )

    report = report_of(open_228(vision), vision)

    dates = list(cards_of(report)[0].blocks.exclude(as_of=None).values_list("as_of", flat=True))
    assert dates == [datetime.date(2020, 9, 30)]


def test_a_department_without_a_previous_report_gets_the_standard_empty_sections(report_2020):
    newcomer = Department.objects.get(name="미래교육과")

    report = report_of(open_228(newcomer), newcomer)

    assert list(report.sections.values_list("kind", "title")) == [
        ("results", "2021년 주요업무 추진실적"),
        ("plans", "2022년 주요업무 추진계획"),
        ("key", "신규·중점 추진사업"),
    ]
    assert not Card.objects.filter(section__report=report).exists()


def test_the_previous_report_is_that_of_the_latest_session_before_the_new_one(report_228, vision):
    later = Session.objects.create(
        number=229,
        name="임시회",
        kind=Session.Kind.EXTRAORDINARY,
        start_date=datetime.date(2022, 2, 10),
        end_date=datetime.date(2022, 2, 18),
        year=2022,
        figure_date=datetime.date(2022, 1, 31),
    )

    report = create_report(later, vision)

    assert {c.predecessor.section.report_id for c in cards_of(report)} == {report_228.pk}
    assert "2023년 주요업무 추진계획" in report.sections.values_list("title", flat=True)


def test_year_bumps_handle_long_short_and_multiple_years():
    assert bump_years("2021년 주요업무 추진계획", 1) == "2022년 주요업무 추진계획"
    assert bump_years("'21년도 성과 및 '22 년 계획", 2) == "'23년도 성과 및 '24 년 계획"
    assert bump_years("제2차 2030 비전", 1) == "제2차 2030 비전"


def test_editing_the_new_card_does_not_change_last_years_card(report_2020, report_228):
    new = cards_of(report_228)[1]
    block = new.blocks.get(heading="향후계획")
    block.content[0]["text"] = "바뀐 계획"
    block.save()
    new.title = "바뀐 사업명"
    new.save()

    old = Card.objects.get(pk=new.predecessor_id)
    assert old.title == "여의도 금융특정개발진흥지구 육성"
    assert old.blocks.get(heading="향후계획").content[0]["text"].startswith("여의도 타운매니지먼트")


def test_a_published_report_is_carried_forward_and_left_as_it_was(published_2020):
    department = published_2020.department
    before = [(c.pk, c.title) for c in cards_of(published_2020)]

    report = report_of(open_228(department), department)

    assert [c.predecessor_id for c in cards_of(report)] == [pk for pk, _title in before]
    assert [(c.pk, c.title) for c in cards_of(published_2020)] == before


# The checklist ----------------------------------------------------------------------------------


def test_a_cards_checklist_is_last_times_향후계획_items(report_228):
    card = cards_of(report_228)[2]

    assert checklist(card) == [
        "의료관광 활성화 위한 포럼 개최: 11월",
        "SNS 서포터즈 역량강화 워크숍 개최: 11월",
        "의료기관 맞춤형 컨설팅 지원: 11~12월",
        "의료관광 협력기관 위촉: 12월",
    ]


def test_the_officer_sees_the_checklist_on_the_card_page(report_228, vision, client):
    officer = User.objects.create_user("kim")
    make_staff(officer, Role.OFFICER, vision)
    client.force_login(officer)
    card = cards_of(report_228)[2]

    html = client.get(reverse("admin:projects_card_change", args=[card.pk])).text

    assert "지난 보고의 향후계획 — 이번 주요 추진실적 점검표" in html
    assert "제227회 보고의 향후계획입니다" in html
    assert "<li>의료기관 맞춤형 컨설팅 지원: 11~12월</li>" in html


def test_without_향후계획_the_checklist_is_last_times_plans_and_schedule(report_228):
    plans = [c for c in cards_of(report_228) if c.section.kind == ReportSection.Kind.PLANS]

    items = checklist(plans[2])

    assert items[:3] == [
        "민관 네트워크 및 인프라 구축",
        "의료관광 협력기관 역량강화",
        "해외 네트워크 구축 및 홍보마케팅 강화",
    ]
    assert items[-1] == "국내외 의료관광 설명회 개최: 상·하반기 각 1회"


def test_a_card_without_predecessor_has_no_checklist(report_2020):
    assert checklist(cards_of(report_2020)[0]) == []


# All or nothing ---------------------------------------------------------------------------------


def test_a_bad_deadline_is_refused_with_a_korean_message_and_no_session_is_created(
    report_2020, vision
):
    with pytest.raises(ValidationError) as caught:
        open_228(vision, deadline=datetime.date(2021, 10, 30))

    assert caught.value.message_dict == {
        "deadline": ["제출 마감일은 기준일 2021. 10. 31.보다 뒤여야 합니다."]
    }
    assert not Session.objects.filter(number=228).exists()


def test_an_error_in_one_department_creates_nothing(report_2020, vision):
    Card.objects.filter(section__report=report_2020, number=1).update(title="")
    count = Card.objects.count()

    with pytest.raises(ValidationError) as caught:
        open_228(Department.objects.get(name="미래교육과"), vision)

    assert "비전협력과" in str(caught.value)
    assert not Session.objects.filter(number=228).exists()
    assert Card.objects.count() == count


# The 회기 열기 screen -----------------------------------------------------------------------------


def test_the_clerk_sees_every_department_pre_checked_in_booklet_order(report_2020, clerk):
    response = clerk.get(OPEN_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("비전협력과") < html.index("미래교육과") < html.index("사회적경제과")
    assert len(re.findall(r'<input type="checkbox"[^>]*\bchecked\b', html)) == 3


def test_the_clerk_opens_session_228_and_is_told_how_many_reports_were_carried(report_2020, clerk):
    response = clerk.post(OPEN_URL, form_data())

    assert response.status_code == 302
    assert response.url == reverse("admin:reports_session_changelist")
    title = Session.objects.get(number=228).title
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{title} 회기를 열고 부서 보고서 3건을 만들었습니다(지난 보고서에서 이어받음 1건)."
    ]


def test_the_clerk_may_leave_a_department_out(report_2020, clerk):
    vision = Department.objects.get(name="비전협력과")

    clerk.post(OPEN_URL, form_data(departments=[str(vision.pk)]))

    assert list(Session.objects.get(number=228).reports.values_list("department", flat=True)) == [
        vision.pk
    ]


def test_a_bad_deadline_on_the_form_is_shown_at_its_field_and_nothing_is_created(
    report_2020, clerk
):
    response = clerk.post(OPEN_URL, form_data(deadline="2021-11-20"))

    assert response.context["form"].errors["deadline"] == [
        "제출 마감일은 회기 시작일 2021. 11. 19.보다 늦을 수 없습니다."
    ]
    assert not Session.objects.filter(number=228).exists()


def test_a_session_number_already_used_is_refused(report_2020, clerk):
    response = clerk.post(OPEN_URL, form_data(number=227))

    assert response.context["form"].errors["number"] == ["이 번호의 회기가 이미 있습니다."]
    assert Session.objects.count() == 1


def test_no_department_chosen_is_refused(report_2020, clerk):
    response = clerk.post(OPEN_URL, form_data(departments=[]))

    assert response.context["form"].errors["departments"] == ["참여 부서를 하나 이상 고르세요."]


def test_an_officer_cannot_open_a_session(report_2020, client):
    officer = User.objects.create_user("alice")
    make_staff(officer, Role.OFFICER, report_2020.department)
    client.force_login(officer)

    assert client.get(OPEN_URL).status_code == 403
    assert client.post(OPEN_URL, form_data()).status_code == 403
    assert not Session.objects.filter(number=228).exists()
