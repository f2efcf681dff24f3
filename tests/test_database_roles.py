"""The web app runs as a PostgreSQL role that owns nothing; migrations run as the owner
(core/database_roles.py, README "데이터베이스 역할").

What the probe did as the app's own role — UPDATE reports_publishedcard (the open-data API then
disagreed with the web page), TRUNCATE reports_reportversion, ALTER TABLE … DISABLE TRIGGER —
fails as the app role, while the app's own work (a draft card saved, a report published) goes
on; and the owner, who can alter tables, is still stopped by the triggers."""

import io
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client, override_settings

from core.database_roles import RoleError, connected_as, grant_app_role
from org.models import ApiToken
from org.roles import Role, make_staff
from projects.models import Card
from publishing.workflow import perform
from reports.models import PublishedCard, ReportVersion
from reports.published import rows_from_document
from tests.test_authorization_matrix import stub_pdf  # noqa: F401  (a fixture)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="database roles and privileges are PostgreSQL's; SQLite has neither",
)
pytestmark = pytest.mark.django_db(transaction=True)  # the app role reads committed rows

APP_ROLE = "upmu_app_test"
APP_PASSWORD = "app-role-pass-2026"


def owner_url(**changes) -> str:
    database = {**connection.settings_dict, **changes}
    user, password = quote(database["USER"]), quote(database["PASSWORD"] or "")
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{database['NAME']}"


def current_user() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


def drop_role(role: str) -> None:
    """What grant_app_role gave, taken back, and the role dropped (the cluster outlives us)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        owner, database = cursor.fetchone()
        for sql in (
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
            f"REVOKE ALL ON SCHEMA public FROM {role}",
            f'REVOKE ALL ON DATABASE "{database}" FROM {role}',
            f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public '
            f"REVOKE ALL ON TABLES FROM {role}",
            f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public '
            f"REVOKE ALL ON SEQUENCES FROM {role}",
            f"DROP ROLE {role}",
        ):
            cursor.execute(sql)


@pytest.fixture
def app_role(transactional_db):
    """The app role, made by grant_app_role inside the test cluster (its role has CREATEROLE:
    tests/run_suite.sh)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
        )
        if not cursor.fetchone()[0]:
            pytest.skip("the test database's role cannot create roles (run_suite.sh gives it)")
    grant_app_role(connection, APP_ROLE, password=APP_PASSWORD)
    yield APP_ROLE
    drop_role(APP_ROLE)


@pytest.fixture
def as_app():
    """A separate connection as the app role, as a person with its password would have."""
    import psycopg2

    database = connection.settings_dict
    raw = psycopg2.connect(
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
        dbname=database["NAME"],
        user=APP_ROLE,
        password=APP_PASSWORD,
        options="-c lock_timeout=5000 -c statement_timeout=20000",
    )
    yield raw
    raw.close()


def denied(raw, *statements) -> str:
    """The error message when the statements are refused for lack of rights, else ''
    (nothing is kept either way)."""
    from psycopg2.errors import InsufficientPrivilege

    try:
        with raw.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    except InsufficientPrivilege as error:
        return str(error)
    finally:
        raw.rollback()
    return ""


def fetch(raw, sql, params=()):
    with raw.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    raw.rollback()
    return rows


@postgresql_only
def test_the_app_role_cannot_change_published_rows_truncate_or_disable_triggers(
    app_role, as_app, published_2020
):
    card = PublishedCard.objects.filter(version__report=published_2020).first()

    for sql in (
        f"UPDATE reports_publishedcard SET title = '몰래' WHERE id = {card.pk}",
        "DELETE FROM reports_publishedcard",
        "UPDATE reports_reportversion SET note = '몰래'",
        "DELETE FROM reports_reportversion",
        "TRUNCATE reports_reportversion CASCADE",
        "TRUNCATE projects_card CASCADE",
        "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'x', now())",
        "CREATE TABLE reports_mine (id int)",
    ):
        assert "permission denied" in denied(as_app, sql), sql
    assert "permission denied" in denied(
        as_app, "SET LOCAL portal.allow_truncate = 'on'", "TRUNCATE reports_publishedcard"
    )
    for sql in (
        "ALTER TABLE reports_publishedcard DISABLE TRIGGER ALL",
        "ALTER TABLE reports_reportversion DISABLE TRIGGER reportversion_frozen",
        "DROP TRIGGER publishedcard_rows_frozen ON reports_publishedcard",
        "ALTER TABLE projects_card DISABLE TRIGGER card_frozen",
    ):
        assert "must be owner" in denied(as_app, sql), sql

    rows = fetch(
        as_app,
        "SELECT title FROM reports_publishedcard WHERE version_id = %s ORDER BY position",
        [card.version_id],
    )
    version = ReportVersion.objects.get(pk=card.version_id)
    assert [title for (title,) in rows] == [
        row["title"] for row in rows_from_document(version.document)["publishedcard"]
    ]


