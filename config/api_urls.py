"""/api/v1/: the public read API, the staff API under staff/, the schema and its docs page."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from config.schema_view import SchemaView
from portal.api.budget import BudgetLineViewSet
from portal.api.org import BureauViewSet, DepartmentViewSet, StaffingViewSet
from portal.api.projects import CardViewSet
from portal.api.public import (
    PublishedBudgetViewSet,
    PublishedCardViewSet,
    PublishedStaffingViewSet,
    ReportViewSet,
    SessionViewSet,
    VersionViewSet,
)
from portal.api.staff import ReportStaffViewSet, SectionViewSet


class APIRoot(DefaultRouter.APIRootView):
    """업무보고 포털 API: 공개된 주요업무 보고의 회기·부서·보고서·인력·예산·사업 카드.

    설명서: /api/v1/docs/ · 직원 API: /api/v1/staff/…"""

    def get_view_name(self):
        return _("업무보고 포털 API")


class PublicRouter(DefaultRouter):
    APIRootView = APIRoot


public = PublicRouter(trailing_slash=True)
public.register("sessions", SessionViewSet, basename="session")
public.register("bureaus", BureauViewSet, basename="bureau")
public.register("departments", DepartmentViewSet, basename="department")
public.register("reports", ReportViewSet, basename="report")
public.register("versions", VersionViewSet, basename="version")
public.register("staffing", PublishedStaffingViewSet, basename="staffing")
public.register("budget-lines", PublishedBudgetViewSet, basename="budget-line")
public.register("cards", PublishedCardViewSet, basename="card")

staff = DefaultRouter(trailing_slash=True)
staff.include_root_view = False
staff.register("reports", ReportStaffViewSet, basename="staff-report")
staff.register("sections", SectionViewSet, basename="staff-section")
staff.register("cards", CardViewSet, basename="staff-card")
staff.register("budget-lines", BudgetLineViewSet, basename="staff-budget-line")
staff.register("staffing", StaffingViewSet, basename="staff-staffing")


@csrf_exempt  # it changes nothing; a refused CSRF check would answer with an HTML page
def not_found(request, *args, **kwargs):
    """Anything else under /api/v1/ (a negative id, a misspelt name): a JSON 404, not a page.
    A plain view, so the browsable API's breadcrumbs do not list it."""
    detail = _("이 주소의 자료는 없습니다. 주소와 번호를 확인하세요.")
    response = JsonResponse(
        {"detail": detail, "errors": [{"field": None, "message": detail}]},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
    patch_cache_control(response, no_store=True)
    return response


app_name = "api"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves its start-up script from ?script, so the page has no inline script
    # (Content-Security-Policy, config/headers.py).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("staff/", include(staff.urls)),
    path("", include(public.urls)),
    re_path(r"^.*$", not_found),
]
