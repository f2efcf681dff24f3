"""Admin for sessions, sections and department reports.

A department report's change page is the report editor: one screen where the officer enters
facilities, staffing, budget lines, sections and the list of cards, saved in one submit
(`portal.forms.ReportEditor`). The page and its save are staff views (portal/staff/editor.py)
that this change page delegates to.
"""

from django.contrib import admin
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from org.admin_scope import ScopedAdmin, ScopedModelAdmin
from portal.staff import editor as staff_editor
from portal.staff import views as staff_views
from portal.staff.lookups import report_for_user
from reports.models import (
    AccessLog,
    DepartmentReport,
    ReportSection,
    ReportVersion,
    Session,
)


@admin.register(Session)
class SessionAdmin(ScopedAdmin):
    list_display = [
        "number",
        "name",
        "kind",
        "period_display",
        "year",
        "figure_date",
        "deadline",
        "report_count",
        "dashboard_link",
    ]
    list_display_links = ["number", "name"]
    list_filter = ["kind", "year"]
    search_fields = ["name", "=number"]
    ordering = ["-number"]
    fieldsets = [
        (None, {"fields": ["number", "name", "kind"]}),
        (_("일정"), {"fields": ["start_date", "end_date"]}),
        (_("보고 수치"), {"fields": ["year", "figure_date", "deadline"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        """The session's frozen fields (Session.frozen_fields, checked by Session.clean)."""
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + (obj.frozen_fields() if obj is not None else [])

    def add_view(self, request, form_url="", extra_context=None):
        """A session is opened with its departments on the 회기 열기 screen."""
        return HttpResponseRedirect(reverse("open_session"))

    @admin.display(description=_("현황판"))
    def dashboard_link(self, session: Session) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("session_dashboard", args=[session.number]),
            gettext("현황판"),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(report_count=Count("reports"))

    @admin.display(description=_("회기 기간"), ordering="start_date")
    def period_display(self, session: Session) -> str:
        return session.period

    @admin.display(description=_("부서 보고서"), ordering="report_count")
    def report_count(self, session: Session) -> int:
        return session.report_count


@admin.register(ReportSection)
class ReportSectionAdmin(ScopedAdmin):
    list_display = ["title", "kind", "order", "report"]
    list_filter = ["kind", "report__session", "report__department"]
    search_fields = ["title", "report__department__name"]
    list_select_related = ["report__session", "report__department"]
    ordering = ["-report__session__number", "report__department__order", "order"]
    autocomplete_fields = ["report"]


@admin.register(DepartmentReport)
class DepartmentReportAdmin(ScopedAdmin):
    list_display = ["department", "session", "status", "card_count", "updated_at", "public_link"]
    list_filter = ["session", "status", "department__bureau"]
    search_fields = ["department__name", "session__name", "=session__number"]
    list_select_related = ["session", "department"]
    ordering = ["-session__number", "department__order", "department__name"]
    fields = ["session", "department"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(card_count=Count("sections__cards"))

    @admin.display(description=_("사업 카드"), ordering="card_count")
    def card_count(self, report: DepartmentReport) -> int:
        return report.card_count

    @admin.display(description=_("공개 화면"))
    def public_link(self, report: DepartmentReport) -> str:
        return format_html('<a href="{}">{}</a>', report.get_absolute_url(), gettext("보기"))

    def response_add(self, request, obj, post_url_continue=None):
        """A new report opens in the editor."""
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST or "_popup" in request.POST:
            return response
        return HttpResponseRedirect(reverse("admin:reports_departmentreport_change", args=[obj.pk]))

    # The report editor (portal/staff/editor.py) -----------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The editor page; posts of old pages to the change URL reach their own views."""
        if request.method != "POST":
            return staff_editor.report_editor(request, object_id)
        if "_transition" in request.POST:  # now report_action/<action>/
            report = report_for_user(request, object_id)
            return staff_views.perform_transition(request, report, request.POST["_transition"])
        if "_share" in request.POST:  # now report_share/ and report_unshare/
            report = report_for_user(request, object_id)
            return staff_views.set_shared(request, report, request.POST["_share"] == "on")
        return staff_editor.report_save(request, object_id)


class ReadOnlyAdmin(ScopedModelAdmin):
    """Records nobody edits: viewable (within the department rule), never added or changed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdmin):
    list_display = ["report", "number", "published_at", "published_by", "note", "pdf_sha256"]
    list_filter = ["report__session", "report__department"]
    list_select_related = ["report__session", "report__department", "published_by"]
    search_fields = ["report__department__name", "=report__session__number", "note"]
    fields = [
        "report",
        "number",
        "published_at",
        "published_by",
        "note",
        "content_sha256",
        "pdf_sha256",
        "hwpx_sha256",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "ip_address", "action", "target", "path"]
    list_filter = ["action", "at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "target", "ip_address"]
    date_hierarchy = "at"
