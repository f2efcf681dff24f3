"""The production server as README "운영 서버" documents it: gunicorn with config/gunicorn.conf.py
on 127.0.0.1, static files collected and served by whitenoise, the documented environment.

The server gets its own SQLite file (migrated here), whatever database the suite runs on: what
is tested is the serving, not the database."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.management.utils import get_random_secret_key

from tests.live_portal import free_port

# The server gets its own SQLite file: `make test` runs this module in its SQLite pass only.
pytestmark = pytest.mark.one_database

BASE_DIR = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")


def production_env(root: Path, **extra: str) -> dict[str, str]:
    """README "운영 서버"'s environment, on 127.0.0.1 and files under `root`."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(root),
        "SECRET_KEY": get_random_secret_key(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "https://127.0.0.1",
        "DATABASE_URL": f"sqlite:///{root / 'portal.sqlite3'}",
        "STATIC_ROOT": str(root / "static"),
        "MEDIA_ROOT": str(root / "media"),
        "BEHIND_TLS_PROXY": "1",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_HSTS_PRELOAD": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


class Server:
    def __init__(self, root: Path, env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = root / "gunicorn.log"
        self.log = open(self.log_path, "w+b")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=BASE_DIR,
            env={
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "WEB_CONCURRENCY": "1",
                "GUNICORN_THREADS": "4",
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn stopped:\n{self.output()}")
            try:
                requests.get(self.url + "/health/web/", timeout=30)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"gunicorn did not answer:\n{self.output()}")

    def get(self, path: str, **kwargs) -> requests.Response:
        """As the reverse proxy passes it on: HTTPS (X-Forwarded-Proto), no redirects."""
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        return requests.get(
            self.url + path, headers=headers, allow_redirects=False, timeout=60, **kwargs
        )

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("production")


@pytest.fixture(scope="module")
def env(root) -> dict[str, str]:
    env = production_env(root)
    for command in (("collectstatic", "--noinput", "-v0"), ("migrate", "--noinput", "-v0")):
        done = manage(env, *command)
        assert done.returncode == 0, done.stdout + done.stderr
    return env


@pytest.fixture(scope="module")
def server(root, env):
    server = Server(root, env)
    yield server
    server.stop()


def test_the_documented_environment_passes_check_deploy_without_a_warning(env):
    done = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


@pytest.mark.parametrize("key", ["x", "a" * 60, "short-but-varied-key-123"])
def test_a_weak_secret_key_stops_the_server_before_it_starts(root, key):
    env = production_env(root, SECRET_KEY=key)
    done = subprocess.run(
        [str(GUNICORN), "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=BASE_DIR,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{free_port()}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "SECRET_KEY is too weak" in done.stdout + done.stderr
    check = manage(env, "check")
    assert check.returncode != 0 and "SECRET_KEY is too weak" in check.stderr


def test_pages_name_hashed_static_files_served_compressed_and_cached_for_a_year(server):
    page = server.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    css = re.findall(r'href="(/static/css/web\.[0-9a-f]{12}\.css)"', page.text)
    assert css, page.text[:2000]
    for encoding in ("br", "gzip"):
        response = server.get(css[0], headers={"Accept-Encoding": encoding}, stream=True)
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert response.headers["Content-Type"].startswith("text/css")
        assert "max-age=315360000" in response.headers["Cache-Control"]
        response.close()


def test_html_is_gzipped(server):
    page = server.get("/", headers={"Accept-Encoding": "gzip"}, stream=True)
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["Vary"]
    page.close()


def test_security_headers_and_no_server_banner(server):
    for path in ("/", "/api/v1/docs/", "/admin/login/", "/static/css/error.css"):
        response = server.get(path)
        assert response.status_code == 200, path
        assert "Server" not in response.headers, (path, response.headers)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        if not path.startswith("/static/"):
            policy = response.headers["Content-Security-Policy"]
            assert (
                "script-src 'self'" in policy
                and "unsafe-inline" not in policy.split("style-src-attr")[0]
            ), policy
            assert "camera=()" in response.headers["Permissions-Policy"]
            assert response.headers["X-Frame-Options"] == "DENY"


def test_plain_http_is_sent_to_https_except_the_health_urls(server):
    response = requests.get(server.url + "/", allow_redirects=False, timeout=60)
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://127.0.0.1:{server.port}/"
    assert "Strict-Transport-Security" not in response.headers  # only over HTTPS
    health = requests.get(server.url + "/health/web/", allow_redirects=False, timeout=60)
    assert health.status_code == 200


def _set_worker(env: dict[str, str], seconds_ago: float | None) -> None:
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM reports_pdfworker")
        if seconds_ago is not None:
            db.execute(
                "INSERT INTO reports_pdfworker (worker_id, hostname, pid, started_at, last_seen) "
                "VALUES ('w1', 'pdf-host', 4242, STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW', ?), "
                "STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW', ?))",
                (f"-{seconds_ago + 10} seconds", f"-{seconds_ago} seconds"),
            )


def test_health_reports_each_part_and_a_dead_pdf_worker_by_name(server, env):
    _set_worker(env, seconds_ago=None)
    response = server.get("/health/", headers={"Accept": "*/*"})
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert "no-cache" in response.headers["Cache-Control"]
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == "OK" and body["checks"]["storage"] == "OK"
    assert "PDF 작업자가 없습니다" in body["checks"]["pdf_worker"]

    _set_worker(env, seconds_ago=300)  # stale (PDF_WORKER_STALE_SECONDS is 30)
    body = server.get("/health/").json()
    assert "PDF 작업자의 마지막 신호가" in body["checks"]["pdf_worker"]
    assert "작업자가 멈췄습니다" in body["checks"]["pdf_worker"]
    assert "pdf-host" not in json.dumps(body, ensure_ascii=False)  # reveals no host names
    # The web servers stay in service while the worker is down.
    web = server.get("/health/web/")
    assert web.status_code == 200 and web.json() == {
        "status": "ok",
        "checks": {"database": "OK", "storage": "OK"},
    }

    _set_worker(env, seconds_ago=1)
    response = server.get("/health/")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "OK", "storage": "OK", "pdf_worker": "OK"}
    assert not list((Path(env["MEDIA_ROOT"]) / "health_check_storage_test").glob("*"))


def test_logs_are_json_lines_on_stdout_with_the_access_log_in_the_same_format(server):
    server.get("/sessions/999999/")  # a 404: django.request logs it as a warning
    server.get("/", headers={"User-Agent": "probe/1.0", "Cookie": "sessionid=secret-cookie"})
    time.sleep(0.5)
    lines = [line for line in server.output().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    assert any(
        r["path"] == "/" and r["status"] == 200 and r["user_agent"] == "probe/1.0" for r in access
    )
    assert any(r["logger"] == "django.request" and r["level"] == "WARNING" for r in records)
    assert any(r["logger"] == "gunicorn.error" for r in records)
    assert "secret-cookie" not in server.output()


def test_collectstatic_does_not_compress_the_print_fonts(env):
    """Only WeasyPrint reads the TTFs (from disk): brotli of their 17 MB took minutes of every
    deploy. The web's WOFF2 slices are compressed already; CSS is still precompressed."""
    static = Path(env["STATIC_ROOT"])
    assert list(static.glob("fonts/NanumMyeongjo.*.ttf"))
    assert not list(static.glob("fonts/*.ttf.br")) and not list(static.glob("fonts/*.ttf.gz"))
    assert list(static.glob("css/web.*.css.br"))
