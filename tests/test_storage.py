"""Files on more than one machine: published editions and booklet parts go through STORAGES —
local folders by default, an S3 bucket when configured (here a real S3-protocol server on
127.0.0.1, moto's server mode). An unreachable storage changes nothing and says so in Korean;
a PDF worker task that cannot reach it fails visibly and is retried; a damaged file is refused.
"""

from __future__ import annotations

import hashlib
import socket

import boto3
import pytest
from botocore.config import Config
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer

from core import filestore
from org.roles import Role, make_staff
from publishing import builds, tasks
from publishing.versions import verify
from publishing.workflow import perform, publish_imported
from reports.models import BookletBuild, DepartmentReport, ReportVersion

Status = DepartmentReport.Status
BUCKET = "upmu-files"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class S3Server:
    """moto's S3 server on 127.0.0.1, which a test can stop (unreachable) and start again."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server: ThreadedMotoServer | None = None

    def start(self) -> None:
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def client(self):
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1", **CREDENTIALS
        )

    def object_keys(self) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=BUCKET)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()

    def storages(self) -> dict:
        """STORAGES as config/settings.py makes them from STORAGE_S3_* (prefix "site")."""
        options = {
            "bucket_name": BUCKET,
            "endpoint_url": self.endpoint,
            "region_name": "us-east-1",
            "access_key": "testing",
            "secret_key": "testing",
            "default_acl": None,
            "file_overwrite": True,
            "client_config": Config(
                s3={"addressing_style": "path"},
                connect_timeout=2,
                read_timeout=2,
                retries={"mode": "standard", "max_attempts": 2},
            ),
        }
        backend = "storages.backends.s3.S3Storage"
        return {
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "default": {"BACKEND": backend, "OPTIONS": {**options, "location": "site/media"}},
            "booklets": {"BACKEND": backend, "OPTIONS": {**options, "location": "site/pdf-builds"}},
        }


@pytest.fixture
def s3(settings):
    server = S3Server()
    server.start()
    server.client().create_bucket(Bucket=BUCKET)
    settings.STORAGES = server.storages()
    yield server
    server.stop()


@pytest.fixture
def people(report_2020, clerk):
    User = get_user_model()
    officer = User.objects.create_user("officer", password="x")
    make_staff(officer, Role.OFFICER, report_2020.department)
    head = User.objects.create_user("head", password="x")
    make_staff(head, Role.HEAD, report_2020.department)
    return {"officer": officer, "head": head, "clerk": clerk}


@pytest.fixture
def approved(report_2020, people):
    perform(report_2020, "submit", people["officer"])
    perform(report_2020, "approve", people["head"])
    return report_2020


def press_publish(client, report, clerk):
    client.force_login(clerk)
    url = reverse("admin:reports_departmentreport_change", args=[report.pk])
    return client.post(url, {"_transition": "publish", "comment": ""}, follow=True)


def pdf_url(report) -> str:
    return reverse("reports:department_pdf", args=[report.session.number, report.department_id])


# S3 ------------------------------------------------------------------------------------------


def test_a_publish_puts_the_editions_files_in_the_bucket_and_downloads_serve_them(
    client, s3, approved, people
):
    press_publish(client, approved, people["clerk"])
    version = ReportVersion.objects.get(report=approved)

    client.logout()
    response = client.get(pdf_url(approved))

    assert s3.object_keys() == sorted(
        [
            f"site/media/editions/{version.hwpx_sha256}.hwpx",
            f"site/media/editions/{version.pdf_sha256}.pdf",
        ]
    )
    assert response.status_code == 200
    assert sha(response.content) == version.pdf_sha256
    assert sha(s3.read(f"site/media/editions/{version.pdf_sha256}.pdf")) == version.pdf_sha256


def test_a_booklet_is_made_of_parts_in_the_bucket_and_served_from_it(
    client, s3, report_2020, settings, tmp_path, django_capture_on_commit_callbacks
):
    publish_imported(report_2020, comment="seed")

    with django_capture_on_commit_callbacks(execute=True):  # the build runs on commit
        first = client.get(reverse("reports:session_pdf", args=[227]))
    build = BookletBuild.objects.get()
    settings.PDF_BUILD_ROOT = tmp_path / "another-server"  # a web server without the files
    again = client.get(reverse("reports:session_pdf", args=[227]))

    assert build.status == BookletBuild.Status.SUCCEEDED
    part_key = build.part_keys[0][1]
    assert f"site/pdf-builds/parts/{part_key}.pdf" in s3.object_keys()
    assert f"site/pdf-builds/{tasks.name_of(build)}" in s3.object_keys()
    assert first.status_code == 302  # to the build page
    assert again.status_code == 200
    served = b"".join(again.streaming_content)
    assert served.startswith(b"%PDF")
    assert served == s3.read(f"site/pdf-builds/{tasks.name_of(build)}")


def test_with_the_storage_unreachable_a_publish_changes_nothing_and_says_why(
    client, s3, approved, people
):
    s3.stop()

    response = press_publish(client, approved, people["clerk"])

    assert "파일 저장소에 연결할 수 없어 PDF·한글 파일을 저장하지 못해 공개하지 않았습니다" in (
        response.text
    )
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert not ReportVersion.objects.exists()
    assert not approved.events.filter(action="publish").exists()


def test_with_the_storage_unreachable_a_download_answers_503_in_korean(client, s3, report_2020):
    publish_imported(report_2020, comment="seed")
    s3.stop()

    response = client.get(pdf_url(report_2020))

    assert response.status_code == 503
    assert "파일 저장소에 연결할 수 없어" in response.text
    assert response["Retry-After"]


def test_a_worker_that_cannot_reach_the_storage_fails_its_task_and_retries_later(
    client, s3, report_2020, settings
):
    publish_imported(report_2020, comment="seed")
    settings.TASKS = DUMMY_TASKS
    settings.PDF_STORAGE_RETRY_SECONDS = 45
    page = client.get(reverse("reports:session_pdf", args=[227]), follow=True)
    build = BookletBuild.objects.get()
    s3.stop()

    with pytest.raises(filestore.StorageUnavailable):  # the worker records the task as failed
        tasks.build_booklet.call(build.pk)
    build.refresh_from_db()
    status = client.get(reverse("reports:booklet_status", args=[227, page.context["token"]]))
    retried = [r for r in tasks.build_booklet.get_backend().results if r.kwargs]

    assert build.is_active
    assert "파일 저장소에 연결할 수 없습니다. 45초 뒤에 다시 시도합니다" in status.json()["message"]
    assert [(r.args, r.kwargs) for r in retried] == [([build.pk], {"attempt": 2})]
    delay = retried[0].task.run_after - timezone.now()
    assert 30 < delay.total_seconds() <= 45

    s3.start()  # the storage is back: the retried task finishes the booklet
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    tasks.build_booklet.call(build.pk, attempt=2)
    build.refresh_from_db()
    assert build.status == BookletBuild.Status.SUCCEEDED
    assert builds.status_of(build, "t")["message"] == "책자 PDF가 준비되었습니다."


def test_a_worker_gives_up_after_its_storage_attempts(s3, report_2020, settings, client):
    publish_imported(report_2020, comment="seed")
    settings.TASKS = DUMMY_TASKS
    settings.PDF_STORAGE_ATTEMPTS = 2
    client.get(reverse("reports:session_pdf", args=[227]))
    build = BookletBuild.objects.get()
    s3.stop()

    with pytest.raises(filestore.StorageUnavailable):
        tasks.build_booklet.call(build.pk, attempt=2)

    build.refresh_from_db()
    assert build.status == BookletBuild.Status.FAILED
    assert build.error == "파일 저장소에 연결할 수 없어 책자를 만들지 못했습니다"


# The local default ---------------------------------------------------------------------------


def test_by_default_edition_files_are_in_the_media_folder_once_per_content(
    client, report_2020, settings
):
    version = publish_imported(report_2020, comment="seed")
    folder = settings.MEDIA_ROOT / "editions"

    response = client.get(pdf_url(report_2020))
    filestore.put_edition(version.pdf, "pdf")  # the same bytes again: still one file

    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{version.pdf_sha256}.pdf", f"{version.hwpx_sha256}.hwpx"]
    )
    assert sha(response.content) == version.pdf_sha256
    assert verify(version)


def test_a_damaged_edition_file_is_refused_with_a_korean_message(client, report_2020, settings):
    version = publish_imported(report_2020, comment="seed")
    path = settings.MEDIA_ROOT / "editions" / f"{version.pdf_sha256}.pdf"
    path.write_bytes(path.read_bytes()[:-100] + b"tampered")

    response = client.get(pdf_url(report_2020))

    assert response.status_code == 503
    assert "손상되어(SHA-256 불일치)" in response.text
    assert not verify(version)


def test_a_missing_edition_file_is_refused_with_a_korean_message(client, report_2020, settings):
    version = publish_imported(report_2020, comment="seed")
    (settings.MEDIA_ROOT / "editions" / f"{version.pdf_sha256}.pdf").unlink()

    response = client.get(pdf_url(report_2020))

    assert response.status_code == 503
    assert "저장소에 없어" in response.text


def test_the_published_hwpx_is_the_stored_file(client, report_2020):
    version = publish_imported(report_2020, comment="seed")
    url = reverse("reports:department_hwpx", args=[227, report_2020.department_id])

    response = client.get(url)

    assert sha(response.content) == version.hwpx_sha256


def test_by_default_booklet_parts_are_in_the_build_folder(
    client, published_2020, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("reports:session_pdf", args=[227]))
    build = BookletBuild.objects.get()

    assert (settings.PDF_BUILD_ROOT / "parts" / f"{build.part_keys[0][1]}.pdf").exists()
    assert (settings.PDF_BUILD_ROOT / tasks.name_of(build)).exists()


# Migration 0010 ------------------------------------------------------------------------------

BEFORE = [("reports", "0009_booklet_error_detail")]
AFTER = [("reports", "0010_edition_files_in_storage")]


def _migrate(targets) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _migrate_to_latest() -> None:
    """Going back to 0009 unapplies the later migrations too (the page cache table, the
    published-row triggers): every test leaves the database at the latest migrations."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


