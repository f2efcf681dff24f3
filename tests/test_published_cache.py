"""A published edition's page is rendered once and then served from the "published" cache."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.fingerprint import web_fingerprint
from org.roles import Role, make_staff
from projects.models import Card
from publishing import pdf
from publishing.workflow import perform

FRAGMENT = "reports/department_page.html"


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch):
    """Publishing lays out a PDF; what it looks like is tested in test_pdf.py."""
    monkeypatch.setattr(pdf, "department_pdf", lambda document: b"%PDF-1.7 stub")


def _view(client, report):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    rendered = FRAGMENT in [template.name for template in response.templates]
    return response, rendered, len(queries)


def _cache_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM published_page_cache")
        return cursor.fetchone()[0]


def _second_edition(report, clerk, django_user_model, title):
    perform(report, "reopen", clerk, comment="사업명 오기 정정")
    card = Card.objects.filter(section__report=report).order_by("section__order", "order")[0]
    Card.objects.filter(pk=card.pk).update(title=title)
    officer = django_user_model.objects.create_user("officer", password=None)
    make_staff(officer, Role.OFFICER, report.department)
    perform(report, "submit", officer)
    for action in ("approve", "publish"):
        perform(report, action, clerk)


def test_the_second_view_of_a_published_page_is_served_from_the_cache(published_2020):
    first, rendered_first, _queries = _view(Client(), published_2020)
    second, rendered_second, queries = _view(Client(), published_2020)

    assert (rendered_first, rendered_second) == (True, False)
    assert queries <= 3  # the report, its editions, the cached page
    assert second.content == first.content


def test_the_cached_page_keeps_each_readers_own_header(published_2020, clerk_client):
    _view(Client(), published_2020)

    response, rendered, _queries = _view(clerk_client, published_2020)

    assert not rendered
    assert "로그아웃" in response.text and "csrfmiddlewaretoken" in response.text
    assert "로그아웃" not in Client().get(published_2020.get_absolute_url()).text


def test_a_new_edition_shows_its_new_content(published_2020, clerk, django_user_model):
    _view(Client(), published_2020)

    _second_edition(published_2020, clerk, django_user_model, "정정한 사업명")
    response, rendered, _queries = _view(Client(), published_2020)
    first_edition = Client().get(published_2020.versions.get(number=1).get_absolute_url())

    assert rendered and "정정한 사업명" in response.text and "정정된 제2판" in response.text
    assert "최신 제2판 보기" in first_edition.text  # the old edition's cached page moved on too


def test_a_template_change_renders_the_page_again(published_2020, settings, tmp_path):
    template = tmp_path / "changed.html"
    template.write_text("<p>before</p>")
    settings.WEB_FINGERPRINT_INPUTS = [*settings.WEB_FINGERPRINT_INPUTS, str(template)]
    _view(Client(), published_2020)

    template.write_text("<p>after</p>")
    web_fingerprint.cache_clear()  # what a restart after the deploy does
    _response, rendered, _queries = _view(Client(), published_2020)

    assert rendered


def test_a_staff_preview_of_a_draft_is_never_cached(report_2020, clerk_client):
    _view(clerk_client, report_2020)
    response, rendered, _queries = _view(clerk_client, report_2020)

    assert rendered and "공개 전 미리보기" in response.text
    assert _cache_rows() == 0


def test_the_cached_page_survives_a_restart(published_2020, monkeypatch):
    _view(Client(), published_2020)
    web_fingerprint.cache_clear()
    fresh = caches.create_connection("published")  # a new process's cache: nothing in memory
    monkeypatch.setattr(caches._connections, "published", fresh)

    _response, rendered, _queries = _view(Client(), published_2020)

    assert caches["published"] is fresh
    assert not rendered
