"""Two database roles on PostgreSQL: the owner, which migrates, and the app, which serves.

The owner role owns every table, trigger and function (it runs `manage.py migrate`). The web
app and the PDF workers connect as a role that owns nothing and holds only the rights the app
uses (`grant_app_role`): SELECT, INSERT, UPDATE and DELETE on the tables — only SELECT and INSERT
on the published versions and their rows, only SELECT on django_migrations — and USAGE on the
sequences. Not being an owner, it cannot ALTER a table (so it cannot DISABLE TRIGGER), TRUNCATE,
DROP or CREATE anything (README, "데이터베이스 역할").

DATABASE_URL names the app role; DATABASE_OWNER_URL (optional) names the owner of the same
database. With it set, `migrate` and `grant_app_role` swap the default connection's user and
password to the owner's for the command and close the connection afterwards (`as_owner`): one
connection alias, one connection at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import dj_database_url
from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

# Written once with their version (publishing/versions.py): the app adds them, never changes them.
APPEND_ONLY_TABLES = (
    "reports_reportversion",
    "reports_publishedcard",
    "reports_publishedbudgetrow",
    "reports_publishedstaffingcell",
)
READ_ONLY_TABLES = ("django_migrations",)
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
SAME_DATABASE = {"ENGINE": "엔진", "HOST": "호스트", "PORT": "포트", "NAME": "데이터베이스 이름"}


class RoleError(CommandError):
    """A role request refused before anything changed (the message says why, in Korean)."""


def owner_credentials(connection: BaseDatabaseWrapper, owner_url: str) -> tuple[str, str]:
    """USER and PASSWORD of DATABASE_OWNER_URL, which must name the connection's own database."""
    owner = dj_database_url.parse(owner_url)
    current = connection.settings_dict
    for key, label in SAME_DATABASE.items():
        if str(owner.get(key) or "") != str(current.get(key) or ""):
            raise RoleError(
                _(
                    "DATABASE_OWNER_URL은 DATABASE_URL과 같은 데이터베이스를 가리켜야 합니다: "
                    "%(label)s이(가) 다릅니다(%(owner)s ≠ %(current)s)."
                )
                % {"label": label, "owner": owner.get(key), "current": current.get(key)}
            )
    if not owner.get("USER"):
        raise RoleError(_("DATABASE_OWNER_URL에 소유자 역할의 이름이 없습니다."))
    return owner["USER"], owner.get("PASSWORD") or ""


@contextmanager
def connected_as(connection: BaseDatabaseWrapper, user: str, password: str) -> Iterator[None]:
    """The connection, reconnected as `user` for the block, then closed and given back."""
    if connection.in_atomic_block:
        raise RoleError(_("트랜잭션 안에서는 데이터베이스 역할을 바꿀 수 없습니다."))
    saved = connection.settings_dict["USER"], connection.settings_dict["PASSWORD"]
    connection.close()
    connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = user, password
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = saved


@contextmanager
def as_owner(connection: BaseDatabaseWrapper) -> Iterator[str]:
    """The block runs as the owner role when DATABASE_OWNER_URL is set (else as DATABASE_URL's
    role, which is then the owner). Yields the app role's name from DATABASE_URL."""
    app_user = connection.settings_dict.get("USER") or ""
    owner_url = getattr(settings, "DATABASE_OWNER_URL", "")
    if not owner_url:
        yield app_user
        return
    if connection.vendor != "postgresql":
        raise RoleError(_("DATABASE_OWNER_URL은 PostgreSQL에서만 씁니다."))
    user, password = owner_credentials(connection, owner_url)
    with connected_as(connection, user, password):
        yield app_user


def _quoted(connection: BaseDatabaseWrapper, role: str) -> str:
    if not ROLE_NAME.fullmatch(role):
        raise RoleError(
            _("역할 이름 ‘%(role)s’은(는) 쓸 수 없습니다: 영문 소문자·숫자·밑줄, 63자까지.")
            % {"role": role}
        )
    return connection.ops.quote_name(role)


def _refuse_unsafe_role(cursor, role: str) -> bool | None:
    """Refuse a role that is, owns or acts as the owner. None when there is no such role, else
    whether its attributes need changing (it cannot log in, or may create databases or roles)."""
    cursor.execute(
        "SELECT rolsuper OR rolreplication OR rolbypassrls,"
        " pg_has_role(%s, current_user, 'MEMBER'),"
        " NOT rolcanlogin OR rolcreatedb OR rolcreaterole"
        " FROM pg_roles WHERE rolname = %s",
        [role, role],
    )
    found = cursor.fetchone()
    if found is None:
        return None
    privileged, member_of_owner, to_change = found
    if privileged:
        raise RoleError(
            _(
                "역할 ‘%(role)s’은(는) 슈퍼유저·복제·행 보안 우회 권한이 있어 앱 역할로 쓸 수 없습니다."
            )
            % {"role": role}
        )
    if member_of_owner:
        raise RoleError(
            _("역할 ‘%(role)s’은(는) 소유자 역할의 권한을 물려받으므로 앱 역할로 쓸 수 없습니다.")
            % {"role": role}
        )
    cursor.execute(
        """
        SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid)
             + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)
             + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)
             + (SELECT count(*) FROM pg_type WHERE typowner = r.oid)
             + (SELECT count(*) FROM pg_database WHERE datdba = r.oid
                    AND datname = current_database())
        FROM pg_roles r WHERE r.rolname = %s
        """,
        [role],
    )
    (owned,) = cursor.fetchone()
    if owned:
        raise RoleError(
            _(
                "역할 ‘%(role)s’은(는) 이 데이터베이스의 객체 %(count)d개를 소유하고 있어 앱 역할로 "
                "쓸 수 없습니다. 아무것도 소유하지 않은 역할을 주세요."
            )
            % {"role": role, "count": owned}
        )
    return to_change