def _pdf_column(version_id: int) -> bytes:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pdf FROM reports_reportversion WHERE id = %s", [version_id])
        return bytes(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_migration_0010_moves_the_pdfs_out_of_the_database_and_back(report_2020, settings):
    from django.db import IntegrityError, connection, transaction

    version = publish_imported(report_2020, comment="seed")
    stored = settings.MEDIA_ROOT / "editions" / f"{version.pdf_sha256}.pdf"
    content = stored.read_bytes()
    try:
        _migrate(BEFORE)  # back: the files go into the column again
        assert _pdf_column(version.pk) == content
        stored.unlink()  # as on a site that never had the storage

        _migrate(AFTER)  # forward: out of the column into the storage, column dropped
    finally:
        _migrate_to_latest()

    with connection.cursor() as cursor:
        columns = [
            c.name
            for c in connection.introspection.get_table_description(cursor, "reports_reportversion")
        ]
    assert "pdf" not in columns
    assert "published_page_cache" in connection.introspection.table_names()  # 0011 again
    assert stored.read_bytes() == content
    assert ReportVersion.objects.get(pk=version.pk).pdf == content
    if connection.vendor == "postgresql":  # the frozen-version trigger is on again
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE reports_reportversion SET note = 'x' WHERE id = %s", [version.pk]
            )


@pytest.mark.django_db(transaction=True)
def test_migration_0010_with_the_storage_unreachable_changes_nothing(report_2020, settings):
    from django.db import connection

    version = publish_imported(report_2020, comment="seed")
    content = version.pdf
    working = settings.STORAGES
    try:
        _migrate(BEFORE)
        server = S3Server()  # configured, never started: nothing answers on its port
        settings.STORAGES = server.storages()
        with pytest.raises(RuntimeError, match="파일 저장소.*연결할 수 없어 공개판 PDF를 옮기지"):
            _migrate(AFTER)
        with connection.cursor() as cursor:
            columns = [
                c.name
                for c in connection.introspection.get_table_description(
                    cursor, "reports_reportversion"
                )
            ]
        assert "pdf" in columns
        assert "hwpx_sha256" not in columns
        assert _pdf_column(version.pk) == content
    finally:
        settings.STORAGES = working
        _migrate_to_latest()
