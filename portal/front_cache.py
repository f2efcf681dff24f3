"""The front of the middleware: an anonymous reader's published department page, answered
from the kept answer before the rest of the stack runs.

publishing/page_cache.py keeps the whole answer of a published edition (its HTML, brotli and
gzip) under a key that names the edition shown and the report's newest one, and the view
already serves it without rendering. What remains per request is Django's middleware: the
session, CSRF, authentication, messages, history … each of which does nothing for a reader
without a cookie on a page that holds nothing of theirs. This middleware sits right after
WhiteNoise (config/settings.py MIDDLEWARE) and answers such a request itself:

- only GET of a department page or an edition URL, with no query string (the query guard's
  Korean 400 stays with the full stack) and without the session cookie (a signed-in reader
  gets their own header);
- the editions are read on every request (one query), so a new edition is seen at once;
- the headers are those the full stack gave the same answer in this process (CSP,
  Permissions-Policy, X-Frame-Options, Vary …), remembered when it went through; until this
  process has served the key once the full way, the full stack answers.

Anything unusual (a host not allowed, a busy database, an edition that is gone) goes the
normal way, which knows how to answer it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response

from portal import views
from publishing import page_cache

# Headers each answer sets for itself (anonymous_response) or the outer middleware adds.
OWN_HEADERS = {"content-length", "content-encoding", "etag"}


class _Headers:
    """The full stack's headers of a kept answer, by key, for the last few keys."""

    def __init__(self, size: int):
        self.size = size
        self.by_key: OrderedDict[str, list[tuple[str, str]]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> list[tuple[str, str]] | None:
        with self.lock:
            return self.by_key.get(key)

    def put(self, key: str, headers: list[tuple[str, str]]) -> None:
        with self.lock:
            self.by_key[key] = headers
            self.by_key.move_to_end(key)
            while len(self.by_key) > self.size:
                self.by_key.popitem(last=False)


stack_headers = _Headers(page_cache.KEPT_IN_PROCESS)


def _department_page(request) -> tuple[int, int, int | None] | None:
    """(session number, department id, edition number or None) of a plain anonymous GET of
    a department page, or None for anything else."""
    if request.method != "GET" or request.META.get("QUERY_STRING"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.func not in (views.department_report, views.department_version):
        return None
    kwargs = match.kwargs
    return kwargs["number"], kwargs["department_id"], kwargs.get("version_number")


class AnonymousPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        page = _department_page(request)
        if page is None:
            return self.get_response(request)
        response = self._kept(request, page)
        if response is not None:
            return response
        response = self.get_response(request)
        key = getattr(response, "anonymous_key", None)
        if key is not None and response.status_code == 200 and not response.cookies:
            stack_headers.put(
                key,
                [(n, v) for n, v in response.headers.items() if n.lower() not in OWN_HEADERS],
            )
        return response

    def _kept(self, request, page):
        try:
            request.get_host()  # a host not allowed: the full stack answers 400
            version, latest = views.public_editions(*page)
        except (DisallowedHost, DatabaseError, Http404):
            return None
        request.anonymous_editions = version, latest  # the view need not read them again
        key = page_cache.anonymous_key(version, latest)
        headers = stack_headers.get(key)
        if headers is None:
            return None
        response = page_cache.anonymous_response(request, key)
        if response is None:
            return None
        for name, value in headers:
            response.headers[name] = value
        return get_conditional_response(request, etag=response["ETag"], response=response)
