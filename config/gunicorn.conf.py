"""gunicorn settings for the portal (README "운영 서버"): `make serve`, or
`gunicorn -c config/gunicorn.conf.py config.wsgi`.

Threaded workers (gthread): the portal waits on its database and files more than it computes,
so a few processes with several threads each hold many readers on few cores. Environment:
  GUNICORN_BIND      address to listen on (default 127.0.0.1:8000; behind the reverse proxy)
  WEB_CONCURRENCY    worker processes (default: the number of cores, at least 2)
  GUNICORN_THREADS   threads per worker (default 8)
  GUNICORN_TIMEOUT   seconds a request may take before its worker is restarted (default 60)
  GUNICORN_WORKER_CONNECTIONS  open connections per worker (default 4 × threads)
  GUNICORN_KEEPALIVE seconds an idle keep-alive connection is held (default 0: none)
  GUNICORN_MAX_REQUESTS  requests before a worker is replaced (default 50000, +10 % jitter)
  LOG_FORMAT, LOG_LEVEL  as for the portal (config/settings.py, config/logs.py): access and
                     error logs on stdout in the portal's format
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gunicorn.http import wsgi as _gunicorn_wsgi  # noqa: E402

# The portal's settings, read once here so that a bad environment (a weak SECRET_KEY...)
# stops the server before it starts, and the logs use the portal's LOG_FORMAT and LOG_LEVEL.
from config import settings as _portal  # noqa: E402
from config.logs import logging_config  # noqa: E402

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Open (keep-alive) connections one worker holds before it leaves new ones to the others: a
# worker accepts whatever arrives while it has room, so without a bound the first worker to
# wake can take nearly all of a burst of readers while another stands idle (on 2 cores the
# same 50 readers measured 280 or 420 pages/s depending on how their connections fell).
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", str(threads * 4)))
# No keep-alive by default: gunicorn sits behind the reverse proxy on the same machine (README
# "운영 서버"; nginx speaks HTTP/1.0 to it and closes), and a gthread worker only looks at a
# kept-alive connection again on its next poll — under 50 readers that left some of them
# waiting over a second (p95 1.1 s against 33 ms without keep-alive, make bench readers).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "0"))
# A worker is replaced after this many requests (and a random few more), so a slow leak in a
# library never grows without bound. Not too often: at a few hundred requests/s a replacement
# every 2000 requests meant one every few seconds, each a cold start (seconds of p95).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
# The reverse proxy on the same machine may set X-Forwarded-For / -Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Request lines and headers: gunicorn's own limits, a little tighter.
limit_request_line = 8190
limit_request_fields = 100

accesslog = "-"
errorlog = "-"
loglevel = _portal.LOG_LEVEL.lower()
logconfig_dict = logging_config(fmt=_portal.LOG_FORMAT, level=_portal.LOG_LEVEL)
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'


def _no_server_banner(default_headers):
    """gunicorn writes "Server: gunicorn" before the application's headers; drop that line so
    no answer names the server software."""

    def headers(self):
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    return headers


_gunicorn_wsgi.Response.default_headers = _no_server_banner(_gunicorn_wsgi.Response.default_headers)
