"""Account levels: who may manage which accounts (the user admin, its password form, tokens).

Every account has a level: a superuser is above everyone, then the roles of org/roles.py from
관리자 down; an account's level is that of its highest role (an account without a role is at
the bottom). The rules:

- An account manages (changes, sets the password of, deletes, gives roles to, issues API tokens
  for) only accounts strictly below its own level; only a superuser touches a superuser, and
  one administrator does not manage another.
- It gives only roles strictly below its own level (an administrator makes clerks, not
  administrators).
- No one edits their own roles, permissions or is_superuser/is_staff/is_active flags.
- The roles' permissions are code (org/roles.py, `setup_roles`): only a superuser edits groups.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from org.roles import Role

SUPERUSER_LEVEL = 100
ROLE_LEVELS: dict[Role, int] = {
    Role.ADMINISTRATOR: 50,
    Role.CLERK: 40,
    Role.HEAD: 30,
    Role.OFFICER: 20,
    Role.MEMBER: 10,
}
# The fields of the user form an account never changes on itself.
OWN_LOCKED_FIELDS = ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]


def group_level(name: str) -> int:
    try:
        return ROLE_LEVELS[Role(name)]
    except ValueError:  # a group made by hand: only superusers may hand it out
        return SUPERUSER_LEVEL


def level_of(user) -> int:
    """How high the account stands (superuser above every role)."""
    if not user.is_authenticated or not user.is_active:
        return 0
    if user.is_superuser:
        return SUPERUSER_LEVEL
    names = user.groups.values_list("name", flat=True)
    return max((group_level(name) for name in names), default=0)


def refusal(actor, target) -> str | None:
    """Why `actor` may not manage the account `target`, or None when it may."""
    if target.pk is not None and target.pk == actor.pk:
        return None  # its own account: allowed, except the OWN_LOCKED_FIELDS
    if target.is_superuser and not actor.is_superuser:
        return _("최고 관리자(superuser) 계정 ‘%(name)s’은(는) 최고 관리자만 고칠 수 있습니다.") % {
            "name": target.get_username()
        }
    if actor.is_superuser:
        return None
    if level_of(target) >= level_of(actor):
        return _(
            "‘%(name)s’은(는) 이 계정과 같거나 높은 단계의 계정이라 고치거나 지울 수 없습니다. "
            "자기보다 낮은 단계의 계정만 관리할 수 있습니다."
        ) % {"name": target.get_username()}
    return None


def may_manage(actor, target) -> bool:
    return refusal(actor, target) is None


def grantable_groups(actor) -> QuerySet:
    """The groups (roles) the account may give to others: those below its own level."""
    groups = Group.objects.all()
    if actor.is_superuser:
        return groups
    own = level_of(actor)
    allowed = [role.value for role, level in ROLE_LEVELS.items() if level < own]
    return groups.filter(name__in=allowed)


def manageable_users(actor, queryset: QuerySet) -> QuerySet:
    """The accounts of `queryset` the account may manage (itself included)."""
    if actor.is_superuser:
        return queryset
    model = queryset.model
    blocked = model._default_manager.filter(
        Q(is_superuser=True) | Q(groups__in=Group.objects.exclude(pk__in=grantable_groups(actor)))
    ).values("pk")
    return queryset.filter(Q(pk=actor.pk) | ~Q(pk__in=blocked))


def group_refusal(actor) -> str | None:
    if actor.is_superuser:
        return None
    return _(
        "역할(그룹)의 권한은 포털의 코드(org/roles.py)가 정합니다. 최고 관리자만 고칠 수 있습니다."
    )
