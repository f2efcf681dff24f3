"""The staff API drives the admin: one endpoint per ModelAdmin, the same code as its pages.

An `AdminFormViewSet` lists and reads `model_admin.get_queryset(request)` (the department rule
of org/admin_scope.py), asks the ModelAdmin's own has_*_permission methods (role permissions,
department, frozen reports and data under review), and writes by filling in the ModelAdmin's
own form and inline formsets — as a browser posting the admin page would — and saving them
with `save_form`, `save_model` and `save_related` in one transaction, logged in the admin
history. So an API write passes or fails exactly as the same edit on the admin page, with the
same Korean messages, the same revision check against lost updates, and nothing half-saved.

JSON → form: a PATCH starts from the object's values as its admin page shows them; a list
under an inline's name (`blocks`, `executions`, `cells`) replaces the inline rows: rows with
an `id` are kept and changed, rows without one are added, rows left out are deleted. Updates
must carry the `revision` the client read (as the page carries it), or nothing is saved.
"""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.forms import BaseForm, BaseFormSet, CheckboxInput, all_valid
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.response import Response

from org import access
from portal.api.base import Conflict, PortalViewMixin, Rejected

# Data -----------------------------------------------------------------------------------


def _as_data(value) -> list[str]:
    """A Python value as the strings a browser would post for it."""
    if value is None:
        return [""]
    if isinstance(value, bool):
        return ["on"] if value else []
    if isinstance(value, datetime.date | datetime.datetime):
        return [value.isoformat()]
    if isinstance(value, list | tuple):
        return [item for part in value for item in _as_data(part)]
    return [str(value)]


def put_value(data: QueryDict, name: str, value, widget=None) -> None:
    if isinstance(widget, CheckboxInput) and not value:
        data.pop(name, None)  # an unticked box is not posted
        return
    data.setlist(name, _as_data(value))


def page_data(form: BaseForm | BaseFormSet) -> QueryDict:
    """What a browser posts back for an unbound form or formset left as it is shown."""
    data = QueryDict(mutable=True)
    if isinstance(form, BaseFormSet):
        for field in form.management_form:
            data[field.html_name] = str(field.value())
        for child in form.forms:
            data.update(page_data(child))
        return data
    for field in form:
        if not (field.field.disabled or field.html_name in data):
            put_value(data, field.html_name, field.value(), field.field.widget)
    return data


class FormErrors(Exception):
    """The page would have been shown again with these messages: nothing was saved."""

    def __init__(self, errors: list[dict], *, conflict: bool = False):
        super().__init__(errors)
        self.errors = errors
        self.conflict = conflict


def _form_errors(form: BaseForm, path: str | None = None) -> list[dict]:
    errors = []
    for name, messages in form.errors.items():
        field = None if name == "__all__" else name
        location = ".".join(part for part in (path, field) if part) or None
        errors += [{"field": location, "message": str(message)} for message in messages]
    return errors


CHANGED_MEANWHILE = _lazy(
    "저장하는 사이에 다른 사람이 이 자료(또는 이 자료가 딸린 보고서)를 바꾸어 아무것도 저장하지 "
    "않았습니다. 다시 읽은 뒤 보내세요."
)


# The permission -------------------------------------------------------------------------


