"""A session's budget, staffing and teams as spreadsheets: the figures the reports print, for
the departments the account may reach, with formula-like text escaped."""

import csv
import datetime
import io

import openpyxl
from django.contrib.auth import get_user_model
from django.urls import reverse

from budget.models import BudgetLine, Execution
from org.models import Department, Team
from org.roles import Role, make_staff
from publishing.assembly import assemble_report
from reports.models import DepartmentReport


def _url(report, kind="all", extension="xlsx", **query):
    url = reverse("session_data", args=[report.session.number, kind, extension])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _login(client, role, department=None):
    user = get_user_model().objects.create_user(f"u-{role.name}", password="pw-not-used")
    make_staff(user, role, department)
    client.force_login(user)
    return user


def _sheet(content, title):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def _sibling_report(report_2020):
    """미래교육과 joins the session with a budget line of its own."""
    future = Department.objects.get(name="미래교육과")
    DepartmentReport.objects.create(session=report_2020.session, department=future)
    BudgetLine.objects.create(department=future, fiscal_year=2020, name="미래교육 지원", city=5)
    return future


def test_the_budget_sheet_carries_the_figures_the_report_prints(clerk_client, report_2020):
    document = assemble_report(report_2020)

    rows = _sheet(clerk_client.get(_url(report_2020)).content, "예산")

    header, data = rows[0], rows[1:]
    exported = {row[header.index("사업명")]: row for row in data}
    for printed in document.budget.rows:
        row = exported[printed.name]
        assert row[header.index("예산액(천원)")] == printed.amount
        assert row[header.index("집행액(천원)")] == printed.executed


def test_an_execution_entered_after_the_figure_date_is_not_exported(clerk_client, report_2020):
    line = BudgetLine.objects.filter(department=report_2020.department, fiscal_year=2020).first()
    before = line.executions.order_by("-as_of").first()
    Execution.objects.create(
        line=line, as_of=datetime.date(2020, 12, 31), **{p: v for p, v in line.parts().items()}
    )

    rows = _sheet(clerk_client.get(_url(report_2020)).content, "예산")

    exported = next(row for row in rows if row[3] == line.name)
    assert exported[rows[0].index("집행액(천원)")] == before.executed


def test_numbers_stay_numbers_and_formula_like_text_is_escaped(clerk_client, report_2020):
    Team.objects.create(department=report_2020.department, name="=HYPERLINK(1)", order=9)
    Team.objects.create(department=report_2020.department, name="-팀", order=10)

    xlsx = _sheet(clerk_client.get(_url(report_2020)).content, "팀")
    budget = _sheet(clerk_client.get(_url(report_2020)).content, "예산")
    text = clerk_client.get(_url(report_2020, "teams", "csv")).content.decode("utf-8")

    names = [row[1] for row in xlsx[1:]]
    assert "'=HYPERLINK(1)" in names and "'-팀" in names
    assert all(isinstance(row[4], int) for row in budget[1:])
    assert text.startswith("\ufeff")
    csv_names = [row[1] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))]
    assert "'=HYPERLINK(1)" in csv_names


def test_the_clerk_gets_every_department_of_the_session(clerk_client, report_2020):
    _sibling_report(report_2020)

    rows = _sheet(clerk_client.get(_url(report_2020)).content, "예산")

    assert {row[0] for row in rows[1:]} == {"비전협력과", "미래교육과"}


def test_an_officer_gets_only_their_own_department(client, report_2020):
    future = _sibling_report(report_2020)
    _login(client, Role.OFFICER, report_2020.department)

    mine = _sheet(client.get(_url(report_2020)).content, "예산")
    other = client.get(_url(report_2020, department=future.pk))

    assert {row[0] for row in mine[1:]} == {"비전협력과"}
    assert other.status_code == 404


def test_a_council_member_cannot_download_the_staff_spreadsheets(client, report_2020):
    _login(client, Role.MEMBER)

    response = client.get(_url(report_2020))

    assert response.status_code == 302  # to the staff login: not a staff account
    assert "spreadsheet" not in response.get("Content-Type", "")


def test_a_whole_workbook_is_not_offered_as_one_csv(clerk_client, report_2020):
    assert clerk_client.get(_url(report_2020, "all", "csv")).status_code == 404
    assert clerk_client.get(_url(report_2020, "nonsense", "xlsx")).status_code == 404


def test_the_dashboard_and_the_editor_link_the_downloads(clerk_client, report_2020):
    dashboard = clerk_client.get(reverse("session_dashboard", args=[227]))
    editor = clerk_client.get(
        reverse("admin:reports_departmentreport_change", args=[report_2020.pk])
    )

    assert _url(report_2020) in dashboard.text
    assert _url(report_2020, department=report_2020.department_id) in editor.text


def test_a_control_character_pasted_into_duties_does_not_break_the_workbook(
    clerk_client, report_2020
):
    Team.objects.create(department=report_2020.department, name="새팀", duties="가\x0b나", order=9)

    rows = _sheet(clerk_client.get(_url(report_2020)).content, "팀")

    assert [row[1:3] for row in rows if row[1] == "새팀"][0] == ["새팀", "가 나"]
