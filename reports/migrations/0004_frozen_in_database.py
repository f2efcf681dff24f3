"""Published is frozen, in the database too (PostgreSQL).

- A report version (reports_reportversion) can never be updated or deleted.
- While a report is published, its content rows (the report's own fields, its sections, cards
  and blocks) cannot be inserted, updated or deleted; reopening it for a correction (status
  published → draft) is the one update allowed, and the published versions stay as they were.

Violations raise SQLSTATE 23000 (integrity_constraint_violation), which Django reports as an
IntegrityError. SQLite has no such triggers; there the model layer refuses (ReportVersion.save,
its QuerySet, and org/access.py), which is also what every application path goes through.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION portal_report_published(report bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM reports_departmentreport WHERE id = report AND status = 'published'
    )
$$;

CREATE OR REPLACE FUNCTION portal_refuse_version_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = '23000',
        MESSAGE = format('공개된 판은 고치거나 지울 수 없습니다 (reports_reportversion id %s).', OLD.id);
END
$$;

CREATE TRIGGER reportversion_frozen
    BEFORE UPDATE OR DELETE ON reports_reportversion
    FOR EACH ROW EXECUTE FUNCTION portal_refuse_version_change();

CREATE OR REPLACE FUNCTION portal_guard_published_report() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'published' THEN
            RAISE EXCEPTION USING ERRCODE = '23000',
                MESSAGE = format('공개된 보고서는 지울 수 없습니다 (id %s).', OLD.id);
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'published' AND NEW.status = 'published' AND (
        NEW.facilities IS DISTINCT FROM OLD.facilities
        OR NEW.session_id <> OLD.session_id
        OR NEW.department_id <> OLD.department_id
    ) THEN
        RAISE EXCEPTION USING ERRCODE = '23000',
            MESSAGE = format('공개된 보고서의 내용은 고칠 수 없습니다 (id %s).', OLD.id);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER departmentreport_frozen
    BEFORE UPDATE OR DELETE ON reports_departmentreport
    FOR EACH ROW EXECUTE FUNCTION portal_guard_published_report();

CREATE OR REPLACE FUNCTION portal_guard_published_content() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_report bigint;
    new_report bigint;
BEGIN
    IF TG_TABLE_NAME = 'reports_reportsection' THEN
        IF TG_OP <> 'INSERT' THEN old_report := OLD.report_id; END IF;
        IF TG_OP <> 'DELETE' THEN new_report := NEW.report_id; END IF;
    ELSIF TG_TABLE_NAME = 'projects_card' THEN
        IF TG_OP <> 'INSERT' THEN
            SELECT report_id INTO old_report FROM reports_reportsection WHERE id = OLD.section_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            SELECT report_id INTO new_report FROM reports_reportsection WHERE id = NEW.section_id;
        END IF;
    ELSE  -- projects_block
        IF TG_OP <> 'INSERT' THEN
            SELECT s.report_id INTO old_report FROM projects_card c
                JOIN reports_reportsection s ON s.id = c.section_id WHERE c.id = OLD.card_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            SELECT s.report_id INTO new_report FROM projects_card c
                JOIN reports_reportsection s ON s.id = c.section_id WHERE c.id = NEW.card_id;
        END IF;
    END IF;
    IF portal_report_published(old_report) OR portal_report_published(new_report) THEN
        RAISE EXCEPTION USING ERRCODE = '23000',
            MESSAGE = format('공개된 보고서의 내용은 고칠 수 없습니다 (%s).', TG_TABLE_NAME);
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER reportsection_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON reports_reportsection
    FOR EACH ROW EXECUTE FUNCTION portal_guard_published_content();
CREATE TRIGGER card_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON projects_card
    FOR EACH ROW EXECUTE FUNCTION portal_guard_published_content();
CREATE TRIGGER block_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON projects_block
    FOR EACH ROW EXECUTE FUNCTION portal_guard_published_content();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS block_frozen ON projects_block;
DROP TRIGGER IF EXISTS card_frozen ON projects_card;
DROP TRIGGER IF EXISTS reportsection_frozen ON reports_reportsection;
DROP TRIGGER IF EXISTS departmentreport_frozen ON reports_departmentreport;
DROP TRIGGER IF EXISTS reportversion_frozen ON reports_reportversion;
DROP FUNCTION IF EXISTS portal_guard_published_content();
DROP FUNCTION IF EXISTS portal_guard_published_report();
DROP FUNCTION IF EXISTS portal_refuse_version_change();
DROP FUNCTION IF EXISTS portal_report_published(bigint);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_workflow_versions_history"),
        ("projects", "0005_revision_history"),
    ]

    operations = [migrations.RunPython(forward, backward)]
