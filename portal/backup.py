"""Backups of the whole portal in one file, and their restore (`manage.py backup` / `restore`).

An archive (`upmu-backup-<UTC time>.tar.gz` in BACKUP_DIR) holds:

- `manifest.json`: format version, the schema (latest applied migration per app), the database
  vendor, the time, the counts of reports, editions, users and history rows, and every other
  member with its size and SHA-256;
- `database.sqlite3` (SQLite's online backup API: a consistent copy while the server runs) or
  `database.pgdump` (`pg_dump -Fc` in an exported snapshot, so the counts are the dump's own);
- `files/<alias>/<path>`: the files of the Django storages (`STORAGES`), taken after the
  database, so every file a row in the dump refers to is there. The booklet cache is left out
  unless asked for (`--with-booklets`): a booklet is built again from the database.

A restore checks the manifest and every checksum before it touches anything, then builds the
new database beside the old one (SQLite: a temporary file; PostgreSQL: a fresh database), checks
its counts and schema against the manifest, and only then swaps it in with one rename. The old
database is kept beside it (`<file>.before-restore-<time>` / `<name>_before_<time>`). Then
the stored files are put back (the database swap is undone if that fails). An archive of an older schema is restored and then migrated (undone if the migration fails);
one with migrations this code does not know, or from the other database vendor, is refused.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import InvalidStorageError, storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

FORMAT = 1
KIND = "upmu-portal-backup"
MANIFEST = "manifest.json"
PREFIX = "upmu-backup-"
SUFFIX = ".tar.gz"
# Storages that are rebuilt from the code (static files) are never backed up; booklet parts
# are a cache and only with --with-booklets.
SKIPPED_ALIASES = {"staticfiles"}
BOOKLET_ALIAS = "booklets"
# How long a PostgreSQL restore waits for the backends of closed connections to go away.
PG_BACKENDS_GONE_SECONDS = 3.0
CHUNK = 1 << 20


class BackupError(CommandError):
    """A backup or restore that stopped before changing anything; the message is for people."""


@dataclass(frozen=True)
class Manifest:
    data: dict

    @property
    def vendor(self) -> str:
        return self.data["vendor"]

    @property
    def counts(self) -> dict[str, int]:
        return self.data["counts"]

    def summary(self) -> str:
        counts = self.counts
        return _(
            "%(created)s에 만든 %(vendor)s 백업: 보고서 %(reports)d건, 공개판 %(editions)d건, "
            "사용자 %(users)d명, 변경 이력 %(history)d건, 저장 파일 %(files)d개"
        ) % {
            "created": self.data["created_at"],
            "vendor": self.vendor,
            "files": sum(1 for f in self.data["files"] if f["name"].startswith("files/")),
            **counts,
        }


# --- facts about a database: counts and schema, read through any DB-API cursor --------------


def _count_tables() -> dict[str, list[str]]:
    from django.contrib.auth import get_user_model

    from reports.models import DepartmentReport, ReportVersion

    history = [
        model._meta.db_table
        for model in apps.get_models()
        if any(field.name == "history_id" for field in model._meta.fields)
    ]
    return {
        "reports": [DepartmentReport._meta.db_table],
        "editions": [ReportVersion._meta.db_table],
        "users": [get_user_model()._meta.db_table],
        "history": sorted(history),
    }


def database_facts(cursor) -> tuple[dict[str, int], dict[str, str]]:
    """(counts, schema) of the database behind `cursor`: rows of reports, editions, users and
    history, and the latest applied migration of each app."""
    counts = {}
    for key, tables in _count_tables().items():
        total = 0
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (model table names)
            total += cursor.fetchone()[0]
        counts[key] = total
    cursor.execute("SELECT app, name FROM django_migrations")
    schema: dict[str, str] = {}
    for app, name in cursor.fetchall():
        schema[app] = max(schema.get(app, name), name)
    return counts, schema


def schema_difference(archived: dict[str, str]) -> str | None:
    """None if the archive's schema is this code's, "older" if this code has later migrations
    (restore, then migrate), "newer" if the archive has migrations this code does not know."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.graph.nodes)
    if any((app, name) not in known for app, name in archived.items()):
        return "newer"
    latest: dict[str, str] = {}
    for app, name in loader.graph.leaf_nodes():
        latest[app] = max(latest.get(app, name), name)
    if any(archived.get(app) != name for app, name in latest.items()):
        return "older"
    return None