def grant_app_role(
    connection: BaseDatabaseWrapper,
    role: str,
    *,
    password: str | None = None,
    create: bool = True,
) -> list[str]:
    """Create or update `role` as the app role, run as the owner; returns what was done.

    The role logs in, owns nothing and holds only the app's rights on the owner's current schema,
    now and (default privileges) for tables later migrations create. `password` sets its
    password; None leaves it as it is. With `create` false a missing role is only reported (the
    owner may have no CREATEROLE; `migrate` grants this way)."""
    if connection.vendor != "postgresql":
        raise RoleError(
            _("앱 역할은 PostgreSQL에서만 나눕니다(지금 데이터베이스: %(vendor)s).")
            % {"vendor": connection.vendor}
        )
    name = _quoted(connection, role)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema(), current_database()")
        owner, schema, database = cursor.fetchone()
        if role == owner:
            raise RoleError(
                _("앱 역할은 소유자 역할(%(owner)s)과 달라야 합니다.") % {"owner": owner}
            )
        to_change = _refuse_unsafe_role(cursor, role)
        if to_change is None and not create:
            return [
                _("앱 역할 %(role)s이(가) 없습니다: manage.py grant_app_role로 만드세요.")
                % {"role": role}
            ]
        done = _set_up_role(cursor, name, role, exists=to_change is not None, change=to_change)
        if password is not None:
            cursor.execute(f"ALTER ROLE {name} PASSWORD %s", [password])
        _grant(cursor, connection, name, role, database=database, schema=schema, owner=owner)
        cursor.execute("SELECT has_schema_privilege(%s, %s, 'CREATE')", [role, schema])
        if cursor.fetchone()[0]:
            done.append(
                _(
                    "주의: PUBLIC이 스키마 %(schema)s에 CREATE 권한을 가지고 있어 %(role)s도 표를 "
                    "만들 수 있습니다. 소유자로 REVOKE CREATE ON SCHEMA %(schema)s FROM PUBLIC을 "
                    "실행하세요."
                )
                % {"schema": schema, "role": role}
            )
    done.append(
        _(
            "%(role)s: 스키마 %(schema)s의 표에 읽기·추가·고치기·지우기(공개판과 공개 행은 읽기·"
            "추가만), 시퀀스 사용. 소유한 것이 없어 표를 바꾸거나(트리거 끄기 포함) 비울 수 "
            "없습니다."
        )
        % {"role": role, "schema": schema}
    )
    return done


def _set_up_role(cursor, name: str, role: str, *, exists: bool, change: bool) -> list[str]:
    """The role made, or its attributes put right; ALTER ROLE only when needed (it takes
    CREATEROLE, which an owner given a role made by the DBA may not have)."""
    if not exists:
        cursor.execute(f"CREATE ROLE {name} LOGIN NOCREATEDB NOCREATEROLE")
        return [_("역할 %(role)s을(를) 만들었습니다.") % {"role": role}]
    if change:
        cursor.execute(f"ALTER ROLE {name} LOGIN NOCREATEDB NOCREATEROLE")
        return [_("역할 %(role)s을(를) 고쳤습니다.") % {"role": role}]
    return [_("역할 %(role)s이(가) 이미 있습니다.") % {"role": role}]


def _grant(cursor, connection, name: str, role: str, *, database: str, schema: str, owner: str):
    """The app's rights: table DML (append-only and read-only tables narrowed), sequence USAGE,
    the same by default on what the owner creates later; CONNECT and schema USAGE if missing."""
    quote = connection.ops.quote_name
    schema_name, owner_name = quote(schema), quote(owner)
    cursor.execute(
        "SELECT has_database_privilege(%s, %s, 'CONNECT'), has_schema_privilege(%s, %s, 'USAGE')",
        [role, database, role, schema],
    )
    can_connect, can_use_schema = cursor.fetchone()
    statements = []
    if not can_connect:
        statements.append(f"GRANT CONNECT ON DATABASE {quote(database)} TO {name}")
    if not can_use_schema:
        statements.append(f"GRANT USAGE ON SCHEMA {schema_name} TO {name}")
    statements += [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema_name} FROM {name}",
        f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA {schema_name} TO {name}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema_name} FROM {name}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema_name} TO {name}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_name} IN SCHEMA {schema_name} "
        f"GRANT {TABLE_RIGHTS} ON TABLES TO {name}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_name} IN SCHEMA {schema_name} "
        f"GRANT USAGE ON SEQUENCES TO {name}",
    ]
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)",
        [schema, [*APPEND_ONLY_TABLES, *READ_ONLY_TABLES]],
    )
    present = {table for (table,) in cursor.fetchall()}
    for table in sorted(present & set(APPEND_ONLY_TABLES)):
        statements.append(f"REVOKE UPDATE, DELETE ON {table} FROM {name}")
    for table in sorted(present & set(READ_ONLY_TABLES)):
        statements.append(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {name}")
    for sql in statements:
        cursor.execute(sql)
