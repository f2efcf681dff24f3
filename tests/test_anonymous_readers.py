"""Anonymous readers of a published department page get the whole answer kept for the edition
(publishing/page_cache.py): found with one query of the editions, never stale, never a draft,
with nothing of another request in it; signed-in readers still get their own header."""

import gzip

import brotli
import pytest
from django.test import Client

from org.roles import Role, make_staff
from portal import front_cache
from projects.models import Card
from publishing import page_cache, pdf
from publishing.workflow import perform

FRAGMENT = "reports/department_page.html"
PER_REQUEST_HEADERS = (
    "Content-Type",
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Vary",
    "ETag",
    "Content-Encoding",
)


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch):
    monkeypatch.setattr(pdf, "department_pdf", lambda document: b"%PDF-1.7 stub")


@pytest.fixture
def officer(published_2020, django_user_model):
    """부서 담당자 of the published report's department."""
    user = django_user_model.objects.create_user("officer", password=None)
    make_staff(user, Role.OFFICER, published_2020.department)
    return user


def _text(response) -> str:
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    elif response.get("Content-Encoding") == "br":
        body = brotli.decompress(body)
    return body.decode()


def _rendered(response) -> bool:
    return FRAGMENT in [template.name for template in response.templates]


def _reopen_with_title(report, clerk, title):
    perform(report, "reopen", clerk, comment="사업명 오기 정정")
    card = Card.objects.filter(section__report=report).order_by("section__order", "order")[0]
    Card.objects.filter(pk=card.pk).update(title=title)


def _correct(report, clerk, officer, title):
    _reopen_with_title(report, clerk, title)
    perform(report, "submit", officer)
    for action in ("approve", "publish"):
        perform(report, action, clerk)


def test_a_kept_page_costs_one_query_for_the_editions(published_2020, django_assert_num_queries):
    Client().get(published_2020.get_absolute_url())

    with django_assert_num_queries(1):
        response = Client().get(published_2020.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200 and not _rendered(response)


def test_another_server_process_finds_the_kept_answer_with_one_more_query(
    published_2020, django_assert_num_queries
):
    Client().get(published_2020.get_absolute_url())
    # What a server process that has not served this page yet has in memory: nothing.
    page_cache.recent_answers.answers.clear()
    front_cache.stack_headers.by_key.clear()

    with django_assert_num_queries(2):
        response = Client().get(published_2020.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    with django_assert_num_queries(1):
        Client().get(published_2020.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200 and not _rendered(response)


def test_a_browser_that_accepts_brotli_gets_it_smaller_than_gzip(published_2020):
    url = published_2020.get_absolute_url()
    first = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br, zstd")
    again = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br, zstd")
    zipped = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert first["Content-Encoding"] == again["Content-Encoding"] == "br"
    assert zipped["Content-Encoding"] == "gzip"
    assert len(again.content) < len(zipped.content)
    assert _text(again) == _text(zipped) and "일반현황" in _text(again)


@pytest.mark.parametrize("encoding", ["gzip, deflate, br", ""])
def test_the_kept_answer_is_the_rendered_one_with_the_same_headers(published_2020, encoding):
    url = published_2020.get_absolute_url()
    first = Client().get(url, HTTP_ACCEPT_ENCODING=encoding)
    second = Client().get(url, HTTP_ACCEPT_ENCODING=encoding)

    assert (_rendered(first), _rendered(second)) == (True, False)
    assert _text(second) == _text(first)
    assert {h: second.get(h) for h in PER_REQUEST_HEADERS} == {
        h: first.get(h) for h in PER_REQUEST_HEADERS
    }


def test_the_kept_answer_holds_nothing_of_one_request(published_2020):
    url = published_2020.get_absolute_url()
    Client().get(url)
    response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")

    assert "csrfmiddlewaretoken" not in _text(response) and "nonce" not in _text(response)
    assert not response.cookies
    assert "Cookie" in response["Vary"] and "Accept-Encoding" in response["Vary"]


def test_a_reader_who_has_the_page_gets_304(published_2020):
    url = published_2020.get_absolute_url()
    Client().get(url)
    etag = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")["ETag"]

    response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


def test_a_corrected_edition_reaches_a_reader_who_had_the_old_page_at_once(
    published_2020, clerk, officer
):
    reader = Client()
    url = published_2020.get_absolute_url()
    reader.get(url)
    old = reader.get(url, HTTP_ACCEPT_ENCODING="gzip")

    _correct(published_2020, clerk, officer, "정정한 사업명")
    new = reader.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=old["ETag"])
    first_edition = reader.get(published_2020.versions.get(number=1).get_absolute_url())

    assert new.status_code == 200 and "정정한 사업명" in _text(new) and "정정된 제2판" in _text(new)
    assert "최신 제2판 보기" in _text(first_edition)


def test_a_draft_being_corrected_is_never_shown_to_an_anonymous_reader(
    published_2020, clerk, officer
):
    url = published_2020.get_absolute_url()
    Client().get(url)
    _reopen_with_title(published_2020, clerk, "아직 고치는 중인 사업명")
    officer_client = Client()
    officer_client.force_login(officer)

    preview = officer_client.get(url)
    anonymous = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")

    assert "아직 고치는 중인 사업명" in preview.text and "공개 전 미리보기" in preview.text
    assert "아직 고치는 중인 사업명" not in _text(anonymous)


def test_a_report_never_published_and_an_unknown_edition_are_not_found(published_2020, report_2018):
    assert Client().get(report_2018.get_absolute_url()).status_code == 404
    unknown = published_2020.get_absolute_url().rstrip("/") + "/versions/9/"
    assert Client().get(unknown).status_code == 404


def test_a_signed_in_officer_still_sees_their_own_header(published_2020, officer):
    url = published_2020.get_absolute_url()
    Client().get(url)
    Client().get(url)
    officer_client = Client()
    officer_client.force_login(officer)

    response = officer_client.get(url)

    assert "로그아웃" in response.text and "csrfmiddlewaretoken" in response.text
    assert "보고서 작성" in response.text
    assert "로그아웃" not in _text(Client().get(url, HTTP_ACCEPT_ENCODING="gzip"))


def test_a_kept_page_is_answered_before_the_session_and_sign_in_are_read(published_2020):
    url = published_2020.get_absolute_url()
    first = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    again = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, br")

    assert hasattr(first.wsgi_request, "user")  # the whole stack, the first time
    assert not hasattr(again.wsgi_request, "user")  # no session, no authentication after
    assert _text(again) == _text(first)


def test_a_query_string_on_a_kept_page_still_meets_the_query_guard(published_2020):
    url = published_2020.get_absolute_url()
    Client().get(url)
    Client().get(url)

    response = Client().get(url + "?page=%00")

    assert response.status_code == 400 and "요청" in response.content.decode()


def test_a_host_not_allowed_gets_400_not_the_kept_page(published_2020):
    url = published_2020.get_absolute_url()
    Client().get(url)
    Client().get(url)

    response = Client().get(url, HTTP_HOST="attacker.example")

    assert response.status_code == 400 and "일반현황" not in response.content.decode()


def test_a_reader_with_a_session_cookie_goes_the_whole_way(published_2020, officer):
    url = published_2020.get_absolute_url()
    Client().get(url)
    Client().get(url)
    officer_client = Client()
    officer_client.force_login(officer)

    response = officer_client.get(url)

    assert response.wsgi_request.user == officer and "로그아웃" in response.text
