from django.urls import path, register_converter

from portal import views


class IdConverter:
    """A positive whole number small enough for every database (longer numbers are a 404)."""

    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

app_name = "reports"

urlpatterns = [
    path("", views.session_list, name="sessions"),
    path("sessions/<id:number>/", views.session_detail, name="session"),
    path("sessions/<id:number>/booklet.pdf", views.session_pdf, name="session_pdf"),
    path("sessions/<id:number>/booklet.hwpx", views.session_hwpx, name="session_hwpx"),
    path("sessions/<id:number>/booklet/<str:token>/", views.booklet_build, name="booklet_build"),
    path(
        "sessions/<id:number>/booklet/<str:token>/status.json",
        views.booklet_status,
        name="booklet_status",
    ),
    path(
        "sessions/<id:number>/booklet/<str:token>/booklet.pdf",
        views.booklet_download,
        name="booklet_download",
    ),
    path(
        "sessions/<id:number>/booklet/<str:token>/retry/",
        views.booklet_retry,
        name="booklet_retry",
    ),
    path(
        "sessions/<id:number>/departments/<id:department_id>/",
        views.department_report,
        name="department",
    ),
    path(
        "sessions/<id:number>/departments/<id:department_id>/report.pdf",
        views.department_pdf,
        name="department_pdf",
    ),
    path(
        "sessions/<id:number>/departments/<id:department_id>/report.hwpx",
        views.department_hwpx,
        name="department_hwpx",
    ),
    path(
        "sessions/<id:number>/departments/<id:department_id>/versions/<id:version_number>/",
        views.department_version,
        name="version",
    ),
    path(
        "sessions/<id:number>/departments/<id:department_id>/versions/<id:version_number>/report.pdf",
        views.department_version_pdf,
        name="version_pdf",
    ),
    path(
        "sessions/<id:number>/departments/<id:department_id>/versions/<id:version_number>/report.hwpx",
        views.department_version_hwpx,
        name="version_hwpx",
    ),
]
