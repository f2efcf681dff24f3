"""Staff actions on a department report, one URL each, and the officer's first page.

Every action is POST-only (CSRF-checked by the middleware), looks its report up through
`lookups.report_for_user` (another department's report is a 404) and answers like the admin:
a message and a redirect to the editor.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from org import access
from portal.staff.lookups import report_for_user
from portal.staff.pages import AdminPageMixin
from portal.staff.todo import todo_rows
from publishing import workflow

TODO_TEMPLATE = "admin/portal/staff_todo.html"


def editor_url(report) -> str:
    return reverse("admin:reports_departmentreport_change", args=[report.pk])


def perform_transition(request, report, action: str):
    """Move the report along the workflow; the outcome is said in the admin's messages."""
    try:
        workflow.perform(report, action, request.user, comment=request.POST.get("comment", ""))
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("%(department)s 보고서가 ‘%(status)s’ 상태가 되었습니다.")
            % {"department": report.department.name, "status": report.get_status_display()},
        )
    return HttpResponseRedirect(editor_url(report))


def set_shared(request, report, shared: bool):
    """The clerk lets council members read (or stop reading) a report before it is public."""
    try:
        workflow.share(report, request.user, shared=shared)
    except workflow.WorkflowError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(
        request,
        gettext("구의원이 공개 전에 이 보고서를 읽을 수 있습니다.")
        if shared
        else gettext("구의원 열람 공유를 거두었습니다."),
    )
    return HttpResponseRedirect(editor_url(report))


@require_POST
def report_action(request, pk: int, action: str):
    """submit / approve / return / publish / … : one URL per workflow action."""
    report = report_for_user(request, pk)
    if action not in workflow.TRANSITIONS:
        messages.error(request, gettext("알 수 없는 작업입니다."))
        return HttpResponseRedirect(editor_url(report))
    return perform_transition(request, report, action)


@require_POST
def report_share(request, pk: int):
    return set_shared(request, report_for_user(request, pk), True)


@require_POST
def report_unshare(request, pk: int):
    return set_shared(request, report_for_user(request, pk), False)


def is_department_officer(user) -> bool:
    """An officer or head: bound to one department, not a clerk who sees them all."""
    return not access.sees_all_departments(user) and access.department_id_of(user) is not None


class TodoView(AdminPageMixin, TemplateView):
    """The officer's to-do list: reports by session, D-day, what is missing, the editor."""

    template_name = TODO_TEMPLATE
    title = gettext_lazy("할 일")

    def get_context_data(self, **kwargs):
        return super().get_context_data(rows=todo_rows(self.request.user), **kwargs)


todo = TodoView.as_view()


def home(request, extra_context=None):
    """/admin/: an officer lands on the to-do list; clerks keep the admin index."""
    if is_department_officer(request.user):
        return todo(request)
    return admin.site.index(request, extra_context)
