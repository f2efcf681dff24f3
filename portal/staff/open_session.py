"""The clerk's 회기 열기 screen: a new session and its departments' reports, carried forward."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from portal.staff.forms import OpenSessionForm
from portal.staff.pages import AdminPageMixin
from projects import carry
from reports.models import Session


class OpenSessionView(PermissionRequiredMixin, AdminPageMixin, FormView):
    """GET: the form, every department ticked; POST: the session and its reports, or the
    form again with what is wrong (nothing is created)."""

    permission_required = ("reports.add_session", "org.all_departments")
    raise_exception = True
    form_class = OpenSessionForm
    template_name = "admin/reports/session/open_session.html"
    success_url = reverse_lazy("admin:reports_session_changelist")
    title = gettext_lazy("회기 열기")
    nav_sidebar = True

    def form_valid(self, form):
        try:
            session = form.save(user=self.request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "%(session)s 회기를 열고 부서 보고서 %(reports)s건을 만들었습니다"
                "(지난 보고서에서 이어받음 %(carried)s건)."
            )
            % {
                "session": session.title,
                "reports": session.reports.count(),
                "carried": carry.carried_count(session),
            },
        )
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["opts"] = Session._meta
        context["department_count"] = len(context["form"]._departments)
        return context
