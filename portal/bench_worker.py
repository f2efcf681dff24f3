"""The worker side of `manage.py bench`'s booklet figures, run in spawned processes.

Nothing Django is imported at module level: a spawned process imports this module (to find
its functions) before `start` sets Django up.
"""

import os
from pathlib import Path


def peak_kib() -> int:
    """VmHWM (peak resident memory) of this process, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def start(root: str) -> None:
    """A fresh process like `manage.py pdf_worker`: Django set up, the PDF code imported, the
    same PDF_BUILD_ROOT (spawned, not forked, so its memory is a worker's, not the bench's)."""
    os.environ["PORTAL_ADMIN_AUTODISCOVER"] = "0"  # as manage.py does for pdf_worker
    import django

    django.setup()
    from django.conf import settings

    settings.PDF_BUILD_ROOT = root
    from publishing import booklet  # noqa: F401  (imported by a worker before its first task
    from publishing.workers import keep_startup_out_of_collections

    keep_startup_out_of_collections()  # as the worker's loop does before its first task


def ready(_index) -> int:
    return os.getpid()


def render(work) -> tuple[int, int]:
    """What a PDF worker's task does: render and cache one part (or one page-number chunk)."""
    from publishing import booklet

    kind, item = work
    if kind == "part":
        booklet.render_part(item)
    else:
        booklet.numbers_chunk(item)
    return os.getpid(), peak_kib()
