"""An officer's first page is their to-do list; report actions have one URL each."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from budget.models import Execution
from org.roles import Role, make_staff
from projects.models import Block, Card
from reports.models import DepartmentReport, Session


@pytest.fixture
def vision(make_report):
    """제228회, 비전협력과, three cards of which one has this quarter's results; D-3."""
    report = make_report(cards=3, number=228, department="비전협력과")
    Session.objects.filter(pk=report.session_id).update(
        deadline=timezone.localdate() + datetime.timedelta(days=3)
    )
    Block.objects.filter(card__section__report=report).update(as_of=None)
    first = Card.objects.filter(section__report=report).order_by("number").first()
    Block.objects.filter(card=first).update(as_of=report.session.figure_date)
    return DepartmentReport.objects.select_related("session", "department").get(pk=report.pk)


@pytest.fixture
def officer_client(client, vision):
    officer = get_user_model().objects.create_user("vision-officer", password="x-pass-2026")
    make_staff(officer, Role.OFFICER, vision.department)
    client.force_login(officer)
    return client


def test_officer_lands_on_todo_with_dday_missing_cards_and_editor_button(officer_client, vision):
    page = officer_client.get(reverse("admin:index"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "제228회" in text and "비전협력과" in text
    assert "D-3" in text
    assert "이번 분기 추진실적이 없는 사업 카드 2건" in text
    editor = reverse("admin:reports_departmentreport_change", args=[vision.pk])
    assert f'href="{editor}"' in text
    assert officer_client.get(editor).status_code == 200


def test_todo_counts_budget_lines_without_this_quarters_execution(officer_client, vision):
    Execution.objects.filter(line__department=vision.department).delete()
    text = officer_client.get(reverse("admin:index")).content.decode()
    assert "집행액이 없는 예산 사업 5건" in text


def test_clerk_keeps_the_admin_index(clerk_client, vision):
    text = clerk_client.get(reverse("admin:index")).content.decode()
    assert "이번 분기 추진실적" not in text
    assert "보고서 작성과 관리" in text


def test_officer_submits_through_its_own_url(officer_client, vision):
    url = reverse("report_action", args=[vision.pk, "submit"])
    assert officer_client.get(url).status_code == 405
    response = officer_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:reports_departmentreport_change", args=[vision.pk]
    )
    vision.refresh_from_db()
    assert vision.status == DepartmentReport.Status.SUBMITTED


def test_another_departments_report_is_404_at_every_action_url(officer_client, make_report):
    other = make_report(cards=1, number=228, department="재무과")
    urls = [reverse("report_action", args=[other.pk, action]) for action in ("submit", "approve")]
    urls += [reverse("report_share", args=[other.pk]), reverse("report_unshare", args=[other.pk])]
    for url in urls:
        assert officer_client.post(url).status_code == 404, url
    other.refresh_from_db()
    assert other.status == DepartmentReport.Status.DRAFT
