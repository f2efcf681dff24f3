"""Admin for bureaus, departments, teams and staffing snapshots."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from org.admin_scope import ScopedAdmin, ScopedInlinePermissions
from org.forms import StaffingCellForm
from org.imports import DepartmentImportExportMixin
from org.models import Bureau, Department, StaffingCell, StaffingSnapshot, StaffProfile, Team
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


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Accounts with their department; the role is the group (부서 담당자, 부서장, …)."""

    inlines = [StaffProfileInline]
    list_display = ["username", "get_full_name", "department", "roles", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "staff_profile__department"]
    list_select_related = ["staff_profile__department"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser makes superusers or gives permissions outside the role groups."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    @admin.display(description=_("소속 부서"), ordering="staff_profile__department__name")
    def department(self, user) -> str:
        profile = getattr(user, "staff_profile", None)
        return profile.department.name if profile and profile.department else "-"

    @admin.display(description=_("역할"))
    def roles(self, user) -> str:
        return ", ".join(group.name for group in user.groups.all()) or "-"
