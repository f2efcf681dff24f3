"""Staff URLs inside /admin/, wrapped by the admin's login and CSRF handling."""

from django.contrib import admin
from django.urls import path

from portal.staff import editor, views

wrap = admin.site.admin_view

REPORT = "admin/reports/departmentreport/<int:pk>/"

urlpatterns = [
    path("admin/", wrap(views.home), name="staff_home"),
    path("admin/todo/", wrap(views.todo), name="staff_todo"),
    path(f"{REPORT}save/", wrap(editor.report_save), name="report_save"),
    path(f"{REPORT}action/<slug:action>/", wrap(views.report_action), name="report_action"),
    path(f"{REPORT}share/", wrap(views.report_share), name="report_share"),
    path(f"{REPORT}unshare/", wrap(views.report_unshare), name="report_unshare"),
]
