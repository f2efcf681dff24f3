from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _setup_roles(sender, **kwargs) -> None:
    # Permissions are created app by app after migrate; the groups are set up once the last
    # app of the project has its permissions.
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender.label != with_models[-1].label:
        return
    from org.roles import setup_roles

    setup_roles(kwargs.get("apps"))


DEPARTMENT_PATHS = {
    "org.department": "pk",
    "org.team": "department",
    "org.staffingsnapshot": "department",
    "org.staffingcell": "snapshot__department",
    "org.staffprofile": "department",
}


class OrgConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "org"
    verbose_name = _("조직·인력")

    def ready(self) -> None:
        from org import access

        for label, path in DEPARTMENT_PATHS.items():
            access.register_department_path(label, path)
        post_migrate.connect(_setup_roles, dispatch_uid="org.setup_roles")
