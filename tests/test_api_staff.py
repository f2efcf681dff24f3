"""The staff write API as a department's own system would use it: the admin's rules, the
admin's Korean messages, nothing half-saved, and every change in the history."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from budget.models import BudgetLine, Execution
from org.models import ApiToken, StaffingSnapshot
from org.roles import Role, make_staff
from projects.models import Block, Card
from publishing.workflow import perform
from reports.models import DepartmentReport, ReportVersion
from tests.test_admin_card import card_form, field_errors, post_card
from tests.test_authorization_matrix import stub_pdf  # noqa: F401  (a fixture)

SEED_CARD = "여의도 금융특정개발진흥지구 육성"


def token_client(user) -> Client:
    _token, key = ApiToken.issue(user=user, name="시험")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def officer(report_2020, django_user_model):
    user = django_user_model.objects.create_user("officer", password=None, first_name="김담당")
    make_staff(user, Role.OFFICER, report_2020.department)
    return user


@pytest.fixture
def api(officer):
    """The department's own system, with the officer's token."""
    return token_client(officer)


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def card_url(card: Card) -> str:
    return f"/api/v1/staff/cards/{card.pk}/"


def test_an_officer_rewrites_a_cards_blocks_and_the_history_says_who(api, officer, report_2020):
    card = Card.objects.get(title=SEED_CARD)
    read = api.get(card_url(card)).json()
    kept = read["blocks"][0]
    response = patch(
        api,
        card_url(card),
        {
            "revision": read["revision"],
            "title": "여의도 금융중심지 육성",
            "blocks": [
                {**{k: kept[k] for k in ("id", "heading", "order")}, "content": "○ 고친 첫 항목"},
                {"heading": "향후계획", "order": 9, "content": "○ 새 계획\n  - 세부 계획"},
            ],
        },
    )
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["title"] == "여의도 금융중심지 육성"
    assert body["revision"] == read["revision"] + 1
    assert [b["heading"] for b in body["blocks"]] == [kept["heading"], "향후계획"]
    assert body["blocks"][1]["nodes"][0]["children"][0]["text"] == "세부 계획"
    assert card.blocks.count() == 2  # the blocks left out were deleted
    assert Card.history.filter(id=card.pk).latest("history_date").history_user == officer
    entry = LogEntry.objects.get(object_id=str(card.pk))
    assert entry.user == officer and "사업명" in entry.get_change_message()


def test_the_api_gives_the_admin_pages_own_message_for_the_same_mistake(
    api, admin_client, report_2020
):
    card = Card.objects.get(title=SEED_CARD)
    data = card_form(admin_client, card)
    data["blocks-1-content"] = "- 첫 줄\n□ 다른 제목"
    page = post_card(admin_client, card, data).content.decode()

    read = api.get(card_url(card)).json()
    blocks = [{k: b[k] for k in ("id", "heading", "order", "content")} for b in read["blocks"]]
    blocks[1]["content"] = "- 첫 줄\n□ 다른 제목"
    response = patch(api, card_url(card), {"revision": read["revision"], "blocks": blocks})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors == [
        {
            "field": "blocks[1].content",
            "message": "2번째 줄: 블록 본문에는 □ 제목을 쓸 수 없습니다. □마다 블록을 나누어 입력하세요.",
        }
    ]
    assert errors[0]["message"] in field_errors(page, "blocks-1-content")


def test_one_bad_block_saves_nothing_of_the_request(api, report_2020):
    card = Card.objects.get(title=SEED_CARD)
    before = (card.title, list(card.blocks.values_list("heading", "content")))
    read = api.get(card_url(card)).json()
    response = patch(
        api,
        card_url(card),
        {
            "revision": read["revision"],
            "title": "바뀌면 안 되는 제목",
            "blocks": [
                {"heading": "사업개요", "order": 1, "content": "○ 좋은 줄"},
                {"heading": ""},
            ],
        },
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"blocks[1].heading"}  # 순서 takes the page's default
    card.refresh_from_db()
    assert (card.title, list(card.blocks.values_list("heading", "content"))) == before


def test_a_save_on_a_stale_revision_is_a_409_that_says_who_changed_what(
    api, officer, report_2020, django_user_model
):
    colleague = django_user_model.objects.create_user("colleague", password=None)
    make_staff(colleague, Role.OFFICER, report_2020.department)
    other = token_client(colleague)
    card = Card.objects.get(title=SEED_CARD)
    seen = api.get(card_url(card)).json()["revision"]

    assert (
        patch(other, card_url(card), {"revision": seen, "title": "동료가 고친 제목"}).status_code
        == 200
    )
    response = patch(api, card_url(card), {"revision": seen, "title": "내가 고친 제목"})

    assert response.status_code == 409
    messages = " ".join(e["message"] for e in response.json()["errors"])
    assert "colleague" in messages and "동료가 고친 제목" in messages
    card.refresh_from_db()
    assert card.title == "동료가 고친 제목"
    missing = patch(api, card_url(card), {"title": "차례 없이"})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "revision"


def test_a_clerk_publishes_session_227_and_the_officer_can_no_longer_edit_it(
    api,
    officer,
    clerk,
    report_2020,
    stub_pdf,  # noqa: F811
):
    report = report_2020
    card = Card.objects.get(title=SEED_CARD)
    read = api.get(f"/api/v1/staff/reports/{report.pk}/").json()
    assert "publish" not in read["transitions"] and "submit" in read["transitions"]

    response = api.post(
        f"/api/v1/staff/reports/{report.pk}/transition/", {"action": "publish"}, "application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "action", "message": "공개 권한이 없습니다."}]

    submitted = api.post(
        f"/api/v1/staff/reports/{report.pk}/transition/", {"action": "submit"}, "application/json"
    )
    assert submitted.json()["status"] == "submitted"
    clerk_api = token_client(clerk)
    for action in ("approve", "publish"):
        response = clerk_api.post(
            f"/api/v1/staff/reports/{report.pk}/transition/", {"action": action}, "application/json"
        )
        assert response.status_code == 200, response.content.decode()
    assert ReportVersion.objects.filter(report=report).count() == 1

    revision = api.get(card_url(card)).json()["revision"]
    response = patch(api, card_url(card), {"revision": revision, "title": "공개 뒤 고침"})
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "공개된 보고서는 고칠 수 없습니다. 정정하려면 기획·의회사무국에 정정을 요청하세요."
    )
    assert api.delete(card_url(card)).status_code == 403
    card.refresh_from_db()
    assert card.title == SEED_CARD
    # …and what was published is what the public API now serves.
    public = Client().get("/api/v1/cards/", {"session": 227}).json()
    assert SEED_CARD in [row["title"] for row in public["results"]]


def test_budget_lines_are_frozen_while_the_report_is_reviewed(api, officer, report_2020):
    line = BudgetLine.objects.filter(department=report_2020.department, parent=None).first()
    perform(report_2020, "submit", officer)
    read = api.get(f"/api/v1/staff/budget-lines/{line.pk}/").json()
    response = patch(
        api, f"/api/v1/staff/budget-lines/{line.pk}/", {"revision": read["revision"], "city": 1}
    )
    assert response.status_code == 403
    assert (
        "제출 상태라 이 부서의 조직·인력·예산 자료를 고칠 수 없습니다" in response.json()["detail"]
    )
    created = api.post(
        "/api/v1/staff/budget-lines/",
        {
            "department": report_2020.department_id,
            "fiscal_year": 2020,
            "name": "새 사업",
            "order": 9,
        },
        "application/json",
    )
    assert created.status_code == 400
    assert "제출 상태라" in created.json()["errors"][0]["message"]
    assert not BudgetLine.objects.filter(name="새 사업").exists()


def test_an_officer_records_an_execution_and_amounts_are_checked_as_in_the_admin(api, report_2020):
    line = BudgetLine.objects.get(department=report_2020.department, name="대외교류 활성화")
    url = f"/api/v1/staff/budget-lines/{line.pk}/"
    read = api.get(url).json()
    executions = [{k: e[k] for k in ExecutionKeys} for e in read["executions"]]
    new = {"as_of": "2020-11-30", "city": 20000, "district": 70000, "national": 0, "other": 0}
    response = patch(api, url, {"revision": read["revision"], "executions": [*executions, new]})
    assert response.status_code == 200, response.content.decode()
    assert Execution.objects.filter(line=line, as_of="2020-11-30").get().district == 70000

    read = response.json()
    over = {**new, "as_of": "2020-12-31", "district": 99999}
    response = patch(
        api, url, {"revision": read["revision"], "executions": [*read["executions"], over]}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "executions[2].district",
            "message": "구비 집행액 99,999천원이 구비 예산 95,900천원보다 많습니다.",
        }
    ]
    negative = patch(api, url, {"revision": read["revision"], "city": -1})
    assert negative.json()["errors"] == [
        {"field": "city", "message": "금액은 0 이상이어야 합니다(△, - 없이)."}
    ]


ExecutionKeys = ("id", "as_of", "national", "city", "district", "other", "expected")


def test_an_officer_cannot_write_into_another_department(api, report_2020, make_report):
    other = make_report(cards=1, number=227, department="시험과")
    other_card = Card.objects.filter(section__report=other).get()
    assert api.get(card_url(other_card)).status_code == 404
    assert patch(api, card_url(other_card), {"title": "x", "revision": 1}).status_code == 404
    response = api.post(
        "/api/v1/staff/budget-lines/",
        {"department": other.department_id, "fiscal_year": 2020, "name": "남의 사업", "order": 1},
        "application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "department"
    assert not BudgetLine.objects.filter(name="남의 사업").exists()
    listed = api.get("/api/v1/staff/cards/?page_size=500").json()
    assert other_card.pk not in {card["id"] for card in listed["results"]}


def test_staffing_is_entered_with_its_cells_and_a_bad_cell_is_named(api, report_2020):
    response = api.post(
        "/api/v1/staff/staffing/",
        {
            "department": report_2020.department_id,
            "as_of": "2020-12-31",
            "cells": [
                {"series": "general", "grade": "6", "authorized": 5, "current": 4},
                {"series": "general", "grade": "7", "authorized": 3, "current": 1000},
            ],
        },
        "application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "cells[1].current", "message": "인원은 999명 이하로 입력하세요."}
    ]
    assert not StaffingSnapshot.objects.filter(as_of="2020-12-31").exists()
    response = api.post(
        "/api/v1/staff/staffing/",
        {
            "department": report_2020.department_id,
            "as_of": "2020-12-31",
            "cells": [{"series": "general", "grade": "6", "authorized": 5, "current": 4}],
        },
        "application/json",
    )
    assert response.status_code == 201
    assert response.json()["cells"][0] | {"id": 0} == {
        "id": 0,
        "series": "general",
        "grade": "6",
        "authorized": 5,
        "current": 4,
    }


def test_facilities_are_saved_through_the_report_editor(api, report_2020):
    url = f"/api/v1/staff/reports/{report_2020.pk}/"
    read = api.get(url).json()
    response = patch(
        api, url, {"revision": read["revision"], "facilities": "○ 회의실 2곳\n  - 대회의실"}
    )
    assert response.status_code == 200, response.content.decode()
    assert response.json()["facilities_nodes"][0]["children"][0]["text"] == "대회의실"
    report_2020.refresh_from_db()
    assert report_2020.revision == read["revision"] + 1
    bad = patch(api, url, {"revision": report_2020.revision, "facilities": "□ 제목"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "facilities"
    fixed = patch(api, url, {"revision": report_2020.revision, "session": 1})
    assert fixed.status_code == 400 and fixed.json()["errors"][0]["field"] == "session"


def test_a_line_that_a_card_cites_cannot_be_deleted(api, report_2020):
    cited = Card.objects.filter(section__report=report_2020, budget_line__isnull=False).first()
    response = api.delete(f"/api/v1/staff/budget-lines/{cited.budget_line_id}/")
    assert response.status_code == 400
    assert "쓰는 자료가 있어 지울 수 없습니다" in response.json()["errors"][0]["message"]
    assert BudgetLine.objects.filter(pk=cited.budget_line_id).exists()
    card = Card.objects.get(title=SEED_CARD)
    assert api.delete(card_url(card)).status_code == 204
    assert not Card.objects.filter(pk=card.pk).exists()
    assert not Block.objects.filter(card_id=card.pk).exists()


def test_who_may_use_the_staff_api(report_2020, django_user_model, officer):
    anonymous = Client()
    response = anonymous.get("/api/v1/staff/cards/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert (
        Client(HTTP_AUTHORIZATION="Token nonsense").get("/api/v1/staff/cards/").status_code == 401
    )
    member = django_user_model.objects.create_user("member", password=None)
    make_staff(member, Role.MEMBER)
    refused = token_client(member).get("/api/v1/staff/cards/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "직원 계정만 쓸 수 있습니다."
    # A browser session works too, with Django's CSRF protection on writes.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer)
    assert browser.get("/api/v1/staff/cards/").status_code == 200
    card = Card.objects.get(title=SEED_CARD)
    assert patch(browser, card_url(card), {"title": "x", "revision": 1}).status_code == 403
    assert Card.objects.get(pk=card.pk).title == SEED_CARD


def test_a_body_that_is_not_json_is_refused_in_korean(api, report_2020):
    card = Card.objects.get(title=SEED_CARD)
    broken = api.generic("PATCH", card_url(card), "{title", content_type="application/json")
    assert broken.status_code == 400
    assert "JSON" in broken.json()["detail"]
    form = api.generic(
        "PATCH", card_url(card), "title=x", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 415
    wrong_type = patch(api, card_url(card), {"title": ["목록"], "revision": 1})
    assert wrong_type.status_code == 400
    assert wrong_type.json()["errors"][0]["field"] == "title"
    assert DepartmentReport.objects.get(pk=report_2020.pk).revision == report_2020.revision


def test_inline_ids_must_be_rows_of_this_object_and_appear_once(api, report_2020):
    card, other = Card.objects.filter(section__report=report_2020).order_by("pk")[:2]
    foreign = other.blocks.first()
    read = api.get(card_url(card)).json()
    rows = [{k: b[k] for k in ("id", "heading", "order", "content")} for b in read["blocks"]]
    before = list(Block.objects.order_by("pk").values_list("pk", "card_id", "content"))

    stolen = patch(
        api,
        card_url(card),
        {"revision": read["revision"], "blocks": [*rows, {**rows[0], "id": foreign.pk}]},
    )
    twice = patch(api, card_url(card), {"revision": read["revision"], "blocks": [*rows, rows[0]]})

    assert stolen.status_code == twice.status_code == 400
    assert stolen.json()["errors"] == [
        {
            "field": f"blocks[{len(rows)}].id",
            "message": f"id {foreign.pk}는 이 자료의 행이 아닙니다. 새 행이면 id를 비우세요.",
        }
    ]
    assert twice.json()["errors"][0]["field"] == f"blocks[{len(rows)}].id"
    assert list(Block.objects.order_by("pk").values_list("pk", "card_id", "content")) == before


def test_a_new_card_and_a_new_block_start_from_the_add_pages_defaults(api, report_2020):
    section = report_2020.sections.order_by("pk").first()
    response = api.post(
        "/api/v1/staff/cards/",
        {
            "section": section.pk,
            "number": 90,
            "title": "새 사업",
            "blocks": [{"heading": "사업개요", "content": "○ 내용"}],
        },
        "application/json",
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert (body["order"], body["budget_kind"], body["budget_heading"]) == (0, "none", "예산현황")
    assert body["blocks"][0]["order"] == 0


def test_a_card_continued_in_a_published_report_cannot_be_deleted(
    api, officer, clerk, report_2020, make_report
):
    """Deleting it would unlink the published card that carries it forward (이전 보고의 같은
    사업): refused with the reason, in the API as on the admin's delete page."""
    later = make_report(cards=1, number=300, department="시험과")
    card = Card.objects.get(title=SEED_CARD)
    Card.objects.filter(section__report=later).update(predecessor=card)
    from publishing.workflow import publish_imported

    publish_imported(later, comment="시험")

    response = api.delete(card_url(card))
    assert response.status_code == 400
    assert "이 카드를 이어받은 카드" in response.json()["errors"][0]["message"]
    assert Card.objects.filter(pk=card.pk).exists()
    page = Client()
    page.force_login(clerk)
    delete_page = page.post(f"/admin/projects/card/{card.pk}/delete/", {"post": "yes"})
    assert (
        delete_page.status_code == 200 and "이 카드를 이어받은 카드" in delete_page.content.decode()
    )
    assert Card.objects.filter(pk=card.pk).exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"parent": "self"}, "parent", "자기 자신을 상위 단위사업으로 고를 수 없습니다."),
        ({"fiscal_year": 1999}, None, "회계연도는 2000년에서 2100년 사이여야 합니다."),
    ],
)
def test_a_budget_line_with_an_impossible_value_is_refused_in_korean(
    api, report_2020, body, field, message
):
    line = BudgetLine.objects.filter(department=report_2020.department, parent=None).first()
    url = f"/api/v1/staff/budget-lines/{line.pk}/"
    body = {k: (line.pk if v == "self" else v) for k, v in body.items()}
    response = patch(api, url, {**body, "revision": api.get(url).json()["revision"]})
    assert response.status_code == 400
    assert {"field": field, "message": message} in response.json()["errors"]
    line.refresh_from_db()
    assert line.parent_id is None and line.fiscal_year == 2020


def test_an_empty_body_and_a_report_read_are_handled_as_the_admin_does(api, officer, report_2020):
    from reports.models import AccessLog

    empty = api.post("/api/v1/staff/cards/", "null", content_type="application/json")
    assert empty.status_code == 400
    assert empty.json()["errors"][0]["message"] == "본문에 JSON 객체({…})를 보내야 합니다."
    api.get(f"/api/v1/staff/reports/{report_2020.pk}/")
    assert AccessLog.objects.filter(user=officer, action="view").count() == 1


def test_administrators_issue_tokens_in_the_admin_and_officers_cannot(officer, django_user_model):
    administrator = django_user_model.objects.create_user("admin1", password=None)
    make_staff(administrator, Role.ADMINISTRATOR)
    page = Client()
    page.force_login(administrator)
    response = page.post("/admin/org/apitoken/add/", {"user": officer.pk, "name": "부서 시스템"})
    assert response.status_code == 200
    key = re.search(r'<code id="api-token-key">([^<]+)</code>', response.text).group(1)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/staff/cards/").status_code == 200
    own = Client()
    own.force_login(officer)
    assert own.get("/admin/org/apitoken/").status_code == 403