# --- files of the storages -------------------------------------------------------------------


def _aliases(with_booklets: bool) -> list[str]:
    configured = [alias for alias in settings.STORAGES if alias not in SKIPPED_ALIASES]
    return [alias for alias in configured if with_booklets or alias != BOOKLET_ALIAS]


def _skipped_dirs(with_booklets: bool) -> set[Path]:
    """Local folders not to walk into from another storage: the booklet cache (inside
    MEDIA_ROOT by default), which is either left out or taken through its own alias."""
    skipped = set() if with_booklets else {Path(settings.PDF_BUILD_ROOT).resolve()}
    if BOOKLET_ALIAS in settings.STORAGES:
        location = getattr(storages[BOOKLET_ALIAS], "location", None)
        if location:
            skipped.add(Path(location).resolve())
    return skipped


def _walk(storage, skipped: set[Path], folder: str = ""):
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(directories):
        path = f"{folder}/{name}" if folder else name
        try:
            local = Path(storage.path(path)).resolve()
        except NotImplementedError:
            local = None
        if local not in skipped:
            yield from _walk(storage, skipped, path)


def _copy_hashing(source, target: Path) -> str:
    digest = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- databases -------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in [Path("/usr/lib/postgresql/15/bin") / name] if p.exists()), None
    )
    if not found:
        raise BackupError(
            _(
                "%(tool)s를 찾지 못했습니다: PostgreSQL 클라이언트(postgresql-client-15)를 설치하세요."
            )
            % {"tool": name}
        )
    return found


def _pg_args(settings_dict: dict, database: str) -> tuple[list[str], dict[str, str]]:
    args = ["-d", database]
    if settings_dict.get("HOST"):
        args += ["-h", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str], failure: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{failure}\n{result.stderr.strip()[-2000:]}")


def _dump_sqlite(target: Path) -> tuple[dict, dict]:
    name = Path(connection.settings_dict["NAME"])
    if not name.exists():
        raise BackupError(_("데이터베이스 파일이 없습니다: %(name)s") % {"name": name})
    timeout = connection.settings_dict.get("OPTIONS", {}).get("timeout", 20)
    source = sqlite3.connect(name, timeout=timeout)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one step: a consistent snapshot, writers go on (WAL)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return database_facts(copy.cursor())
    finally:
        copy.close()
        source.close()


