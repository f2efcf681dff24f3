"""What the staff API's row viewsets share: the rows the account reaches, the permissions,
the writes through the apps' services and their errors in the API's shape, and the admin
history every write is recorded in.

A viewset lists the rows of the departments the account reaches (`access.scope`, in the
viewset's `ordering`) and asks portal/api/permissions.py (the role's model permissions and the
department and freeze rules). Its DRF serializers check the JSON (`write_serializer_class`);
the services (projects/services.py, budget/services.py, org/services.py, reports/services.py)
check the rules and save all or nothing, in the admin's Korean words. JSON lists under a
child's name (`blocks`, `executions`, `cells`) replace the child rows: rows with an `id` are
kept and changed, rows without one are added, rows left out are deleted. Updates carry the
`revision` the client read, or nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import status, viewsets
from rest_framework.response import Response

from core.conflicts import EditConflict
from org import access, changes
from portal.api.base import Conflict, PortalViewMixin, Rejected
from portal.api.permissions import StaffPermission

CHANGED_MEANWHILE = _lazy(
    "저장하는 사이에 다른 사람이 이 자료(또는 이 자료가 딸린 보고서)를 바꾸어 아무것도 저장하지 "
    "않았습니다. 다시 읽은 뒤 보내세요."
)
UNKNOWN_FIELD = _lazy("이 항목은 지금 이 자료에서 고칠 수 없습니다.")


def validation_items(error: ValidationError) -> list[dict]:
    """A service's ValidationError as the API's error items (field None: the whole row)."""
    if not hasattr(error, "error_dict"):
        return [{"field": None, "message": str(message)} for message in error.messages]
    return [
        {"field": None if name == NON_FIELD_ERRORS else name, "message": str(message)}
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def conflict_items(conflict: EditConflict) -> list[dict]:
    """A stale revision: who changed what meanwhile (a missing one: the `revision` field)."""
    field = "revision" if conflict.missing else None
    return [{"field": field, "message": str(message)} for message in conflict.messages]


def saving(write: Callable):
    """Run a service's write; its refusals as the API's errors (400, 409), nothing saved."""
    try:
        return write()
    except EditConflict as conflict:
        items = conflict_items(conflict)
        raise (Rejected(items) if conflict.missing else Conflict(items)) from None
    except ValidationError as error:
        raise Rejected(validation_items(error)) from None
    except IntegrityError as error:  # e.g. published meanwhile: its rows refuse to change
        raise Conflict(CHANGED_MEANWHILE) from error


def log_change(request, obj, message, flag=CHANGE) -> None:
    """The change in the admin's history of the object, as the admin page records it."""
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=[obj],
        action_flag=flag,
        change_message=message,
        single_object=True,
    )


def log_addition(request, obj) -> None:
    log_change(request, obj, [{"added": {}}], ADDITION)


class RowViewSet(PortalViewMixin, viewsets.ModelViewSet):
    """List, read, add, change and delete one model's rows for staff.

    `read_serializer_class` shows rows; `write_serializer_class` checks the JSON (and
    documents the body). Subclasses write through their app's service (`save`)."""

    model = None
    read_serializer_class = None
    write_serializer_class = None
    permission_classes = [StaffPermission]
    lookup_value_regex = "[0-9]{1,9}"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    ordering: tuple[str, ...] = ("pk",)

    def get_queryset(self):
        """The rows of the departments the account reaches (org/access.py), in list order."""
        rows = self.model._default_manager.order_by(*self.ordering)
        return access.scope(self.request.user, rows)

    def get_serializer_class(self):
        if self.request.method in ("POST", "PUT", "PATCH"):
            return self.write_serializer_class
        return self.read_serializer_class

    def _shown(self, obj):
        fresh = self.get_queryset().get(pk=obj.pk)
        return self.read_serializer_class(fresh, context=self.get_serializer_context()).data

    def checked(self, request, *, partial: bool) -> dict:
        """The JSON as the write serializer reads it (types, required values, field rules)."""
        serializer = self.write_serializer_class(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    # Writing --------------------------------------------------------------------------

    def save(self, request, obj, data: dict, *, partial: bool):
        """Write through the app's service; returns its Saved (the row, the history message)."""
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        data = self.checked(request, partial=False)
        saved = saving(lambda: self.save(request, None, data, partial=False))
        log_change(request, saved.obj, saved.message, ADDITION)
        return Response(self._shown(saved.obj), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        obj = self.get_object()
        data = self.checked(request, partial=partial)
        saved = saving(lambda: self.save(request, obj, data, partial=partial))
        log_change(request, saved.obj, saved.message)
        return Response(self._shown(saved.obj))

    def destroy(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            with transaction.atomic():
                log_change(request, obj, "", DELETION)
                changes.delete(request.user, obj)
        except ValidationError as error:
            raise Rejected(validation_items(error)) from None
        except IntegrityError as error:  # e.g. published meanwhile: its rows refuse to change
            raise Conflict(CHANGED_MEANWHILE) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


def sent(data: dict, names, *, put: bool, blanks: dict | None = None) -> dict:
    """The row's fields to change: a PATCH (and an add) changes those sent; a PUT sets every
    field, those left out empty (`blanks` gives a field's empty value, e.g. 0 for amounts)."""
    if not put:
        return {name: data[name] for name in names if name in data}
    return {name: data.get(name, (blanks or {}).get(name)) for name in names}


__all__ = [
    "CHANGED_MEANWHILE",
    "RowViewSet",
    "sent",
    "log_addition",
    "log_change",
    "saving",
    "validation_items",
]
