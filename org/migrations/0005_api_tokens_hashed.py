"""Staff API tokens stored hashed (org.ApiToken) instead of rest_framework.authtoken's keys.

The old keys cannot be carried over (only a hash is stored now, and the old table held the keys
themselves): every existing token stops working and administrators issue new ones. The old
table, its migration records and its content types (with their permissions) are removed, so no
plaintext key stays in the database.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_TABLE = "authtoken_token"


def drop_plaintext_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(OLD_TABLE)}")
    recorder = migrations.recorder.MigrationRecorder(connection)
    if recorder.has_table():
        recorder.migration_qs.filter(app="authtoken").delete()
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="authtoken").delete()  # and their permissions


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0004_team_constraint_message"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="어디에 쓰는 토큰인지(예: 부서 자료 시스템).",
                        max_length=100,
                        verbose_name="이름",
                    ),
                ),
                ("prefix", models.CharField(editable=False, max_length=8, verbose_name="앞자리")),
                (
                    "key_hash",
                    models.CharField(
                        editable=False,
                        max_length=64,
                        unique=True,
                        verbose_name="키 해시(SHA-256)",
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True, verbose_name="발급")),
                (
                    "last_used",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="마지막 사용"
                    ),
                ),
                (
                    "revoked_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="폐기"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="계정",
                    ),
                ),
            ],
            options={
                "verbose_name": "API 토큰",
                "verbose_name_plural": "API 토큰",
                "ordering": ["-created"],
            },
        ),
        migrations.RunPython(drop_plaintext_tokens, migrations.RunPython.noop, elidable=True),
    ]
