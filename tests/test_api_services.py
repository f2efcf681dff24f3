"""The staff API and the admin's pages ask the same services: the same rule, the same Korean
words, whichever door a department's data comes through (projects/services.py,
budget/services.py, org/services.py, reports/services.py, org/changes.py)."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.test import Client

from budget import services as budget_services
from budget.models import BudgetLine, Execution
from org import services as org_services
from org.models import StaffingSnapshot
from org.roles import Role, make_staff
from projects import services as card_services
from projects.models import Block, Card
from publishing.workflow import perform
from tests.test_admin_card import PASTED_CARD, card_form, field_errors, post_card
from tests.test_api_staff import SEED_CARD, card_url, patch, token_client


@pytest.fixture
def officer(report_2020, django_user_model):
    user = django_user_model.objects.create_user("officer", password=None, first_name="김담당")
    make_staff(user, Role.OFFICER, report_2020.department)
    return user


@pytest.fixture
def api(officer):
    return token_client(officer)


def read(api, card: Card) -> dict:
    return api.get(card_url(card)).json()


def test_a_patch_of_a_card_whose_report_is_submitted_is_refused_as_the_admin_says_it(
    api, officer, report_2020
):
    card = Card.objects.get(title=SEED_CARD)
    revision = read(api, card)["revision"]
    perform(report_2020, "submit", officer)
    page = Client()
    page.force_login(officer)
    shown = page.get(f"/admin/projects/card/{card.pk}/change/").content.decode()

    response = patch(api, card_url(card), {"revision": revision, "title": "제출 뒤 고침"})

    assert response.status_code == 403
    assert response.json()["detail"] in shown  # the reason the admin's page gives
    assert Card.objects.get(pk=card.pk).title == SEED_CARD


def test_a_card_number_taken_in_its_section_is_refused_with_the_admin_pages_words(
    api, admin_client, report_2020
):
    card, other = Card.objects.filter(section__report=report_2020).order_by("section", "number")[:2]
    data = card_form(admin_client, other)
    data["number"] = str(card.number)
    page = post_card(admin_client, other, data).content.decode()

    response = patch(api, card_url(other), {"revision": other.revision, "number": card.number})

    assert response.status_code == 400
    message = (
        f"이 단원에는 {card.number}번 카드 ‘{card.title}’가 이미 있습니다. 다른 번호를 쓰세요."
    )
    assert response.json()["errors"] == [{"field": "number", "message": message}]
    assert message in field_errors(page, "number")


def test_a_whole_card_pasted_through_the_api_becomes_its_blocks_as_on_the_page(api, report_2020):
    card = Card.objects.get(title=SEED_CARD)
    card.blocks.all().delete()
    Card.objects.filter(pk=card.pk).update(purpose="")

    response = patch(
        api, card_url(card), {"revision": read(api, card)["revision"], "paste_all": PASTED_CARD}
    )

    assert response.status_code == 200, response.content.decode()
    assert [b["heading"] for b in response.json()["blocks"]] == [
        "사업개요",
        "주요 추진실적",
        "향후계획",
    ]
    assert response.json()["purpose"].startswith("여의도 금융개발진흥지구를 육성하여")


def test_a_paste_with_a_different_purpose_saves_nothing_unless_blocks_are_replaced(
    api, report_2020
):
    card = Card.objects.get(title=SEED_CARD)
    Card.objects.filter(pk=card.pk).update(purpose="원래 목적")
    before = list(card.blocks.values_list("pk", "heading"))
    body = {"revision": read(api, card)["revision"], "paste_all": "다른 목적\n□ 새 블록\n ○ 내용"}

    refused = patch(api, card_url(card), body)
    replaced = patch(api, card_url(card), {**body, "paste_replace": True})

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "paste_all"
    assert "추진 목적과 다릅니다" in refused.json()["errors"][0]["message"]
    assert replaced.status_code == 200
    assert [b["heading"] for b in replaced.json()["blocks"]] == ["새 블록"]
    assert before and not Block.objects.filter(pk__in=[pk for pk, _h in before]).exists()


def test_a_stale_budget_line_is_a_409_and_one_without_a_revision_names_the_field(
    api, report_2020, django_user_model
):
    colleague = django_user_model.objects.create_user("colleague", password=None)
    make_staff(colleague, Role.OFFICER, report_2020.department)
    line = BudgetLine.objects.get(department=report_2020.department, name="대외교류 활성화")
    url = f"/api/v1/staff/budget-lines/{line.pk}/"
    seen = api.get(url).json()["revision"]
    assert patch(token_client(colleague), url, {"revision": seen, "order": 7}).status_code == 200

    stale = patch(api, url, {"revision": seen, "order": 8})
    missing = patch(api, url, {"order": 8})

    assert stale.status_code == 409
    assert "colleague" in " ".join(e["message"] for e in stale.json()["errors"])
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "revision"
    assert BudgetLine.objects.get(pk=line.pk).order == 7


def test_an_execution_left_out_of_the_list_is_deleted_with_the_line_revision_raised(
    api, report_2020
):
    line = BudgetLine.objects.get(department=report_2020.department, name="대외교류 활성화")
    Execution.objects.create(line=line, as_of="2020-06-30")
    url = f"/api/v1/staff/budget-lines/{line.pk}/"
    shown = api.get(url).json()
    assert len(shown["executions"]) == 2

    response = patch(
        api, url, {"revision": shown["revision"], "executions": shown["executions"][:1]}
    )

    assert response.status_code == 200, response.content.decode()
    assert response.json()["revision"] == shown["revision"] + 1
    assert Execution.objects.filter(line=line).count() == 1


def test_the_service_refuses_a_line_of_a_department_under_review_whoever_calls_it(
    officer, report_2020
):
    perform(report_2020, "submit", officer)

    with pytest.raises(ValidationError) as refused:
        budget_services.budget_line_save(
            officer,
            None,
            {"department": report_2020.department_id, "fiscal_year": 2020, "name": "새 사업"},
        )

    assert "제출 상태라" in " ".join(refused.value.messages)
    assert not BudgetLine.objects.filter(name="새 사업").exists()


def test_two_cells_of_the_same_series_and_grade_save_nothing(api, report_2020):
    cell = {"series": "general", "grade": "6", "authorized": 5, "current": 4}
    body = {"department": report_2020.department_id, "as_of": "2020-12-31", "cells": [cell, cell]}

    response = api.post("/api/v1/staff/staffing/", body, "application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cells"
    assert not StaffingSnapshot.objects.filter(as_of="2020-12-31").exists()


def test_a_snapshot_of_another_department_cannot_be_made_by_an_officer(officer, make_report):
    other = make_report(cards=1, number=227, department="시험과")

    with pytest.raises(ValidationError) as refused:
        org_services.staffing_snapshot_save(
            officer, None, {"department": other.department_id, "as_of": "2020-12-31"}
        )

    assert "department" in refused.value.message_dict
    assert not StaffingSnapshot.objects.filter(as_of="2020-12-31").exists()


def test_a_card_moved_to_a_section_of_another_departments_report_is_not_a_choice(
    officer, report_2020, make_report
):
    card = Card.objects.get(title=SEED_CARD)
    other = make_report(cards=1, number=300, department="시험과")
    elsewhere = other.sections.order_by("pk").first()

    with pytest.raises(ValidationError) as refused:
        card_services.card_save(
            officer, card, {"section": elsewhere.pk}, revision=card.revision, blocks=None
        )

    assert list(refused.value.message_dict) == ["section"]
    assert Card.objects.get(pk=card.pk).section.report == report_2020


def test_deleting_a_budget_line_takes_its_executions_and_is_in_the_admin_history(
    api, officer, report_2020
):
    line = BudgetLine.objects.filter(
        department=report_2020.department, cards=None, children=None
    ).first()
    Execution.objects.filter(line=line).delete()
    Execution.objects.create(line=line, as_of="2020-09-30")

    response = api.delete(f"/api/v1/staff/budget-lines/{line.pk}/")

    assert response.status_code == 204
    assert not Execution.objects.filter(line_id=line.pk).exists()
    entry = LogEntry.objects.get(object_id=str(line.pk))
    assert (entry.user, entry.action_flag) == (officer, DELETION)


def test_facilities_saved_meanwhile_by_a_colleague_are_a_409_and_nothing_is_overwritten(
    api, report_2020, django_user_model
):
    colleague = django_user_model.objects.create_user("colleague", password=None)
    make_staff(colleague, Role.OFFICER, report_2020.department)
    url = f"/api/v1/staff/reports/{report_2020.pk}/"
    seen = api.get(url).json()["revision"]
    first = patch(token_client(colleague), url, {"revision": seen, "facilities": "○ 동료의 시설"})

    response = patch(api, url, {"revision": seen, "facilities": "○ 내 시설"})

    assert first.status_code == 200 and response.status_code == 409
    assert "colleague" in " ".join(e["message"] for e in response.json()["errors"])
    report_2020.refresh_from_db()
    assert report_2020.facilities[0]["text"] == "동료의 시설"


def test_the_facilities_service_refuses_a_submitted_report_whoever_calls_it(officer, report_2020):
    from reports.services import report_facilities_save

    perform(report_2020, "submit", officer)
    report_2020.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        report_facilities_save(
            officer, report_2020, [{"text": "제출 뒤"}], revision=report_2020.revision
        )

    assert "제출" in " ".join(refused.value.messages)
    report_2020.refresh_from_db()
    assert all(node.get("text") != "제출 뒤" for node in report_2020.facilities)
