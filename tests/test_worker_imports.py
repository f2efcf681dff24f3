"""A PDF worker process imports what it needs to build booklets, not the admin's spreadsheet
import or the HWPX writer (issue 13, point 8: every MiB of a worker counts per core)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.contrib import admin

from portal.management.commands.pdf_worker import Command

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
import django.core.management

def worker(argv):  # instead of running the command: what its process has imported
    import django
    django.setup()
    from publishing import tasks  # noqa: F401  (what a worker imports for its first task
    from django.contrib import admin
    modules = sorted({m.split(".")[0] for m in sys.modules})
    print(json.dumps({"modules": modules, "admin": len(admin.site._registry)}))

django.core.management.execute_from_command_line = worker
sys.argv = ["manage.py", "pdf_worker"]
import manage
manage.main()
"""


def _worker_modules() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_ADMIN_AUTODISCOVER"}
    output = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.splitlines()[-1])


def test_a_pdf_worker_does_not_import_the_admin_spreadsheet_or_hwpx_code():
    probe = _worker_modules()
    for heavy in ("openpyxl", "tablib", "hwpx"):
        assert heavy not in probe["modules"], heavy
    assert probe["admin"] == 0
    assert Command.requires_system_checks == []  # the checks would load every view


def test_the_admin_is_complete_wherever_urls_are_served(client):
    assert admin.site._registry  # this process (the tests, like the web server) found them
    assert client.get("/admin/login/").status_code == 200
