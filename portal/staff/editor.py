"""The department report editor: the page (GET) and its save (POST), each at its own URL.

The page stays at the admin's change URL (`admin:reports_departmentreport_change`), so old
links and bookmarks open it; its form posts to `report_save`. The workflow buttons and the
council-member share post to their own URLs (portal/staff/views.py). The whole screen is one
`portal.forms.ReportEditor`: validated together, saved all at once or not at all, refused
when someone else saved meanwhile (core.conflicts).
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext, gettext_lazy

from org import access
from portal.forms import SUMMARY_MESSAGE, ReportEditor
from portal.staff.lookups import report_for_user
from portal.staff.views import editor_url
from publishing import workflow
from reports.access_log import log_access
from reports.models import AccessLog, DepartmentReport

EDITOR_TEMPLATE = "admin/reports/departmentreport/report_editor.html"

NOT_SAVED = gettext_lazy(
    "저장하지 않았습니다. %(reason)s 입력한 내용은 화면에 남아 있으니 필요하면 복사해 두세요."
)
SAVED_MEANWHILE = gettext_lazy(
    "저장하는 사이에 다른 사람이 같은 보고서를 고쳤습니다. 화면을 새로 고친 뒤 다시 입력하세요."
)


def may_edit(user, report: DepartmentReport) -> bool:
    """Role (change permission) and department rule (in reach, not frozen) together."""
    return user.has_perm("reports.change_departmentreport") and access.may_change(user, report)


def report_editor(request, pk):
    """GET: the editor, filled from the database; opening an unpublished report is logged."""
    report = report_for_user(request, pk)
    if not report.is_published:
        log_access(request, report, AccessLog.Action.EDIT)
    can_edit = may_edit(request.user, report)
    return render_editor(request, report, ReportEditor(report), can_edit=can_edit)


def report_save(request, pk):
    """POST: save the whole screen at once; errors are shown on the screen, nothing saved."""
    report = report_for_user(request, pk)
    if request.method != "POST":
        return HttpResponseRedirect(editor_url(report))
    editor = ReportEditor(report, data=request.POST)
    if not may_edit(request.user, report):
        # E.g. submitted in another tab meanwhile: say why, keep what was typed on screen.
        reason = access.frozen_reason(report) or gettext("고칠 권한이 없습니다.")
        messages.error(request, str(NOT_SAVED) % {"reason": reason})
        return render_editor(request, report, editor, can_edit=False)
    if editor.is_valid():
        try:
            changed = editor.save()
        except (IntegrityError, ValidationError):
            messages.error(request, str(SAVED_MEANWHILE))
        else:
            return saved(request, report, changed)
    return render_editor(request, report, editor, can_edit=True)


def saved(request, report: DepartmentReport, changed: list[str]):
    """Say what was saved (and record it in the admin's history), back to the editor."""
    if changed:
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=[report],
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": changed}}],
            single_object=True,
        )
        messages.success(
            request, gettext("저장했습니다: %(parts)s") % {"parts": ", ".join(changed)}
        )
    else:
        messages.info(request, gettext("바뀐 내용이 없어 저장할 것이 없었습니다."))
    return HttpResponseRedirect(editor_url(report))


def render_editor(request, report, editor: ReportEditor, *, can_edit: bool):
    request.current_app = admin.site.name
    user = request.user
    context = {
        **admin.site.each_context(request),
        "title": gettext("%(department)s 주요업무 보고") % {"department": report.department.name},
        "subtitle": str(report.session),
        "opts": DepartmentReport._meta,
        "original": report,
        "report": report,
        "editor": editor,
        "can_edit": can_edit,
        "summary_message": SUMMARY_MESSAGE,
        "is_nav_sidebar_enabled": False,
        "has_delete_permission": user.has_perm("reports.delete_departmentreport")
        and access.may_change(user, report),
        "transitions": workflow.available(user, report),
        "may_share": workflow.may_share(user, report),
        "frozen_reason": access.frozen_reason(report),
        "versions": report.versions.select_related("published_by", "report__session").defer(
            "document"
        ),
        "events": report.events.exclude(action="remind").select_related("actor")[:20],
    }
    return TemplateResponse(request, EDITOR_TEMPLATE, context)
