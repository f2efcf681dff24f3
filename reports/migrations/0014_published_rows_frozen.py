"""The published rows are as frozen as their versions, in the database (issue 18, point 6).

- The rows the open-data API serves (reports_publishedcard, _publishedbudgetrow,
  _publishedstaffingcell) are written once, when their version is published (reports/published.py),
  and can never be updated or deleted — on PostgreSQL and on SQLite. SQLite also gets the
  versions' own guard, which 0004 installed on PostgreSQL only.
- On PostgreSQL, TRUNCATE of the versions and of the published rows is refused (statement
  triggers; TRUNCATE fires no row triggers), also when it cascades from another table. The test
  harness alone empties tables between tests: it sets `portal.allow_truncate` for the one
  transaction that flushes (tests/conftest.py). The web app's own role has no TRUNCATE right at
  all (`manage.py grant_app_role`, README "데이터베이스 역할").

Violations are integrity errors (SQLSTATE 23000 on PostgreSQL, SQLITE_CONSTRAINT on SQLite),
which Django reports as IntegrityError; the models refuse first (reports.models.PublishedRow).
"""

from django.db import migrations

ROW_TABLES = (
    "reports_publishedcard",
    "reports_publishedbudgetrow",
    "reports_publishedstaffingcell",
)
TRUNCATE_TABLES = ("reports_reportversion", *ROW_TABLES)

POSTGRESQL_FORWARD = (
    r"""
CREATE OR REPLACE FUNCTION portal_refuse_published_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = '23000',
        MESSAGE = format('공개된 보고서의 내용은 고칠 수 없습니다 (%s id %s).', TG_TABLE_NAME, OLD.id);
END
$$;

CREATE OR REPLACE FUNCTION portal_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('portal.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING
        ERRCODE = '23000',
        MESSAGE = format('공개된 보고서의 내용은 비울 수 없습니다 (%s).', TG_TABLE_NAME);
END
$$;
"""
    + "".join(
        f"""
CREATE TRIGGER {table.removeprefix("reports_")}_rows_frozen
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION portal_refuse_published_row_change();
"""
        for table in ROW_TABLES
    )
    + "".join(
        f"""
CREATE TRIGGER {table.removeprefix("reports_")}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION portal_refuse_truncate();
"""
        for table in TRUNCATE_TABLES
    )
)

POSTGRESQL_BACKWARD = (
    "".join(
        f"DROP TRIGGER IF EXISTS {table.removeprefix('reports_')}_no_truncate ON {table};\n"
        for table in TRUNCATE_TABLES
    )
    + "".join(
        f"DROP TRIGGER IF EXISTS {table.removeprefix('reports_')}_rows_frozen ON {table};\n"
        for table in ROW_TABLES
    )
    + """
DROP FUNCTION IF EXISTS portal_refuse_truncate();
DROP FUNCTION IF EXISTS portal_refuse_published_row_change();
"""
)

# SQLite triggers are named portal_*: the test harness finds them by that name to empty tables.
SQLITE_TRIGGERS = {
    f"portal_{table.removeprefix('reports_')}_{operation.lower()}_frozen": (
        f"CREATE TRIGGER portal_{table.removeprefix('reports_')}_{operation.lower()}_frozen "
        f"BEFORE {operation} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message} ({table})'); END"
    )
    for table, message in [
        *((table, "공개된 보고서의 내용은 고칠 수 없습니다") for table in ROW_TABLES),
        ("reports_reportversion", "공개된 판은 고치거나 지울 수 없습니다"),
    ]
    for operation in ("UPDATE", "DELETE")
}


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS.values():
            schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD, params=None)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0013_titles_refuse_invisible_characters")]

    operations = [migrations.RunPython(forward, backward)]
