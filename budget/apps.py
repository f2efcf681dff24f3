from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "budget"
    verbose_name = _("예산")

    def ready(self) -> None:
        from org import access

        access.register_department_path("budget.budgetline", "department")
        access.register_department_path("budget.execution", "line__department")
