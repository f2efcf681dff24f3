"""The embedded default under a council office's real morning: the portal as `make run` serves
it (development server + two PDF workers on the test database — SQLite in a file, or
PostgreSQL) while readers read, officers save cards and budget lines through the staff API and
through the admin, an administrator adds accounts, a clerk publishes one report after another
and builds the session booklet. Bounded in time, 127.0.0.1 only.

Pass: no response is a server error; every save that answered success is in the database
afterwards; every publish either succeeded or said why in Korean; the booklet is built."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from budget.models import BudgetLine
from org.roles import Role, make_staff
from projects.models import Card
from reports.models import BookletBuild, DepartmentReport, ReportVersion
from tests.live_portal import Browser, Portal, environment

SECONDS = float(os.environ.get("MIXED_LOAD_SECONDS", "12"))
PASSWORD = "mixed-load-2026"
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class Ledger:
    """Every answer the clients got, and every save the portal acknowledged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.errors: list[str] = []
        self.acknowledged: dict[tuple[str, int], str] = {}  # (kind, pk) -> last value saved
        self.refusals: list[str] = []
        self.declined: Counter[str] = Counter()  # 4xx answers, by request and first words

    def saw(self, what: str, response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.errors.append(f"{what}: {response.status_code} {response.text[:300]!r}")
            elif response.status_code >= 400:
                self.declined[
                    f"{what.split('/')[0]} {response.status_code} {response.text[:160]}"
                ] += 1

    def saved(self, kind: str, pk: int, value: str) -> None:
        with self.lock:
            self.acknowledged[(kind, pk)] = value


def _user(username: str, role: Role, department=None, **flags):
    user = get_user_model().objects.create_user(username, password=PASSWORD, **flags)
    if role is not None:
        make_staff(user, role, department)
    return user


@pytest.fixture
def office(make_report, published_2020):
    """Three departments whose officers edit, three approved reports for the clerk to publish,
    one published seed for readers."""
    editing = [make_report(cards=3, department=f"편집{i}과", bureau="편집국") for i in range(3)]
    approved = [make_report(cards=1, department=f"공개{i}과", bureau="공개국") for i in range(3)]
    DepartmentReport.objects.filter(pk__in=[r.pk for r in approved]).update(
        status=DepartmentReport.Status.APPROVED
    )
    for i, report in enumerate(editing):
        _user(f"officer{i}", Role.OFFICER, report.department)
    _user("clerk", Role.CLERK)
    get_user_model().objects.create_superuser("admin", password=PASSWORD)
    return {"editing": editing, "approved": approved, "seed": published_2020}


@pytest.fixture
def portal(tmp_path, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    running = Portal(root=tmp_path, env=environment(tmp_path / "pdf-builds"))
    try:
        running.start_server()
        running.start_worker()
        running.start_worker()
        yield running
    finally:
        running.stop()


def _until(deadline: float, at_least: int = 2):
    """Round numbers until the deadline; at least `at_least` rounds on a slow machine."""
    round_number = 0
    while round_number < at_least or time.monotonic() < deadline:
        round_number += 1
        yield round_number


def _reader(portal: Portal, ledger: Ledger, seed, deadline: float) -> None:
    browser = Browser(portal.url)
    pages = [
        "/",
        f"/sessions/{seed.session.number}/",
        f"/sessions/{seed.session.number}/departments/{seed.department_id}/",
        "/api/v1/cards/?page_size=20",
        "/api/v1/budget-lines/",
    ]
    for round_number in _until(deadline):
        page = pages[round_number % len(pages)]
        ledger.saw(f"GET {page}", browser.get(page))


def _api_writer(portal: Portal, ledger: Ledger, username: str, report, deadline: float) -> None:
    """An officer saving card titles and budget amounts through the staff API, reading the
    revision first and retrying a conflict as the API tells them to."""
    browser = Browser(portal.url)
    browser.log_in(username, PASSWORD)
    cards = list(Card.objects.filter(section__report=report).values_list("pk", flat=True))[:2]
    lines = list(
        BudgetLine.objects.filter(department=report.department_id).values_list("pk", flat=True)
    )[:2]
    for round_number in _until(deadline):
        if round_number % 2 == 0:
            kind, pk = "card", cards[round_number // 2 % len(cards)]
            url, value = f"/api/v1/staff/cards/{pk}/", f"{username} 제목 {round_number}"
            body = {"title": value}
        else:
            kind, pk = "budget", lines[round_number // 2 % len(lines)]
            url, value = f"/api/v1/staff/budget-lines/{pk}/", str(100_000 + round_number)
            body = {"city": int(value)}
        read = browser.get(url)
        ledger.saw(f"GET {url}", read)
        if read.status_code != 200:
            continue
        answer = browser.patch(url, json={**body, "revision": read.json()["revision"]})
        ledger.saw(f"PATCH {url}", answer)
        if answer.status_code == 200:
            ledger.saved(kind, pk, value)


def _admin_writer(portal: Portal, ledger: Ledger, report, deadline: float) -> None:
    """An officer saving a card through its admin page, as the browser posts it."""
    browser = Browser(portal.url)
    browser.log_in("officer0", PASSWORD)
    pk = Card.objects.filter(section__report=report).order_by("-pk").values_list("pk", flat=True)[0]
    url = f"/admin/projects/card/{pk}/change/"
    for round_number in _until(deadline):
        value = f"관리 화면에서 고친 목적 {round_number}"
        answer = browser.submit_form(url, {"purpose": value})
        ledger.saw(f"POST {url}", answer)
        if answer.status_code == 302:
            ledger.saved("purpose", pk, value)


def _account_adder(portal: Portal, ledger: Ledger, deadline: float) -> None:
    browser = Browser(portal.url)
    browser.log_in("admin", PASSWORD)
    for round_number in _until(deadline):
        username = f"newcomer{round_number}"
        answer = browser.submit_form(
            "/admin/auth/user/add/",
            {"username": username, "password1": "Welcome-2026!x", "password2": "Welcome-2026!x"},
        )
        ledger.saw("POST /admin/auth/user/add/", answer)
        if answer.status_code == 302:
            ledger.saved("user", round_number, username)


def _clerk(portal: Portal, ledger: Ledger, office, deadline: float) -> dict:
    """Publishes the approved reports one by one, then builds the session booklet."""
    browser = Browser(portal.url)
    browser.log_in("clerk", PASSWORD)
    for report in office["approved"]:
        url = f"/api/v1/staff/reports/{report.pk}/transition/"
        answer = browser.post(url, json={"action": "publish"})
        ledger.saw(f"POST {url}", answer)
        if answer.status_code == 200:
            ledger.saved("publish", report.pk, "published")
        else:
            ledger.refusals.append(answer.json()["detail"])
    number = office["approved"][0].session.number
    start = browser.get(f"/sessions/{number}/booklet.pdf")
    ledger.saw("GET booklet.pdf", start)
    assert start.status_code == 302, start.text[:300]
    status = {}
    while time.monotonic() < deadline + 180:
        answer = browser.get(start.headers["Location"] + "status.json")
        ledger.saw("GET status.json", answer)
        status = answer.json()
        if status["status"] in {"succeeded", "failed"}:
            break
        time.sleep(0.5)
    return status


def _stored(kind: str, pk: int, value: str) -> str:
    """What the database holds now for an acknowledged save."""
    if kind == "card":
        return Card.objects.get(pk=pk).title
    if kind == "purpose":
        return Card.objects.get(pk=pk).purpose
    if kind == "budget":
        return str(BudgetLine.objects.get(pk=pk).city)
    if kind == "user":
        return get_user_model().objects.get(username=value).username
    return "published" if ReportVersion.objects.filter(report=pk).exists() else ""


def test_readers_writers_a_publishing_clerk_and_two_pdf_workers_share_the_database(office, portal):
    ledger = Ledger()
    started = time.monotonic()
    deadline = started + SECONDS
    editing = office["editing"]
    with ThreadPoolExecutor(max_workers=10) as pool:
        jobs = [pool.submit(_reader, portal, ledger, office["seed"], deadline) for _ in range(3)]
        jobs += [
            pool.submit(_api_writer, portal, ledger, f"officer{i}", report, deadline)
            for i, report in enumerate(editing)
        ]
        jobs.append(pool.submit(_admin_writer, portal, ledger, editing[0], deadline))
        jobs.append(pool.submit(_account_adder, portal, ledger, deadline))
        clerk = pool.submit(_clerk, portal, ledger, office, deadline)
        for job in jobs:
            job.result()
        booklet = clerk.result()

    elapsed = time.monotonic() - started
    lost = [
        (kind, pk, value, stored)
        for (kind, pk), value in ledger.acknowledged.items()
        if (stored := _stored(kind, pk, value)) != value
    ]
    answered = sum(ledger.statuses.values())
    print(  # the figure `make bench` quotes
        f"\nmixed load ({connection.vendor}): {answered} requests in {elapsed:.0f} s "
        f"({answered / elapsed:.1f}/s), answers {dict(sorted(ledger.statuses.items()))}, "
        f"server errors {len(ledger.errors)}, saves acknowledged {len(ledger.acknowledged)}, "
        f"lost {len(lost)}, publishes refused {len(ledger.refusals)}, "
        f"booklet {booklet.get('status')} ({booklet.get('pages')} pages)"
    )
    assert ledger.errors == [], portal.logs()
    assert answered > 50, ledger.statuses  # the load really happened
    assert lost == []
    kinds = {kind for kind, _pk in ledger.acknowledged}
    assert kinds >= {"card", "budget", "purpose", "user"}, ledger.declined
    assert all(refusal.strip() for refusal in ledger.refusals)  # a refused publish says why
    assert booklet["status"] == "succeeded", (booklet, portal.logs())
    assert BookletBuild.objects.get().pages > 0
