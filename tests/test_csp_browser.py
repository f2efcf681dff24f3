"""Every kind of page works under the portal's Content-Security-Policy, in Debian's Chromium:
the public pages, the booklet build page (its progress bar still moves), the admin (its
JavaScript widgets), the browsable API and the API docs (Swagger UI). A violation shows as a
`securitypolicyviolation` event and a console error; there must be none."""

import os
import shutil

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from portal.seeds import SEED_DIR, seed_load_file
from publishing.workflow import publish_imported
from reports.models import BookletBuild
from tests.test_browser import CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian chromium missing"),
]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Runs before the page's own scripts (through the DevTools protocol, so CSP does not apply).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def world(transactional_db, django_user_model):
    report, _created = seed_load_file(SEED_DIR / "2020_vision.yaml")
    publish_imported(report, comment="seed")
    admin = django_user_model.objects.create_superuser("root", password="root-pass-2026")
    return report, admin


@pytest.fixture
def page(live_server, world):
    from playwright.sync_api import sync_playwright

    _report, admin = world
    client = Client()
    client.force_login(admin)
    cookie = client.cookies["sessionid"].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        yield page
        browser.close()
        # As in tests/test_browser.py: close the ORM's connections before Playwright's loop
        # goes, or PostgreSQL cannot drop the test database.
        connections.close_all()


def visit(page, url: str, ready: str | None = None) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy, (url, policy)
    if ready:
        page.wait_for_selector(ready, timeout=30_000)
    page.wait_for_load_state("networkidle")
    assert_no_violations(page, url)


def assert_no_violations(page, url: str) -> None:
    violations = page.evaluate("window.__cspViolations")
    csp_console = [text for text in page.console_errors if "Content Security Policy" in text]
    assert violations == [] and csp_console == [], (url, violations, csp_console)


def test_public_pages_and_the_api_pages_show_no_csp_violation(live_server, page, world):
    report, _admin = world
    base = live_server.url
    visit(page, base + "/")
    visit(page, base + report.session.get_absolute_url())
    visit(page, base + report.get_absolute_url())
    visit(page, base + "/api/v1/cards/?format=api")
    visit(page, base + "/api/v1/docs/", ready=".swagger-ui .info .title")
    # Swagger UI really works: an operation opens.
    page.locator(".opblock-tag").first.click()
    page.locator(".opblock-summary").first.click()
    page.wait_for_selector(".opblock-body", timeout=30_000)
    assert_no_violations(page, "/api/v1/docs/ (opened)")


def test_the_admin_and_its_widgets_work_without_a_violation(live_server, page, world):
    _report, admin = world
    base = live_server.url
    visit(page, base + "/admin/")
    visit(page, base + reverse("admin:auth_user_change", args=[admin.pk]))
    # The date widget (admin/js/admin/DateTimeShortcuts.js): its calendar opens, "오늘" fills in.
    shortcuts = page.locator("#id_date_joined_0 ~ .datetimeshortcuts")
    page.locator("#id_date_joined_0").fill("")
    shortcuts.get_by_text("오늘").click()
    assert page.locator("#id_date_joined_0").input_value() != ""
    shortcuts.locator("a[id^=calendarlink]").click()
    assert page.locator(".calendarbox:visible").count() == 1
    # The clerk's 회기 열기 page: its script (moved out of the page) counts the departments.
    visit(page, base + reverse("open_session"))
    page.get_by_role("button", name="모두 선택").click()
    count = int(page.locator("#department-count").inner_text())
    assert count > 0
    page.get_by_role("button", name="모두 해제").click()
    assert page.locator("#department-count").inner_text() == "0"
    visit(page, base + reverse("admin:org_team_export"))
    assert_no_violations(page, "export")


def test_the_booklet_build_page_updates_its_progress_bar_under_the_policy(
    live_server, page, world, settings
):
    from playwright.sync_api import expect

    report, _admin = world
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    number = report.session.number
    response = page.goto(live_server.url + reverse("reports:session_pdf", args=[number]))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".booklet-build")
    assert page.locator("progress").get_attribute("value") == "0"

    build = BookletBuild.objects.get(session__number=number)
    BookletBuild.objects.filter(pk=build.pk).update(
        status=BookletBuild.Status.RUNNING, departments_done=1, departments_total=2
    )
    # (Playwright's wait_for_function would eval a string in the page: the policy forbids it.)
    expect(page.locator("progress")).to_have_attribute("value", "45", timeout=30_000)
    assert page.locator("[data-field=done]").inner_text() == "1"
    assert page.locator("[data-field=message]").inner_text() == "부서별 보고서를 조판하고 있습니다."
    assert_no_violations(page, "booklet build page")
