"""Rules that lived only in a ModelAdmin, now asked of the model or service by every caller:
the service (or the model's own check) called directly refuses as the admin page does."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from org.roles import Role, make_staff
from projects import services as card_services
from projects.models import Card
from publishing import workflow
from reports.models import DepartmentReport


def _staff(role, department=None, username="user"):
    user = get_user_model().objects.create_user(username, password="pw-not-used")
    make_staff(user, role, department)
    return user


def test_a_sessions_printed_fields_refuse_change_once_a_report_is_submitted(make_report):
    report = make_report(cards=0)
    session = report.session
    session.name = "다른 이름"
    session.full_clean()  # all drafts: the session may still change

    DepartmentReport.objects.filter(pk=report.pk).update(status=DepartmentReport.Status.SUBMITTED)
    session.refresh_from_db()
    session.figure_date -= datetime.timedelta(days=1)
    session.name = "다른 이름"
    with pytest.raises(ValidationError) as refused:
        session.full_clean()
    assert set(refused.value.message_dict) == {"figure_date", "name"}
    assert "보고서가 제출된 회기라" in refused.value.message_dict["name"][0]

    session.refresh_from_db()
    session.deadline = session.start_date
    session.full_clean()  # the deadline still moves


def test_only_the_clerk_shares_a_draft_with_council_members(make_report):
    report = make_report(cards=0)
    officer = _staff(Role.OFFICER, report.department, "officer")
    clerk = _staff(Role.CLERK, username="clerk")

    with pytest.raises(workflow.WorkflowError, match="기획·의회사무국만"):
        workflow.share(report, officer, shared=True)
    report.refresh_from_db()
    assert not report.shared_with_members

    workflow.share(report, clerk, shared=True)
    report.refresh_from_db()
    assert report.shared_with_members and workflow.may_share(clerk, report)
    assert not workflow.may_share(officer, report)


def test_a_card_that_a_frozen_card_continues_is_not_deleted_by_the_service(make_report):
    earlier = make_report(cards=1, number=901)
    later = make_report(cards=1, number=902, department="다음과", bureau="다음국")
    card = Card.objects.get(section__report=earlier)
    Card.objects.filter(section__report=later).update(predecessor=card)

    DepartmentReport.objects.filter(pk=later.pk).update(status=DepartmentReport.Status.SUBMITTED)
    with pytest.raises(ValidationError, match="이 카드를 이어받은 카드"):
        card_services.delete_card(card)
    assert Card.objects.filter(pk=card.pk).exists()

    DepartmentReport.objects.filter(pk=later.pk).update(status=DepartmentReport.Status.RETURNED)
    card_services.delete_card(card)
    assert not Card.objects.filter(pk=card.pk).exists()
