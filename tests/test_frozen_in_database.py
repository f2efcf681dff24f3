"""On PostgreSQL the database itself refuses to change what was published, whatever the path:
ORM bulk updates and raw SQL included (reports/migrations/0004_frozen_in_database.py)."""

import pytest
from django.db import IntegrityError, connection, transaction

from projects.models import Block, Card
from reports.models import DepartmentReport, ReportSection, ReportVersion

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database triggers are installed on PostgreSQL"
)


def refused(statement):
    """Run a statement in its own savepoint; True when the database refuses it."""
    try:
        with transaction.atomic():
            statement()
    except IntegrityError as error:
        assert "공개된" in str(error)
        return True
    return False


def raw(sql, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def test_raw_sql_cannot_touch_a_published_version(published_2020):
    version = published_2020.versions.get()

    assert refused(raw("UPDATE reports_reportversion SET note = 'x' WHERE id = %s", [version.pk]))
    # The files' digests name the files in the storage: they cannot change either.
    for column in ("pdf_sha256", "hwpx_sha256", "content_sha256"):
        sql = f"UPDATE reports_reportversion SET {column} = 'x' WHERE id = %s"  # noqa: S608
        assert refused(raw(sql, [version.pk]))
    assert refused(raw("DELETE FROM reports_reportversion WHERE id = %s", [version.pk]))
    version.refresh_from_db()
    assert version.note == ""


def test_orm_bulk_updates_and_raw_sql_cannot_change_a_published_reports_content(published_2020):
    card = Card.objects.filter(section__report=published_2020).first()
    block = Block.objects.filter(card=card).first()
    section = card.section

    assert refused(lambda: Card.objects.filter(pk=card.pk).update(title="몰래 바꾼 제목"))
    assert refused(lambda: Block.objects.filter(pk=block.pk).update(heading="몰래"))
    assert refused(lambda: ReportSection.objects.filter(pk=section.pk).update(title="몰래"))
    assert refused(lambda: Block.objects.filter(pk=block.pk).delete())
    assert refused(lambda: Card.objects.create(section=section, number=99, title="끼워 넣기"))
    assert refused(raw("UPDATE projects_card SET title = 'x' WHERE id = %s", [card.pk]))
    assert refused(
        raw(
            "UPDATE reports_departmentreport SET facilities = %s::jsonb WHERE id = %s",
            ['[{"type": "text", "text": "x"}]', published_2020.pk],
        )
    )
    assert refused(raw("DELETE FROM reports_departmentreport WHERE id = %s", [published_2020.pk]))
    card.refresh_from_db()
    assert card.title != "몰래 바꾼 제목"


def test_reopening_for_a_correction_is_the_one_change_allowed(published_2020):
    card = Card.objects.filter(section__report=published_2020).first()

    assert not refused(
        lambda: DepartmentReport.objects.filter(pk=published_2020.pk).update(status="draft")
    )
    assert not refused(lambda: Card.objects.filter(pk=card.pk).update(title="정정한 제목"))
    assert ReportVersion.objects.filter(report=published_2020).count() == 1
    assert refused(raw("UPDATE reports_reportversion SET note = 'x'"))
