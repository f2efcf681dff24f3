"""Security headers that Django's SecurityMiddleware does not send (README "운영 서버").

- Content-Security-Policy (django-csp, CONTENT_SECURITY_POLICY in settings): scripts and
  styles only from the portal's own static files, never inline. The one relaxation is
  `style-src-attr 'unsafe-inline'` under /api/, for the `style=""` attributes in Django REST
  framework's own browsable-API template (attributes only: no <style> element, no script).
- Permissions-Policy (PERMISSIONS_POLICY in settings): the browser features the portal never
  uses are switched off for it and for anything it could embed.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.utils.deprecation import MiddlewareMixin


class PortalCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(tuple(settings.CSP_STYLE_ATTR_PREFIXES)):
            parts.update = {**(parts.update or {}), "style-src-attr": ["'unsafe-inline'"]}
        return parts


def permissions_policy(features: dict[str, list[str]]) -> str:
    """{"camera": [], "fullscreen": ["self"]} → 'camera=(), fullscreen=(self)'."""
    return ", ".join(f"{name}=({' '.join(origins)})" for name, origins in features.items())


class PermissionsPolicyMiddleware(MiddlewareMixin):
    def __init__(self, get_response):
        super().__init__(get_response)
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def process_response(self, request, response):
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
