from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("업무보고 포털")

    def ready(self) -> None:
        from portal import notifications
        from publishing import workflow

        if notifications.notify_returned not in workflow.after_transition:
            workflow.after_transition.append(notifications.notify_returned)
