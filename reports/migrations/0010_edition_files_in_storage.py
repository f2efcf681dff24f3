"""Published editions' PDFs leave the database for the file storage (STORAGES["default"]).

Each version's PDF is written to `editions/<pdf_sha256>.pdf` (identical PDFs are one file),
then the `pdf` column is dropped; versions also gain `hwpx_sha256` (blank for these older
editions, whose HWPX is made on request). Reading or writing no row: the frozen-version trigger
of 0004 (PostgreSQL) stays as it was and keeps refusing any change to what remains.

Going back copies the files into the column again; there the trigger is switched off for the
one UPDATE per row and on again, inside the migration's transaction.

A storage that cannot be reached stops the migration with its reason; the transaction rolls
back, so the database is as before (files already written are content-addressed and harmless).
"""

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import migrations, models

TRIGGER = "reportversion_frozen"


def _name(digest: str) -> str:
    return f"editions/{digest}.pdf"


def _unreachable(error: Exception) -> RuntimeError:
    return RuntimeError(
        "파일 저장소(STORAGES['default'])에 연결할 수 없어 공개판 PDF를 옮기지 못했습니다. "
        f"데이터베이스는 바꾸지 않았습니다. 저장소 설정을 확인하고 다시 migrate 하세요. ({error!r})"
    )


def files_out(apps, schema_editor):
    ReportVersion = apps.get_model("reports", "ReportVersion")
    storage = storages["default"]
    rows = ReportVersion.objects.using(schema_editor.connection.alias).order_by("pk")
    for pk, content, digest in rows.values_list("pk", "pdf", "pdf_sha256").iterator(chunk_size=20):
        name = _name(digest)
        try:
            if storage.exists(name):
                continue
            # Written under the digest recorded at publishing even if the bytes no longer
            # match it: reading the file back then refuses it, as it refused the column.
            saved = storage.save(name, ContentFile(bytes(content or b"")))
        except Exception as error:
            raise _unreachable(error) from error
        if saved != name:
            raise RuntimeError(f"공개판 {pk}의 PDF가 {name} 대신 {saved}에 저장되었습니다.")


def files_back(apps, schema_editor):
    ReportVersion = apps.get_model("reports", "ReportVersion")
    connection = schema_editor.connection
    storage = storages["default"]
    triggered = connection.vendor == "postgresql"
    if triggered:
        schema_editor.execute(f"ALTER TABLE reports_reportversion DISABLE TRIGGER {TRIGGER}")
    rows = ReportVersion.objects.using(connection.alias)
    for pk, digest in rows.values_list("pk", "pdf_sha256"):
        try:
            with storage.open(_name(digest), "rb") as handle:
                content = handle.read()
        except Exception as error:
            raise _unreachable(error) from error
        rows.filter(pk=pk).update(pdf=content)
    if triggered:
        schema_editor.execute(f"ALTER TABLE reports_reportversion ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("reports", "0009_booklet_error_detail")]

    operations = [
        migrations.AddField(
            model_name="reportversion",
            name="hwpx_sha256",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="HWPX SHA-256"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(files_out, files_back, elidable=False),
        migrations.RemoveField(model_name="reportversion", name="pdf"),
    ]
