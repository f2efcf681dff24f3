"""Logging to stdout for the portal and for gunicorn, in one format (README "운영 서버").

LOG_FORMAT=json (the production default) writes one JSON object a line (python-json-logger):
`time`, `level`, `logger`, `message`, plus `exc_info` for errors; gunicorn's access log adds
the request's `remote_addr`, `method`, `path`, `status`, `bytes`, `duration_ms`, `user_agent`
and `referer` — never its headers or cookies. LOG_FORMAT=plain (development) writes lines.
"""

from __future__ import annotations

import logging
import time

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
APP_LOGGERS = ("django", "config", "org", "budget", "projects", "reports")
RENAME = {"asctime": "time", "levelname": "level", "name": "logger"}


class JsonFormatter(_JsonFormatter):
    """Times in UTC, the same in gunicorn's master (no TIME_ZONE) and in the workers."""

    converter = time.gmtime


class AccessJsonFormatter(JsonFormatter):
    """gunicorn.access records carry the request's atoms as their args: pick a few by name."""

    ATOMS = {
        "remote_addr": "h",
        "method": "m",
        "path": "U",
        "query": "q",
        "status": "s",
        "bytes": "B",
        "duration_ms": "M",
        "user_agent": "a",
        "referer": "f",
    }

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        atoms = getattr(record, "_atoms", {})
        for field, atom in self.ATOMS.items():
            if atom in atoms:
                log_data[field] = atoms[atom]
        if "s" in atoms:
            log_data["status"] = int(atoms["s"])

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(record.args, dict):  # the message is the access line; the fields say it
            record._atoms, record.msg, record.args = record.args, "access", ()
        return super().format(record)


def logging_config(*, fmt: str = "plain", level: str = "INFO") -> dict:
    """A logging.config.dictConfig dictionary for Django's LOGGING and gunicorn's
    logconfig_dict: everything to stdout in `fmt` ("json" or "plain") from `level` up."""
    json_format = fmt == "json"
    formatter = "json" if json_format else "plain"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": JsonFormatter,
                "fmt": JSON_FIELDS,
                "rename_fields": RENAME,
                "datefmt": "%Y-%m-%dT%H:%M:%SZ",
            },
            "access_json": {
                "()": AccessJsonFormatter,
                "fmt": JSON_FIELDS,
                "rename_fields": RENAME,
                "datefmt": "%Y-%m-%dT%H:%M:%SZ",
            },
            "plain": {
                "format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s",
            },
            "access_plain": {"format": "%(asctime)s [%(process)d] %(message)s"},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": formatter,
            },
            "access": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "access_json" if json_format else "access_plain",
            },
        },
        # Libraries log from WARNING up (WeasyPrint and fontTools are chatty at INFO).
        "root": {"handlers": ["stdout"], "level": "WARNING"},
        "loggers": {
            # Django's own (django.request: every 4xx/5xx answer) and the portal's loggers.
            **{name: {"level": level, "handlers": [], "propagate": True} for name in APP_LOGGERS},
            # A failing check is in /health/'s answer; its traceback would repeat every poll.
            "health_check": {"level": "ERROR", "handlers": [], "propagate": True},
            # gunicorn drops the body of an answer to HEAD itself; no warning each time.
            "gunicorn.http.wsgi": {"level": "ERROR", "handlers": [], "propagate": True},
            "gunicorn.error": {"level": level, "handlers": ["stdout"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }
