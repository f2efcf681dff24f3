"""Published department pages, rendered once and served from the "published" cache.

A published edition never changes, and neither does what its page shows — its document, its
version notice and list of editions, what changed since the edition before it — until a newer
edition appears. So that part of the page (everything but the site header, which shows who is
signed in and holds the logout form's CSRF token) is rendered once, without the request, and
kept in a DatabaseCache table (settings CACHES["published"]): it survives restarts and is
shared by every server process. Previews of drafts never come here.

The key holds the edition shown (id, content SHA-256, time published), the newest edition of the report
(the notice and the list of editions depend on it), the language, and the web fingerprint of
templates, static files and code (core/fingerprint.py), so nothing stale is served after a
new edition or a deploy; rows nobody asks for any more are culled by the cache itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.core.cache import caches
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core.fingerprint import web_fingerprint

CACHE_ALIAS = "published"


@dataclass(frozen=True)
class Page:
    """A department page without its header: the <title>, the breadcrumbs and the content."""

    title: str  # text (escaped where it is shown)
    breadcrumbs: str  # HTML
    content: str  # HTML


def page_key(version, latest) -> str:
    identity = "\n".join(
        [
            "department-page",
            web_fingerprint(),
            get_language() or "",
            f"{version.pk} {version.content_sha256} {version.published_at.isoformat()}",
            f"latest {latest.pk} {latest.published_at.isoformat()}",
        ]
    )
    return "page:" + hashlib.sha256(identity.encode()).hexdigest()


def published_page(version, latest, render: Callable[[], Page]) -> Page:
    """The cached page of `version` (with `latest` the report's newest edition), rendered by
    `render` and stored the first time it is asked for."""
    cache = caches[CACHE_ALIAS]
    key = page_key(version, latest)
    stored = cache.get(key)
    if stored is None:
        page = render()
        cache.set(key, asdict(page), timeout=None)
        return page
    return Page(
        title=stored["title"],
        breadcrumbs=mark_safe(stored["breadcrumbs"]),  # our own HTML, rendered by _page
        content=mark_safe(stored["content"]),
    )
