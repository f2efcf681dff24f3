from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config import health
from config.auth import LoginView

# A PDF worker skips the admin modules at start (config/apps.py); whoever loads the URLs
# gets them all (a no-op where AdminConfig found them already).
admin.autodiscover()
admin.site.site_header = _("업무보고 포털 관리")
admin.site.site_title = _("업무보고 포털")
admin.site.index_title = _("보고서 작성과 관리")

# A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413; /api/ answers in JSON (portal/api/base.py).
handler400 = "portal.api.base.bad_request"

urlpatterns = [
    # The staff screens (portal/staff/: report editor and actions, the officer's to-do list,
    # the clerk's dashboard, 회기 열기, downloads), before the admin's catch-all.
    path("", include("portal.staff.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("health/", health.health, name="health"),
    path("health/web/", health.health_web, name="health_web"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("portal.urls")),
]
