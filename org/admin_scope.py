"""The department rule (org/access.py) applied to every admin page.

Change lists, change and history pages, deletes, bulk actions, foreign-key choices,
autocomplete and search all start from `get_queryset`, which is scoped here; object
permissions add the frozen-report rule. Every ModelAdmin and inline of the portal uses these.
"""

import re

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from org import access


def is_id(value) -> bool:
    """A row id as a form posts it: ASCII digits that fit a 64-bit column."""
    return re.fullmatch(r"[0-9]{1,18}", str(value)) is not None


def checked_id(list_filter: admin.SimpleListFilter) -> str:
    """A list filter's value that must be a row id; anything else is the admin's "bad filter"
    page (IncorrectLookupParameters), not a server error."""
    value = list_filter.value()
    if not is_id(value):
        raise IncorrectLookupParameters(
            _("‘%(title)s’ 거르기 값이 올바르지 않습니다.") % {"title": list_filter.title}
        )
    return value


class ScopedPermissions:
    """Object permissions: model permission (role) and department rule together."""

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or access.may_view(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.may_change(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or access.may_change(request.user, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and access.is_scoped(db_field.related_model):
            formfield.queryset = access.scope(request.user, formfield.queryset)
        return formfield


def scoped_form(form_class, user):
    """The form with every choice of department data limited to the account's reach, and a
    form error when the object it would save is out of reach or frozen with its report."""

    class ScopedForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                queryset = getattr(field, "queryset", None)
                if queryset is not None and access.is_scoped(queryset.model):
                    field.queryset = access.scope(user, queryset)

        def _post_clean(self):
            super()._post_clean()
            instance = getattr(self, "instance", None)
            if instance is None or not access.is_scoped(type(instance)) or self.errors:
                return
            if not access.in_reach(user, instance):
                self.add_error(None, _("이 부서의 자료는 고칠 수 없습니다."))
            elif reason := access.frozen_reason(instance):
                self.add_error(None, reason)

    ScopedForm.__name__ = ScopedForm.__qualname__ = form_class.__name__
    return ScopedForm


class ScopedModelAdmin(ScopedPermissions, admin.ModelAdmin):
    """A ModelAdmin whose rows are limited to the departments the account may reach."""

    def get_queryset(self, request):
        return access.scope(request.user, super().get_queryset(request))

    def get_form(self, request, obj=None, change=False, **kwargs):
        return scoped_form(super().get_form(request, obj, change, **kwargs), request.user)

    def changelist_view(self, request, extra_context=None):
        """A bulk action posted with ids that are not numbers is refused, not a server error."""
        selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        if request.method == "POST" and not all(is_id(pk) for pk in selected):
            messages.error(
                request, _("선택한 항목의 번호가 올바르지 않아 아무것도 하지 않았습니다.")
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)

    def get_deleted_objects(self, objs, request):
        """Bulk delete: objects frozen with their report make the whole delete refused."""
        deletable, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        frozen = [obj for obj in objs if not access.may_change(request.user, obj)]
        if frozen:
            perms_needed = set(perms_needed) | {
                f"{obj} — {access.frozen_reason(obj) or ''}".strip(" —") for obj in frozen
            }
        return deletable, counts, perms_needed, protected


class KoreanHistoryValues(HistoricalRecordContextHelper):
    """History values as the screens show them: choice labels, 예/아니요, (빈칸), 개조식 text."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "" or value == []:
            return _("(빈칸)")
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("예") if value else _("아니요")
        if isinstance(value, list):  # 개조식 JSON
            from core.gaejosik import to_text

            return to_text(value)
        return super().prepare_delta_change_value(change, value)


class ScopedAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    """A scoped ModelAdmin with the model's history (django-simple-history), read-only: the
    history pages show who changed what; nothing is reverted from them."""

    def get_historical_record_context_helper(self, request, historical_record):
        return KoreanHistoryValues(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        if not is_id(unquote(object_id)):
            raise Http404(_("찾는 자료가 없습니다."))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not (is_id(unquote(object_id)) and is_id(version_id)):
            raise Http404(_("찾는 자료가 없습니다."))
        if request.method == "POST":
            raise PermissionDenied(_("이력 화면에서는 되돌릴 수 없습니다."))
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedInlinePermissions(ScopedPermissions):
    """Inline rows follow their parent object (the `obj` of ScopedPermissions' checks): nothing
    to add, change or delete in a frozen report."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = scoped_form(formset.form, request.user)
        return formset

    def has_add_permission(self, request, obj=None):
        allowed = super().has_add_permission(request, obj)
        return allowed and (obj is None or access.may_change(request.user, obj))
