"""`migrate` as the owner role when DATABASE_OWNER_URL is set (core/database_roles.py)."""

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections

from core.database_roles import as_owner, grant_app_role


class Command(MigrateCommand):
    help = (
        MigrateCommand.help
        + " With DATABASE_OWNER_URL set, runs as the owner role and then gives DATABASE_URL's "
        "(app) role its rights on the tables the migrations made."
    )

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if options["database"] != DEFAULT_DB_ALIAS or connection.vendor != "postgresql":
            return super().handle(*args, **options)
        with as_owner(connection) as app_user:
            super().handle(*args, **options)
            if connection.settings_dict["USER"] != app_user and app_user:
                for line in grant_app_role(connection, app_user, create=False):
                    if options["verbosity"] >= 1:
                        self.stdout.write(line)
