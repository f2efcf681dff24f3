"""The clerk's staff screens (portal/staff/): 회기 열기, the session dashboard and its actions,
the spreadsheet downloads — reached from the admin index, one URL per action."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from org.models import Department
from org.roles import Role, make_staff
from publishing import workflow
from reports.models import DepartmentReport, Session
from tests.test_admin_report_editor import _FormReader

Status = DepartmentReport.Status

SESSION_228 = {
    "number": "228",
    "name": "제2차 정례회",
    "kind": "regular",
    "start_date": "2021-11-19",
    "end_date": "2021-12-22",
    "year": "2021",
    "figure_date": "2021-10-31",
    "deadline": "2021-11-10",
}


@pytest.fixture
def officer(report_2020):
    user = get_user_model().objects.create_user("kim", password="x-pass-2026")
    make_staff(user, Role.OFFICER, report_2020.department)
    return user


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_a_clerk_opens_session_228_from_the_staff_page_and_every_department_gets_a_draft(
    clerk_client, report_2020
):
    index = clerk_client.get(reverse("admin:index")).content.decode()
    sessions_url = reverse("admin:reports_session_changelist")
    assert sessions_url in links(index)
    open_url = reverse("open_session")
    assert open_url in links(clerk_client.get(sessions_url).content.decode())
    reader = _FormReader("open-session")
    reader.feed(clerk_client.get(open_url).content.decode())
    data = MultiValueDict()
    for name, value in reader.pairs:  # every department ticked, as the page opens
        data.appendlist(name, value)
    for name, value in SESSION_228.items():
        data[name] = value

    response = clerk_client.post(open_url, dict(data.lists()))

    assert response.status_code == 302
    session = Session.objects.get(number=228)
    statuses = list(session.reports.values_list("department__name", "status").order_by("pk"))
    assert sorted(name for name, _status in statuses) == sorted(
        Department.objects.values_list("name", flat=True)
    )
    assert {status for _name, status in statuses} == {Status.DRAFT}


def test_the_dashboard_is_linked_from_the_session_list(clerk_client, report_2020):
    listing = clerk_client.get(reverse("admin:reports_session_changelist")).content.decode()

    dashboard = reverse("session_dashboard", args=[227])
    assert dashboard in links(listing)
    assert clerk_client.get(dashboard).status_code == 200


def test_a_clerk_approves_a_submitted_report_at_the_approve_url_of_its_row(
    clerk_client, officer, report_2020
):
    workflow.perform(report_2020, "submit", officer)
    page = clerk_client.get(reverse("session_dashboard", args=[227])).content.decode()
    approve = reverse("session_dashboard_action", args=[227, report_2020.pk, "approve"])
    assert f'action="{approve}"' in page

    response = clerk_client.post(approve)

    assert response["Location"].endswith(f"#report-{report_2020.pk}")
    report_2020.refresh_from_db()
    assert report_2020.status == Status.APPROVED


def test_an_action_the_workflow_does_not_know_changes_nothing_and_says_so(
    clerk_client, officer, report_2020
):
    workflow.perform(report_2020, "submit", officer)
    url = reverse("session_dashboard_action", args=[227, report_2020.pk, "approve-all"])

    response = clerk_client.post(url, follow=True)

    assert "비전협력과: 알 수 없는 처리입니다." in response.content.decode()
    report_2020.refresh_from_db()
    assert report_2020.status == Status.SUBMITTED


def test_a_dashboard_action_opened_as_a_link_is_refused(clerk_client, officer, report_2020):
    workflow.perform(report_2020, "submit", officer)
    url = reverse("session_dashboard_action", args=[227, report_2020.pk, "approve"])

    assert clerk_client.get(url).status_code == 405
    report_2020.refresh_from_db()
    assert report_2020.status == Status.SUBMITTED


def test_an_officer_gets_403_at_the_dashboards_action_url(client, officer, report_2020):
    workflow.perform(report_2020, "submit", officer)
    client.force_login(officer)
    url = reverse("session_dashboard_action", args=[227, report_2020.pk, "approve"])

    response = client.post(url)

    assert response.status_code == 403
    assert "회기 현황판을 볼 권한이 없습니다." in response.content.decode()


def test_a_report_of_another_session_is_404_at_the_dashboards_action_url(
    clerk_client, officer, report_2020
):
    url = reverse("session_dashboard_action", args=[999, report_2020.pk, "return"])

    assert clerk_client.post(url, {"comment": "다시"}).status_code == 404
    report_2020.refresh_from_db()
    assert report_2020.status == Status.DRAFT


@pytest.mark.parametrize("tail", ["budget.pdf", "payroll.xlsx", "all.csv"])
def test_a_download_the_portal_does_not_offer_is_404(clerk_client, report_2020, tail):
    kind, extension = tail.split(".")

    response = clerk_client.get(reverse("session_data", args=[227, kind, extension]))

    assert response.status_code == 404


def test_the_officer_downloads_their_teams_as_csv_from_the_editor_link(
    client, officer, report_2020
):
    client.force_login(officer)
    editor = reverse("admin:reports_departmentreport_change", args=[report_2020.pk])
    workbook = reverse("session_data", args=[227, "all", "xlsx"])
    assert f"{workbook}?department={report_2020.department_id}" in links(
        client.get(editor).content.decode()
    )

    response = client.get(reverse("session_data", args=[227, "teams", "csv"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "비전협력과" in response.content.decode("utf-8-sig")
