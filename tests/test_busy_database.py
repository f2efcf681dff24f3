"""Whatever the database, an edit conflict is a 409 and a busy database is a short wait or a
Korean "잠시 뒤에 다시" (503) — never a server error, never half a save. Against the portal as
`make run` serves it (tests/live_portal.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading

import psycopg2
import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from org.roles import Role, make_staff
from projects.models import Card
from tests.live_portal import Browser, Portal, environment

PASSWORD = "busy-database-2026"
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def card(make_report):
    report = make_report(cards=1)
    for username in ("officer", "colleague"):
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        make_staff(user, Role.OFFICER, report.department)
    return Card.objects.get(section__report=report)


def _portal(tmp_path, **env) -> Portal:
    portal = Portal(root=tmp_path, env=environment(tmp_path / "pdf-builds", **env))
    portal.start_server()
    return portal


def test_two_saves_of_one_card_from_the_same_revision_are_one_save_and_one_409(card, tmp_path):
    portal = _portal(tmp_path)
    try:
        officer, colleague = Browser(portal.url), Browser(portal.url)
        officer.log_in("officer", PASSWORD)
        colleague.log_in("colleague", PASSWORD)
        url = f"/api/v1/staff/cards/{card.pk}/"
        rounds, answers = [], {}
        for round_number in range(30):
            revision = officer.get(url).json()["revision"]
            start = threading.Barrier(2)
            answers.clear()

            def save(browser, who, revision=revision, round_number=round_number, start=start):
                start.wait()
                answers[who] = browser.patch(
                    url, json={"revision": revision, "title": f"{who} {round_number}"}
                )

            threads = [
                threading.Thread(target=save, args=(officer, "officer")),
                threading.Thread(target=save, args=(colleague, "colleague")),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            rounds.append(sorted(answer.status_code for answer in answers.values()))
            winner = next(who for who, answer in answers.items() if answer.status_code == 200)
            card.refresh_from_db()
            assert card.title == f"{winner} {round_number}"
    finally:
        portal.stop()
    assert rounds == [[200, 409]] * 30


@pytest.fixture
def held_lock():
    """Another process holding the lock a save needs, released by the test: on SQLite the
    file's write lock; on PostgreSQL the card's row and the session table."""
    holders = []

    def hold(card: Card):
        settings_dict = connection.settings_dict
        if connection.vendor == "sqlite":
            other = sqlite3.connect(settings_dict["NAME"], isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
        else:
            other = psycopg2.connect(
                dbname=settings_dict["NAME"],
                user=settings_dict["USER"],
                password=settings_dict["PASSWORD"],
                host=settings_dict["HOST"] or "127.0.0.1",
                port=settings_dict["PORT"] or 5432,
            )
            cursor = other.cursor()
            cursor.execute("SELECT id FROM projects_card WHERE id = %s FOR UPDATE", [card.pk])
            cursor.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
        holders.append(other)
        return other

    yield hold
    for other in holders:
        if connection.vendor != "sqlite":
            other.rollback()
        elif other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


def test_a_lock_held_by_another_process_makes_saves_and_logins_wait_then_say_try_again(
    card, tmp_path, held_lock
):
    portal = _portal(tmp_path, SQLITE_BUSY_SECONDS="1", DB_LOCK_TIMEOUT_SECONDS="1")
    try:
        officer = Browser(portal.url)
        officer.log_in("officer", PASSWORD)
        url = f"/api/v1/staff/cards/{card.pk}/"
        revision = officer.get(url).json()["revision"]
        holder = held_lock(card)

        refused = officer.patch(url, json={"revision": revision, "title": "잠긴 동안 고친 제목"})
        newcomer = Browser(portal.url)
        login_page = newcomer.get("/login/")
        token = login_page.cookies.get("csrftoken") or newcomer.cookies["csrftoken"]
        login = newcomer.post(
            "/login/",
            data={"csrfmiddlewaretoken": token, "username": "colleague", "password": PASSWORD},
            headers={"Referer": portal.url + "/login/"},
        )

        if connection.vendor == "sqlite":
            holder.execute("ROLLBACK")
        else:
            holder.rollback()
        card.refresh_from_db()
        unchanged = card.title
        saved = officer.patch(url, json={"revision": revision, "title": "풀린 뒤 고친 제목"})
    finally:
        portal.stop()

    assert (refused.status_code, refused.headers["Retry-After"]) == (503, "5")
    assert "잠시 뒤에 다시" in refused.json()["detail"]
    assert login.status_code == 503 and "잠시 뒤에 다시" in login.text
    assert unchanged != "잠긴 동안 고친 제목"
    assert saved.status_code == 200
