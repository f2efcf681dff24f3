"""One lookup per object kind that applies the own-department rule.

Modelled on healthchecks' `_get_check_for_user`: a report of a department the account cannot
reach is a 404 (not a 403), so its existence is not revealed; an account that may read but not
change it gets a 403 where the action needs a change.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from org import access
from reports.models import DepartmentReport, Session


def report_for_user(request, pk, *, for_change: bool = False) -> DepartmentReport:
    """The report `pk` if the account may reach its department; Http404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    queryset = access.scope(
        request.user, DepartmentReport.objects.select_related("session", "department__bureau")
    )
    report = get_object_or_404(queryset, pk=pk)
    user = request.user
    if not (
        user.has_perm("reports.view_departmentreport")
        or user.has_perm("reports.change_departmentreport")
    ):
        raise PermissionDenied
    if for_change and not access.may_change(request.user, report):
        raise PermissionDenied
    return report


def session_for_user(request, number) -> Session:
    """A session by its number (sessions are shared by every department)."""
    return get_object_or_404(Session, number=number)
