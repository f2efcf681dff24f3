"""Admin for budget lines and their execution history."""

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from budget.forms import BudgetLineAdminForm, ExecutionAdminForm
from budget.models import BudgetLine, Execution, execution_rate
from budget.resources import BudgetLineResource
from core import formats
from org.admin_scope import ScopedAdmin, ScopedInlinePermissions
from org.imports import DepartmentImportExportMixin


class ExecutionInline(ScopedInlinePermissions, admin.TabularInline):
    """Every execution of the line, newest first: the quarterly history."""

    model = Execution
    form = ExecutionAdminForm
    fields = ["as_of", "national", "city", "district", "other", "executed_display", "expected"]
    readonly_fields = ["executed_display"]
    extra = 0
    ordering = ["-as_of"]

    @admin.display(description=_("집행액 계"))
    def executed_display(self, execution: Execution) -> str:
        return f"{execution.executed:,}" if execution.pk else "-"


@admin.register(BudgetLine)
class BudgetLineAdmin(DepartmentImportExportMixin, ScopedAdmin):
    form = BudgetLineAdminForm
    resource_classes = [BudgetLineResource]
    import_also_needs = ["budget.add_execution", "budget.change_execution"]
    list_display = [
        "name",
        "fiscal_year",
        "department",
        "parent",
        "amount_display",
        "latest_execution",
    ]
    list_filter = ["fiscal_year", "department__bureau", "department"]
    list_select_related = ["department", "parent"]
    search_fields = ["name", "department__name"]
    ordering = ["-fiscal_year", "department__order", "department__name", "order", "pk"]
    autocomplete_fields = ["department", "parent"]
    inlines = [ExecutionInline]
    fieldsets = [
        (None, {"fields": ["department", "fiscal_year", "parent", "name", "order"]}),
        (_("예산액 (천원, 재원별)"), {"fields": ["national", "city", "district", "other"]}),
    ]

    class Media:
        css = {"all": ["admin_portal/css/admin_pages.css"]}

    def get_queryset(self, request):
        latest_first = Execution.objects.order_by("-as_of")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("executions", queryset=latest_first))
        )

    @admin.display(description=_("예산액"))
    def amount_display(self, line: BudgetLine) -> str:
        return f"{line.amount:,}"

    @admin.display(description=_("최근 집행액"))
    def latest_execution(self, line: BudgetLine) -> str:
        execution = next(iter(line.executions.all()), None)
        if execution is None:
            return "-"
        rate = execution_rate(execution.executed, line.amount)
        rate_text = "-" if rate is None else f"{rate}%"
        return f"{formats.amount(execution.executed)} ({formats.short_date(execution.as_of)} 기준, {rate_text})"
