"""Who imports into which department: an officer always into their own, a clerk into the one
they pick, nobody while the department's report is under review, and a council member never."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from budget.models import BudgetLine
from org.models import Department, Team
from org.roles import Role, make_staff
from publishing.workflow import perform
from tests.import_helpers import (
    ADMINS,
    NOTHING_SAVED,
    PREVIEW,
    confirm,
    confirm_fields,
    db_state,
    make_officer,
    page_text,
    upload,
)

NEW_LINE = "회계연도,사업명,구비,예산액\r\n2020,청년 일자리,1000,1000\r\n".encode()


@pytest.fixture
def officer(report_2020):
    return make_officer(report_2020.department)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def other_department(report_2020):
    return Department.objects.get(name="미래교육과")


def test_a_clerk_picks_the_department_the_rows_land_in(clerk_client, other_department):
    preview = upload(clerk_client, "budget", NEW_LINE, department=other_department.pk)

    confirm(clerk_client, "budget", preview)

    assert BudgetLine.objects.get(name="청년 일자리").department == other_department


def test_a_clerk_who_picks_no_department_is_asked_for_one(clerk_client):
    before = db_state()

    response = upload(clerk_client, "budget", NEW_LINE)

    assert response.status_code == 200
    assert "부서" in page_text(response) and "필수 항목입니다" in page_text(response)
    assert not confirm_fields(response)
    assert db_state() == before


def test_an_officers_rows_land_in_their_own_department_whatever_the_post_says(
    officer_client, report_2020, other_department
):
    preview = upload(officer_client, "budget", NEW_LINE, department=other_department.pk)

    confirm(officer_client, "budget", preview, department=str(other_department.pk))

    assert BudgetLine.objects.get(name="청년 일자리").department == report_2020.department


def test_a_file_whose_department_column_names_the_officers_own_is_accepted(
    officer_client, report_2020
):
    data = "부서,회계연도,사업명,예산액\r\n비전협력과,2020,청년 일자리,1000\r\n".encode()

    preview = upload(officer_client, "budget", data)

    assert PREVIEW in page_text(preview)


def test_a_file_whose_department_column_names_another_is_refused(officer_client):
    data = "부서,회계연도,사업명,예산액\r\n미래교육과,2020,청년 일자리,1000\r\n".encode()
    before = db_state()

    response = upload(officer_client, "budget", data)

    assert "2행 ‘부서’ 열 값 ‘미래교육과’: 다른 부서의 행입니다" in page_text(response)
    assert db_state() == before


def test_importing_while_the_report_is_submitted_is_refused(officer_client, officer, report_2020):
    perform(report_2020, "submit", officer)
    before = db_state()

    response = upload(officer_client, "team", "팀 이름\r\n기획팀\r\n".encode())

    text = page_text(response)
    assert NOTHING_SAVED in text
    assert "상태라 이 부서의 조직·인력·예산 자료를 고칠 수 없습니다" in text
    assert db_state() == before


def test_a_report_submitted_between_preview_and_confirm_stops_the_import(
    officer_client, officer, report_2020
):
    preview = upload(officer_client, "budget", NEW_LINE)
    perform(report_2020, "submit", officer)
    before = db_state()

    response = confirm(officer_client, "budget", preview)

    assert "상태라 이 부서의 조직·인력·예산 자료를 고칠 수 없습니다" in page_text(response)
    assert db_state() == before


@pytest.mark.parametrize("kind", ["budget", "staffing", "team"])
def test_a_council_member_cannot_import(client, report_2020, kind):
    member = get_user_model().objects.create_user("member")
    make_staff(member, Role.MEMBER)
    client.force_login(member)
    before = db_state()

    page = client.get(reverse(f"admin:{ADMINS[kind]}_import"))
    posted = upload(client, kind, NEW_LINE)

    assert page.status_code in (302, 403)
    assert posted.status_code in (302, 403)
    assert db_state() == before


def test_an_officer_of_another_department_never_touches_this_ones_teams(
    client, report_2020, other_department
):
    client.force_login(make_officer(other_department, "other"))

    preview = upload(client, "team", "팀 이름,업무분장\r\n대외협력팀,새 업무\r\n".encode())
    confirm(client, "team", preview)

    assert Team.objects.get(department=report_2020.department, name="대외협력팀").duties == ""
    assert Team.objects.get(department=other_department, name="대외협력팀").duties == "새 업무"
