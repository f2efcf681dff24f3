"""Shared fixtures: the two real seed reports, the personas, a factory for synthetic reports;
a department report's PDF is a tiny stand-in unless a test is marked `pdf`."""

import datetime
import hashlib
import io
import json
import os

import pytest
from django.db.backends.base.operations import BaseDatabaseOperations

from portal.seeds import SEED_DIR, seed_load_file

_execute_sql_flush = BaseDatabaseOperations.execute_sql_flush


def execute_sql_flush_in_tests(ops, sql_list):
    """Django's flush, which pytest-django runs after each transactional test, past the guards
    that keep published rows from being emptied (reports/migrations/0014_published_rows_frozen.py):
    on PostgreSQL the TRUNCATE triggers let through the one transaction that sets
    portal.allow_truncate; on SQLite the portal_* triggers are dropped and made again around the
    DELETEs, in the same transaction. Only the test harness does either."""
    connection = ops.connection
    if connection.vendor == "postgresql":
        sql_list = ["SET LOCAL portal.allow_truncate = 'on'", *sql_list]
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'portal_%'"
            )
            triggers = cursor.fetchall()
        sql_list = [
            *(f"DROP TRIGGER {name}" for name, _sql in triggers),
            *sql_list,
            *(sql for _name, sql in triggers),
        ]
    _execute_sql_flush(ops, sql_list)


BaseDatabaseOperations.execute_sql_flush = execute_sql_flush_in_tests


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the API's throttles count requests there, per
    address and per account id (which a rolled-back database hands out again)."""
    from django.core.cache import cache

    from publishing.page_cache import recent_answers

    cache.clear()
    recent_answers.answers.clear()
    yield
    cache.clear()


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def pdf_builds(settings, tmp_path):
    """Booklet parts and builds, and published editions' files, go to folders of the test's
    own; background tasks run when enqueued (after the transaction commits), unless a test
    starts real PDF workers."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PDF_BUILD_ROOT = tmp_path / "pdf-builds"
    settings.TASKS = IMMEDIATE_TASKS
    return settings.PDF_BUILD_ROOT


def pytest_collection_modifyitems(config, items):
    """`make test` runs the suite on PostgreSQL and SQLite side by side; the tests marked
    `one_database` make their own SQLite database or none, so the PostgreSQL pass of
    `make test` (UPMU_ONE_DATABASE_ELSEWHERE=1) leaves them to the SQLite pass."""
    if os.environ.get("UPMU_ONE_DATABASE_ELSEWHERE") != "1":
        return
    skip = pytest.mark.skip(reason="does not use the suite's database: runs in the SQLite pass")
    for item in items:
        if item.get_closest_marker("one_database"):
            item.add_marker(skip)


def stand_in_pdf(document) -> bytes:
    """A valid one-page PDF standing in for a department report's: the real PDF's title, and
    the document's content digest as its subject, so that different content still gives
    different files (a correction's edition is another file)."""
    import pikepdf

    content = json.dumps(document.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
    out = pikepdf.new()
    out.add_blank_page(page_size=(595, 842))
    out.docinfo["/Title"] = f"{document.session.title} {document.department} 주요업무 보고"
    out.docinfo["/Subject"] = "stand-in " + hashlib.sha256(content.encode()).hexdigest()
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def department_pdf_stand_in(request, monkeypatch):
    """WeasyPrint lays out a department report only for tests marked `pdf` (those that read a
    PDF's text, pages or fonts); elsewhere publishing and the PDF link get `stand_in_pdf`.
    Booklets (publishing/booklet.py) and other processes (live portal, PDF workers) are real."""
    if request.node.get_closest_marker("pdf"):
        return
    from publishing import pdf

    monkeypatch.setattr(pdf, "department_pdf", stand_in_pdf)


@pytest.fixture
def report_2020(db):
    """제227회 제2차 정례회, 비전협력과 (미래비전추진단) — the 2020 seed."""
    report, _created = seed_load_file(SEED_DIR / "2020_vision.yaml")
    return report


@pytest.fixture
def report_2018(db):
    """제206회 임시회, 기획담당관 — the 2018 seed."""
    report, _created = seed_load_file(SEED_DIR / "2018_planning.yaml")
    return report


@pytest.fixture
def published_2020(report_2020):
    """The 2020 seed as the council received it: published as version 1."""
    from publishing.workflow import publish_imported

    publish_imported(report_2020, comment="seed")
    return report_2020


@pytest.fixture
def published_2018(report_2018):
    from publishing.workflow import publish_imported

    publish_imported(report_2018, comment="seed")
    return report_2018


@pytest.fixture
def make_report(db):
    """A synthetic department report shaped like the seeds, with `cards` project cards."""
    from tests.factories import build_report

    def make(
        *, cards: int = 1, number: int = 900, department: str = "시험과", bureau: str = "시험국"
    ):
        return build_report(
            cards=cards, session_number=number, department_name=department, bureau_name=bureau
        )

    return make


@pytest.fixture
def figure_date():
    return datetime.date(2020, 10, 31)


@pytest.fixture
def clerk(db, django_user_model):
    """A clerk of the council secretariat (기획·의회사무국 담당): reaches every department."""
    from org.roles import Role, make_staff

    user = django_user_model.objects.create_user("clerk", password="clerk-pass-2026")
    make_staff(user, Role.CLERK)
    return user


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client
