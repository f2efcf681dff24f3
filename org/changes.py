"""Changes to department data asked by every caller that is not an admin form (the staff API).

A service puts the caller's values on a row (`put`: a related row must be within the account's
reach, as the admin's choices are), runs the model's checks and the department and freeze
rules (`check`), plans the rows saved with it (`plan_children`: a card's blocks, a line's
executions, a snapshot's cells) and only then writes (`Plan.write`), in the caller's
transaction. Errors come back by field in the admin form's words, the rows saved with it as
`blocks[1].content`; NON_FIELD_ERRORS for the row as a whole.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.db.models import ProtectedError, QuerySet, RestrictedError
from django.db.models.deletion import Collector
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from org import access

REQUIRED = forms.Field.default_error_messages["required"]
NOT_A_CHOICE = forms.ModelChoiceField.default_error_messages["invalid_choice"]

Errors = dict[str, list[str]]


def add_error(errors: Errors, name: str | None, messages) -> None:
    key = name or NON_FIELD_ERRORS
    items = messages if isinstance(messages, list | tuple) else [messages]
    errors.setdefault(key, []).extend(str(message) for message in items)


def put(
    user,
    obj: models.Model,
    changes: Mapping,
    *,
    choices: Mapping[str, QuerySet] | None = None,
) -> Errors:
    """Put the changes on the object; what cannot be put there, by field.

    A value left empty is refused where the field is required (blank=False), a related row
    must be one of `choices[name]` (by default the related model's rows) within the account's
    reach (org/access.py)."""
    errors: Errors = {}
    for name, value in changes.items():
        model_field = obj._meta.get_field(name)
        if value is None or value == "":
            if not model_field.blank:
                add_error(errors, name, REQUIRED)
            elif model_field.null or model_field.is_relation:
                setattr(obj, name, None)
            else:
                setattr(obj, name, "" if value is None else value)
        elif model_field.is_relation:
            rows = (choices or {}).get(name)
            if rows is None:
                rows = model_field.related_model._default_manager.all()
            related = access.scope(user, rows).filter(pk=value).first()
            if related is None:
                add_error(errors, name, NOT_A_CHOICE)
            else:
                setattr(obj, name, related)
        else:
            setattr(obj, name, value)
    return errors


def model_errors(obj: models.Model, *, exclude: Sequence[str] = ()) -> Errors:
    """The model's own checks (fields, clean, unique and check constraints), by field."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        return {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    return {}


def check(user, obj: models.Model, errors: Errors) -> Errors:
    """The model's checks for the fields that could be put, then the department and freeze
    rules for the row itself (as the admin's scoped forms say them)."""
    for name, messages in model_errors(obj, exclude=list(errors)).items():
        add_error(errors, name, messages)
    if not errors:
        if not access.in_reach(user, obj):
            add_error(errors, None, _("이 부서의 자료는 고칠 수 없습니다."))
        elif reason := access.frozen_reason(obj):
            add_error(errors, None, reason)
    return errors


def field_values(obj: models.Model, names: Sequence[str]) -> dict:
    return {name: getattr(obj, obj._meta.get_field(name).attname) for name in names}


def changed_fields(before: Mapping, obj: models.Model) -> list[str]:
    """Names of the fields whose values differ from `before` (field_values of the row)."""
    after = field_values(obj, list(before))
    return [name for name, value in before.items() if after[name] != value]


def verbose_names(model: type[models.Model], names: Sequence[str]) -> list[str]:
    return [str(model._meta.get_field(name).verbose_name) for name in names]


@dataclass
class Saved:
    """A saved row and the admin history's words for what changed (LogEntry's message)."""

    obj: models.Model
    message: list[dict]


# The rows saved with a row ------------------------------------------------------------------


@dataclass
class Children:
    """What a list of child rows sent by a caller does: which rows are kept and changed, which
    are added (starting from the model's defaults, as the admin's empty row does) and which
    rows left out are deleted. `errors` by `key[index].field`."""

    key: str
    fk: str
    changed: list[models.Model] = field(default_factory=list)
    added: list[models.Model] = field(default_factory=list)
    deleted: list[models.Model] = field(default_factory=list)
    errors: Errors = field(default_factory=dict)
    changed_names: list[list[str]] = field(default_factory=list)  # fields, per changed row

    @property
    def writes_anything(self) -> bool:
        return bool(self.changed or self.added or self.deleted)

    def write(self, parent: models.Model) -> None:
        for row in self.deleted:
            row.delete()
        for row in self.changed:
            row.save()
        for row in self.added:
            setattr(row, self.fk, parent)
            row.save()

    def log_messages(self) -> list[dict]:
        """The admin history's words for the rows (added / changed / deleted)."""

        def item(verb: str, row, **more) -> dict:
            return {verb: {"name": str(row._meta.verbose_name), "object": str(row), **more}}

        return [
            *(item("added", row) for row in self.added),
            *(
                item("changed", row, fields=verbose_names(type(row), names))
                for row, names in zip(self.changed, self.changed_names, strict=True)
            ),
            *(item("deleted", row) for row in self.deleted),
        ]


def plan_children(
    user,
    parent: models.Model,
    *,
    key: str,
    model: type[models.Model],
    fk: str,
    rows: Sequence[Mapping] | None,
    fields: Sequence[str],
) -> Children:
    """Plan `rows` (dicts of `fields`, with `id` for a stored row) against the `stored` rows.

    Rows with an `id` are kept and changed, rows without one are added, stored rows left out
    are deleted. An id that is not a row of the parent, or appears twice, is refused. Every
    row is checked against the parent as it will be saved."""
    plan = Children(key=key, fk=fk)
    if rows is None:  # not sent: the rows stay as they are
        return plan
    stored = model._default_manager.filter(**{fk: parent}) if parent.pk else []
    existing = {row.pk: row for row in stored}
    _check_ids(plan, rows, existing)
    if plan.errors:
        return plan
    staying = []
    for index, row in enumerate(rows):
        pk = row.get("id")
        child = copy.copy(existing[pk]) if pk is not None else model()
        setattr(child, fk, parent)
        before = field_values(child, fields)
        _put_row(user, plan, f"{key}[{index}]", child, row)
        staying.append(child)
        if pk is None:
            plan.added.append(child)
        elif names := changed_fields(before, child):
            plan.changed.append(child)
            plan.changed_names.append(names)
    sent_ids = {row.get("id") for row in rows}
    plan.deleted = [row for pk, row in existing.items() if pk not in sent_ids]
    _check_twice(plan, staying, model, fk)
    return plan


def _check_ids(plan: Children, rows: Sequence[Mapping], existing: Mapping) -> None:
    """An id must be a row of the parent, once."""
    seen: set = set()
    for index, row in enumerate(rows):
        pk = row.get("id")
        if pk is not None and (pk not in existing or pk in seen):
            message = (
                _("id %(id)s가 목록에 두 번 나옵니다.")
                if pk in seen
                else _("id %(id)s는 이 자료의 행이 아닙니다. 새 행이면 id를 비우세요.")
            )
            add_error(plan.errors, f"{plan.key}[{index}].id", message % {"id": pk})
        seen.add(pk)


def _put_row(user, plan: Children, where: str, child: models.Model, row: Mapping) -> None:
    """One row's values put on the child and checked, its errors under `where`."""
    errors = put(user, child, {name: value for name, value in row.items() if name != "id"})
    for name, messages in model_errors(child, exclude=[plan.fk, *errors]).items():
        add_error(errors, name, messages)
    for name, messages in errors.items():
        add_error(plan.errors, where if name == NON_FIELD_ERRORS else f"{where}.{name}", messages)


def _check_twice(plan: Children, rows: Sequence[models.Model], model, fk: str) -> None:
    """Two rows of the request that a unique constraint with the parent keeps apart (as the
    admin's formset says it: the database would refuse the second)."""
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        if not (isinstance(constraint, models.UniqueConstraint) and fk in fields):
            continue
        others = [name for name in fields if name != fk]
        keys = [tuple(getattr(row, name) for name in others) for row in rows]
        if len(set(keys)) == len(keys):
            continue
        labels = get_text_list(verbose_names(model, others), _("and"))
        add_error(
            plan.errors,
            plan.key,
            _("Please correct the duplicate data for %(field)s, which must be unique.")
            % {"field": labels},
        )


def history_message(obj: models.Model, *, added: bool, changed: Sequence[str], plan: Children):
    """The admin history's change message for a save (LogEntry.change_message's JSON)."""
    if added:
        return [{"added": {}}]
    message = [{"changed": {"fields": verbose_names(type(obj), changed)}}] if changed else []
    return [*message, *plan.log_messages()]


def raise_errors(*groups: Errors) -> None:
    """One ValidationError with every group's errors, or nothing when there are none."""
    errors: Errors = {}
    for group in groups:
        for name, messages in group.items():
            add_error(errors, name, messages)
    if errors:
        raise ValidationError(errors)


# Deleting ----------------------------------------------------------------------------------


def _names(rows) -> str:
    return ", ".join(sorted({str(row) for row in rows})[:5])


def delete(user, obj: models.Model) -> None:
    """Delete the row and what goes with it, as the admin's delete page would.

    Rows that protect it refuse the delete (ValidationError naming them); department data
    that would go with it must be within the account's reach, not frozen, and of a kind the
    role may delete (PermissionDenied naming them)."""
    collector = Collector(using=obj._state.db or "default")
    try:
        collector.collect([obj])
    except (ProtectedError, RestrictedError) as error:
        raise ValidationError(
            _("‘%(object)s’을(를) 쓰는 자료가 있어 지울 수 없습니다: %(names)s")
            % {"object": obj, "names": _names(error.protected_objects)}
        ) from error
    going = [row for rows in collector.data.values() for row in rows]
    going += [row for rows in collector.fast_deletes for row in rows]
    refused = [
        row
        for row in going
        if row != obj
        and access.is_scoped(type(row))
        and not (
            user.has_perm(f"{row._meta.app_label}.delete_{row._meta.model_name}")
            and access.may_change(user, row)
        )
    ]
    if refused:
        raise PermissionDenied(
            _("함께 지워질 자료 가운데 지울 수 없는 것이 있습니다: %(names)s")
            % {"names": _names(refused)}
        )
    collector.delete()
