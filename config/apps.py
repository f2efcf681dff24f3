"""The admin's app config: the admin modules of every app are found as usual (AdminConfig),
except in a PDF worker process, which never serves the admin.

Those modules pull in django-import-export, tablib, openpyxl and Pillow (org/imports.py):
~9 MiB of a worker's resident memory for nothing (issue 13, point 8). A worker sets
PORTAL_ADMIN_AUTODISCOVER=0 before Django is set up (manage.py for `pdf_worker`,
portal/bench_worker.py); config/urls.py discovers them anyway if the URLs are ever loaded,
so the admin is never half registered where it is served.
"""

import os

from django.contrib.admin.apps import AdminConfig, SimpleAdminConfig

AUTODISCOVER = "PORTAL_ADMIN_AUTODISCOVER"


class PortalAdminConfig(AdminConfig):
    def ready(self):
        if os.environ.get(AUTODISCOVER, "1") == "0":
            SimpleAdminConfig.ready(self)  # checks registered, no admin modules imported
        else:
            super().ready()
