"""Admin for sessions, sections and department reports.

A department report's change page is the report editor: one screen where the officer enters
facilities, staffing, budget lines, sections and the list of cards, saved in one submit
(`portal.forms.ReportEditor`).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from org import access
from org.admin_scope import ScopedAdmin, ScopedModelAdmin
from portal.forms import SUMMARY_MESSAGE, ReportEditor
from publishing import workflow
from reports.access_log import log_access
from reports.models import (
    EDITABLE_STATUSES,
    AccessLog,
    DepartmentReport,
    ReportSection,
    ReportVersion,
    Session,
)

EDITOR_TEMPLATE = "admin/reports/departmentreport/report_editor.html"


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
        """Once a report of the session has been submitted, what reports print about the
        session (number, name, dates, year, 기준일) holds still; only the deadline may move."""
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.reports.exclude(status__in=EDITABLE_STATUSES).exists():
            readonly += ["number", "name", "kind", "start_date", "end_date", "year", "figure_date"]
        return readonly

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

    # The report editor ---------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self._get_report(request, object_id)
        if request.method == "POST" and "_transition" in request.POST:
            return self._transition(request, report)
        if request.method == "POST" and "_share" in request.POST:
            return self._share(request, report)
        can_edit = self.has_change_permission(request, report)
        if request.method == "POST" and not can_edit:
            if not self.has_view_permission(request, report) or not access.in_reach(
                request.user, report
            ):
                raise PermissionDenied
            # E.g. submitted in another tab meanwhile: say why, keep what was typed on screen.
            messages.error(
                request,
                gettext(
                    "저장하지 않았습니다. %(reason)s 입력한 내용은 화면에 남아 있으니 필요하면 복사해 두세요."
                )
                % {"reason": access.frozen_reason(report) or gettext("고칠 권한이 없습니다.")},
            )
            editor = ReportEditor(report, data=request.POST)
            return self._render_editor(
                request, report, editor, {"can_edit": False, **(extra_context or {})}
            )
        if request.method == "GET" and not report.is_published:
            log_access(request, report, AccessLog.Action.EDIT)
        editor = ReportEditor(report, data=request.POST if request.method == "POST" else None)
        if request.method == "POST" and editor.is_valid():
            try:
                changed = editor.save()
            except (IntegrityError, ValidationError):
                messages.error(
                    request,
                    gettext(
                        "저장하는 사이에 다른 사람이 같은 보고서를 고쳤습니다. 화면을 새로 고친 뒤 다시 입력하세요."
                    ),
                )
            else:
                return self._saved(request, report, changed)
        context = {"can_edit": can_edit, **(extra_context or {})}
        return self._render_editor(request, report, editor, context)

    def _get_report(self, request, object_id) -> DepartmentReport:
        """The report if this account may at least read it; another department's is a 404."""
        try:
            pk = int(object_id)
        except (TypeError, ValueError) as error:
            raise Http404 from error
        report = get_object_or_404(
            self.get_queryset(request).select_related("session", "department__bureau"), pk=pk
        )
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        return report

    def _share(self, request, report: DepartmentReport):
        """The clerk lets council members read (or stop reading) a report before it is public."""
        if not request.user.has_perm("reports.publish_report") or report.is_published:
            raise PermissionDenied
        shared = request.POST["_share"] == "on"
        report.shared_with_members = shared
        report.save(update_fields=["shared_with_members", "updated_at"])
        messages.success(
            request,
            gettext("구의원이 공개 전에 이 보고서를 읽을 수 있습니다.")
            if shared
            else gettext("구의원 열람 공유를 거두었습니다."),
        )
        return HttpResponseRedirect(request.path)

    def _transition(self, request, report: DepartmentReport):
        try:
            workflow.perform(
                report,
                request.POST["_transition"],
                request.user,
                comment=request.POST.get("comment", ""),
            )
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                gettext("%(department)s 보고서가 ‘%(status)s’ 상태가 되었습니다.")
                % {"department": report.department.name, "status": report.get_status_display()},
            )
        return HttpResponseRedirect(request.path)

    def _saved(self, request, report: DepartmentReport, changed: list[str]):
        if changed:
            self.log_change(request, report, [{"changed": {"fields": changed}}])
            messages.success(
                request, gettext("저장했습니다: %(parts)s") % {"parts": ", ".join(changed)}
            )
        else:
            messages.info(request, gettext("바뀐 내용이 없어 저장할 것이 없었습니다."))
        return HttpResponseRedirect(request.path)

    def _render_editor(self, request, report, editor: ReportEditor, extra_context=None):
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("%(department)s 주요업무 보고")
            % {"department": report.department.name},
            "subtitle": str(report.session),
            "opts": self.model._meta,
            "original": report,
            "report": report,
            "editor": editor,
            "summary_message": SUMMARY_MESSAGE,
            "is_nav_sidebar_enabled": False,
            "has_delete_permission": self.has_delete_permission(request, report),
            "transitions": workflow.available(request.user, report),
            "may_share": request.user.has_perm("reports.publish_report")
            and not report.is_published,
            "frozen_reason": access.frozen_reason(report),
            "versions": report.versions.select_related("published_by", "report__session").defer(
                "document"
            ),
            "events": report.events.exclude(action="remind").select_related("actor")[:20],
            **(extra_context or {}),
        }
        return TemplateResponse(request, EDITOR_TEMPLATE, context)


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
