"""On a 390 px phone an officer reads their to-do list under the CSP and opens the editor."""

import datetime
import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from django.utils import timezone

from org.roles import Role, make_staff
from portal.synthetic import build_report
from reports.models import Session
from tests.test_browser import CHROMIUM_ARGS
from tests.test_csp_browser import RECORD_VIOLATIONS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian chromium missing"),
]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOT = os.environ.get("STAFF_TODO_SCREENSHOT", "")


def test_officer_on_a_phone_reads_the_todo_and_opens_the_editor(live_server, transactional_db):
    from playwright.sync_api import sync_playwright

    report = build_report(cards=3, session_number=228, department_name="비전협력과")
    Session.objects.filter(pk=report.session_id).update(
        deadline=timezone.localdate() + datetime.timedelta(days=3)
    )
    officer = get_user_model().objects.create_user("vision-officer", password="x-pass-2026")
    make_staff(officer, Role.OFFICER, report.department)
    client = Client()
    client.force_login(officer)
    cookie = client.cookies["sessionid"].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        assert page.goto(live_server.url + "/admin/").status == 200
        page.wait_for_load_state("networkidle")
        item = page.locator(f"#report-{report.pk}")
        assert "D-3" in item.inner_text()
        button = item.get_by_role("link", name="보고서 작성하기")
        box = button.bounding_box()
        assert box["width"] > 300  # full width on a phone, easy to tap
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.evaluate("window.__cspViolations") == []
        if SCREENSHOT:
            page.screenshot(path=SCREENSHOT, full_page=True)
        button.click()
        page.wait_for_load_state("networkidle")
        assert f"/admin/reports/departmentreport/{report.pk}/change/" in page.url
        browser.close()
    connections.close_all()


# The contrast of the D-day against the card behind it, as WCAG 2 computes it, in the page.
CONTRAST = """(element) => {
  const channels = (color) => color.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const linear = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  let behind = element;
  while (behind && channels(getComputedStyle(behind).backgroundColor)[3] === 0) {
    behind = behind.parentElement;
  }
  const back = behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)";
  const [light, dark] = [luminance(channels(getComputedStyle(element).color)),
                         luminance(channels(back))].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_the_d_day_is_legible_and_a_report_has_no_stray_bullet(
    live_server, transactional_db, scheme
):
    from playwright.sync_api import sync_playwright

    report = build_report(cards=3, session_number=228, department_name="비전협력과")
    Session.objects.filter(pk=report.session_id).update(
        deadline=timezone.localdate() + datetime.timedelta(days=2)
    )
    officer = get_user_model().objects.create_user("vision-officer", password="x-pass-2026")
    make_staff(officer, Role.OFFICER, report.department)
    client = Client()
    client.force_login(officer)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.goto(live_server.url + "/admin/")
        page.wait_for_load_state("networkidle")
        item = page.locator(f"#report-{report.pk}")
        countdown = item.locator(".todo-countdown")
        assert countdown.inner_text() == "마감 D-2"
        contrast = countdown.evaluate(CONTRAST)
        bullet = item.evaluate("(li) => getComputedStyle(li).listStyleType")
        if SCREENSHOT:
            page.screenshot(path=SCREENSHOT.replace(".png", f"-{scheme}.png"), full_page=True)
        browser.close()
    connections.close_all()
    assert contrast >= 4.5
    assert bullet == "none"