def _dump_postgresql(target: Path) -> tuple[dict, dict]:
    """pg_dump -Fc in a snapshot exported by a repeatable-read transaction, which also reads
    the counts and the schema: all three describe the same moment."""
    args, env = _pg_args(connection.settings_dict, connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        connection.set_autocommit(False)
        try:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            facts = database_facts(cursor)
            _run(
                [_pg_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(target), *args],
                env,
                _("pg_dump가 실패했습니다."),
            )
        finally:
            connection.rollback()
            connection.set_autocommit(True)
    return facts


# --- backup ----------------------------------------------------------------------------------


def _storage_error(alias: str, error: Exception) -> BackupError:
    return BackupError(
        _("파일 저장소(%(alias)s)를 읽거나 쓰지 못했습니다(%(error)s). 아무것도 바꾸지 않았습니다.")
        % {"alias": alias, "error": f"{type(error).__name__}: {error}"[:300]}
    )


def _stage_files(alias: str, skipped: set[Path], staging: Path) -> list[dict]:
    """Copy the files of one storage into `staging/files/<alias>/`, with their SHA-256."""
    storage, members = storages[alias], []
    for name in _walk(storage, skipped):
        member = f"files/{alias}/{name}"
        try:
            with storage.open(name, "rb") as source:
                digest = _copy_hashing(source, staging / member)
        except FileNotFoundError:
            continue  # removed since it was listed (e.g. a booklet's temporary file)
        size = (staging / member).stat().st_size
        members.append({"name": member, "size": size, "sha256": digest})
    return members


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def backup_create(
    *, directory: Path | None = None, with_booklets: bool = False, keep: int | None = None
) -> Path:
    """Write one archive of the database and the stored files; return its path."""
    directory = Path(directory or backup_dir())
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    path = directory / f"{PREFIX}{now:%Y%m%d-%H%M%S-%f}{SUFFIX}"
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(
            _("이 데이터베이스(%(vendor)s)는 백업할 수 없습니다.") % {"vendor": vendor}
        )
    with tempfile.TemporaryDirectory(dir=directory, prefix=".staging-") as staging:
        staging = Path(staging)
        database = "database.sqlite3" if vendor == "sqlite" else "database.pgdump"
        dump = _dump_sqlite if vendor == "sqlite" else _dump_postgresql
        counts, schema = dump(staging / database)
        members = [{"name": database, "size": (staging / database).stat().st_size}]
        members[0]["sha256"] = _sha256(staging / database)
        skipped = _skipped_dirs(with_booklets)
        aliases = _aliases(with_booklets)
        for alias in aliases:
            try:
                members += _stage_files(alias, skipped, staging)
            except Exception as error:  # OSError, or an object storage's client errors
                raise _storage_error(alias, error) from error
        manifest = {
            "kind": KIND,
            "format": FORMAT,
            "created_at": now.isoformat(timespec="seconds"),
            "vendor": vendor,
            "database": database,
            "schema": dict(sorted(schema.items())),
            "counts": counts,
            "storages": aliases,
            "files": members,
        }
        partial = path.with_name(path.name + ".partial")
        try:
            _write_archive(partial, manifest, staging, mtime=int(now.timestamp()))
            os.replace(partial, path)  # a half-written archive never looks like a backup
        finally:
            partial.unlink(missing_ok=True)
    if keep:
        backup_prune(directory, keep)
    return path


def _write_archive(target: Path, manifest: dict, staging: Path, *, mtime: int) -> None:
    with tarfile.open(target, "w:gz") as archive:
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime = len(data), mtime
        archive.addfile(info, io.BytesIO(data))
        for member in manifest["files"]:
            archive.add(staging / member["name"], arcname=member["name"], recursive=False)


def backup_prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` archives in `directory`; return those removed."""
    archives = sorted(Path(directory).glob(f"{PREFIX}*{SUFFIX}"))
    removed = archives[:-keep] if keep > 0 else []
    for old in removed:
        old.unlink()
    return removed


# --- checking an archive ---------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def _read_manifest(raw: bytes) -> Manifest:
    try:
        data = json.loads(raw)
        assert data["kind"] == KIND
        assert all(_safe_name(member["name"]) for member in data["files"])
        data["vendor"], data["schema"], data["counts"], data["created_at"]  # noqa: B018
    except (ValueError, KeyError, TypeError, AssertionError) as error:
        raise BackupError(_("백업 파일의 목록(manifest.json)이 올바르지 않습니다.")) from error
    if data.get("format") != FORMAT:
        raise BackupError(
            _("이 백업은 다른 형식(%(found)s)입니다. 이 버전이 읽는 형식은 %(format)s입니다.")
            % {"found": data.get("format"), "format": FORMAT}
        )
    return Manifest(data)


def backup_extract(path: Path, into: Path) -> Manifest:
    """Unpack the archive into `into`, checking the manifest and every member's SHA-256;
    raise BackupError (and unpack nothing usable) on any mismatch."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("백업 파일이 없습니다: %(path)s") % {"path": path})
    broken = _("백업 파일이 잘렸거나 손상되었습니다: %(path)s") % {"path": path.name}
    manifest, found = None, {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for info in archive:
                if not info.isfile() or not _safe_name(info.name):
                    raise BackupError(broken)
                source = archive.extractfile(info)
                if info.name == MANIFEST and manifest is None:
                    manifest = _read_manifest(source.read())
                    continue
                if manifest is None:
                    raise BackupError(_("백업 파일에 목록(manifest.json)이 없습니다."))
                found[info.name] = _copy_hashing(source, into / info.name)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(broken) from error
    if manifest is None:
        raise BackupError(_("백업 파일에 목록(manifest.json)이 없습니다."))
    expected = {member["name"]: member["sha256"] for member in manifest.data["files"]}
    if set(found) != set(expected):
        raise BackupError(broken)
    damaged = sorted(name for name, digest in found.items() if expected[name] != digest)
    if damaged:
        raise BackupError(
            _("백업 파일 안의 %(names)s의 SHA-256이 목록과 다릅니다: 손상된 백업입니다.")
            % {"names": ", ".join(damaged[:5])}
        )
    return manifest


def backup_check(path: Path) -> Manifest:
    """Verify an archive completely (manifest, checksums, vendor and schema) without
    restoring it."""
    with tempfile.TemporaryDirectory(prefix="upmu-check-") as scratch:
        manifest = backup_extract(path, Path(scratch))
    _check_compatible(manifest)
    return manifest


def _check_compatible(manifest: Manifest) -> str | None:
    if manifest.vendor != connection.vendor:
        raise BackupError(
            _(
                "이 백업은 %(archived)s 데이터베이스의 것이라 지금 쓰는 %(current)s에는 복구할 수 "
                "없습니다."
            )
            % {"archived": manifest.vendor, "current": connection.vendor}
        )
    difference = schema_difference(manifest.data["schema"])
    if difference == "newer":
        raise BackupError(
            _(
                "이 백업은 이 포털보다 새 버전에서 만들었습니다(모르는 데이터베이스 구조 변경이 "
                "있음). 그 버전 이상으로 포털을 올린 뒤 복구하세요."
            )
        )
    return difference


# --- restore ---------------------------------------------------------------------------------


def _expect_facts(manifest: Manifest, cursor) -> None:
    counts, schema = database_facts(cursor)
    if counts != manifest.counts or schema != manifest.data["schema"]:
        raise BackupError(
            _(
                "복구한 데이터베이스가 백업 목록과 다릅니다(%(found)s ≠ %(expected)s): 복구하지 않았습니다."
            )
            % {"found": counts, "expected": manifest.counts}
        )


def _restore_files(manifest: Manifest, unpacked: Path) -> int:
    written = 0
    for member in manifest.data["files"]:
        parts = PurePosixPath(member["name"]).parts
        if parts[0] != "files":
            continue
        alias, name = parts[1], "/".join(parts[2:])
        try:
            storage = storages[alias]
        except InvalidStorageError:
            continue  # a storage this site no longer has (e.g. booklets): nothing to put back
        if storage.exists(name):
            with storage.open(name, "rb") as current:
                same = hashlib.file_digest(current, "sha256").hexdigest() == member["sha256"]
            if same:
                continue
            storage.delete(name)
        with open(unpacked / member["name"], "rb") as source:
            saved = storage.save(name, File(source))
        if saved != name:
            raise BackupError(_("파일을 제자리에 되돌리지 못했습니다: %(name)s") % {"name": name})
        written += 1
    return written


def _stamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S")


def _in_use(name) -> BackupError:
    return BackupError(
        _(
            "데이터베이스(%(name)s)를 다른 프로그램이 쓰고 있습니다. 웹 서버와 PDF 작업자를 "
            "멈춘 뒤 다시 복구하세요. 아무것도 바꾸지 않았습니다."
        )
        % {"name": name}
    )


class _SqliteSwap:
    """The restored file beside the database; swapped in with one rename."""

    def __init__(self, manifest: Manifest, unpacked: Path):
        self.target = Path(connection.settings_dict["NAME"])
        self.new = self.target.with_name(f"{self.target.name}.restoring")
        self.kept = self.target.with_name(f"{self.target.name}.before-restore-{_stamp()}")
        shutil.copyfile(unpacked / manifest.data["database"], self.new)
        check = sqlite3.connect(self.new)
        try:
            _expect_facts(manifest, check.cursor())
        except sqlite3.DatabaseError as error:
            self.discard()
            raise BackupError(_("백업 안의 데이터베이스가 손상되었습니다.")) from error
        except BaseException:
            self.discard()
            raise
        finally:
            check.close()

    def discard(self) -> None:
        self.new.unlink(missing_ok=True)

    def swap(self) -> None:
        connections.close_all()
        if self.target.exists():
            # Leaving WAL needs the only connection: refuses while a server still has it open,
            # and folds the -wal file in, so no stale log is read into the new file.
            current = sqlite3.connect(self.target, timeout=2)
            try:
                mode = current.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
                if mode != "delete":
                    raise _in_use(self.target.name)
                current.execute("BEGIN EXCLUSIVE")
                os.link(self.target, self.kept)
                os.replace(self.new, self.target)
            except sqlite3.OperationalError as error:
                raise _in_use(self.target.name) from error
            finally:
                current.close()
        else:
            os.replace(self.new, self.target)

    def undo(self) -> None:
        connections.close_all()
        if self.kept.exists():
            os.replace(self.kept, self.target)


class _PostgresSwap:
    """pg_restore into a fresh database of the same server; swapped in by renaming both
    databases in one transaction."""

    def __init__(self, manifest: Manifest, unpacked: Path):
        self.settings_dict = dict(connection.settings_dict)
        self.target = self.settings_dict["NAME"]
        stamp = _stamp()
        self.new = f"{self.target[:40]}_restoring_{stamp}"
        self.kept = f"{self.target[:40]}_before_{stamp}"
        try:  # Django's own connection to the server's maintenance database
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"CREATE DATABASE \"{self.new}\" TEMPLATE template0 ENCODING 'UTF8'")
        except DatabaseError as error:
            raise BackupError(
                _(
                    "복구할 새 데이터베이스를 만들지 못했습니다(%(error)s). 데이터베이스를 만들 수 "
                    "있는(CREATEDB) 소유자 역할의 DATABASE_URL로 복구하세요. 아무것도 바꾸지 "
                    "않았습니다."
                )
                % {"error": str(error).strip()}
            ) from error
        try:
            args, env = _pg_args(self.settings_dict, self.new)
            dump = str(unpacked / manifest.data["database"])
            _run(
                [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", *args, dump],
                env,
                _("pg_restore가 실패했습니다: 복구하지 않았습니다."),
            )
            sd = self.settings_dict
            check = connection.Database.connect(
                dbname=self.new,
                **{key.lower(): sd[key] for key in ("HOST", "PORT", "USER", "PASSWORD") if sd[key]},
            )
            try:
                _expect_facts(manifest, check.cursor())
            finally:
                check.close()
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.new}"')

    def _rename(self, first: tuple[str, str], second: tuple[str, str]) -> None:
        connections.close_all()
        with connection._nodb_cursor() as cursor:
            # A backend leaves pg_stat_activity a moment after its client hangs up (our own
            # connections just closed, or a server that was just stopped): wait a little first.
            deadline = time.monotonic() + PG_BACKENDS_GONE_SECONDS
            while True:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.target]
                )
                if not cursor.fetchone()[0]:
                    break
                if time.monotonic() > deadline:
                    raise _in_use(self.target)
                time.sleep(0.1)
            cursor.execute(
                f'BEGIN; ALTER DATABASE "{first[0]}" RENAME TO "{first[1]}"; '
                f'ALTER DATABASE "{second[0]}" RENAME TO "{second[1]}"; COMMIT'
            )

    def swap(self) -> None:
        try:
            self._rename((self.target, self.kept), (self.new, self.target))
        except DatabaseError as error:
            raise BackupError(
                _(
                    "새 데이터베이스를 제자리에 넣지 못했습니다(%(error)s). 지금 데이터베이스는 "
                    "그대로입니다."
                )
                % {"error": str(error).strip()}
            ) from error

    def undo(self) -> None:
        self._rename((self.target, self.new), (self.kept, self.target))
        self.discard()


def backup_restore(path: Path) -> tuple[Manifest, str]:
    """Restore the archive at `path` over this site's database and storages.

    Nothing is changed until the archive has been verified and its database rebuilt and
    checked beside the current one. Returns the manifest and where the old database was kept.
    """
    with tempfile.TemporaryDirectory(prefix="upmu-restore-") as scratch:
        unpacked = Path(scratch)
        manifest = backup_extract(path, unpacked)
        difference = _check_compatible(manifest)
        swap_class = _SqliteSwap if manifest.vendor == "sqlite" else _PostgresSwap
        swap = swap_class(manifest, unpacked)
        try:
            swap.swap()
        except BaseException:
            swap.discard()
            raise
        try:
            _restore_files(manifest, unpacked)
        except Exception as error:
            swap.undo()
            raise BackupError(
                _("저장 파일을 되돌리지 못해 데이터베이스도 되돌렸습니다: %(error)s")
                % {"error": error}
            ) from error
    if difference == "older":
        try:
            call_command("migrate", interactive=False, verbosity=0)
        except Exception as error:
            swap.undo()
            raise BackupError(
                _("이전 버전의 백업을 복구한 뒤 migrate가 실패해 되돌렸습니다: %(error)s")
                % {"error": error}
            ) from error
    return manifest, str(swap.kept)
