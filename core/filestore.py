"""Files kept outside the database, through Django's STORAGES, so that several web servers and
PDF workers share them: the local folders by default, an S3 bucket when STORAGE_S3_BUCKET is
set (config/settings.py, README "파일 저장소 (여러 서버)").

- STORAGES["default"] holds every published edition's files under content-addressed names
  (`editions/<sha256>.pdf`, `.hwpx`): identical content is one file, a name never points to
  other bytes, and reading one back checks its SHA-256 (a damaged file is refused, never served).
- STORAGES["booklets"] holds session booklets and the department parts they are made of
  (`parts/<key>.pdf`, `booklets/<name>.pdf`). PDF workers render into PDF_BUILD_ROOT and share
  what they made through this storage; by default the storage *is* that folder (nothing to copy).

A storage that cannot be reached (or answers with an error) raises StorageUnavailable with a
Korean message; callers change nothing and say so (publish), answer 503 (downloads), or retry
later (PDF worker tasks).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class StorageUnavailable(Exception):
    """The file storage could not be reached or refused the request (nothing was changed)."""

    def __init__(self, detail: str = ""):
        self.detail = detail
        super().__init__(
            _(
                "파일 저장소에 연결할 수 없어 파일을 읽거나 저장하지 못했습니다. 이번 요청은 "
                "아무것도 바꾸지 않았습니다. 잠시 뒤에 다시 해 주세요."
            )
        )


class DamagedFile(Exception):
    """A stored edition file is missing or its bytes no longer match the recorded SHA-256."""

    def __init__(self, name: str, problem: str):
        self.name = name
        super().__init__(
            _("보관된 파일(%(name)s)이 %(problem)s 내려드릴 수 없습니다. 관리자에게 알려 주세요.")
            % {"name": name, "problem": problem}
        )


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError]
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # only the S3 backend needs botocore
        return tuple(errors)
    return (*errors, BotoCoreError, ClientError)


@contextlib.contextmanager
def reaching(what: str) -> Iterator[None]:
    """Turn the storage backend's connection and service errors into StorageUnavailable."""
    try:
        yield
    except (StorageUnavailable, DamagedFile, FileNotFoundError):
        raise
    except _unreachable_errors() as error:
        logger.warning("file storage unavailable (%s): %s: %s", what, type(error).__name__, error)
        raise StorageUnavailable(f"{what}: {type(error).__name__}: {error}") from error


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Edition files (STORAGES["default"]) ----------------------------------------------------------


def editions() -> Storage:
    return storages["default"]


def edition_name(digest: str, extension: str) -> str:
    return f"editions/{digest}.{extension}"


def put_edition(content: bytes, extension: str) -> str:
    """Store an edition's file under its content's name (once: the same bytes are one file);
    its SHA-256."""
    digest = sha256(content)
    name = edition_name(digest, extension)
    storage = editions()
    with reaching(f"writing {name}"):
        if storage.exists(name):
            try:
                if sha256(_read(storage, name)) == digest:
                    return digest
            except FileNotFoundError:
                pass
            storage.delete(name)  # a damaged copy under this name: replace it
        saved = storage.save(name, ContentFile(content))
    if saved != name:  # the backend renamed it (a file appeared meanwhile): keep the one named
        logger.info("edition file %s already written by someone else", name)
        with reaching(f"removing {saved}"):
            storage.delete(saved)
    return digest


def read_edition(digest: str, extension: str) -> bytes:
    """An edition's file, checked against its SHA-256."""
    name = edition_name(digest, extension)
    with reaching(f"reading {name}"):
        try:
            content = _read(editions(), name)
        except FileNotFoundError as error:
            raise DamagedFile(name, _("저장소에 없어")) from error
    if sha256(content) != digest:
        logger.error("edition file %s does not match its SHA-256", name)
        raise DamagedFile(name, _("손상되어(SHA-256 불일치)"))
    return content


def _read(storage: Storage, name: str) -> bytes:
    with storage.open(name, "rb") as handle:
        return handle.read()


# Booklet builds (STORAGES["booklets"]) --------------------------------------------------------


class BuildFileSystemStorage(FileSystemStorage):
    """A folder (PDF_BUILD_ROOT unless told otherwise) whose files are written under a
    temporary name and renamed into place, so that a reader only ever sees whole files, and a
    name written twice keeps one file (content-addressed names hold the same bytes)."""

    def __init__(self, location=None, **kwargs):
        super().__init__(location=location, **kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PDF_BUILD_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
        try:
            with open(temporary, "wb") as handle:
                for chunk in content.chunks():
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        return name

    def get_available_name(self, name, max_length=None):
        return name  # overwritten in place (atomically), never renamed


def booklets() -> Storage:
    return storages["booklets"]


def _local_is_storage(storage: Storage, name: str, local: Path) -> bool:
    """Whether the storage keeps `name` at `local` itself (the default: no copy needed)."""
    if not isinstance(storage, FileSystemStorage):
        return False
    try:
        return Path(storage.path(name)).resolve() == local.resolve()
    except NotImplementedError:
        return False


def share(local: Path, name: str) -> None:
    """Put a file a worker made locally into the booklets storage under `name`."""
    storage = booklets()
    if _local_is_storage(storage, name, local):
        return
    with reaching(f"writing {name}"), open(local, "rb") as handle:
        storage.save(name, handle)


def shared(local: Path, name: str) -> bool:
    """Whether the booklets storage has `name` (a file of this worker's or another's)."""
    storage = booklets()
    if _local_is_storage(storage, name, local):
        return local.exists()
    with reaching(f"looking for {name}"):
        return storage.exists(name)


def fetch(local: Path, name: str) -> Path:
    """A local copy of the shared file `name` at `local` (downloaded if not there yet)."""
    if local.exists():
        return local
    storage = booklets()
    if _local_is_storage(storage, name, local):
        raise FileNotFoundError(local)
    with reaching(f"reading {name}"):
        content = _read(storage, name)
    write_atomic(local, content)
    return local


def open_shared(name: str):
    """The shared file `name` opened for reading (a download streams it from the storage)."""
    with reaching(f"reading {name}"):
        return booklets().open(name, "rb")


def write_atomic(path: Path, content: bytes) -> None:
    """Write `content` to `path` so that `path` is either absent, the old file or the whole
    new one — never a partial file, even if the process is killed mid-write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
