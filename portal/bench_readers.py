"""`make bench` part "readers": 50 readers at once against the production server as README
"운영 서버" documents it (gunicorn with config/gunicorn.conf.py, whitenoise, the production
settings), each URL for a fixed time, and a static file of the department page's size served
by whitenoise in the same run, as the yardstick.

Everything is made in a temporary folder: collected static files, a fresh SQLite database with
the seeds loaded and published (`manage.py load_seeds`, as `make run` does), and the server on
127.0.0.1. The demo database is never touched. The clients are `wrk` (Debian package; `make
bench` installs it) or, without it, Python threads. It prints figures; it asserts nothing.

The anonymous API throttle (API_ANON_RATE) is lifted for the run: from one address, 50 readers
would otherwise measure the throttle, not the server.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.utils import get_random_secret_key

ACCEPT_ENCODING = "gzip, br"  # what a browser sends

# Run inside the server's environment before it starts: the URLs to measure and the
# department page's HTML (its size is the static file's size).
PROBE = """
import json
from django.test import Client
from reports.models import DepartmentReport
report = DepartmentReport.objects.filter(status="published").order_by("pk").first()
html = Client().get(report.get_absolute_url()).content
open(TARGET, "wb").write(html)
print(json.dumps({
    "session": report.session.get_absolute_url(),
    "department": report.get_absolute_url(),
    "api": "/api/v1/cards/",
    "html_bytes": len(html),
}))
"""

WRK_SCRIPT = f'wrk.headers["Accept-Encoding"] = "{ACCEPT_ENCODING}"\n' + (
    """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d %d\\n", summary.requests,
    summary.duration, summary.bytes, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
