"""A busy database is a short wait, then a Korean "잠시 뒤에 다시" — never a server error.

SQLite waits up to SQLITE_BUSY_SECONDS for its write lock and PostgreSQL up to
DB_LOCK_TIMEOUT_SECONDS for a row or table lock (config/settings.py). A request that still
finds the database busy gets 503 with Retry-After and a message saying nothing was saved:
JSON in the API's error shape for API requests, the portal's page otherwise.

A file storage that cannot be reached, or a stored file that is damaged (core/filestore.py),
gets the same 503 answer with its own reason."""

from __future__ import annotations

import logging

from django.contrib.sessions.middleware import SessionMiddleware
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# PostgreSQL: deadlock detected, serialization failure, lock not available (lock_timeout).
BUSY_SQLSTATES = {"40P01", "40001", "55P03"}


def is_busy(error: BaseException) -> bool:
    """Whether a database error means "someone else holds the lock", not a fault."""
    if not isinstance(error, DatabaseError):
        return False
    cause = error.__cause__
    if getattr(cause, "pgcode", None) in BUSY_SQLSTATES:
        return True
    message = str(error).lower()
    return "database is locked" in message or "database table is locked" in message


def busy_message() -> str:
    return _(
        "다른 사람들의 저장을 처리하느라 데이터베이스가 바쁩니다. 이번 요청은 아무것도 바꾸지 "
        "않았습니다. 잠시 뒤에 다시 해 주세요."
    )


def busy_response(request, reason: str | None = None) -> HttpResponse:
    """503 "잠시 뒤에 다시" saying why (the busy database unless told otherwise)."""
    reason = busy_message() if reason is None else reason
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": reason, "errors": []}, status=503)
    else:
        response = render(request, "503.html", {"reason": reason}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def storage_failure(error: BaseException) -> str | None:
    """The reason to show if `error` is an unreachable file storage or a damaged file."""
    from core.filestore import DamagedFile, StorageUnavailable

    return str(error) if isinstance(error, StorageUnavailable | DamagedFile) else None


class BusyDatabaseMiddleware:
    """Turns a view's busy-database error (the admin, the staff API, login) into a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        reason = storage_failure(exception)
        if reason is not None:
            logger.warning(
                "file storage failed for %s %s: %r", request.method, request.path, exception
            )
            return busy_response(request, reason)
        if not is_busy(exception):
            return None
        logger.warning("database busy for %s %s: %s", request.method, request.path, exception)
        return busy_response(request)


class BusyAwareSessionMiddleware(SessionMiddleware):
    """Django's session middleware, whose save after the view may also find the lock taken."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except DatabaseError as error:
            if not is_busy(error):
                raise
            logger.warning("database busy saving the session for %s: %s", request.path, error)
            return busy_response(request)
