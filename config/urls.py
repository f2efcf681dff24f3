from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("업무보고 포털 관리")
admin.site.site_title = _("업무보고 포털")
admin.site.index_title = _("보고서 작성과 관리")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("reports.urls")),
]
