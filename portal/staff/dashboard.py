"""The clerk's session dashboard (회기 현황판) as staff views: the page, one URL per action.

The rows and their last changes are read by portal/dashboard.py; here are the page (a
DetailView of the session), a workflow action on one report (`…/reports/<id>/<action>/`)
and publishing every approved report of the session. Every view needs
`reports.view_dashboard` (clerks); the workflow itself (publishing.workflow) decides whether
this account may take the action.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import DetailView, View

from portal.dashboard import ago as ago_text
from portal.dashboard import countdown, dashboard_rows, status_counts, urgency
from portal.staff.pages import AdminPageMixin
from publishing import workflow
from reports.models import DepartmentReport, Session

PERMISSION = "reports.view_dashboard"
TEMPLATE = "admin/reports/session/dashboard.html"

Status = DepartmentReport.Status


class DashboardPermission(PermissionRequiredMixin):
    """Clerks only; anyone else (logged in: the admin asked for the login) gets a 403."""

    permission_required = PERMISSION
    permission_denied_message = gettext_lazy("회기 현황판을 볼 권한이 없습니다.")
    raise_exception = True


def dashboard_url(session_number: int, report: DepartmentReport | None = None) -> str:
    url = reverse("session_dashboard", args=[session_number])
    return f"{url}#report-{report.pk}" if report else url


class SessionDashboardView(DashboardPermission, AdminPageMixin, DetailView):
    """Every department's report of the session: status, last change, workflow buttons."""

    model = Session
    slug_field = slug_url_kwarg = "number"
    context_object_name = "session"
    template_name = TEMPLATE

    def get_title(self) -> str:
        return _("%(session)s 제출 현황") % {"session": self.object.title}

    def get_context_data(self, **kwargs):
        session = self.object
        rows = dashboard_rows(session, self.request.user)
        now = timezone.now()
        today = timezone.localdate(now)
        for row in rows:
            if row.change:
                row.change.ago = ago_text(row.change.at, now)
        days_left = (session.deadline - today).days if session.deadline else None
        approved = sum(row.report.status == Status.APPROVED for row in rows)
        may_publish = self.request.user.has_perm("reports.publish_report")
        return super().get_context_data(
            rows=rows,
            counts=status_counts(rows),
            total=len(rows),
            countdown=countdown(session.deadline, today),
            urgency=urgency(days_left),
            approved_count=approved,
            can_publish=approved > 0 and may_publish,
            other_sessions=Session.objects.exclude(pk=session.pk).values("number", "name")[:8],
            latest_build=session.booklet_builds.first(),
            opts=Session._meta,
            report_opts=DepartmentReport._meta,
            **kwargs,
        )


class DashboardActionView(DashboardPermission, View):
    """POST …/dashboard/reports/<id>/<action>/: submit, approve, return, … one report."""

    http_method_names = ["post"]

    def post(self, request, number: int, report_id: int, action: str | None = None):
        report = get_object_or_404(
            DepartmentReport.objects.select_related("session", "department"),
            pk=report_id,
            session__number=number,
        )
        if action is None:  # the old form: one URL, the action in the POST
            action = request.POST.get("action", "")
        try:
            workflow.perform(report, action, request.user, comment=request.POST.get("comment", ""))
        except workflow.WorkflowError as error:
            messages.error(request, f"{report.department.name}: {error}")
        else:
            messages.success(
                request,
                _("%(department)s 보고서가 ‘%(status)s’ 상태가 되었습니다.")
                % {"department": report.department.name, "status": report.get_status_display()},
            )
        return HttpResponseRedirect(dashboard_url(number, report))


class DashboardPublishView(DashboardPermission, View):
    """POST …/dashboard/publish/: publish every approved report of the session."""

    http_method_names = ["post"]

    def post(self, request, number: int):
        session = get_object_or_404(Session, number=number)
        try:
            versions = workflow.publish_session(session, request.user)
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
        else:
            if versions:
                count = len(versions)
                messages.success(
                    request,
                    ngettext(
                        "승인된 보고서 %(count)d건을 공개했습니다.",
                        "승인된 보고서 %(count)d건을 공개했습니다.",
                        count,
                    )
                    % {"count": count},
                )
            else:
                messages.info(request, _("공개할 승인된 보고서가 없습니다."))
        return HttpResponseRedirect(dashboard_url(number))
