from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = _("사업 카드")

    def ready(self) -> None:
        from org import access
        from reports import freeze

        access.register_department_path("projects.card", "section__report__department")
        access.register_department_path("projects.block", "card__section__report__department")
        freeze.register_report_path("projects.card", "section__report")
        freeze.register_report_path("projects.block", "card__section__report")
