"""The five roles, as Django groups with their model permissions.

`setup_roles()` creates or updates the groups; a post_migrate hook (org/apps.py) runs it after
every migrate, and `manage.py setup_roles` does the same by hand. Which department an officer or head works for
is their StaffProfile; what they may reach there is org/access.py.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    OFFICER = "부서 담당자"
    HEAD = "부서장"
    CLERK = "기획·의회사무국 담당"
    MEMBER = "구의원"
    ADMINISTRATOR = "관리자"


ROLE_DESCRIPTIONS = {
    Role.OFFICER: _("자기 부서의 보고서·사업 카드·예산·인력을 작성하고 제출합니다."),
    Role.HEAD: _("자기 부서의 제출을 승인하거나 보완을 요청합니다."),
    Role.CLERK: _("회기를 열고, 모든 부서의 보고서를 승인·보완 요청·공개합니다."),
    Role.MEMBER: _("공개된 보고서와 공유받은 공개 전 보고서를 읽습니다."),
    Role.ADMINISTRATOR: _("계정과 조직을 관리합니다."),
}

# Data a department writes itself: full rights within its own department.
_DEPARTMENT_DATA = {
    "org": ["team", "staffingsnapshot", "staffingcell"],
    "budget": ["budgetline", "execution"],
    "projects": ["card", "block"],
    "reports": ["reportsection"],
}
_READ_ONLY = {
    "org": ["bureau", "department"],
    "reports": ["session", "reportevent", "reportversion"],
}


def _crud(models: dict[str, list[str]], actions=("view", "add", "change", "delete")) -> set:
    return {
        (app, f"{action}_{model}")
        for app, names in models.items()
        for model in names
        for action in actions
    }


def _officer() -> set:
    return (
        _crud(_DEPARTMENT_DATA)
        | _crud(_READ_ONLY, ("view",))
        | {
            ("reports", "view_departmentreport"),
            ("reports", "change_departmentreport"),
            ("reports", "submit_report"),
        }
    )


def _head() -> set:
    return _officer() | {("reports", "approve_report")}


def _clerk() -> set:
    # The clerk returns, approves and publishes; submitting is the department's own act.
    return (_head() - {("reports", "submit_report")}) | {
        ("org", "all_departments"),
        ("reports", "add_session"),
        ("reports", "change_session"),
        ("reports", "add_departmentreport"),
        ("reports", "publish_report"),
        ("reports", "view_dashboard"),
        ("reports", "view_accesslog"),
    }


def _administrator() -> set:
    # Accounts and organisation, and reading every department; approving and publishing stay
    # with the clerk (only clerks publish).
    workflow = {("reports", p) for p in ("approve_report", "publish_report", "submit_report")}
    # Accounts below their own level only (org/accounts.py); the roles themselves are this
    # module's code, so groups are read-only for them.
    return (
        (_clerk() - workflow)
        | _crud(
            {
                "org": ["bureau", "department", "staffprofile", "apitoken"],
                "auth": ["user"],
                "axes": ["accessattempt", "accesslog"],
            }
        )
        | {("auth", "view_group")}
    )


ROLE_PERMISSIONS = {
    Role.OFFICER: _officer,
    Role.HEAD: _head,
    Role.CLERK: _clerk,
    Role.MEMBER: set,
    Role.ADMINISTRATOR: _administrator,
}

# Roles that work in the admin (is_staff); council members read the public site only.
STAFF_ROLES = {Role.OFFICER, Role.HEAD, Role.CLERK, Role.ADMINISTRATOR}


def setup_roles(apps=None) -> None:
    """Create the groups and set exactly their permissions (idempotent)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, permissions_of in ROLE_PERMISSIONS.items():
        wanted = permissions_of()
        group, _created = Group.objects.get_or_create(name=role.value)
        found = Permission.objects.filter(content_type__app_label__in={app for app, _c in wanted})
        group.permissions.set(
            [
                p
                for p in found.select_related("content_type")
                if (p.content_type.app_label, p.codename) in wanted
            ]
        )


def has_role(user, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    names = getattr(user, "_role_names_cache", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names_cache = names
    return role.value in names


def make_staff(user, role: Role, department=None) -> None:
    """Give an account a role (and a department for officers and heads)."""
    from django.contrib.auth.models import Group

    from org.models import StaffProfile

    user.groups.add(Group.objects.get(name=role.value))
    user.is_staff = role in STAFF_ROLES
    user.save(update_fields=["is_staff"])
    StaffProfile.objects.update_or_create(user=user, defaults={"department": department})
    for cache in (
        "_department_id_cache",
        "_role_names_cache",
        "_perm_cache",
        "_group_perm_cache",
        "_user_perm_cache",
    ):
        user.__dict__.pop(cache, None)