@postgresql_only
def test_the_owner_is_still_stopped_by_the_triggers(published_2020, client):
    card = PublishedCard.objects.filter(version__report=published_2020).first()

    refused = pytest.raises(IntegrityError, match="공개된 보고서의 내용은 고칠 수 없습니다")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE reports_publishedcard SET title = '몰래' WHERE id = %s", [card.pk])

    cards = client.get("/api/v1/cards/", {"version": card.version_id, "page_size": 100}).json()
    page = client.get(published_2020.get_absolute_url()).content.decode()
    assert cards["results"][0]["title"] == card.title and card.title in page


@postgresql_only
def test_the_web_app_does_its_work_as_the_app_role(app_role, report_2020, stub_pdf):  # noqa: F811
    """An officer saves a draft card through the staff API, the head approves, the clerk
    publishes: all as the app role. The open-data API then serves the page's cards."""
    card = Card.objects.filter(section__report=report_2020).order_by("pk").first()
    with connected_as(connection, APP_ROLE, APP_PASSWORD):
        assert current_user() == APP_ROLE
        people = {}
        for name, role in (("officer", Role.OFFICER), ("head", Role.HEAD), ("clerk", Role.CLERK)):
            people[name] = get_user_model().objects.create_user(name, password=None)
            department = None if role == Role.CLERK else report_2020.department
            make_staff(people[name], role, department)
        _token, key = ApiToken.issue(user=people["officer"], name="시험")
        api = Client(HTTP_AUTHORIZATION=f"Token {key}")
        url = f"/api/v1/staff/cards/{card.pk}/"
        revision = api.get(url).json()["revision"]
        saved = api.patch(
            url, {"revision": revision, "title": "고친 사업명"}, content_type="application/json"
        )
        assert saved.status_code == 200, saved.content.decode()

        perform(report_2020, "submit", people["officer"])
        perform(report_2020, "approve", people["head"])
        perform(report_2020, "publish", people["clerk"])

        anonymous = Client()
        cards = anonymous.get("/api/v1/cards/", {"department": report_2020.department_id}).json()
        page = anonymous.get(report_2020.get_absolute_url()).content.decode()
    assert current_user() != APP_ROLE

    version = ReportVersion.objects.get(report=report_2020)
    titles = [row["title"] for row in rows_from_document(version.document)["publishedcard"]]
    assert "고친 사업명" in titles and "고친 사업명" in page
    assert [row["title"] for row in cards["results"]] == titles[: len(cards["results"])]


@postgresql_only
def test_migrate_runs_as_the_owner_and_gives_the_app_role_its_rights(app_role):
    owner, as_owner = current_user(), override_settings(DATABASE_OWNER_URL=owner_url())
    other_database = override_settings(DATABASE_OWNER_URL=owner_url(NAME="postgres"))
    with connection.cursor() as cursor:  # a table the app role has no right on yet
        cursor.execute(f"REVOKE ALL ON reports_publishedcard FROM {APP_ROLE}")

    with connected_as(connection, APP_ROLE, APP_PASSWORD), as_owner:
        call_command("migrate", verbosity=0)
        assert current_user() == APP_ROLE
        assert PublishedCard.objects.count() == 0  # SELECT is granted again
        with pytest.raises(RoleError, match="데이터베이스 이름이\\(가\\) 다릅니다"), other_database:
            call_command("migrate", verbosity=0)
        assert current_user() == APP_ROLE
    assert current_user() == owner


@postgresql_only
def test_grant_app_role_refuses_the_owner_and_a_bad_name(app_role):
    with pytest.raises(RoleError, match="소유자 역할"):
        grant_app_role(connection, current_user())
    with pytest.raises(RoleError, match="쓸 수 없습니다"):
        grant_app_role(connection, 'x"; DROP TABLE reports_reportversion; --')

    out = io.StringIO()
    call_command("grant_app_role", APP_ROLE, stdout=out)
    assert "역할 upmu_app_test이(가) 이미 있습니다." in out.getvalue()
    assert "트리거 끄기 포함" in out.getvalue()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite message")
def test_on_sqlite_grant_app_role_says_roles_are_postgresqls():
    with pytest.raises(RoleError, match="PostgreSQL에서만"):
        call_command("grant_app_role", "upmu_app")
