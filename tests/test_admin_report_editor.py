"""The report editor: one admin screen per department report (DepartmentReport change page).

Helpers at the top (the page's form as a browser submits it, a dump of the tables the screen
writes) are also used by tests/test_admin_bad_input.py and tests/test_admin_card.py. The seed
reports and synthetic reports come from tests/conftest.py (report_2020, report_2018, make_report).
"""

from __future__ import annotations

import datetime
import html as html_module
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from budget.models import BudgetLine, Execution
from org.models import Department, JobSeries, StaffingCell, StaffingSnapshot, Team
from portal.seeds import SEED_DIR, seed_load_file
from projects.models import Block, Card
from reports.models import DepartmentReport, ReportSection, Session

SEEDS = ["2018_planning.yaml", "2020_vision.yaml"]
DUMPED_MODELS = [
    Department,
    Team,
    StaffingSnapshot,
    StaffingCell,
    BudgetLine,
    Execution,
    Session,
    DepartmentReport,
    ReportSection,
    Card,
    Block,
]


# Helpers ------------------------------------------------------------------------------------


class _FormReader(HTMLParser):
    """The name/value pairs a browser submits from one <form>, ignoring <template> content."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.templates = 0
        self.pairs: list[tuple[str, str]] = []
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "template":
            self.templates += 1
        if self.templates:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("submit", "button") or (
                kind in ("checkbox", "radio") and "checked" not in attrs
            ):
                return
            self.pairs.append(
                (attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "select":
            self.select = {"name": attrs.get("name"), "first": None, "chosen": None}
        elif tag == "option" and self.select is not None:
            self.option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
        elif tag == "textarea":
            self.textarea = {"name": attrs.get("name"), "text": ""}

    def handle_data(self, data):
        for element in (self.option, self.textarea):
            if element is not None:
                element["text"] += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "template":
            self.templates -= 1
        elif self.templates:
            return
        elif tag == "form":
            self.inside = False
        elif tag == "option" and self.option is not None:
            value = (
                self.option["value"] if self.option["value"] is not None else self.option["text"]
            )
            self.select["first"] = value if self.select["first"] is None else self.select["first"]
            if self.option["selected"]:
                self.select["chosen"] = value
            self.option = None
        elif tag == "select" and self.select is not None:
            chosen = (
                self.select["chosen"] if self.select["chosen"] is not None else self.select["first"]
            )
            if chosen is not None:
                self.pairs.append((self.select["name"], chosen))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            self.pairs.append((self.textarea["name"], text[1:] if text.startswith("\n") else text))
            self.textarea = None


def form_data(html: str, form_id: str = "report-editor") -> dict[str, str]:
    """The form's initial data, as the browser would post it."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return dict(reader.pairs)


def editor_url(report: DepartmentReport) -> str:
    return reverse("admin:reports_departmentreport_change", args=[report.pk])


def editor_data(client, report: DepartmentReport) -> dict[str, str]:
    response = client.get(editor_url(report))
    assert response.status_code == 200
    return form_data(response.content.decode())


def post(client, report: DepartmentReport, data: dict[str, str]):
    return client.post(
        editor_url(report), MultiValueDict({key: [value] for key, value in data.items()})
    )


def row_prefix(data: dict[str, str], formset: str, field: str, value: str) -> str:
    """The prefix (e.g. "lines-3") of the row whose `field` shows `value`."""
    for key, shown in data.items():
        if key.startswith(formset + "-") and key.endswith("-" + field) and shown == value:
            return key.rsplit("-", 1)[0]
    raise AssertionError(f"no {formset} row with {field}={value!r}")


