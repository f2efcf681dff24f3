"""Backups and the restore drill (`manage.py backup` / `restore`, portal/backup.py).

The drill: back up the portal while `make run`'s server and a PDF worker serve readers and an
officer saving through the staff API; wipe the database and the stored files; restore; every
report, edition (the same PDF and HWPX, byte for byte), user and history row is back, and the
restored portal serves them. Bad archives — cut short, a flipped byte, a newer schema, the
other database vendor — are refused in Korean with the database left as it was."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import threading
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from org.roles import Role, make_staff
from portal import backup
from projects.models import Card
from reports.models import DepartmentReport, ReportVersion
from tests.live_portal import Browser, Portal, environment
from tests.test_storage import BUCKET, S3Server

PASSWORD = "backup-drill-2026"
pytestmark = pytest.mark.django_db(transaction=True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    """Stored files and archives in the test's own folders."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    return tmp_path


def _history_models():
    return [
        model
        for model in apps.get_models()
        if any(field.name == "history_id" for field in model._meta.fields)
    ]


def inventory() -> dict:
    """Everything the drill must find again, read through the ORM and the storage."""
    editions = {}
    for version in ReportVersion.objects.all():
        assert sha256(version.pdf) == version.pdf_sha256
        assert sha256(version.hwpx) == version.hwpx_sha256
        editions[version.pk] = (version.number, version.pdf_sha256, version.hwpx_sha256)
    files = {}
    for name in backup._walk(default_storage, set()):
        with default_storage.open(name, "rb") as stored:
            files[name] = sha256(stored.read())
    return {
        "reports": set(DepartmentReport.objects.values_list("pk", "status", "department_id")),
        "editions": editions,
        "users": set(get_user_model().objects.values_list("username", "password")),
        "history": {
            model._meta.db_table: set(model.objects.values_list("history_id", flat=True))
            for model in _history_models()
        },
        "files": files,
    }


def wipe_database() -> None:
    """A new, empty database where the portal's was (and no stored files)."""
    connections.close_all()
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
        sqlite3.connect(name).close()
    else:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture
def office(make_report, published_2020):
    """A published seed (its PDF and HWPX are stored files), a report an officer is editing,
    and the people who use them."""
    editing = make_report(cards=2, department="편집과", bureau="편집국")
    officer = get_user_model().objects.create_user("officer", password=PASSWORD)
    make_staff(officer, Role.OFFICER, editing.department)
    make_staff(get_user_model().objects.create_user("clerk", password=PASSWORD), Role.CLERK)
    version = published_2020.versions.get()
    return {"seed": published_2020, "version": version, "editing": editing}


def _load(portal: Portal, office, stop: threading.Event, answers: list[int]) -> None:
    """A reader and an officer saving card titles until `stop`."""
    try:
        _read_and_save(portal, office, stop, answers)
    except Exception as error:  # the test sees it as a missing answer
        answers.append(repr(error))
        raise


def _read_and_save(portal: Portal, office, stop: threading.Event, answers: list) -> None:
    seed = office["seed"]
    reader = Browser(portal.url)
    officer = Browser(portal.url)
    officer.log_in("officer", PASSWORD)
    card = Card.objects.filter(section__report=office["editing"]).first().pk
    page = f"/sessions/{seed.session.number}/departments/{seed.department_id}/"
    round_number = 0
    while not stop.is_set():
        round_number += 1
        answers.append(reader.get(page).status_code)
        read = officer.get(f"/api/v1/staff/cards/{card}/")
        answers.append(read.status_code)
        if read.status_code == 200:
            saved = officer.patch(
                f"/api/v1/staff/cards/{card}/",
                json={"title": f"저장 {round_number}", "revision": read.json()["revision"]},
            )
            answers.append(saved.status_code)


