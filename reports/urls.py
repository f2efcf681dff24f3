from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.session_list, name="sessions"),
    path("sessions/<int:number>/", views.session_detail, name="session"),
    path("sessions/<int:number>/booklet.pdf", views.session_pdf, name="session_pdf"),
    path(
        "sessions/<int:number>/departments/<int:department_id>/",
        views.department_report,
        name="department",
    ),
    path(
        "sessions/<int:number>/departments/<int:department_id>/report.pdf",
        views.department_pdf,
        name="department_pdf",
    ),
]
