"""Input hygiene (issue 18, point 7): amounts whose commas are not thousands separators,
invisible characters in titles and names, and a 기준일 outside the report years are refused
with a Korean message — in the admin, through the staff API and in an import — and nothing
is saved. Ordinary Korean text, line breaks included, goes through as before."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from budget.models import BudgetLine
from core.text import invisible_message
from org.models import StaffingSnapshot
from projects.models import Card
from tests.import_helpers import db_state, make_officer, page_text, upload
from tests.test_admin_card import card_form, field_errors, post_card
from tests.test_api_staff import SEED_CARD, card_url, patch, token_client
from tests.test_import_budget import HEADER, csv

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
ZWSP = "\u200b"  # ZERO WIDTH SPACE
BOM = "\ufeff"


@pytest.fixture
def officer(report_2020):
    return make_officer(report_2020.department)


@pytest.fixture
def api(officer):
    return token_client(officer)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"청년{ZWSP} 일자리", "3번째 글자에 폭 없는 공백(U+200B)"),
        (f"{BOM}청년 일자리", "1번째 글자에 BOM(바이트 순서 표시)(U+FEFF)"),
        (f"사업{RLO}cod.exe", "3번째 글자에 글자 방향 제어 문자(U+202E)"),
        ("첫 줄\n둘째\u2066 줄", "2번째 줄 3번째 글자에 글자 방향 제어 문자(U+2066)"),
    ],
)
def test_the_message_says_which_invisible_character_and_where(text, expected):
    assert expected in invisible_message(text)


def test_ordinary_korean_text_with_line_breaks_is_not_flagged():
    assert invisible_message("○ 청년 일자리 (’20. 1. ~ 12.)\n  - 국비·시비 매칭\t표") is None


def test_the_card_page_refuses_a_title_with_a_bidi_override(admin_client, report_2020):
    card = Card.objects.get(title=SEED_CARD)
    data = card_form(admin_client, card)
    data["title"] = f"여의도{RLO} 금융"

    page = post_card(admin_client, card, data).content.decode()

    assert "4번째 글자에 글자 방향 제어 문자(U+202E)" in field_errors(page, "title")
    assert Card.objects.get(pk=card.pk).title == SEED_CARD


def test_the_staff_api_refuses_a_block_heading_with_a_zero_width_space(api, report_2020):
    card = Card.objects.get(title=SEED_CARD)
    read = api.get(card_url(card)).json()
    block = {k: read["blocks"][0][k] for k in ("id", "order", "content")}

    response = patch(
        api,
        card_url(card),
        {"revision": read["revision"], "blocks": [{**block, "heading": f"사업{ZWSP}개요"}]},
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "blocks[0].heading"
    assert "3번째 글자에 폭 없는 공백(U+200B)" in error["message"]


def test_the_staff_api_keeps_a_purpose_of_several_korean_lines(api, report_2020):
    card = Card.objects.get(title=SEED_CARD)
    revision = api.get(card_url(card)).json()["revision"]

    purpose = "여의도를 금융 중심지로\n육성합니다."
    response = patch(api, card_url(card), {"revision": revision, "purpose": purpose})

    assert response.status_code == 200, response.content.decode()
    assert Card.objects.get(pk=card.pk).purpose == purpose


def test_an_import_refuses_a_name_with_a_bom_and_saves_nothing(officer_client):
    before = db_state()

    response = upload(officer_client, "budget", csv(HEADER, f"2020,,{BOM}청년 일자리,0,0,10,0,10"))

    text = page_text(response)
    assert "2행 ‘사업명’ 열" in text and "BOM(바이트 순서 표시)(U+FEFF)" in text
    assert db_state() == before


def test_an_import_reads_1_2_3_as_a_mistake_not_as_123(officer_client):
    before = db_state()

    response = upload(officer_client, "budget", csv(HEADER, '2020,,청년 일자리,0,0,"1,2,3",0,123'))

    text = page_text(response)
    assert "2행 ‘구비’ 열 값 ‘1,2,3’" in text
    assert "천 단위 구분으로만" in text
    assert db_state() == before
    assert not BudgetLine.objects.filter(name="청년 일자리").exists()


def test_an_import_still_reads_thousands_separators(officer_client):
    response = upload(officer_client, "budget", csv(HEADER, '2020,,청년 일자리,0,0,"1,234",0,1234'))

    assert "천 단위 구분으로만" not in page_text(response)
    assert "문제" not in page_text(response)


def staffing(api, department_id: int, as_of: str):
    cells = [{"series": "general", "grade": "6", "authorized": 5, "current": 4}]
    body = {"department": department_id, "as_of": as_of, "cells": cells}
    return api.post("/api/v1/staff/staffing/", body, "application/json")


def test_the_staff_api_refuses_a_staffing_date_in_year_one(api, report_2020):
    response = staffing(api, report_2020.department_id, "0001-01-01")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "as_of", "message": "기준일은 2000년에서 2100년 사이의 날짜여야 합니다."}
    ]
    assert not StaffingSnapshot.objects.filter(as_of__year=1).exists()
    assert staffing(api, report_2020.department_id, "2020-12-31").status_code == 201


def test_the_database_refuses_a_staffing_date_outside_the_report_years(report_2020):
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffingSnapshot.objects.create(
            department=report_2020.department, as_of=datetime.date(2101, 1, 1)
        )
