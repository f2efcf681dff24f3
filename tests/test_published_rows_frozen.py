"""The rows the open-data API serves (reports.models.Published*) are as frozen as the version
they were written from, on SQLite and PostgreSQL: raw SQL cannot change or remove them, the
models refuse with a Korean message, and PostgreSQL refuses TRUNCATE of versions and rows
(reports/migrations/0014_published_rows_frozen.py). The test harness may still empty tables."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from reports.models import (
    FrozenPublishedRowError,
    PublishedBudgetRow,
    PublishedCard,
    PublishedStaffingCell,
    ReportVersion,
)
from reports.published import rows_from_document

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only"
)


def refused(sql, params=()):
    """Run a statement in its own savepoint; True when the database refuses it."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except IntegrityError as error:
        assert "공개된" in str(error), error
        return True
    return False


def api_cards(client, version):
    response = client.get("/api/v1/cards/", {"version": version.pk, "page_size": 100})
    assert response.status_code == 200
    return [
        {key: card[key] for key in ("number", "title", "team", "purpose", "blocks", "budget")}
        for card in response.json()["results"]
    ]


def document_cards(version):
    keys = ("number", "title", "team", "purpose", "blocks", "budget")
    return [
        {key: row[key] for key in keys}
        for row in rows_from_document(version.document)["publishedcard"]
    ]


def test_raw_sql_cannot_change_or_remove_a_published_row(published_2020, client):
    """What the probe did: UPDATE reports_publishedcard made the API disagree with the page."""
    version = published_2020.versions.get()
    card = PublishedCard.objects.filter(version=version).first()
    budget = PublishedBudgetRow.objects.filter(version=version).first()
    cell = PublishedStaffingCell.objects.filter(version=version).first()

    assert refused("UPDATE reports_publishedcard SET title = 'x' WHERE id = %s", [card.pk])
    assert refused("UPDATE reports_publishedbudgetrow SET amount = 1 WHERE id = %s", [budget.pk])
    assert refused("UPDATE reports_publishedstaffingcell SET current = 0 WHERE id = %s", [cell.pk])
    assert refused("DELETE FROM reports_publishedcard WHERE id = %s", [card.pk])
    assert refused("DELETE FROM reports_publishedbudgetrow")
    assert refused("DELETE FROM reports_publishedstaffingcell")
    assert refused("UPDATE reports_reportversion SET note = 'x' WHERE id = %s", [version.pk])
    assert refused("DELETE FROM reports_reportversion")

    assert api_cards(client, version) == document_cards(version)
    page = client.get(published_2020.get_absolute_url()).content.decode()
    assert card.title in page


def test_the_models_refuse_with_a_korean_message(published_2020):
    card = PublishedCard.objects.filter(version__report=published_2020).first()
    card.title = "몰래 바꾼 제목"

    attempts = [
        card.save,
        card.delete,
        lambda: PublishedCard.objects.filter(pk=card.pk).update(title="몰래"),
        lambda: PublishedBudgetRow.objects.all().delete(),
        lambda: PublishedStaffingCell.objects.update(current=0),
    ]
    for attempt in attempts:
        with pytest.raises(
            FrozenPublishedRowError, match="공개된 보고서의 내용은 고칠 수 없습니다"
        ):
            attempt()
    card.refresh_from_db()
    assert card.title != "몰래 바꾼 제목"


@postgresql_only
def test_truncating_versions_or_published_rows_is_refused(published_2020):
    with connection.cursor() as cursor:  # the seed's deferred foreign-key checks, done now
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in (
        "reports_reportversion",
        "reports_publishedcard",
        "reports_publishedbudgetrow",
        "reports_publishedstaffingcell",
    ):
        assert refused(f"TRUNCATE {table} CASCADE"), table
    assert refused("TRUNCATE reports_departmentreport CASCADE")  # cascades to the versions
    assert PublishedCard.objects.filter(version__report=published_2020).exists()


@pytest.mark.django_db(transaction=True)
def test_the_test_harness_still_empties_the_database(report_2020):
    """pytest-django empties the tables after a transactional test (Django's flush): the
    harness alone may (tests/conftest.py)."""
    from portal.seeds import SEED_DIR, seed_load_file
    from publishing.workflow import publish_imported

    publish_imported(report_2020, comment="seed")
    assert PublishedCard.objects.exists()

    call_command("flush", interactive=False, verbosity=0)

    assert not ReportVersion.objects.exists() and not PublishedCard.objects.exists()
    report, _created = seed_load_file(SEED_DIR / "2020_vision.yaml")
    publish_imported(report, comment="seed")
    assert refused("DELETE FROM reports_publishedcard")  # guarded again after the flush
