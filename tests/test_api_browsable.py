"""The API in a browser (Accept: text/html): DRF's browsable page for every staff route and
every kind of object, for the accounts that may still edit them (issue 18, item 4). The page's
raw-data form starts from the object as read, limited to what a write accepts."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client

from budget.models import BudgetLine
from org.models import StaffingSnapshot
from org.roles import Role, make_staff
from projects.models import Card
from reports.models import ReportSection

HTML = {"HTTP_ACCEPT": "text/html"}
KINDS = {
    "reports": lambda report: report,
    "sections": lambda report: ReportSection.objects.filter(report=report).first(),
    "cards": lambda report: Card.objects.filter(section__report=report).first(),
    "budget-lines": lambda report: BudgetLine.objects.filter(department=report.department).first(),
    "staffing": lambda report: StaffingSnapshot.objects.filter(
        department=report.department
    ).first(),
}


@pytest.fixture
def accounts(report_2020, clerk, django_user_model):
    officer = django_user_model.objects.create_user("kim", password=None)
    make_staff(officer, Role.OFFICER, report_2020.department)
    return {"officer": officer, "clerk": clerk}


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def raw_body(page: str, method: str) -> dict:
    """The JSON in the page's raw-data form for `method`."""
    form = re.search(rf'id="{method.lower()}-generic-content-form".*?</form>', page, re.S)
    assert form, f"no raw-data form for {method}"
    content = re.search(r"<textarea[^>]*>(.*?)</textarea>", form.group(0), re.S).group(1)
    return json.loads(html.unescape(content))


@pytest.mark.parametrize("role", ["officer", "clerk"])
def test_every_staff_object_opens_in_a_browser(accounts, report_2020, role):
    client = browser(accounts[role])
    for kind, object_of in KINDS.items():
        obj = object_of(report_2020)

        listing = client.get(f"/api/v1/staff/{kind}/", **HTML)
        detail = client.get(f"/api/v1/staff/{kind}/{obj.pk}/", **HTML)

        assert (kind, listing.status_code, detail.status_code) == (kind, 200, 200)
        assert detail["Content-Type"].startswith("text/html")
        body = raw_body(detail.content.decode(), "PUT")
        assert body.get("revision", "none") in (obj.__dict__.get("revision"), "none")


def test_the_raw_form_holds_what_a_patch_accepts_and_sending_it_back_saves(accounts, report_2020):
    card = KINDS["cards"](report_2020)
    client = browser(accounts["officer"])

    body = raw_body(client.get(f"/api/v1/staff/cards/{card.pk}/", **HTML).content.decode(), "PUT")
    body["title"] = "브라우저에서 고친 사업명"
    saved = client.patch(f"/api/v1/staff/cards/{card.pk}/", body, content_type="application/json")

    assert "report" not in body and body["blocks"]
    assert saved.status_code == 200, saved.content.decode()
    card.refresh_from_db()
    assert card.title == "브라우저에서 고친 사업명"


def test_the_transition_action_and_a_frozen_object_open_in_a_browser(accounts, published_2020):
    client = browser(accounts["clerk"])
    card = KINDS["cards"](published_2020)

    transition = client.get(f"/api/v1/staff/reports/{published_2020.pk}/transition/", **HTML)
    frozen = client.get(f"/api/v1/staff/cards/{card.pk}/", **HTML)

    assert transition.status_code == 405 and frozen.status_code == 200
