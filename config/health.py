"""/health/ and /health/web/ for a load balancer (django-health-check; README "운영 서버").

Both answer JSON, never cached, without login or CSRF: 200 `{"status": "ok", "checks": {...}}`
when every check passes, 503 with the failing check's reason otherwise. The reasons name the
part that failed and nothing else (no paths, hosts or database messages).

- /health/web/: this web server can answer — the database and the default file storage
  (a test file written, read back and deleted). Point the load balancer here, so a stopped
  PDF worker does not take the web servers out of service.
- /health/: the same, plus the PDF workers: at least one worker's heartbeat (reports.models.
  PdfWorker) younger than PDF_WORKER_STALE_SECONDS by the database's clock. For monitoring.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max
from django.db.models.functions import Now
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from health_check import Database, HealthCheck, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class PdfWorkerHeartbeat(HealthCheck):
    """At least one PDF worker signed of life within PDF_WORKER_STALE_SECONDS."""

    def run(self):
        from reports.models import PdfWorker

        stale = datetime.timedelta(seconds=settings.PDF_WORKER_STALE_SECONDS)
        try:
            newest = PdfWorker.objects.aggregate(newest=Max("last_seen"))["newest"]
            # The database's clock, as the workers use it (one clock for every machine).
            now = PdfWorker.objects.annotate(now=Now()).values_list("now", flat=True).first()
        except DatabaseError as error:
            raise ServiceUnavailable("PDF 작업자 상태를 읽지 못했습니다(데이터베이스)") from error
        finally:
            connection.close()  # this runs in a helper thread: do not leave its connection open
        if newest is None:
            raise ServiceUnavailable("PDF 작업자가 없습니다(manage.py pdf_worker가 실행 중이 아님)")
        if now - newest > stale:
            seconds = int((now - newest).total_seconds())
            raise ServiceUnavailable(
                f"PDF 작업자의 마지막 신호가 {seconds}초 전입니다"
                f"(기준 {int(stale.total_seconds())}초): 작업자가 멈췄습니다"
            )


WEB_CHECKS = {"database": Database, "storage": Storage}
ALL_CHECKS = {**WEB_CHECKS, "pdf_worker": PdfWorkerHeartbeat}


class PortalHealthView(HealthCheckView):
    """django-health-check's view, always answering JSON under stable check names."""

    named_checks: dict[str, type] = ALL_CHECKS

    @property
    def checks(self):
        return tuple(self.named_checks.values())

    async def get(self, request, *args, **kwargs):
        await super().get(request, *args, **kwargs)  # runs the checks into self.results
        names = list(self.named_checks)
        checks = {
            name: "OK" if not result.error else str(result.error)
            for name, result in zip(names, self.results, strict=True)
        }
        healthy = all(not result.error for result in self.results)
        return JsonResponse(
            {"status": "ok" if healthy else "unhealthy", "checks": checks},
            status=200 if healthy else 503,
            json_dumps_params={"ensure_ascii": False},
        )


health = csrf_exempt(PortalHealthView.as_view(named_checks=ALL_CHECKS))
health_web = csrf_exempt(PortalHealthView.as_view(named_checks=WEB_CHECKS))
