"""A council member reads the report on a phone, in Debian's Chromium driven by Playwright."""

import os
import shutil

import pytest
from django.db import connections

from portal.seeds import SEED_DIR, seed_load_file
from publishing.workflow import publish_imported

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian chromium missing"),
]

# Playwright's sync API keeps an event loop on this thread; the ORM calls here are all setup.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # While Playwright's loop runs, Django takes this thread for an async context and keeps
        # the ORM's connections apart from the test's; close them before the loop goes, or
        # one stays open and PostgreSQL cannot drop the test database at the end.
        connections.close_all()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def seeded_2020(transactional_db):
    """The 2020 seed, published as the council received it."""
    report, _created = seed_load_file(SEED_DIR / "2020_vision.yaml")
    publish_imported(report, comment="seed")
    return report


def test_on_a_phone_the_report_never_scrolls_sideways(live_server, phone, seeded_2020):
    response = phone.goto(live_server.url + seeded_2020.get_absolute_url())
    assert response.status == 200  # the report itself, not an error page

    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_on_a_phone_wide_tables_scroll_inside_their_own_box(live_server, phone, seeded_2020):
    phone.goto(live_server.url + seeded_2020.get_absolute_url())

    region = phone.locator("[aria-label='인력 현황 표']")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")


def test_a_reader_jumps_from_the_list_table_to_the_card(live_server, phone, seeded_2020):
    phone.goto(live_server.url + seeded_2020.get_absolute_url())

    phone.get_by_role("link", name="여의도 금융특정개발진흥지구 육성").first.click()
    assert phone.locator(":target h3").inner_text().endswith("여의도 금융특정개발진흥지구 육성")


def test_from_the_session_list_a_reader_reaches_the_department_report(
    live_server, browser, seeded_2020
):
    page = browser.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="제227회 구의회 제2차 정례회").click()
    page.get_by_role("link", name="비전협력과", exact=True).click()

    assert (
        page.get_by_role("heading", level=1).inner_text().replace("\n", " ")
        == "2020년 주요업무 보고"
    )


def test_a_reader_watches_the_booklet_being_built_then_gets_the_file(
    live_server, browser, seeded_2020, settings, tmp_path
):
    """The build page's progress bar moves without a reload; the download starts by itself."""
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page = browser.new_page(accept_downloads=True)
    page.goto(live_server.url + "/sessions/227/")
    page.get_by_role("link", name="전체 책자 PDF 내려받기").click()
    page.wait_for_url("**/booklet/*/")
    page.evaluate("window.stayedOnThePage = true")
    assert page.locator("progress").get_attribute("value") == "0"
    assert "PDF 작업자를 기다리고 있습니다" in page.get_by_role("status").inner_text()
    page.screenshot(path=str(tmp_path / "booklet-waiting.png"), full_page=True)

    with page.expect_download(timeout=60_000) as download:
        call_command("pdf_worker", batch=True)  # a worker takes the queued build to its end

    assert download.value.suggested_filename == "제227회_주요업무보고.pdf"
    page.wait_for_function("document.querySelector('progress').value === 100")
    assert page.evaluate("window.stayedOnThePage") is True  # updated in place, not reloaded
    assert "1 / 1" in page.locator("#booklet-count").inner_text().replace("\n", " ")
    assert page.get_by_role("link", name="책자 PDF 내려받기").is_visible()
    page.screenshot(path=str(tmp_path / "booklet-ready.png"), full_page=True)
    download.value.save_as(tmp_path / "booklet.pdf")
    assert (tmp_path / "booklet.pdf").read_bytes().startswith(b"%PDF")


def test_a_first_view_of_the_department_page_in_chromium_is_at_most_400_kb(
    live_server, browser, seeded_2020
):
    """Issue 13: what Chromium really fetches for a first, uncached visit of the 2020 page.

    Fonts are counted as Chromium downloads them (only the slices the shown text needs, in the
    faces it is set in); HTML and CSS as the production server sends them compressed
    (portal.first_view), since the test server sends them raw."""
    from portal.first_view import first_view

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    fonts = []
    page.on(
        "requestfinished",
        lambda request: (
            request.url.endswith(".woff2")
            and fonts.append((request.url, request.sizes()["responseBodySize"]))
        ),
    )
    url = live_server.url + seeded_2020.get_absolute_url()
    html = page.goto(url).text()
    page.evaluate("document.fonts.ready.then(() => true)")
    if os.environ.get("FIRST_VIEW_SCREENSHOT"):  # to look at the page: a PNG path
        page.screenshot(path=os.environ["FIRST_VIEW_SCREENSHOT"], full_page=True)
    context.close()
    view = first_view(html)

    total = view.html + view.css + view.js + sum(size for _url, size in fonts)
    print(f"first view: {total} bytes, {len(fonts)} font files")
    assert fonts, "no web font loaded"
    assert total <= 400_000, (view.html, view.css, view.js, sorted(fonts))
