"""Who may see and change what: the one department rule every path uses.

Admin pages, the report editor, public previews, PDF downloads, imports and the API all ask
here. The rule:

- An account with the `org.all_departments` permission (clerks, administrators, superusers)
  reaches every department's data; everyone else with a staff profile reaches their own
  department's data only; anyone else reaches none.
- A department report's own content (the report, its sections, cards and blocks) changes only
  while the report is being written (작성 중 or 보완 요청); after submission it is read-only for
  everyone, and once published it is frozen (also in the database, see reports/migrations);
  that rule is the reports app's (reports/freeze.py), added here as a freeze rule.
- Beyond the department, Django's model permissions (given by the role groups, org/roles.py)
  decide which kinds of objects an account may view, add, change or delete.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.db.models import QuerySet

ALL_DEPARTMENTS = "org.all_departments"

# The path from each model to its department. Each app registers its own models in its
# AppConfig.ready() (`register_department_path`), so this module knows no app above org.
DEPARTMENT_PATHS: dict[str, str] = {}

# Rules saying why an object cannot change now, whoever asks (None: it can). Apps above org
# add theirs (reports/freeze.py: a report's status freezes its content and the department's
# data while it is reviewed); `frozen_reason` asks them in order.
FreezeRule = Callable[[models.Model], "str | None"]
DepartmentFreezeRule = Callable[[int], "str | None"]
_FREEZE_RULES: list[FreezeRule] = []
_DEPARTMENT_FREEZE_RULES: list[DepartmentFreezeRule] = []


def register_department_path(label: str, path: str) -> None:
    """Say how rows of model `label` ("app.model") reach their department ("pk" for itself)."""
    DEPARTMENT_PATHS[label] = path


def add_freeze_rule(rule: FreezeRule) -> None:
    if rule not in _FREEZE_RULES:
        _FREEZE_RULES.append(rule)


def add_department_freeze_rule(rule: DepartmentFreezeRule) -> None:
    if rule not in _DEPARTMENT_FREEZE_RULES:
        _DEPARTMENT_FREEZE_RULES.append(rule)


def _label(model) -> str:
    return model._meta.label_lower


def is_scoped(model) -> bool:
    """Whether the model's rows belong to a department (and so are subject to the rule)."""
    return _label(model) in DEPARTMENT_PATHS


def sees_all_departments(user) -> bool:
    return bool(user.is_active and user.has_perm(ALL_DEPARTMENTS))


def department_id_of(user) -> int | None:
    """The account's own department, or None (no profile, or a profile without one)."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_department_id_cache", False)
    if cached is not False:
        return cached
    from org.models import StaffProfile

    department_id = (
        StaffProfile.objects.filter(user=user).values_list("department_id", flat=True).first()
    )
    user._department_id_cache = department_id
    return department_id


def _department_lookup(model) -> str:
    path = DEPARTMENT_PATHS[_label(model)]
    return "pk" if path == "pk" else f"{path}_id"


def scope(user, queryset: QuerySet) -> QuerySet:
    """The rows of `queryset` that belong to a department the account may reach."""
    if not is_scoped(queryset.model) or sees_all_departments(user):
        return queryset
    department_id = department_id_of(user)
    if department_id is None or not user.is_active:
        return queryset.none()
    return queryset.filter(**{_department_lookup(queryset.model): department_id})


def department_of(obj: models.Model) -> int | None:
    """The id of the department an object belongs to (None for a new object without one)."""
    path = DEPARTMENT_PATHS[_label(type(obj))]
    if path == "pk":
        return obj.pk
    target = obj
    parts = path.split("__")
    for part in parts[:-1]:
        target = getattr(target, part, None)
        if target is None:
            return None
    return getattr(target, f"{parts[-1]}_id", None)


def in_reach(user, obj: models.Model) -> bool:
    """Whether the object belongs to a department the account may reach."""
    if not is_scoped(type(obj)) or sees_all_departments(user):
        return True
    own = department_id_of(user)
    return own is not None and user.is_active and department_of(obj) == own


def frozen_reason(obj: models.Model) -> str | None:
    """Why the object cannot change now whoever asks, or None when it can."""
    for rule in _FREEZE_RULES:
        reason = rule(obj)
        if reason:
            return reason
    return None


def department_frozen_reason(department_id: int) -> str | None:
    """Why the department's own data (teams, staffing, budget) cannot change now, or None."""
    for rule in _DEPARTMENT_FREEZE_RULES:
        reason = rule(department_id)
        if reason:
            return reason
    return None


def may_view(user, obj: models.Model) -> bool:
    return in_reach(user, obj)


def may_change(user, obj: models.Model) -> bool:
    return in_reach(user, obj) and frozen_reason(obj) is None
