"""The portal as `make run` serves it, for tests that drive it over HTTP from several threads:
`manage.py runserver` (threaded, no reloader) and `manage.py pdf_worker` processes on the
test database, and signed-in HTTP clients that post forms and call the staff API the way a
browser does (session cookie + CSRF token). Loopback only."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.db import connection


def database_url() -> str:
    """The test database as a DATABASE_URL for other processes."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(database["NAME"])
        if "memory" in name:
            pytest.skip("SQLite test database in memory: tests/run_suite.sh sets SQLITE_TEST_DB")
        return f"sqlite:///{name}"
    user, password = quote(database["USER"] or ""), quote(database["PASSWORD"] or "")
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{database['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(build_root: Path, **extra: str) -> dict[str, str]:
    """`make run`'s environment (no SECRET_KEY: a development machine) on the test database."""
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    env.update(
        DATABASE_URL=database_url(),
        PDF_BUILD_ROOT=str(build_root),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),  # the edition files the tests published
        PDF_WORKER_HEARTBEAT_SECONDS="0.5",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


@dataclass
class Portal:
    """Server and worker processes started for one test; stopped by `stop()`."""

    root: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.root / f"{name}-{len(self.processes)}.log", "w+b")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=Path(settings.BASE_DIR),
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Python's own test process is not the server's parent process group: a Ctrl+C
            # of pytest must not reach them before stop() does.
            start_new_session=True,
        )
        process.log_path = log.name
        self.processes.append(process)
        return process

    def start_server(self) -> None:
        self._start("server", "runserver", f"127.0.0.1:{self.port}", "--noreload")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/", timeout=5).status_code < 500:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        pytest.fail("the development server did not start:\n" + self.logs())

    def start_worker(self) -> None:
        self._start("worker", "pdf_worker", "--processes", "1", "--interval", "0.2")

    def logs(self) -> str:
        return "\n".join(
            f"--- {process.args[2]} ---\n{Path(process.log_path).read_text(errors='replace')[-4000:]}"
            for process in self.processes
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


class _FormFields(HTMLParser):
    """The fields a browser would submit from a page's forms (inputs, textareas, selects)."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._option: str | None = None
        self._chosen = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            self.fields.append(
                (name, attributes.get("value") or ("on" if kind == "checkbox" else ""))
            )
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._chosen = name, False
        elif tag == "option" and self._select:
            self._option = attributes.get("value", "")
            if "selected" in attributes and not self._chosen:
                self.fields.append((self._select, self._option))
                self._chosen = True

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(html: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(html)
    return dict(parser.fields)


class Browser(requests.Session):
    """A signed-in reader or staff member: cookies, the CSRF token, the portal's address."""

    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 120)
        kwargs["allow_redirects"] = False  # a test looks at each answer itself
        if method.upper() not in {"GET", "HEAD"} and "csrftoken" in self.cookies:
            kwargs.setdefault("headers", {}).setdefault("X-CSRFToken", self.cookies["csrftoken"])
        return super().request(method, self.base + url, *args, **kwargs)

    def log_in(self, username: str, password: str) -> None:
        page = self.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = self.post(
            "/admin/login/",
            data={"csrfmiddlewaretoken": token, "username": username, "password": password},
            headers={"Referer": self.base + "/admin/login/"},
        )
        assert answer.status_code == 302, f"login of {username}: {answer.status_code}"

    def submit_form(self, url: str, changes: dict[str, str]) -> requests.Response:
        """Open an admin form, change some fields, and post it as the browser would."""
        fields = form_fields(self.get(url).text)
        fields.update(changes)
        return self.post(url, data=fields, headers={"Referer": self.base + url})
