"""What every staff page needs to look like the admin around it."""

from django.contrib import admin


class AdminPageMixin:
    """A generic view drawn inside the admin: its header, user links and Korean titles.

    `title` is the page's heading; the admin's sidebar is off unless `nav_sidebar` (most of
    these pages are wide tables).
    """

    title = ""
    nav_sidebar = False

    def get_title(self) -> str:
        return str(self.title)

    def get_context_data(self, **kwargs):
        self.request.current_app = admin.site.name
        context = super().get_context_data(**kwargs)
        return {
            **admin.site.each_context(self.request),
            "title": self.get_title(),
            **({} if self.nav_sidebar else {"is_nav_sidebar_enabled": False}),
            **context,
        }
