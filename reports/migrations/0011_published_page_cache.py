"""The table of the published page cache (settings CACHES["published"], a DatabaseCache).

Made with `createcachetable`'s own logic, so its columns are Django's on SQLite and PostgreSQL
alike; a database that has it already (made by hand with createcachetable) is left as it is.
"""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations

DEFAULT_TABLE = "published_page_cache"


def _table() -> str:
    return settings.CACHES.get("published", {}).get("LOCATION") or DEFAULT_TABLE


def create_table(apps, schema_editor):
    call_command("createcachetable", _table(), database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(_table())}")


class Migration(migrations.Migration):
    dependencies = [("reports", "0010_edition_files_in_storage")]

    operations = [migrations.RunPython(create_table, drop_table, elidable=False)]
