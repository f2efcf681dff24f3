"""Who reads what on the public site: published versions for everyone, drafts for their own."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from org.models import Department
from org.roles import Role, make_staff
from publishing.workflow import perform, publish_imported
from reports.models import AccessLog, DepartmentReport


def _login(client, role, department=None, username="user"):
    user = get_user_model().objects.create_user(username, password="pw-not-used")
    make_staff(user, role, department)
    client.force_login(user)
    return user


def _pdf_url(report):
    return reverse("reports:department_pdf", args=[report.session.number, report.department_id])


def test_a_draft_report_is_not_found_by_the_public(client, report_2020):
    assert client.get(report_2020.get_absolute_url()).status_code == 404
    assert client.get(_pdf_url(report_2020)).status_code == 404


def test_a_session_with_only_drafts_is_not_listed_for_the_public(client, report_2020):
    assert "제227회" not in client.get(reverse("reports:sessions")).text
    assert client.get(reverse("reports:session", args=[227])).status_code == 404


def test_the_departments_officer_previews_the_draft_and_the_view_is_logged(client, report_2020):
    officer = _login(client, Role.OFFICER, report_2020.department)

    response = client.get(report_2020.get_absolute_url(), REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    assert "공개 전 미리보기입니다" in response.text
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.ip_address) == (officer, "view", "10.1.2.3")
    assert log.target.startswith(f"reports.departmentreport:{report_2020.pk} ")


def test_an_officer_of_another_department_cannot_preview_the_draft(client, report_2020):
    other = Department.objects.create(name="다른시험과")
    _login(client, Role.OFFICER, other)

    assert client.get(report_2020.get_absolute_url()).status_code == 404
    assert client.get(_pdf_url(report_2020)).status_code == 404
    assert not AccessLog.objects.exists()


def test_a_council_member_reads_a_draft_only_when_the_clerk_shares_it(client, report_2020):
    _login(client, Role.MEMBER)
    assert client.get(report_2020.get_absolute_url()).status_code == 404

    DepartmentReport.objects.filter(pk=report_2020.pk).update(shared_with_members=True)

    assert client.get(report_2020.get_absolute_url()).status_code == 200
    assert AccessLog.objects.filter(action="view").count() == 1


def test_a_published_report_has_no_draft_notice_and_logs_nothing(client, published_2020):
    response = client.get(published_2020.get_absolute_url())

    assert response.status_code == 200
    assert "미리보기" not in response.text
    assert not AccessLog.objects.exists()


def test_while_a_correction_is_written_the_public_still_reads_version_1(
    client, published_2020, clerk
):
    perform(published_2020, "reopen", clerk, comment="집행률 오기 정정")
    published_2020.sections.first().cards.update(title="바뀐 제목")

    html = client.get(published_2020.get_absolute_url()).text

    assert "바뀐 제목" not in html
    assert "국내외 도시와의 상호교류 활성화" in html


def test_the_public_pdf_is_the_stored_one(client, published_2020):
    version = published_2020.versions.get()

    assert client.get(_pdf_url(published_2020)).content == bytes(version.pdf)


@pytest.mark.parametrize(
    "url",
    [
        "/sessions/99999999999999999999999/",
        "/sessions/227/departments/99999999999999999999999/",
        "/sessions/227/departments/99999999999999999999999/report.pdf",
        "/sessions/227/departments/1/versions/99999999999999999999/",
    ],
)
def test_an_absurdly_long_number_in_the_url_is_a_404_not_an_error(client, published_2020, url):
    assert client.get(url).status_code == 404


def test_seeds_are_published_as_version_1(report_2018):
    version = publish_imported(report_2018, comment="seed")

    assert version.number == 1
    assert report_2018.status == DepartmentReport.Status.PUBLISHED


def test_the_clerk_shares_a_draft_with_members_from_the_editor(client, report_2020, clerk):
    client.force_login(clerk)
    editor = reverse("admin:reports_departmentreport_change", args=[report_2020.pk])

    assert "구의원에게 공개 전 열람 공유" in client.get(editor).text
    client.post(editor, {"_share": "on"})

    report_2020.refresh_from_db()
    assert report_2020.shared_with_members
    _login(client, Role.MEMBER, username="member")
    assert client.get(report_2020.get_absolute_url()).status_code == 200


def test_an_officer_cannot_share_a_draft_with_members(client, report_2020):
    _login(client, Role.OFFICER, report_2020.department)
    editor = reverse("admin:reports_departmentreport_change", args=[report_2020.pk])

    response = client.post(editor, {"_share": "on"})

    assert response.status_code == 403
    report_2020.refresh_from_db()
    assert not report_2020.shared_with_members


@pytest.mark.parametrize(
    ("forwarded", "logged"), [("203.0.113.9", "203.0.113.9"), ("not-an-ip", "10.0.0.1")]
)
def test_behind_a_proxy_the_log_keeps_the_clients_address_and_ignores_junk(
    client, report_2020, settings, forwarded, logged
):
    settings.TRUSTED_PROXY_COUNT = 1
    _login(client, Role.OFFICER, report_2020.department)

    response = client.get(
        report_2020.get_absolute_url(), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
    )

    assert response.status_code == 200
    assert AccessLog.objects.get().ip_address == logged
