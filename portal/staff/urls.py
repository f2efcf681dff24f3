"""Staff URLs inside /admin/, wrapped by the admin's login and CSRF handling.

Included by config/urls.py before the admin's own catch-all. One URL per action: the report
editor's save and workflow actions, the clerk's session dashboard and its actions, 회기 열기,
the spreadsheet downloads.
"""

from django.contrib import admin
from django.urls import path

from portal.staff import dashboard, editor, exports, open_session, views

wrap = admin.site.admin_view

REPORT = "admin/reports/departmentreport/<int:pk>/"
SESSION = "admin/reports/session/<int:number>/"
DASHBOARD = f"{SESSION}dashboard/"

urlpatterns = [
    path("admin/", wrap(views.home), name="staff_home"),
    path("admin/todo/", wrap(views.todo), name="staff_todo"),
    # The department report: the editor's save, its workflow actions, the council share.
    path(f"{REPORT}save/", wrap(editor.report_save), name="report_save"),
    path(f"{REPORT}action/<slug:action>/", wrap(views.report_action), name="report_action"),
    path(f"{REPORT}share/", wrap(views.report_share), name="report_share"),
    path(f"{REPORT}unshare/", wrap(views.report_unshare), name="report_unshare"),
    # The clerk's screens.
    path(
        "admin/reports/session/open/",
        wrap(open_session.OpenSessionView.as_view()),
        name="open_session",
    ),
    path(
        DASHBOARD,
        wrap(dashboard.SessionDashboardView.as_view()),
        name="session_dashboard",
    ),
    path(
        f"{DASHBOARD}reports/<int:report_id>/<slug:action>/",
        wrap(dashboard.DashboardActionView.as_view()),
        name="session_dashboard_action",
    ),
    # Pages opened before the action had its own URL post it as `action=`.
    path(
        f"{DASHBOARD}reports/<int:report_id>/",
        wrap(dashboard.DashboardActionView.as_view()),
        name="session_dashboard_transition",
    ),
    path(
        f"{DASHBOARD}publish/",
        wrap(dashboard.DashboardPublishView.as_view()),
        name="session_dashboard_publish",
    ),
    path(
        f"{SESSION}data/<str:kind>.<str:extension>",
        wrap(exports.SessionDataView.as_view()),
        name="session_data",
    ),
]
