from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _setup_roles(sender, **kwargs) -> None:
    # Permissions are created app by app after migrate; the groups are set up once the last
    # app of the project has its permissions.
    from django.apps import apps

    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    from org.roles import setup_roles

    setup_roles(kwargs.get("apps"))


class OrgConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "org"
    verbose_name = _("조직·인력")

    def ready(self) -> None:
        post_migrate.connect(_setup_roles, dispatch_uid="org.setup_roles")
