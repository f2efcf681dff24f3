"""One hash of the files that decide how a page or a PDF looks.

A published edition never changes, so what is made from it (its web page, its PDF parts) can be
kept as long as the files that shape it stay the same: templates, CSS, fonts, the code that
renders. `files_digest` hashes such files; `web_fingerprint` is the digest the cached public
pages are keyed by (publishing/page_cache.py), `publishing.booklet.render_salt` the one of the print.
Both are computed once per process: a template or static change is a deploy, and a deploy
restarts the server.
"""

from __future__ import annotations

import functools
import glob
import hashlib
from collections.abc import Iterable
from pathlib import Path

import django
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


def files_digest(label: str, files: Iterable[Path], sized: Iterable[Path] = ()) -> str:
    """SHA-256 of `label`, the name and bytes of every file in `files`, and the name and size
    of every file in `sized` (large files such as fonts, whose size is enough to tell)."""
    digest = hashlib.sha256(label.encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for path in sized:
        digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return digest.hexdigest()


def _matching(patterns: Iterable[str]) -> list[Path]:
    base = Path(settings.BASE_DIR)
    found = {
        Path(name)
        for pattern in patterns
        for name in glob.glob(str(base / pattern), recursive=True)  # an absolute one stays
    }
    return sorted(path for path in found if path.is_file())


@functools.cache
def web_fingerprint() -> str:
    """What, besides an edition's document, decides its public page: settings
    WEB_FINGERPRINT_INPUTS (globs under BASE_DIR: templates, static files, the rendering code)
    and Django's version."""
    files = _matching(settings.WEB_FINGERPRINT_INPUTS)
    return files_digest(f"web django {django.__version__}", files)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs) -> None:
    if setting in ("WEB_FINGERPRINT_INPUTS", "BASE_DIR"):
        web_fingerprint.cache_clear()