def _wait_for(answers: list, count: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while len(answers) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(answers) >= count, answers


def _edition_downloads(portal: Portal, version) -> dict[str, str]:
    base = f"/sessions/{version.report.session.number}/departments/{version.report.department_id}"
    browser = Browser(portal.url)
    answers = {
        kind: browser.get(f"{base}/versions/{version.number}/report.{kind}")
        for kind in ("pdf", "hwpx")
    }
    assert {kind: answer.status_code for kind, answer in answers.items()} == {
        "pdf": 200,
        "hwpx": 200,
    }
    return {kind: sha256(answer.content) for kind, answer in answers.items()}


def _start_portal(root: Path, settings) -> Portal:
    root.mkdir()
    env = environment(root / "pdf-builds")
    portal = Portal(root=root, env=env)
    portal.start_server()
    portal.start_worker()
    return portal


@pytest.mark.slow
def test_a_running_portal_backed_up_wiped_and_restored_has_everything_back(site, office, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    portal = _start_portal(site / "first", settings)
    stop, answers = threading.Event(), []
    try:
        downloads = _edition_downloads(portal, office["version"])
        load = [threading.Thread(target=_load, args=(portal, office, stop, answers)) for _ in "ab"]
        for thread in load:
            thread.start()
        _wait_for(answers, 4)
        before = inventory()
        archive = backup.backup_create()
        _wait_for(answers, len(answers) + 4)  # still serving after the backup
    finally:
        stop.set()
        for thread in load:
            thread.join(timeout=60)
        portal.stop()
    assert all(isinstance(status, int) and status < 500 for status in answers), answers
    manifest = backup.backup_check(archive)

    wipe_database()
    shutil.rmtree(settings.MEDIA_ROOT)
    call_command("restore", str(archive), "--noinput")

    after = inventory()
    assert {key: after[key] for key in ("reports", "editions", "users", "files")} == {
        key: before[key] for key in ("reports", "editions", "users", "files")
    }
    assert all(before["history"][table] <= after["history"][table] for table in before["history"])
    assert sum(len(ids) for ids in after["history"].values()) == manifest.counts["history"]
    portal = _start_portal(site / "restored", settings)
    try:
        assert _edition_downloads(portal, office["version"]) == downloads
    finally:
        portal.stop()


# --- bad archives ------------------------------------------------------------------------


@pytest.fixture
def archive(site, report_2020):
    """A good archive of a site with one report, one stored file and one user; afterwards the
    site gains a user that any refused restore must leave in place."""
    default_storage.save("editions/1.pdf", ContentFile(b"%PDF-1.7 edition"))
    get_user_model().objects.create_user("before")
    path = backup.backup_create()
    get_user_model().objects.create_user("after-backup")
    return path


def _refused(path: Path) -> str:
    with pytest.raises(CommandError) as refusal:
        call_command("restore", str(path), "--noinput")
    assert get_user_model().objects.filter(username="after-backup").exists()
    assert DepartmentReport.objects.count() == 1
    return str(refusal.value)


def _rewrite(path: Path, target: Path, *, manifest=None, member=None) -> Path:
    """A copy of the archive with its manifest changed by `manifest(data)` or the bytes of a
    member changed by `member(name, data)`."""
    with tarfile.open(path, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for info in source:
            data = source.extractfile(info).read()
            if info.name == backup.MANIFEST and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif member:
                data = member(info.name, data)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def test_a_truncated_archive_is_refused_and_nothing_changes(archive, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert "잘렸거나 손상" in _refused(cut)


def test_a_flipped_byte_in_a_stored_file_is_refused(archive, tmp_path):
    def flip(name, data):
        if name.startswith("files/"):
            return bytes([data[0] ^ 1]) + data[1:]
        return data

    message = _refused(_rewrite(archive, tmp_path / "flipped.tar.gz", member=flip))
    assert "files/default/editions/1.pdf의 SHA-256이 목록과 다릅니다" in message
    assert default_storage.open("editions/1.pdf").read() == b"%PDF-1.7 edition"


def test_a_flipped_byte_in_the_database_is_refused(archive, tmp_path):
    def flip(name, data):
        if name.startswith("database"):
            middle = len(data) // 2
            return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
        return data

    assert "SHA-256이 목록과 다릅니다" in _refused(
        _rewrite(archive, tmp_path / "flipped.tar.gz", member=flip)
    )


def test_an_archive_of_a_newer_schema_is_refused(archive, tmp_path):
    def newer(data):
        data["schema"]["reports"] = "9999_from_the_future"
        return data

    assert "새 버전에서 만들었습니다" in _refused(
        _rewrite(archive, tmp_path / "newer.tar.gz", manifest=newer)
    )


def test_an_archive_of_the_other_database_vendor_is_refused(archive, tmp_path):
    def other(data):
        data["vendor"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
        return data

    assert "데이터베이스의 것이라" in _refused(
        _rewrite(archive, tmp_path / "other.tar.gz", manifest=other)
    )


def test_a_file_that_is_not_a_backup_is_refused(site, report_2020, tmp_path):
    get_user_model().objects.create_user("after-backup")
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_text("회의록")
    assert "잘렸거나 손상" in _refused(not_a_backup)


def test_backup_check_verifies_an_archive_and_names_what_is_in_it(archive, capsys):
    call_command("backup", "--check", str(archive))
    assert "이상 없음" in capsys.readouterr().out


def test_keep_leaves_only_the_newest_archives(site, db):
    first = backup.backup_create()
    backup.backup_create()
    newest = backup.backup_create(keep=2)
    archives = sorted(Path(site / "backups").glob("*.tar.gz"))
    assert first not in archives and newest in archives and len(archives) == 2


def test_the_booklet_cache_is_left_out_unless_asked_for(site, db, settings):
    settings.PDF_BUILD_ROOT = Path(settings.MEDIA_ROOT) / "pdf-builds"
    Path(settings.PDF_BUILD_ROOT).mkdir(parents=True)
    (Path(settings.PDF_BUILD_ROOT) / "part.pdf").write_bytes(b"cache")
    default_storage.save("editions/1.pdf", ContentFile(b"edition"))

    def names(path):
        with tarfile.open(path) as archive:
            return {name for name in archive.getnames() if name.startswith("files/")}

    assert names(backup.backup_create()) == {"files/default/editions/1.pdf"}
    assert names(backup.backup_create(with_booklets=True)) == {
        "files/default/editions/1.pdf",
        "files/booklets/part.pdf",
    }


def test_a_restore_while_the_database_is_in_use_is_refused(archive):
    """A server or PDF worker still connected: the restore says to stop them first."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        other = sqlite3.connect(database["NAME"])
        other.execute("SELECT 1 FROM auth_user").fetchall()
    else:
        other = connection.Database.connect(
            dbname=database["NAME"],
            host=database["HOST"],
            port=database["PORT"],
            user=database["USER"],
            password=database["PASSWORD"],
        )
    try:
        assert "웹 서버와 PDF 작업자를 멈춘 뒤" in _refused(archive)
    finally:
        other.close()


def test_an_archive_of_an_older_schema_is_restored_and_migrated(site, report_2020):
    """The backup of a site one migration behind this code: restored, then migrated."""
    call_command("migrate", "org", "0006_names_refuse_invisible_characters", verbosity=0)
    try:
        older = backup.backup_create()
    finally:
        call_command("migrate", "org", verbosity=0)
    get_user_model().objects.create_user("after-backup")
    assert (
        backup.backup_check(older).data["schema"]["org"] == "0006_names_refuse_invisible_characters"
    )

    call_command("restore", str(older), "--noinput")
    assert not get_user_model().objects.filter(username="after-backup").exists()
    assert DepartmentReport.objects.count() == 1
    assert backup.schema_difference(backup.database_facts(connection.cursor())[1]) is None


def test_a_restore_not_confirmed_changes_nothing(archive, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "아니오")
    with pytest.raises(CommandError, match="복구하지 않았습니다"):
        call_command("restore", str(archive))
    assert get_user_model().objects.filter(username="after-backup").exists()


def test_a_backup_that_fails_leaves_no_archive_behind(site, db, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "_write_archive", disk_full)
    with pytest.raises(OSError):
        backup.backup_create()
    assert list(Path(site / "backups").iterdir()) == []


def _restoring_leftovers() -> list[str]:
    if connection.vendor == "sqlite":
        folder = Path(connection.settings_dict["NAME"]).parent
        return [path.name for path in folder.glob("*.restoring")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE '%%_restoring_%%'")
        return [row[0] for row in cursor.fetchall()]


def test_a_database_that_restores_short_of_its_manifest_is_dropped_unused(archive, tmp_path):
    """The rebuilt database is checked against the manifest before it is swapped in: one that
    came out different (here: the manifest promises a user more) is thrown away."""

    def one_user_more(data):
        data["counts"]["users"] += 1
        return data

    message = _refused(_rewrite(archive, tmp_path / "short.tar.gz", manifest=one_user_more))
    assert "복구한 데이터베이스가 백업 목록과 다릅니다" in message
    assert _restoring_leftovers() == []


# --- files in an S3 bucket (tests/test_storage.py's moto server on 127.0.0.1) --------------


@pytest.fixture
def s3(settings):
    server = S3Server()
    server.start()
    server.client().create_bucket(Bucket=BUCKET)
    settings.STORAGES = server.storages()
    yield server
    server.stop()


def test_edition_files_in_an_s3_bucket_are_backed_up_and_put_back(s3, published_2020):
    version = published_2020.versions.get()
    archive = backup.backup_create()
    for key in s3.object_keys():
        s3.client().delete_object(Bucket=BUCKET, Key=key)

    call_command("restore", str(archive), "--noinput")
    version = ReportVersion.objects.get(pk=version.pk)
    assert sha256(version.pdf) == version.pdf_sha256
    assert f"site/media/editions/{version.pdf_sha256}.pdf" in s3.object_keys()


def test_with_the_bucket_unreachable_a_backup_says_so_and_writes_nothing(s3, published_2020):
    s3.stop()
    with pytest.raises(CommandError, match="파일 저장소\\(default\\)를 읽거나 쓰지 못했습니다"):
        call_command("backup")
    assert not list(Path(backup.backup_dir()).glob("*.tar.gz"))


def test_with_the_bucket_unreachable_a_restore_puts_the_database_back(s3, published_2020):
    archive = backup.backup_create()
    get_user_model().objects.create_user("after-backup")
    s3.stop()
    with pytest.raises(CommandError, match="데이터베이스도 되돌렸습니다"):
        call_command("restore", str(archive), "--noinput")
    assert get_user_model().objects.filter(username="after-backup").exists()