"""
)


@dataclass
class Figures:
    requests: int
    seconds: float
    bytes: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    socket_errors: int
    status_errors: int  # answers other than 2xx/3xx

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.status_errors

    @classmethod
    def of_rounds(cls, rounds: list[Figures]) -> Figures:
        """Several rounds of one URL as one figure: counts add up, p50 is the rounds' median
        and p95/p99 the worst round's (no round's tail is averaged away)."""
        return cls(
            requests=sum(r.requests for r in rounds),
            seconds=sum(r.seconds for r in rounds),
            bytes=sum(r.bytes for r in rounds),
            p50_ms=statistics.median(r.p50_ms for r in rounds),
            p95_ms=max(r.p95_ms for r in rounds),
            p99_ms=max(r.p99_ms for r in rounds),
            socket_errors=sum(r.socket_errors for r in rounds),
            status_errors=sum(r.status_errors for r in rounds),
        )


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(root: Path, port: int) -> dict[str, str]:
    """README "운영 서버"'s production environment, on loopback without TLS."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    for key in ("DEBUG", "DATABASE_URL", "SQLITE_TEST_DB", "TASKS_BACKEND", "LOG_FORMAT"):
        env.pop(key, None)
    env.update(
        SECRET_KEY=get_random_secret_key(),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        DATABASE_URL=f"sqlite:///{root / 'readers.sqlite3'}",
        DB_CONN_MAX_AGE="60",
        STATIC_ROOT=str(root / "static"),
        MEDIA_ROOT=str(root / "media"),
        PDF_BUILD_ROOT=str(root / "media" / "pdf-builds"),
        API_ANON_RATE="100000000/min",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        # config/gunicorn.conf.py's defaults, spelt out so that the figures say what ran.
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", str(max(2, os.cpu_count() or 1))),
        GUNICORN_THREADS=os.environ.get("GUNICORN_THREADS", "8"),
        LOG_LEVEL="WARNING",  # no access log lines: they would cost the server time
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(env: dict[str, str], *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


def prepare(root: Path, env: dict[str, str]) -> dict:
    """Static files, database, seeds; then the page's HTML as a static file of the same
    size (compressed like every collected file)."""
    _manage(env, "collectstatic", "--noinput", "-v0")
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_seeds")
    target = root / "static" / "bench" / "department.html"
    target.parent.mkdir(parents=True)
    probe = _manage(env, "shell", "-c", f"TARGET = {str(target)!r}\n" + PROBE)
    urls = json.loads(probe.stdout.strip().splitlines()[-1])
    from whitenoise.compress import Compressor

    compressor = Compressor(quiet=True)
    for _ in compressor.compress(str(target)):
        pass
    urls["static"] = "/static/bench/department.html"
    return urls


def start_server(env: dict[str, str], root: Path) -> subprocess.Popen:
    log = open(root / "gunicorn.log", "wb")  # noqa: SIM115 — closed with the process
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "config/gunicorn.conf.py"]
        + ["config.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log
    host, port = env["GUNICORN_BIND"].split(":")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((root / "gunicorn.log").read_text(errors="replace"))
        try:
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            connection.request("GET", "/health/web/")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not answer within 120 s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()


def run_wrk(url: str, *, clients: int, seconds: float, script: Path) -> Figures:
    done = subprocess.run(
        # wrk takes whole seconds only ("-d 0.3s" is an error)
        ["wrk", "-t", "2", "-c", str(clients), "-d", f"{max(1, round(seconds))}s"]
        + ["--timeout", "10s"]
        + ["-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    requests, duration_us, size, p50, p95, p99, socket_errors, status = map(int, line.split()[1:])
    return Figures(
        requests, duration_us / 1e6, size, p50 / 1e3, p95 / 1e3, p99 / 1e3, socket_errors, status
    )


def run_threads(url: str, *, clients: int, seconds: float) -> Figures:
    """The fallback without wrk: `clients` threads, each on one keep-alive connection."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    counts = {"bytes": 0, "socket": 0, "status": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client():
        connection = None
        mine, size, socket_errors, status_errors = [], 0, 0, 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                connection = connection or http.client.HTTPConnection(
                    parts.hostname, parts.port, timeout=10
                )
                connection.request("GET", path, headers={"Accept-Encoding": ACCEPT_ENCODING})
                response = connection.getresponse()
                size += len(response.read())
                if response.status >= 400:
                    status_errors += 1
            except (OSError, http.client.HTTPException):
                socket_errors += 1
                connection = None
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            counts["bytes"] += size
            counts["socket"] += socket_errors
            counts["status"] += status_errors

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Figures(
        len(latencies),
        elapsed,
        counts["bytes"],
        cuts[49] * 1e3,
        cuts[94] * 1e3,
        cuts[98] * 1e3,
        counts["socket"],
        counts["status"],
    )


ROUNDS = 3  # each URL's time is split in rounds taken in turn with the other URLs'


def run(
    *, write: Callable[[str], None] = print, seconds: float = 30, clients: int = 50
) -> dict[str, Figures]:
    """Each URL is measured for `seconds` in ROUNDS rounds, the URLs in turn (session,
    department, API, static, session, …): on a shared machine whose speed drifts over minutes,
    the ratios to the static file compare like with like."""
    port = _free_port()
    root = Path(tempfile.mkdtemp(prefix="upmu-readers-"))
    try:
        env = server_environment(root, port)
        started = time.perf_counter()
        urls = prepare(root, env)
        server = start_server(env, root)
        base = f"http://127.0.0.1:{port}"
        tool = "wrk" if shutil.which("wrk") else "Python 스레드(wrk 없음)"
        write(
            f"== 읽기 부하: gunicorn gthread (작업자 {env['WEB_CONCURRENCY']} "
            f"× 스레드 {env['GUNICORN_THREADS']}), 동시 {clients}명 × {seconds:g}s, "
            f"{tool}; 준비 {time.perf_counter() - started:.0f}s"
        )
        script = root / "report.lua"
        script.write_text(WRK_SCRIPT)
        figures: dict[str, Figures] = {}
        labels = {
            "session": "회기 화면",
            "department": "부서 화면",
            "api": "API 목록",
            "static": f"정적 파일({urls['html_bytes'] / 1024:.0f}KiB, 부서 화면 크기)",
        }
        try:
            rounds: dict[str, list[Figures]] = {name: [] for name in labels}
            for _round in range(ROUNDS):
                for name in labels:
                    # Also waits out what the previous URL's readers left queued in the server.
                    _warm(base + urls[name])
                    rounds[name].append(
                        _measure(base + urls[name], clients, seconds / ROUNDS, script)
                    )
            for name, label in labels.items():
                figures[name] = result = Figures.of_rounds(rounds[name])
                write(
                    f"   {label:<24} {urls[name]:<36} {result.rate:7.1f} req/s  "
                    f"p50={result.p50_ms:.0f}ms p95={result.p95_ms:.0f}ms "
                    f"p99={result.p99_ms:.0f}ms  오류={result.errors} "
                    f"(2xx 아님 {result.status_errors}, 연결 {result.socket_errors})  "
                    f"{result.bytes / max(result.requests, 1) / 1024:.1f}KiB/응답"
                )
        finally:
            stop_server(server)
        static = figures["static"].rate
        if static:
            write(
                "   정적 파일 대비: 회기 화면 {:.0%}, 부서 화면 {:.0%}, API 목록 {:.0%}".format(
                    *(figures[name].rate / static for name in ("session", "department", "api"))
                )
            )
        return figures
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _measure(url: str, clients: int, seconds: float, script: Path) -> Figures:
    if shutil.which("wrk"):
        return run_wrk(url, clients=clients, seconds=seconds, script=script)
    return run_threads(url, clients=clients, seconds=seconds)


def _warm(url: str) -> None:
    """One request first, so that imports on first use are not in the figures."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    for _ in range(3):
        connection.request("GET", parts.path, headers={"Accept-Encoding": ACCEPT_ENCODING})
        connection.getresponse().read()
    connection.close()


if __name__ == "__main__":  # python -m portal.bench_readers [seconds] [clients]
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    run(
        seconds=float(sys.argv[1]) if len(sys.argv) > 1 else 30,
        clients=int(sys.argv[2]) if len(sys.argv) > 2 else 50,
    )
