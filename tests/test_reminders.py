"""E-mail to departments: reminders before the deadline, and a notice when a report is returned."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from org.roles import Role, make_staff
from portal.notifications import send_deadline_reminders
from publishing import workflow
from reports.models import DepartmentReport, ReportEvent

Status = DepartmentReport.Status
TODAY = datetime.date(2020, 11, 17)


@pytest.fixture(autouse=True)
def mail_settings(db, settings):
    settings.REMINDER_DAYS = [3, 1]
    settings.SITE_URL = "https://portal.gu.example"


def staff(username, role, department=None, **fields):
    user = User.objects.create_user(username, f"{username}@gu.example", "pw", **fields)
    make_staff(user, role, department)
    return user


@pytest.fixture
def departments(report_2020, make_report):
    """Session 227 due on 11. 20.: 비전협력과 still writing, 시험과 submitted, each with an officer."""
    submitted = make_report(number=227, department="시험과")
    DepartmentReport.objects.filter(pk=submitted.pk).update(status=Status.SUBMITTED)
    session = report_2020.session
    session.deadline = datetime.date(2020, 11, 20)
    session.save()
    staff("kim", Role.OFFICER, report_2020.department)
    staff("lee", Role.OFFICER, submitted.department)
    return report_2020, submitted


def test_three_days_before_the_deadline_the_unsubmitted_department_gets_one_reminder(
    departments,
):
    send_deadline_reminders(TODAY)

    assert [message.to for message in mail.outbox] == [["kim@gu.example"]]


def test_the_reminder_names_the_session_the_deadline_and_the_editor(departments):
    draft, _submitted = departments

    send_deadline_reminders(TODAY)

    message = mail.outbox[0]
    assert message.subject == "[업무보고] 마감 D-3: 제227회 비전협력과 보고서 제출"
    assert "제출 마감일은 2020. 11. 20.입니다." in message.body
    editor = reverse("admin:reports_departmentreport_change", args=[draft.pk])
    assert f"https://portal.gu.example{editor}" in message.body


def test_running_the_command_again_the_same_day_sends_nothing_more(departments):
    call_command("send_reminders", "--date", "2020-11-17", stdout=StringIO())
    out = StringIO()

    call_command("send_reminders", "--date", "2020-11-17", stdout=out)

    assert len(mail.outbox) == 1
    assert "오늘 이미 보냄: 제227회 구의회 제2차 정례회 — 비전협력과" in out.getvalue()


def test_the_command_prints_what_it_sent(departments):
    out = StringIO()

    call_command("send_reminders", "--date", "2020-11-17", stdout=out)

    assert "보냄: 제227회 구의회 제2차 정례회 — 비전협력과 (마감 3일 전) → kim@gu.example" in (
        out.getvalue()
    )


def test_the_day_before_the_deadline_they_are_reminded_again(departments):
    send_deadline_reminders(TODAY)

    send_deadline_reminders(TODAY + datetime.timedelta(days=2))

    assert [message.subject.split(":")[0] for message in mail.outbox] == [
        "[업무보고] 마감 D-3",
        "[업무보고] 마감 D-1",
    ]


def test_two_days_before_the_deadline_nobody_is_reminded(departments):
    send_deadline_reminders(TODAY + datetime.timedelta(days=1))

    assert mail.outbox == []


def test_a_returned_report_is_reminded_with_what_to_fix(departments):
    draft, _submitted = departments
    DepartmentReport.objects.filter(pk=draft.pk).update(
        status=Status.RETURNED, status_comment="인력 현황 기준일을 고쳐 주세요."
    )

    send_deadline_reminders(TODAY)

    assert "인력 현황 기준일을 고쳐 주세요." in mail.outbox[0].body


def test_inactive_staff_staff_without_address_and_clerks_get_no_reminder(departments):
    draft, _submitted = departments
    staff("park", Role.HEAD, draft.department)
    staff("gone", Role.OFFICER, draft.department, is_active=False)
    User.objects.filter(username="park").update(email="")
    staff("clerk", Role.CLERK)

    send_deadline_reminders(TODAY)

    assert [message.to for message in mail.outbox] == [["kim@gu.example"]]


def test_a_department_without_any_address_is_reported_not_sent(departments):
    User.objects.filter(username="kim").update(email="")
    out = StringIO()

    call_command("send_reminders", "--date", "2020-11-17", stdout=out)

    assert mail.outbox == []
    assert "받을 사람 없음" in out.getvalue()


def test_a_bad_date_is_refused_in_korean(db):
    with pytest.raises(Exception, match="YYYY-MM-DD 형식"):
        call_command("send_reminders", "--date", "17.11.2020")


def test_a_returned_report_mails_its_department_with_the_comment(
    departments, django_capture_on_commit_callbacks
):
    draft, _submitted = departments
    kim = User.objects.get(username="kim")
    clerk = staff("clerk", Role.CLERK)
    workflow.perform(draft, "submit", kim)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(draft, "return", clerk, comment="사업 카드 3의 예산을 확인해 주세요.")

    message = mail.outbox[0]
    assert message.to == ["kim@gu.example"]
    assert message.subject == "[업무보고] 제227회 비전협력과 보고서 보완 요청"
    assert "사업 카드 3의 예산을 확인해 주세요." in message.body


def test_approving_sends_no_mail(departments, django_capture_on_commit_callbacks):
    draft, _submitted = departments
    clerk = staff("clerk", Role.CLERK)
    workflow.perform(draft, "submit", User.objects.get(username="kim"))

    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(draft, "approve", clerk)

    assert mail.outbox == []


def test_a_mail_server_failure_is_reported_and_tried_again_next_run(departments, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    out = StringIO()
    call_command("send_reminders", "--date", "2020-11-17", stdout=out)
    assert "보내지 못함" in out.getvalue()
    assert not ReportEvent.objects.filter(action="remind").exists()

    monkeypatch.undo()
    send_deadline_reminders(TODAY)
    assert [message.to for message in mail.outbox] == [["kim@gu.example"]]
