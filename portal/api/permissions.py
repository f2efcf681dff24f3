"""Who may use the staff API: staff accounts, by their role's model permissions and the
department rule (org/access.py), the same two checks the admin pages make — asked here of
the rules themselves, not of a ModelAdmin."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, permissions

from org import access

ROLE_REFUSED = _lazy("이 계정의 역할로는 할 수 없는 일입니다.")


def role_allows(user, model, verb: str) -> bool:
    """The role's model permission (org/roles.py), e.g. verb "change" → app.change_model."""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{verb}_{opts.model_name}")


def may_read(user, model, obj=None) -> bool:
    """View, or change (who may change a row may read it), within the department rule."""
    role = role_allows(user, model, "view") or role_allows(user, model, "change")
    viewing = role and (obj is None or access.may_view(user, obj))
    return viewing or may_write(user, model, "change", obj)


def may_write(user, model, verb: str, obj=None) -> bool:
    """Add, change or delete: the role's permission, and for a row, the department rule and
    the freeze rules (a submitted or published report's content, data under review)."""
    return role_allows(user, model, verb) and (obj is None or access.may_change(user, obj))


def _verb(request, view) -> str:
    if request.method in permissions.SAFE_METHODS:
        return "view"
    if getattr(view, "action", None) == "create":
        return "add"
    return "delete" if request.method == "DELETE" else "change"


class StaffPermission(permissions.BasePermission):
    """Staff accounts only (council members read the public API), then the role and the
    department rule for the request and the object."""

    message = _lazy("직원 계정만 쓸 수 있습니다.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            if not user.is_authenticated:
                raise exceptions.NotAuthenticated(_("로그인하거나 토큰을 보내야 합니다."))
            return False
        verb = _verb(request, view)
        model = view.model
        allowed = may_read(user, model) if verb == "view" else may_write(user, model, verb)
        if not allowed:
            self.message = ROLE_REFUSED
        return allowed

    def has_object_permission(self, request, view, obj) -> bool:
        user, model, verb = request.user, view.model, _verb(request, view)
        if verb == "view":
            return may_read(user, model, obj)
        allowed = may_write(user, model, verb, obj)
        if not allowed:
            self.message = access.frozen_reason(obj) or ROLE_REFUSED
        return allowed


class ReaderPermission(StaffPermission):
    """A staff account that can read the object; what it may then do is the caller's rule
    (e.g. publishing.workflow for status changes)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff:
            return may_read(user, view.model)
        return super().has_permission(request, view)

    def has_object_permission(self, request, view, obj) -> bool:
        return may_read(request.user, view.model, obj)
