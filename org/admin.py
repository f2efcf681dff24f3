"""Admin for bureaus, departments, teams and staffing snapshots."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from org import accounts
from org.admin_scope import ScopedAdmin, ScopedInlinePermissions, is_id
from org.forms import StaffingCellForm
from org.imports import DepartmentImportExportMixin
from org.models import (
    ApiToken,
    Bureau,
    Department,
    StaffingCell,
    StaffingSnapshot,
    StaffProfile,
    Team,
)
from org.resources import StaffingResource, TeamResource


@admin.register(Bureau)
class BureauAdmin(ScopedAdmin):
    list_display = ["name", "order", "department_count"]
    list_editable = ["order"]
    search_fields = ["name"]
    ordering = ["order", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(department_count=Count("departments"))

    @admin.display(description=_("부서 수"), ordering="department_count")
    def department_count(self, bureau: Bureau) -> int:
        return bureau.department_count


class TeamInline(ScopedInlinePermissions, admin.TabularInline):
    model = Team
    fields = ["order", "name", "duties", "established_on", "abolished_on"]
    extra = 0
    ordering = ["order", "name"]


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ["name", "bureau", "order", "team_count"]
    list_filter = ["bureau"]
    list_select_related = ["bureau"]
    search_fields = ["name", "bureau__name"]
    ordering = ["bureau__order", "order", "name"]
    inlines = [TeamInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(team_count=Count("teams"))

    @admin.display(description=_("팀 수"), ordering="team_count")
    def team_count(self, department: Department) -> int:
        return department.team_count


@admin.register(Team)
class TeamAdmin(DepartmentImportExportMixin, ScopedAdmin):
    resource_classes = [TeamResource]
    list_display = ["name", "department", "order", "established_on", "abolished_on"]
    list_filter = ["department__bureau", "department"]
    list_select_related = ["department"]
    search_fields = ["name", "department__name", "duties"]
    ordering = ["department__order", "department__name", "order", "name"]
    autocomplete_fields = ["department"]


class StaffingCellInline(ScopedInlinePermissions, admin.TabularInline):
    model = StaffingCell
    form = StaffingCellForm
    extra = 0
    ordering = ["series", "grade"]


@admin.register(StaffingSnapshot)
class StaffingSnapshotAdmin(DepartmentImportExportMixin, ScopedAdmin):
    resource_classes = [StaffingResource]
    import_also_needs = ["org.add_staffingcell", "org.change_staffingcell"]
    list_display = ["department", "as_of", "authorized_total", "current_total", "difference_total"]
    list_filter = ["department__bureau", "department"]
    list_select_related = ["department"]
    search_fields = ["department__name"]
    date_hierarchy = "as_of"
    ordering = ["department__order", "department__name", "-as_of"]
    autocomplete_fields = ["department"]
    inlines = [StaffingCellInline]

    class Media:
        css = {"all": ["admin_portal/css/admin_pages.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(authorized_sum=Sum("cells__authorized"), current_sum=Sum("cells__current"))
        )

    @admin.display(description=_("정원"), ordering="authorized_sum")
    def authorized_total(self, snapshot: StaffingSnapshot) -> int:
        return snapshot.authorized_sum or 0

    @admin.display(description=_("현원"), ordering="current_sum")
    def current_total(self, snapshot: StaffingSnapshot) -> int:
        return snapshot.current_sum or 0

    @admin.display(description=_("과부족"))
    def difference_total(self, snapshot: StaffingSnapshot) -> str:
        difference = (snapshot.current_sum or 0) - (snapshot.authorized_sum or 0)
        return f"△{-difference}" if difference < 0 else str(difference)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = _("소속 부서")
    fields = ["department"]


admin.site.unregister(User)
admin.site.unregister(Group)


def selected_of(request, queryset):
    """The objects a bulk action was posted for (ids already checked by CheckedBulkIds)."""
    selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
    if request.POST.get("select_across") not in (None, "", "0", "False"):
        return queryset
    return queryset.filter(pk__in=selected)


class CheckedBulkIds:
    """A bulk action posted with ids that are not numbers is refused, not a server error."""

    def changelist_view(self, request, extra_context=None):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if request.method == "POST" and not all(is_id(pk) for pk in selected):
            messages.error(
                request, gettext("선택한 항목의 번호가 올바르지 않아 아무것도 하지 않았습니다.")
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)


@admin.register(User)
class PortalUserAdmin(CheckedBulkIds, UserAdmin):
    """Accounts with their department; the role is the group (부서 담당자, 부서장, …)."""

    inlines = [StaffProfileInline]
    list_display = ["username", "full_name", "department", "roles", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "staff_profile__department"]
    list_select_related = ["staff_profile__department"]

    @admin.display(description=_("이름"), ordering="last_name")
    def full_name(self, user):
        return f"{user.last_name}{user.first_name}".strip() or "-"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser makes superusers or gives permissions outside the role groups; no
        one changes their own roles, permissions or flags (org/accounts.py)."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        if obj is not None and obj.pk == request.user.pk:
            readonly += [f for f in accounts.OWN_LOCKED_FIELDS if f not in readonly]
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = accounts.grantable_groups(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # Accounts at or above one's own level: seen, never changed --------------------------

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or accounts.may_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or accounts.may_manage(request.user, obj))

    def _refuse_unless_manageable(self, request, object_id) -> None:
        target = self.get_object(request, unquote(object_id)) if object_id else None
        if target is not None and (reason := accounts.refusal(request.user, target)):
            raise PermissionDenied(reason)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            self._refuse_unless_manageable(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def user_change_password(self, request, id, form_url=""):
        self._refuse_unless_manageable(request, id)
        return super().user_change_password(request, id, form_url)

    def delete_view(self, request, object_id, extra_context=None):
        self._refuse_unless_manageable(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def response_action(self, request, queryset):
        """A bulk action on accounts is refused whole if one of them is out of reach."""
        chosen = selected_of(request, queryset)
        reasons = [r for user in chosen if (r := accounts.refusal(request.user, user))]
        if reasons:
            raise PermissionDenied(" ".join(reasons[:3]))
        return super().response_action(request, queryset)

    @admin.display(description=_("소속 부서"), ordering="staff_profile__department__name")
    def department(self, user) -> str:
        profile = getattr(user, "staff_profile", None)
        return profile.department.name if profile and profile.department else "-"

    @admin.display(description=_("역할"))
    def roles(self, user) -> str:
        return ", ".join(group.name for group in user.groups.all()) or "-"


@admin.register(Group)
class PortalGroupAdmin(GroupAdmin):
    """The roles: their permissions are code (org/roles.py); only a superuser edits groups."""

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and (reason := accounts.group_refusal(request.user)):
            raise PermissionDenied(reason)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if reason := accounts.group_refusal(request.user):
            raise PermissionDenied(reason)
        return super().delete_view(request, object_id, extra_context)


@admin.register(ApiToken)
class ApiTokenAdmin(CheckedBulkIds, admin.ModelAdmin):
    """Staff API tokens: issued for an account below one's own level (or one's own), the key
    shown once on the page that issues it; lists show the first characters only."""

    list_display = ["name", "user", "prefix_shown", "created", "last_used", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "prefix"]
    actions = ["revoke_tokens"]
    readonly_on_change = ["user", "prefix_shown", "created", "last_used", "revoked_at"]

    def get_fields(self, request, obj=None):
        return ["user", "name"] if obj is None else ["name", *self.readonly_on_change]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_on_change

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            active_staff = User.objects.filter(is_active=True, is_staff=True)
            kwargs["queryset"] = accounts.manageable_users(request.user, active_staff)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or accounts.may_manage(request.user, obj.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or accounts.may_manage(request.user, obj.user))

    @admin.display(description=_("키 앞자리"))
    def prefix_shown(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    def save_model(self, request, obj, form, change):
        if not change:
            obj._issued_key = obj.set_new_key()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        """The one page that shows the key (it is not stored)."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("API 토큰을 발급했습니다"),
            "token": obj,
            "key": obj._issued_key,
        }
        response = TemplateResponse(request, "admin/org/apitoken/issued.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("선택한 토큰 폐기(다시 쓸 수 없음)"), permissions=["change"])
    def revoke_tokens(self, request, queryset):
        tokens = list(queryset.select_related("user"))
        reasons = [r for t in tokens if (r := accounts.refusal(request.user, t.user))]
        if reasons:
            raise PermissionDenied(" ".join(reasons[:3]))
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, gettext("토큰 %(count)d개를 폐기했습니다.") % {"count": count})
