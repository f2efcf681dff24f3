"""The clerk's session dashboard: who stands where, who changed what, and the workflow buttons."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from org.roles import Role, make_staff
from portal import dashboard
from publishing import workflow
from reports.models import DepartmentReport, ReportEvent

Status = DepartmentReport.Status


@pytest.fixture
def clerk(db):
    user = User.objects.create_user("clerk", "clerk@gu.example", "pw")
    make_staff(user, Role.CLERK)
    return user


@pytest.fixture
def kim(report_2020):
    """An officer of 비전협력과, the department of the 2020 seed."""
    user = User.objects.create_user("kim", "kim@gu.example", "pw")
    make_staff(user, Role.OFFICER, report_2020.department)
    return user


def url(report):
    return reverse("session_dashboard", args=[report.session.number])


def backdate(report, delta):
    """Move every change the dashboard reads for this report `delta` into the past."""
    for source in dashboard.SOURCES:
        target = report.department_id if source.by_department else report.pk
        rows = source.model._default_manager.filter(**{source.lookup: target})
        rows.update(**{source.when: F(source.when) - delta})
    DepartmentReport.objects.filter(pk=report.pk).update(created_at=F("created_at") - delta)


def row_of(response, report) -> str:
    html = response.content.decode()
    match = re.search(rf'<tr id="report-{report.pk}".*?</tr>', html, re.S)
    assert match, f"no row for {report}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


def set_deadline(report, days_from_today):
    session = report.session
    session.deadline = timezone.localdate() + datetime.timedelta(days=days_from_today)
    session.save()


def test_clerk_sees_department_submitted_by_kim_two_hours_ago_and_d_minus_3(
    client, clerk, kim, report_2020
):
    set_deadline(report_2020, 3)
    backdate(report_2020, datetime.timedelta(days=1))
    workflow.perform(report_2020, "submit", kim)
    backdate(report_2020, datetime.timedelta(hours=2))
    client.force_login(clerk)

    response = client.get(url(report_2020))

    row = row_of(response, report_2020)
    assert "비전협력과 제출 제출 kim · 2시간 전" in row
    assert "마감 D-3" in response.content.decode()


def test_last_change_is_a_card_edit_and_names_its_author(client, clerk, kim, report_2020):
    backdate(report_2020, datetime.timedelta(days=1))
    card = report_2020.sections.first().cards.first()
    card.title = "대외교류 활성화 (수정)"
    card._history_user = kim
    card.save()
    client.force_login(clerk)

    row = row_of(client.get(url(report_2020)), report_2020)

    assert "사업 카드 수정 kim · 방금" in row


def test_countdown_reads_d_day_today_and_overdue():
    today = datetime.date(2020, 11, 17)

    texts = [dashboard.countdown(today + datetime.timedelta(days=n), today) for n in (3, 0, -2)]

    assert texts == ["마감 D-3", "오늘 마감", "마감 2일 지남"]


def test_an_officer_cannot_open_the_dashboard(client, kim, report_2020):
    client.force_login(kim)

    assert client.get(url(report_2020)).status_code == 403


def test_anonymous_visitor_is_sent_to_the_login(client, report_2020):
    response = client.get(url(report_2020))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_submitted_report_shows_approve_and_return_buttons(client, clerk, kim, report_2020):
    workflow.perform(report_2020, "submit", kim)
    client.force_login(clerk)

    row = row_of(client.get(url(report_2020)), report_2020)

    assert row.endswith("승인 보완 요청 보완할 내용 보완 요청 보내기 ")


def test_clerk_returns_a_report_with_a_comment_and_the_officer_gets_an_email(
    client, clerk, kim, report_2020, django_capture_on_commit_callbacks
):
    workflow.perform(report_2020, "submit", kim)
    client.force_login(clerk)
    post_url = reverse("session_dashboard_transition", args=[227, report_2020.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            post_url, {"action": "return", "comment": "예산 현황 집행률을 다시 확인해 주세요."}
        )

    assert response.url == url(report_2020) + f"#report-{report_2020.pk}"
    assert [message.to for message in mail.outbox] == [["kim@gu.example"]]
    assert "예산 현황 집행률을 다시 확인해 주세요." in mail.outbox[0].body


def test_a_return_without_a_comment_is_refused_with_a_korean_message(
    client, clerk, kim, report_2020
):
    workflow.perform(report_2020, "submit", kim)
    client.force_login(clerk)
    post_url = reverse("session_dashboard_transition", args=[227, report_2020.pk])

    response = client.post(post_url, {"action": "return", "comment": " "}, follow=True)

    assert "보완 요청하려면 보완할 내용을 적어야 합니다." in response.content.decode()
    report_2020.refresh_from_db()
    assert report_2020.status == Status.SUBMITTED


def test_an_officer_cannot_approve_through_the_dashboard(client, kim, report_2020):
    workflow.perform(report_2020, "submit", kim)
    client.force_login(kim)
    post_url = reverse("session_dashboard_transition", args=[227, report_2020.pk])

    response = client.post(post_url, {"action": "approve"})

    assert response.status_code == 403


def test_publish_all_publishes_the_approved_reports_only(client, clerk, make_report):
    approved = make_report(number=901, department="승인과")
    draft = make_report(number=901, department="작성과")
    DepartmentReport.objects.filter(pk=approved.pk).update(status=Status.APPROVED)
    DepartmentReport.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    client.force_login(clerk)

    response = client.post(reverse("session_dashboard_publish", args=[901]), follow=True)

    statuses = dict(DepartmentReport.objects.values_list("department__name", "status"))
    assert statuses == {"승인과": Status.PUBLISHED, "작성과": Status.DRAFT}
    assert "승인된 보고서 1건을 공개했습니다." in response.content.decode()


@pytest.mark.parametrize("departments", [2, 6])
def test_the_dashboard_runs_the_same_queries_for_2_and_6_departments(
    client, clerk, make_report, django_assert_num_queries, departments
):
    reports = [
        make_report(number=902, department=f"시험{i}과", cards=2) for i in range(departments)
    ]
    DepartmentReport.objects.update(status=Status.SUBMITTED)
    for report in reports:
        ReportEvent.objects.create(
            report=report, action="submit", from_status="draft", to_status="submitted", actor=clerk
        )
    client.force_login(clerk)
    dashboard_url = reverse("session_dashboard", args=[902])

    with django_assert_num_queries(QUERIES):
        response = client.get(dashboard_url)

    assert response.content.decode().count('class="dash-row') == departments


# The login session, its user and their user and group permissions; the Session; the reports
# with every annotation; the users who made the last changes; the other sessions; the latest
# booklet build; then the login session saved again (SESSION_SAVE_EVERY_REQUEST: savepoint,
# update, release).
QUERIES = 12
