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

An anonymous reader's page has nothing of the reader's in it either (no logout form, so no
CSRF token; the policy has no nonce), so for them the WHOLE answer is kept under the same
identity: the HTML bytes, their brotli and their gzip, served as they are
(anonymous_response). Middleware still adds every per-request header (security headers, CSP,
Vary, ETag checks). Both compressions are made once, without Django's random "Heal the
BREACH" padding: that padding protects secrets in a page, and this page holds none. As a
kept answer never changes under its key, each server process also keeps the last few it
served in memory (KEPT_IN_PROCESS), so a reader's hit costs only the query of the editions.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass

import brotli
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core.fingerprint import web_fingerprint

CACHE_ALIAS = "published"
KEPT_IN_PROCESS = 64  # whole answers (HTML + brotli + gzip, ~60 KiB each) per server process
ACCEPTS_BROTLI = re.compile(r"(?:^|,)\s*br\s*(?:,|$)")


@dataclass(frozen=True)
class Page:
    """A department page without its header: the <title>, the breadcrumbs and the content."""

    title: str  # text (escaped where it is shown)
    breadcrumbs: str  # HTML
    content: str  # HTML


@dataclass(frozen=True)
class Edition:
    """What the keys need of an edition (a ReportVersion has the same attributes)."""

    pk: int
    number: int
    content_sha256: str
    published_at: datetime.datetime


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


def anonymous_key(version, latest) -> str:
    """The key of the whole answer an anonymous reader gets (same identity as the page)."""
    return page_key(version, latest) + ":anonymous"


class _Recent:
    """The last answers served by this process, by key (a key's answer never changes)."""

    def __init__(self, size: int):
        self.size = size
        self.answers: OrderedDict[str, dict] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> dict | None:
        with self.lock:
            stored = self.answers.get(key)
            if stored is not None:
                self.answers.move_to_end(key)
            return stored

    def put(self, key: str, stored: dict) -> None:
        with self.lock:
            self.answers[key] = stored
            while len(self.answers) > self.size:
                self.answers.popitem(last=False)


recent_answers = _Recent(KEPT_IN_PROCESS)


def _kept(key: str) -> dict | None:
    stored = recent_answers.get(key)
    if stored is None:
        stored = caches[CACHE_ALIAS].get(key)
        if stored is not None and "br" in stored:  # answers kept before brotli: render anew
            recent_answers.put(key, stored)
        else:
            stored = None
    return stored


def anonymous_response(request, key: str) -> HttpResponse | None:
    """The kept answer for `key`, compressed as the reader accepts (brotli, else gzip); None
    if not kept yet."""
    stored = _kept(key)
    if stored is None:
        return None
    accepted = request.META.get("HTTP_ACCEPT_ENCODING", "")
    if ACCEPTS_BROTLI.search(accepted):
        response = HttpResponse(stored["br"])
        response.headers["Content-Encoding"] = "br"
        response.headers["ETag"] = f'W/"{stored["etag"]}"'
    elif re_accepts_gzip.search(accepted):
        response = HttpResponse(stored["gzip"])
        response.headers["Content-Encoding"] = "gzip"
        response.headers["ETag"] = f'W/"{stored["etag"]}"'  # as GZipMiddleware makes it
    else:
        response = HttpResponse(stored["html"])
        response.headers["ETag"] = f'"{stored["etag"]}"'
    response.headers["Content-Length"] = str(len(response.content))
    # As the rendered answer has it: the session middleware's Cookie, then GZipMiddleware's.
    patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
    return response


def keep_anonymous_response(request, response: HttpResponse, key: str) -> bool:
    """Keep an anonymous reader's freshly rendered answer, unless something in it (or in its
    headers) belongs to this one request: a cookie, a CSRF token, a CSP nonce. True if kept."""
    per_request = (
        response.status_code != 200
        or response.cookies
        or response.has_header("Content-Encoding")
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or getattr(request, "_csp_nonce", None) is not None
        or request.user.is_authenticated
    )
    if per_request:
        return False
    html = response.content
    stored = {
        "html": html,
        "br": brotli.compress(html, mode=brotli.MODE_TEXT),
        "gzip": gzip.compress(html, compresslevel=9, mtime=0),
        "etag": hashlib.md5(html, usedforsecurity=False).hexdigest(),
    }
    caches[CACHE_ALIAS].set(key, stored, timeout=None)
    recent_answers.put(key, stored)
    return True
