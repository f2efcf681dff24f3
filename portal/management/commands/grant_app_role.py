"""Create or update the web app's database role: one that owns nothing (core/database_roles.py)."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core.database_roles import as_owner, grant_app_role


class Command(BaseCommand):
    help = (
        "Create or update the PostgreSQL role the web app connects as: SELECT/INSERT/UPDATE/"
        "DELETE on the tables it uses, USAGE on the sequences, owning nothing. Run as the owner "
        "(DATABASE_OWNER_URL, or DATABASE_URL when it names the owner)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "role", nargs="?", help="the app role (default: the user in DATABASE_URL)"
        )
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="set the role's password from this environment variable "
            "(default: DATABASE_URL's password when the role is DATABASE_URL's user)",
        )

    def handle(self, *args, role=None, password_env=None, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        url_user = connection.settings_dict.get("USER") or ""
        url_password = connection.settings_dict.get("PASSWORD") or None
        role = role or url_user
        if not role:
            raise CommandError("앱 역할의 이름을 주세요(또는 DATABASE_URL에 사용자를 적으세요).")
        password = url_password if role == url_user else None
        if password_env:
            if password_env not in os.environ:
                raise CommandError(f"환경 변수 {password_env}이(가) 없습니다.")
            password = os.environ[password_env]
        with as_owner(connection):
            done = grant_app_role(connection, role, password=password)
        for line in done:
            self.stdout.write(line)