class AdminPermission(permissions.BasePermission):
    """The ModelAdmin's own answers: staff accounts only (council members read the public
    API), then has_view/add/change/delete_permission for the request and the object."""

    message = _lazy("직원 계정만 쓸 수 있습니다.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            if not user.is_authenticated:
                raise exceptions.NotAuthenticated(_("로그인하거나 토큰을 보내야 합니다."))
            return False
        model_admin = view.model_admin
        method = request.method
        if method in permissions.SAFE_METHODS:
            allowed = model_admin.has_view_or_change_permission(request)
        elif view.action == "create":
            allowed = model_admin.has_add_permission(request)
        elif method == "DELETE":
            allowed = model_admin.has_delete_permission(request)
        else:
            allowed = model_admin.has_change_permission(request)
        if not allowed:
            self.message = _("이 계정의 역할로는 할 수 없는 일입니다.")
        return allowed

    def has_object_permission(self, request, view, obj) -> bool:
        model_admin = view.model_admin
        if request.method in permissions.SAFE_METHODS:
            return model_admin.has_view_or_change_permission(request, obj)
        if request.method == "DELETE":
            allowed = model_admin.has_delete_permission(request, obj)
        else:
            allowed = model_admin.has_change_permission(request, obj)
        if not allowed:
            self.message = access.frozen_reason(obj) or _("이 계정의 역할로는 할 수 없는 일입니다.")
        return allowed


# The view set ---------------------------------------------------------------------------


class AdminFormViewSet(PortalViewMixin, viewsets.ModelViewSet):
    """List, read, add, change and delete one model through its ModelAdmin.

    `read_serializer_class` shows objects; `write_serializer_class` checks the JSON's types
    (and documents the body); `inlines` maps a JSON key to the ModelAdmin inline it fills.
    """

    model = None
    read_serializer_class = None
    write_serializer_class = None
    inlines: dict[str, type] = {}
    permission_classes = [AdminPermission]
    lookup_value_regex = "[0-9]{1,9}"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    @property
    def model_admin(self) -> admin.ModelAdmin:
        return admin.site._registry[self.model]

    def get_queryset(self):
        return self.model_admin.get_queryset(self.request)

    def get_serializer_class(self):
        if self.request.method in ("POST", "PUT", "PATCH"):
            return self.write_serializer_class
        return self.read_serializer_class

    # Writing --------------------------------------------------------------------------

    def create(self, request, *args, **kwargs):
        obj = self._write(request, None, partial=False)
        return Response(self._shown(obj), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        obj = self._write(request, self.get_object(), partial=partial)
        return Response(self._shown(obj))

    def destroy(self, request, *args, **kwargs):
        obj = self.get_object()
        model_admin = self.model_admin
        # What the admin's delete page asks before it deletes: rows that would go with it and
        # may not (frozen, or out of reach), and rows that protect it.
        _deleted, _counts, refused, protected = model_admin.get_deleted_objects([obj], request)
        if refused:
            raise exceptions.PermissionDenied(
                _("함께 지워질 자료 가운데 지울 수 없는 것이 있습니다: %(names)s")
                % {"names": ", ".join(sorted(map(str, refused))[:5])}
            )
        if protected:
            raise Rejected(
                _("‘%(object)s’을(를) 쓰는 자료가 있어 지울 수 없습니다: %(names)s")
                % {"object": obj, "names": ", ".join(sorted(map(str, protected))[:5])}
            )
        try:
            with transaction.atomic():
                model_admin.log_deletions(request, self.model._default_manager.filter(pk=obj.pk))
                model_admin.delete_model(request, obj)
        except IntegrityError as error:  # e.g. published meanwhile: its rows refuse to change
            raise Conflict(CHANGED_MEANWHILE) from error
        except (ProtectedError, RestrictedError) as error:
            names = ", ".join(sorted({str(item) for item in error.protected_objects})[:5])
            raise exceptions.ValidationError(
                _("‘%(object)s’을(를) 쓰는 자료가 있어 지울 수 없습니다: %(names)s")
                % {"object": obj, "names": names}
            ) from error
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _shown(self, obj):
        fresh = self.get_queryset().get(pk=obj.pk)
        return self.read_serializer_class(fresh, context=self.get_serializer_context()).data

    def _write(self, request, obj, *, partial: bool):
        checked = self.write_serializer_class(data=request.data, partial=partial)
        checked.is_valid(raise_exception=True)
        payload = dict(checked.validated_data)
        try:
            with transaction.atomic():
                return self._save(request, obj, payload, partial=partial)
        except IntegrityError as error:  # e.g. published meanwhile: its rows refuse to change
            raise Conflict(CHANGED_MEANWHILE) from error
        except FormErrors as failed:
            error_class = Conflict if failed.conflict else Rejected
            raise error_class(failed.errors) from None

    def _save(self, request, obj, payload: dict, *, partial: bool):
        """The admin's changeform_view with JSON instead of a posted page."""
        model_admin = self.model_admin
        change = obj is not None
        fieldsets = model_admin.get_fieldsets(request, obj)
        form_class = model_admin.get_form(
            request, obj, change=change, fields=flatten_fieldsets(fieldsets)
        )
        inline_rows = {key: payload.pop(key) for key in list(payload) if key in self.inlines}
        if change:
            shown = form_class(instance=obj)
        else:  # the add page as it opens: the model's defaults (순서 0, 예산 블록 없음 …)
            shown = form_class(initial=model_admin.get_changeform_initial_data(request))
        data = page_data(shown) if partial or not change else QueryDict(mutable=True)
        if change:
            data.pop("revision", None)  # never taken from the stored row: the client's own
        for name, value in payload.items():
            widget = shown.fields[name].widget if name in shown.fields else None
            put_value(data, shown.add_prefix(name), value, widget)
        unknown = [name for name in payload if name not in shown.fields]
        if unknown:
            raise FormErrors(
                [
                    {"field": name, "message": _("이 항목은 지금 이 자료에서 고칠 수 없습니다.")}
                    for name in unknown
                ]
            )
        form = form_class(data, {}, instance=obj) if change else form_class(data, {})

        formsets, paths = [], []
        for formset_class, inline in model_admin.get_formsets_with_inlines(request, obj):
            key = next((k for k, cls in self.inlines.items() if isinstance(inline, cls)), None)
            prefix = formset_class.get_default_prefix()
            queryset = inline.get_queryset(request)
            shown_set = formset_class(
                instance=form.instance if change else None, prefix=prefix, queryset=queryset
            )
            rows = inline_rows.get(key) if key else None
            if rows is None:
                set_data, where = (page_data(shown_set) if change else QueryDict(mutable=True)), {}
                if not change:
                    set_data.update(_management(prefix, 0, 0))
            else:
                set_data, where = _inline_data(shown_set, prefix, rows, key)
            data.update(set_data)
            formset = formset_class(
                data, {}, instance=form.instance, prefix=prefix, queryset=queryset
            )
            if rows is not None:
                # A row the client sent is never skipped as the page's blank extra row would
                # be: every one is checked (a blank one is told what it lacks).
                formset.min_num = len(rows) + len(shown_set.forms)
            formsets.append(formset)
            paths.append((key, where))

        form_valid = form.is_valid()
        new_object = model_admin.save_form(request, form, change=change) if form_valid else None
        if not (form_valid and all_valid(formsets)):
            conflict = getattr(form, "edit_conflict", None)
            errors = _form_errors(form)
            if conflict is not None and conflict.missing:  # the page's hidden field: say which
                errors = [{**e, "field": e["field"] or "revision"} for e in errors]
            for formset, (key, where) in zip(formsets, paths, strict=True):
                errors += _formset_errors(formset, key or formset.prefix, where)
            raise FormErrors(
                errors or [{"field": None, "message": _("저장하지 못했습니다.")}],
                conflict=conflict is not None and not conflict.missing,
            )
        model_admin.save_model(request, new_object, form, change)
        model_admin.save_related(request, form, formsets, change)
        message = model_admin.construct_change_message(request, form, formsets, not change)
        if change:
            model_admin.log_change(request, new_object, message)
        else:
            model_admin.log_addition(request, new_object, message)
        return new_object


def _management(prefix: str, total: int, initial: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _inline_data(
    shown, prefix: str, rows: list[dict], key: str
) -> tuple[QueryDict, dict[int, int]]:
    """Formset data for a list of inline rows (see the module's docstring), and which JSON row
    each form came from (form index → row index) for error messages.

    The formset's initial forms are the kept rows, then the rows left out (marked DELETE);
    the added rows come after them."""
    existing = {form.instance.pk: form for form in shown.forms}
    seen: set = set()
    wrong = []
    for index, row in enumerate(rows):
        pk = row.get("id")
        if pk is not None and (pk not in existing or pk in seen):
            message = (
                _("id %(id)s가 목록에 두 번 나옵니다.")
                if pk in seen
                else _("id %(id)s는 이 자료의 행이 아닙니다. 새 행이면 id를 비우세요.")
            )
            wrong.append({"field": f"{key}[{index}].id", "message": message % {"id": pk}})
        seen.add(pk)
    if wrong:
        raise FormErrors(wrong)
    kept = [(index, row) for index, row in enumerate(rows) if row.get("id") is not None]
    added = [(index, row) for index, row in enumerate(rows) if row.get("id") is None]
    listed = {row["id"] for _index, row in kept}
    gone = [(None, {"DELETE": True}, form) for pk, form in existing.items() if pk not in listed]
    forms = [(index, row, existing.get(row["id"])) for index, row in kept] + gone
    data = QueryDict(mutable=True)
    where: dict[int, int] = {}
    fields = shown.empty_form.fields
    for position, (index, row, shown_form) in enumerate(
        forms + [(index, row, None) for index, row in added]
    ):
        form_prefix = f"{prefix}-{position}"
        # The row as its page shows it (a new row: the page's empty row), then the JSON.
        for name, values in page_data(shown_form or shown.empty_form).lists():
            data.setlist(f"{form_prefix}-{name.rsplit('-', 1)[-1]}", values)
        for name, value in row.items():
            widget = fields[name].widget if name in fields else None
            put_value(data, f"{form_prefix}-{name}", value, widget)
        if index is not None:
            where[position] = index
    data.update(_management(prefix, len(forms) + len(added), len(forms)))
    return data, where


def _formset_errors(formset, key: str, where: dict[int, int]) -> list[dict]:
    errors = [{"field": key, "message": str(message)} for message in formset.non_form_errors()]
    for position, form in enumerate(formset.forms):
        if form.errors:
            index = where.get(position)
            path = f"{key}[{index}]" if index is not None else key
            errors += _form_errors(form, path)
    return errors


__all__ = ["AdminFormViewSet", "AdminPermission", "FormErrors", "page_data", "put_value"]
