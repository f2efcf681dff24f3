"""The public read API as readers use it: published figures only, the same as the web page,
filters, paging, CSV, caching headers, throttling, and query counts that do not grow."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from org.roles import Role, make_staff
from projects.models import Card
from publishing.workflow import perform, publish_imported
from reports.models import AccessLog, DepartmentReport, PublishedCard, ReportVersion
from tests.test_authorization_matrix import stub_pdf  # noqa: F401  (a fixture)

SECRET = "아직 공개하지 않은 사업"


def results(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content.decode()
    return response.json()["results"]


def _cells(html: str, table_class: str) -> list[list[str]]:
    """The rows of the page's <table class="data …"> as lists of cell texts."""
    table = re.search(rf'<table class="data {table_class}">(.*?)</table>', html, re.S).group(1)
    body = table.split("<tbody>")[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def test_a_published_reports_api_figures_are_its_web_pages_figures(published_2020, client):
    """A council member's script reads 비전협력과's budget, staffing and cards from the API:
    every figure is the one printed on the report's web page, in the same order."""
    report = published_2020
    page = client.get(report.get_absolute_url()).content.decode()
    params = {"session": 227, "department": report.department_id}

    budget = results(client, "/api/v1/budget-lines/", **params)
    page_rows = _cells(page, "budget")[1:]  # the first row is the 계 (total)
    assert len(budget) == len(page_rows) == 5
    for row, cells in zip(budget, page_rows, strict=True):
        executed = "-" if row["executed"] is None else f"{row['executed']:,}"
        assert cells[:3] == [row["name"], f"{row['amount']:,}", executed]
        assert cells[-1] == ("-" if row["rate"] is None else f"{row['rate']:.1f}")
    assert budget[0] == {
        **budget[0],
        "name": "대외교류 활성화",
        "amount": 115900,
        "executed": 82810,
        "rate": 71.4,
    }

    staffing = results(client, "/api/v1/staffing/", **params)
    authorized, current = (row[1:] for row in _cells(page, "staffing")[:2])
    assert sum(c["authorized"] for c in staffing) == int(authorized[0])
    assert sum(c["current"] for c in staffing) == int(current[0])
    shown = [(a, c) for a, c in zip(authorized[1:], current[1:], strict=True) if (a, c) != ("", "")]
    assert [(str(c["authorized"]), str(c["current"])) for c in staffing] == [
        (a or "0", c or "0") for a, c in shown
    ]

    cards = results(client, "/api/v1/cards/", page_size=100, **params)
    titles = [unescape(t) for t in re.findall(r'<span class="card-name">(.*?)</span>', page)]
    assert [card["title"] for card in cards] == titles and len(titles) == 8

    detail = client.get(f"/api/v1/reports/{report.pk}/").json()
    version = ReportVersion.objects.get(report=report)
    assert detail["document"] == version.document
    assert detail["preview"] is False and detail["edition"] == 1


def test_nothing_unpublished_reaches_an_anonymous_reader(published_2020, make_report, client):
    draft = make_report(cards=1, number=227, department="시험과")
    Card.objects.filter(section__report=draft).update(title=SECRET)

    seen = [
        client.get(url).content.decode()
        for url in (
            "/api/v1/sessions/",
            "/api/v1/reports/",
            "/api/v1/versions/",
            "/api/v1/cards/?page_size=500",
            "/api/v1/budget-lines/?page_size=500",
            "/api/v1/staffing/?page_size=500",
            f"/api/v1/reports/?department={draft.department_id}",
        )
    ]
    assert not any(SECRET in body or "시험과" in body for body in seen)
    assert client.get(f"/api/v1/reports/{draft.pk}/").status_code == 404
    listed = client.get("/api/v1/reports/").json()
    assert [r["department_name"] for r in listed["results"]] == ["비전협력과"]
    assert client.get("/api/v1/sessions/").json()["results"][0]["report_count"] == 1


def test_a_correction_replaces_the_published_rows_and_keeps_the_first_edition(
    published_2020,
    clerk,
    django_user_model,
    stub_pdf,  # noqa: F811
):
    """The clerk reopens 비전협력과 for a correction and publishes 제2판: the API's cards are
    the second edition's; the first stays readable with ?version=."""
    report = published_2020
    first = ReportVersion.objects.get(report=report)
    client = Client()
    perform(report, "reopen", clerk, comment="사업명 오기 정정")
    before = client.get("/api/v1/cards/", {"department": report.department_id}).json()
    titles_before = [row["title"] for row in before["results"]]
    card = Card.objects.filter(section__report=report).order_by("section__order", "order").first()
    old_title = card.title
    Card.objects.filter(pk=card.pk).update(title="정정한 사업명")
    officer = django_user_model.objects.create_user("officer", password=None)
    make_staff(officer, Role.OFFICER, report.department)
    perform(report, "submit", officer)
    for action in ("approve", "publish"):
        perform(report, action, clerk)

    after = client.get("/api/v1/cards/", {"department": report.department_id}).json()
    titles = [row["title"] for row in after["results"]]
    assert "정정한 사업명" in titles
    assert titles.count(old_title) == titles_before.count(old_title) - 1
    assert {row["edition"] for row in after["results"]} == {2}
    assert after["count"] == before["count"] == 8
    old = client.get("/api/v1/cards/", {"version": first.pk}).json()["results"]
    assert old_title in [row["title"] for row in old]
    assert PublishedCard.objects.filter(version=first).count() == 8


def test_a_member_previews_a_shared_draft_and_the_reading_is_logged(make_report, django_user_model):
    draft = make_report(cards=1, number=227, department="시험과")
    Card.objects.filter(section__report=draft).update(title=SECRET)
    member = django_user_model.objects.create_user("member", password=None)
    make_staff(member, Role.MEMBER)
    client = Client()
    client.force_login(member)
    assert client.get(f"/api/v1/reports/{draft.pk}/").status_code == 404

    DepartmentReport.objects.filter(pk=draft.pk).update(shared_with_members=True)
    response = client.get(f"/api/v1/reports/{draft.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["preview"] is True and body["edition"] is None
    assert SECRET in response.content.decode()
    assert AccessLog.objects.filter(user=member, action=AccessLog.Action.VIEW).count() == 1
    assert "private" in response["Cache-Control"]
    # The published-row endpoints never carry a preview, whoever asks.
    assert SECRET not in client.get("/api/v1/cards/").content.decode()


def test_filters_by_session_year_department_and_section(published_2020, published_2018, client):
    all_cards = results(client, "/api/v1/cards/", page_size=500)
    assert {c["session"] for c in all_cards} == {227, 206}
    session_227 = results(client, "/api/v1/cards/", session=227, page_size=500)
    assert {c["department_name"] for c in session_227} == {"비전협력과"}
    by_year = results(client, "/api/v1/cards/", year=2018, page_size=500)
    assert {c["session"] for c in by_year} == {206}
    plans = results(client, "/api/v1/cards/", section="plans", page_size=500)
    assert plans and {c["section"]["kind"] for c in plans} == {"plans"}
    assert len(plans) < len(all_cards)
    department = published_2018.department_id
    assert {
        r["department"] for r in results(client, "/api/v1/reports/", department=department)
    } == {department}
    assert [s["number"] for s in results(client, "/api/v1/sessions/", year=2020)] == [227]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("session=abc", "session", "정수를 입력하세요."),
        ("year=0", "year", "1 이상"),
        ("section=budget", "section", "budget"),
        ("page=0", "page", "page는 1 이상의 정수여야 합니다."),
        ("page_size=100000", "page_size", "1부터 500까지"),
    ],
)
def test_a_bad_query_is_a_korean_400_naming_the_parameter(
    published_2020, client, query, field, message
):
    response = client.get(f"/api/v1/cards/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "요청에 잘못된 곳이 있어 아무것도 하지 않았습니다."
    assert [e["field"] for e in body["errors"]] == [field]
    assert message in body["errors"][0]["message"]


def test_a_page_past_the_end_and_an_unknown_address_are_json_404s(published_2020, client):
    response = client.get("/api/v1/cards/?page=99")
    assert response.status_code == 404
    assert response.json()["detail"] == "99쪽은 없습니다. 마지막 쪽보다 큰 page입니다."
    for url in ("/api/v1/cards/-1/", "/api/v1/nothing/", "/api/v1/reports/99999/"):
        response = client.get(url)
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert response.json()["errors"][0]["field"] is None


def test_paging_walks_every_row_once(published_2020, client):
    seen, url = [], "/api/v1/budget-lines/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [(row["report"], row["name"]) for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 5


def test_csv_downloads_are_spreadsheet_safe(make_report, client):
    report = make_report(cards=1, number=227, department="시험과")
    Card.objects.filter(section__report=report).update(title='=HYPERLINK("http://x")')
    publish_imported(report, comment="시험")
    response = client.get("/api/v1/cards/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffsession,department,department_name,report,version,edition,")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    budget = client.get("/api/v1/budget-lines/", {"format": "csv"}).content.decode("utf-8")
    assert ",단위사업 1,115900,82810,110000,71.4," in budget  # numbers stay numbers
    bad = client.get("/api/v1/cards/", {"format": "csv", "page": "x"})
    assert bad.status_code == 400 and bad["Content-Type"] == "application/json"


def test_published_data_is_cacheable_and_answers_304(published_2020, clerk_client):
    anonymous = Client()
    response = anonymous.get("/api/v1/budget-lines/")
    assert response["Cache-Control"] == "public, max-age=300"
    assert {"Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    etag = response["ETag"]
    again = anonymous.get("/api/v1/budget-lines/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    signed_in = clerk_client.get("/api/v1/budget-lines/")
    assert {v.strip() for v in signed_in["Cache-Control"].split(",")} == {"private", "no-store"}
    browsable = anonymous.get("/api/v1/budget-lines/", HTTP_ACCEPT="text/html")
    assert "no-store" in browsable["Cache-Control"]  # it carries a CSRF token
    assert anonymous.get("/api/v1/cards/?page=0")["Cache-Control"] == "no-store"


@override_settings(API_ANON_RATE="3/min")
def test_anonymous_use_is_throttled_with_a_korean_message(published_2020):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert client.get("/api/v1/sessions/").status_code == 200
    response = client.get("/api/v1/sessions/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert re.fullmatch(
        r"요청이 너무 많습니다\. \d+초 뒤에 다시 시도하세요\.", response.json()["detail"]
    )
    # Another address is not held back; signed-in staff have their own, larger allowance.
    assert Client(REMOTE_ADDR="203.0.113.8").get("/api/v1/sessions/").status_code == 200


LISTS = [
    "/api/v1/sessions/",
    "/api/v1/bureaus/",
    "/api/v1/departments/",
    "/api/v1/reports/",
    "/api/v1/versions/",
    "/api/v1/staffing/",
    "/api/v1/budget-lines/",
    "/api/v1/cards/",
    "/api/v1/staff/reports/",
    "/api/v1/staff/sections/",
    "/api/v1/staff/cards/",
    "/api/v1/staff/budget-lines/",
    "/api/v1/staff/staffing/",
]


@pytest.mark.parametrize("url", LISTS)
def test_list_query_counts_do_not_grow_with_the_page_size(
    published_2020, published_2018, make_report, clerk_client, url
):
    for number in (300, 301):
        publish_imported(
            make_report(cards=2, number=number, department=f"시험{number}과"), comment=""
        )

    def count(page_size: int) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = clerk_client.get(url, {"page_size": page_size})
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    small, rows_small = count(1)
    large, rows_large = count(50)
    assert rows_small == 1 and rows_large >= 2
    assert large == small, f"{url}: {small} queries for 1 row, {large} for {rows_large}"


def test_the_docs_page_is_linked_from_every_page_and_served_from_the_portal(db, client):
    home = client.get("/").content.decode()
    assert 'href="/api/v1/docs/"' in home
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower()
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    assert schema["info"]["title"] == "업무보고 포털 API"
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert "공개된 예산 현황" in [op["summary"] for op in operations]
    for op in operations:  # no English docstring of a view leaks into the docs
        assert re.search("[가-힣]", op["summary"]) and re.search("[가-힣]", op["description"])


@pytest.mark.parametrize("query", ["page=²", "page_size=①", "version=²", "page=1.5"])
def test_digits_that_are_not_ascii_are_a_400_not_an_error_page(published_2020, client, query):
    response = client.get(f"/api/v1/cards/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_the_last_page_and_csv_only_for_lists(published_2020, client):
    last = client.get("/api/v1/cards/?page_size=3&page=last").json()
    assert last["next"] is None and len(last["results"]) == 8 - 6
    report = published_2020.pk
    assert client.get(f"/api/v1/reports/{report}/?format=csv").status_code == 404