def field_errors(html: str, name: str) -> str:
    """Text of the error list rendered next to the field `name`."""
    match = re.search(
        rf'<ul class="errorlist[^"]*" id="id_{re.escape(name)}_error">(.*?)</ul>', html, re.S
    )
    return html_module.unescape(re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


def dump() -> dict[str, list[dict]]:
    """Every row of the tables the editor writes."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in DUMPED_MODELS}


def load_seed(name: str = "2020_vision.yaml") -> DepartmentReport:
    report, _created = seed_load_file(SEED_DIR / name)
    return report


# The page -----------------------------------------------------------------------------------


def test_the_report_change_page_is_the_editor_inside_the_admin(admin_client, report_2020):
    response = admin_client.get(editor_url(report_2020))

    assert response.templates[0].name == "admin/reports/departmentreport/report_editor.html"
    assert "admin/base_site.html" in [template.name for template in response.templates]
    assert "인력 현황" in response.content.decode()


def test_a_user_without_change_permission_cannot_open_the_editor(
    client, django_user_model, report_2020
):
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)

    response = client.get(editor_url(report_2020))

    # An account with no role reaches no department: the report is not even there for it.
    assert response.status_code == 404


@pytest.mark.parametrize("seed", SEEDS)
def test_saving_the_whole_screen_unchanged_leaves_the_seed_data_exactly_as_it_was(
    admin_client, db, seed
):
    report = load_seed(seed)
    data = editor_data(admin_client, report)
    before = dump()

    response = post(admin_client, report, data)

    assert response.status_code == 302
    assert dump() == before


def test_an_unchanged_save_says_there_was_nothing_to_save(admin_client, report_2020):
    response = post(admin_client, report_2020, editor_data(admin_client, report_2020))

    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["바뀐 내용이 없어 저장할 것이 없었습니다."]


def test_a_change_is_recorded_in_the_admin_history(admin_client, report_2020):
    from django.contrib.admin.models import LogEntry

    data = editor_data(admin_client, report_2020)
    data["report-facilities"] = "○ 회의실 1개"

    post(admin_client, report_2020, data)

    assert LogEntry.objects.get().object_id == str(report_2020.pk)


def test_facilities_are_saved_as_gaejosik_and_empty_prints_none(admin_client, report_2020):
    data = editor_data(admin_client, report_2020)
    data["report-facilities"] = "○ 회의실\n - 대회의실 1개"

    post(admin_client, report_2020, data)

    report_2020.refresh_from_db()
    assert report_2020.facilities[0]["children"][0]["text"] == "대회의실 1개"


# Staffing -----------------------------------------------------------------------------------


def test_the_staffing_grid_shows_the_computed_difference_with_a_triangle(admin_client, report_2020):
    html = admin_client.get(editor_url(report_2020)).content.decode()

    assert re.search(r'data-total="difference">\s*△1\s*<', html)
    assert re.search(r'data-total="authorized">\s*13\s*<', html)


def test_the_staffing_grid_adds_a_column_for_a_stored_cell_outside_the_printed_ones(
    admin_client, report_2020
):
    snapshot = StaffingSnapshot.objects.get(department=report_2020.department)
    StaffingCell.objects.create(
        snapshot=snapshot, series=JobSeries.RESEARCH, grade="6", authorized=1, current=1
    )

    data = editor_data(admin_client, report_2020)

    assert data["staffing-authorized_research_6"] == "1"


def test_staffing_saved_for_a_new_date_keeps_the_earlier_snapshot(admin_client, report_2020):
    data = editor_data(admin_client, report_2020)
    data["staffing-as_of"] = "2020-11-15"
    data["staffing-current_general_7"] = "4"

    post(admin_client, report_2020, data)

    snapshots = StaffingSnapshot.objects.filter(department=report_2020.department).order_by("as_of")
    assert [s.as_of for s in snapshots] == [
        datetime.date(2020, 10, 31),
        datetime.date(2020, 11, 15),
    ]
    assert snapshots[0].cells.get(series="general", grade="7").current == 2
    assert snapshots[1].cells.get(series="general", grade="7").current == 4


def test_staffing_saved_for_the_same_date_replaces_its_cells(admin_client, report_2020):
    data = editor_data(admin_client, report_2020)
    data["staffing-authorized_general_9"] = ""
    data["staffing-current_general_9"] = ""
    data["staffing-authorized_admin_ops_8"] = "2"

    post(admin_client, report_2020, data)

    cells = StaffingSnapshot.objects.get(department=report_2020.department).cells.all()
    assert {(c.series, c.grade): c.authorized for c in cells if c.grade in "89"} == {
        ("general", "8"): 2,
        ("admin_ops", "8"): 2,
    }


# Budget lines -------------------------------------------------------------------------------


def test_an_officer_sees_the_computed_total_after_saving_budget_lines(admin_client, report_2020):
    data = editor_data(admin_client, report_2020)
    prefix = row_prefix(data, "lines", "name", "기본경비")
    data[f"{prefix}-district"] = "1 082 646"  # 1,000,000 more

    response = post(admin_client, report_2020, data)
    html = admin_client.get(response["Location"]).content.decode()

    assert re.search(r'data-total="amount"[^>]*>\s*2,079,048\s*<', html)


def test_budget_parts_typed_with_commas_or_spaces_are_stored_as_numbers(admin_client, report_2020):
    data = editor_data(admin_client, report_2020)
    prefix = row_prefix(data, "lines", "name", "기본경비")
    data[f"{prefix}-national"] = "1,000"
    data[f"{prefix}-district"] = " 82646 "

    post(admin_client, report_2020, data)

    line = BudgetLine.objects.get(name="기본경비")
    assert (line.national, line.district, line.amount) == (1000, 82646, 83646)


def test_the_editor_shows_the_previous_quarters_execution_next_to_the_line(
    admin_client, report_2020
):
    Session.objects.filter(pk=report_2020.session_id).update(
        figure_date=datetime.date(2020, 12, 15)
    )

    html = admin_client.get(editor_url(report_2020)).content.decode()

    assert "직전 10.31. 기준 82,810" in html


def test_a_new_quarters_execution_figures_keep_the_earlier_quarters_row(admin_client, report_2020):
    Session.objects.filter(pk=report_2020.session_id).update(
        figure_date=datetime.date(2020, 12, 15)
    )
    data = editor_data(admin_client, report_2020)
    prefix = row_prefix(data, "lines", "name", "대외교류 활성화")
    data.update({f"{prefix}-exec_city": "20,000", f"{prefix}-exec_district": "90,000"})

    post(admin_client, report_2020, data)

    executions = Execution.objects.filter(line__name="대외교류 활성화").order_by("as_of")
    assert [(e.as_of.month, e.executed) for e in executions] == [(10, 82810), (12, 110000)]


def test_lines_left_blank_for_a_new_quarter_get_no_execution_row(admin_client, report_2020):
    Session.objects.filter(pk=report_2020.session_id).update(
        figure_date=datetime.date(2020, 12, 15)
    )

    post(admin_client, report_2020, editor_data(admin_client, report_2020))

    assert not Execution.objects.filter(as_of=datetime.date(2020, 12, 15)).exists()


def test_a_new_budget_line_is_added_under_its_parent(admin_client, report_2018):
    data = editor_data(admin_client, report_2018)
    parent = BudgetLine.objects.get(name="기본경비")
    index = int(data["lines-TOTAL_FORMS"])
    data["lines-TOTAL_FORMS"] = str(index + 1)
    data.update(
        {
            f"lines-{index}-name": "사무용품 구입",
            f"lines-{index}-parent": str(parent.pk),
            f"lines-{index}-district": "1,200",
            f"lines-{index}-exec_district": "300",
        }
    )

    post(admin_client, report_2018, data)

    line = BudgetLine.objects.get(name="사무용품 구입")
    assert (line.parent, line.amount, line.executions.get().executed) == (parent, 1200, 300)


def test_deleting_a_budget_line_no_card_cites_removes_it(admin_client, report_2018):
    data = editor_data(admin_client, report_2018)
    data[row_prefix(data, "lines", "name", "인력운영비") + "-DELETE"] = "on"

    post(admin_client, report_2018, data)

    assert not BudgetLine.objects.filter(name="인력운영비").exists()


# Sections and cards -------------------------------------------------------------------------


def test_reordering_cards_changes_the_order_on_the_public_department_page(
    admin_client, report_2020
):
    data = editor_data(admin_client, report_2020)
    first = row_prefix(data, "cards", "title", "국내외 도시와의 상호교류 활성화")
    third = row_prefix(data, "cards", "title", "영등포 스마트메디컬특구 활성화")
    data[f"{first}-order"], data[f"{third}-order"] = data[f"{third}-order"], data[f"{first}-order"]
    html_before = admin_client.get(report_2020.get_absolute_url()).content.decode()

    post(admin_client, report_2020, data)

    html = admin_client.get(report_2020.get_absolute_url()).content.decode()
    assert html_before.index("국내외 도시와의 상호교류 활성화") < html_before.index(
        "영등포 스마트메디컬특구 활성화"
    )
    assert html.index("영등포 스마트메디컬특구 활성화") < html.index(
        "국내외 도시와의 상호교류 활성화"
    )


def test_two_cards_of_a_section_can_swap_numbers(admin_client, report_2018):
    data = editor_data(admin_client, report_2018)
    one = row_prefix(data, "cards", "title", "구정 운영 정책 조정 및 지원")
    two = row_prefix(data, "cards", "title", "구정 미래비전 수립 및 성과 관리")
    data[f"{one}-number"], data[f"{two}-number"] = "2", "1"

    post(admin_client, report_2018, data)

    assert Card.objects.get(title="구정 미래비전 수립 및 성과 관리").number == 1


def test_a_card_added_on_the_screen_is_saved_last_in_its_section(admin_client, report_2018):
    data = editor_data(admin_client, report_2018)
    section = ReportSection.objects.get(report=report_2018, title="주요업무 추진실적")
    index = int(data["cards-TOTAL_FORMS"])
    data["cards-TOTAL_FORMS"] = str(index + 1)
    data.update(
        {
            f"cards-{index}-section": str(section.pk),
            f"cards-{index}-number": "5",
            f"cards-{index}-title": "새 사업",
            f"cards-{index}-budget_kind": "non_budget",
            f"cards-{index}-budget_heading": "소요예산",
        }
    )

    post(admin_client, report_2018, data)

    assert list(section.cards.values_list("number", flat=True)) == [1, 2, 3, 4, 5]


def test_a_card_can_move_to_another_section(admin_client, report_2018):
    data = editor_data(admin_client, report_2018)
    key = ReportSection.objects.get(report=report_2018, title="중점사업 추진실적")
    prefix = row_prefix(data, "cards", "title", "영등포 스마트메디컬특구 활성화")
    data[f"{prefix}-section"] = str(key.pk)

    post(admin_client, report_2018, data)

    assert key.cards.count() == 2


def test_sections_can_be_added_renamed_and_deleted(admin_client, report_2018):
    data = editor_data(admin_client, report_2018)
    prefix = row_prefix(data, "sections", "title", "주요업무 추진실적")
    data[f"{prefix}-title"] = "2018년 주요업무 추진실적"
    index = int(data["sections-TOTAL_FORMS"])
    data["sections-TOTAL_FORMS"] = str(index + 1)
    data.update(
        {
            f"sections-{index}-order": "3",
            f"sections-{index}-kind": "plans",
            f"sections-{index}-title": "2019년 추진계획",
        }
    )

    post(admin_client, report_2018, data)

    titles = list(ReportSection.objects.filter(report=report_2018).values_list("title", flat=True))
    assert titles == ["2018년 주요업무 추진실적", "중점사업 추진실적", "2019년 추진계획"]


def test_an_empty_section_can_be_deleted(admin_client, report_2018):
    empty = ReportSection.objects.create(report=report_2018, title="빈 단원", order=9)
    data = editor_data(admin_client, report_2018)
    data[row_prefix(data, "sections", "title", "빈 단원") + "-DELETE"] = "on"

    post(admin_client, report_2018, data)

    assert not ReportSection.objects.filter(pk=empty.pk).exists()


def test_every_card_row_links_to_the_cards_own_page(admin_client, report_2020):
    card = Card.objects.filter(section__report=report_2020).first()

    html = admin_client.get(editor_url(report_2020)).content.decode()

    assert reverse("admin:projects_card_change", args=[card.pk]) + "?return=report" in html


# Queries ------------------------------------------------------------------------------------


def count_queries(client, report: DepartmentReport) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(editor_url(report))
    assert response.status_code == 200
    return len(queries)


def test_the_editor_for_40_cards_runs_the_same_queries_as_for_one_card(admin_client, make_report):
    one = count_queries(admin_client, make_report(cards=1, number=901, department="한 장과"))

    forty = count_queries(admin_client, make_report(cards=40, number=902, department="마흔 장과"))

    assert forty == one


def test_the_editor_for_40_cards_runs_a_fixed_number_of_queries(
    admin_client, make_report, django_assert_max_num_queries
):
    report = make_report(cards=40)

    # 12 for the editor itself; the workflow panel adds the report's versions and events, and
    # opening an unpublished report is recorded in the access log (with its savepoint: 4); one
    # more asks whether another report of the department is under review (org/access.py).
    with django_assert_max_num_queries(17):
        admin_client.get(editor_url(report))


def test_saving_40_cards_runs_no_query_per_card(admin_client, make_report):
    report = make_report(cards=40)
    data = editor_data(admin_client, report)

    with CaptureQueriesContext(connection) as queries:
        post(admin_client, report, data)

    assert len(queries) <= 21  # 20, and the department's under-review check


# The plain admin pages ----------------------------------------------------------------------

ADMIN_PAGES = [
    "org_bureau",
    "org_department",
    "org_team",
    "org_staffingsnapshot",
    "budget_budgetline",
    "reports_session",
    "reports_reportsection",
    "reports_departmentreport",
    "projects_card",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_every_admin_list_opens_in_korean(admin_client, report_2020, name):
    response = admin_client.get(reverse(f"admin:{name}_changelist"))

    assert response.status_code == 200
    assert 'lang="ko' in response.content.decode()


@pytest.mark.parametrize(
    "name, model",
    [
        ("org_department", Department),
        ("org_team", Team),
        ("org_staffingsnapshot", StaffingSnapshot),
        ("budget_budgetline", BudgetLine),
        ("reports_session", Session),
        ("reports_reportsection", ReportSection),
        ("projects_card", Card),
    ],
)
def test_every_admin_change_page_opens(admin_client, report_2020, name, model):
    response = admin_client.get(reverse(f"admin:{name}_change", args=[model.objects.first().pk]))

    assert response.status_code == 200


def test_the_budget_line_page_lists_its_execution_history(admin_client, report_2020):
    line = BudgetLine.objects.get(name="대외교류 활성화")
    Execution.objects.create(
        line=line, as_of=datetime.date(2020, 6, 30), city=10000, district=20000
    )

    html = admin_client.get(
        reverse("admin:budget_budgetline_change", args=[line.pk])
    ).content.decode()

    assert "82,810" in html
    assert "30,000" in html


def test_the_card_list_runs_no_query_per_card(
    admin_client, make_report, django_assert_max_num_queries
):
    make_report(cards=40)

    with django_assert_max_num_queries(12):
        admin_client.get(reverse("admin:projects_card_changelist"))


def test_a_line_marked_for_deletion_is_deleted_even_with_a_mistyped_amount(
    admin_client, report_2018
):
    data = editor_data(admin_client, report_2018)
    prefix = row_prefix(data, "lines", "name", "인력운영비")
    data.update({f"{prefix}-DELETE": "on", f"{prefix}-district": "1,2,3"})

    post(admin_client, report_2018, data)

    assert not BudgetLine.objects.filter(name="인력운영비").exists()


def test_a_card_marked_for_deletion_is_deleted_even_with_a_clashing_number(
    admin_client, report_2018
):
    data = editor_data(admin_client, report_2018)
    prefix = row_prefix(data, "cards", "title", "구정 미래비전 수립 및 성과 관리")
    data.update({f"{prefix}-DELETE": "on", f"{prefix}-number": "1"})

    post(admin_client, report_2018, data)

    assert not Card.objects.filter(title="구정 미래비전 수립 및 성과 관리").exists()


def test_a_card_moved_onto_a_taken_number_is_the_one_told_to_change(admin_client, report_2020):
    data = editor_data(admin_client, report_2020)
    key = ReportSection.objects.get(report=report_2020, title="신규·중점 추진사업")
    moved = row_prefix(data, "cards", "title", "여의도 금융특정개발진흥지구 육성")
    data[f"{moved}-section"] = str(key.pk)
    data[f"{moved}-number"] = "1"

    html = post(admin_client, report_2020, data).content.decode()

    assert "같은 단원에 1번 카드가 이미 있습니다(‘영등포구 사회공헌(CSR) 활성화’)" in field_errors(
        html, f"{moved}-number"
    )
