"""No lost updates: a save claims the revision its page was opened at.

Cards, budget lines and department reports carry `revision`, raised by one by every save that
changes them from an admin page. The page posts back, hidden, the revision it showed. Inside
the save's transaction the rows are locked and compared (`revisions_check`) or claimed with a
conditional UPDATE (`revision_claim`, `revisions_claim`), so of two saves from pages opened at
the same revision exactly one wins: on PostgreSQL (READ COMMITTED) the second one waits for
the first transaction's row lock and then finds the revision gone. The loser gets
`EditConflict`, whose Korean messages say who changed what meanwhile, read from the
django-simple-history records newer than the revision seen (each record copies the row's
`revision`).

Used by the card's and the budget line's admin pages (`RevisionFormMixin`) and by the report
editor (portal.forms.ReportEditor). SQLite has no row locks: there two overlapping saves end
with one of them failing on SQLite's database lock instead of a message.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.models import DeletedObject

from core import gaejosik

# How much of a changed value the message quotes, and how many saves it lists.
VALUE_CHARS = 40
SAVES_LISTED = 5


@dataclass(frozen=True)
class Child:
    """Rows saved with their parent on the parent's page: a card's blocks, a line's executions.

    `fk` is the attname pointing to the parent; `label` names one historical child row.
    """

    model: type[models.Model]
    fk: str
    label: Callable[[models.Model], str]


class EditConflict(ValidationError):
    """The row changed after the page was opened: nothing was saved.

    `subject` names the row (사업 카드 ‘3. …’) and `pk` is its id; `changes` has one line per
    save made meanwhile (who, when, what). The messages are the headline, the changes and the
    advice; `brief_messages()` leaves out what a page that names the row already says.
    """

    def __init__(
        self,
        subject: str,
        changes: Sequence[str] = (),
        *,
        pk: int | None = None,
        missing: bool = False,
    ):
        self.subject = subject
        self.pk = pk
        self.missing = missing
        self.changes = list(changes)
        if missing:
            headline = gettext(
                "%(subject)s: 이 화면을 연 때의 수정 차례를 알 수 없어 저장하지 않았습니다."
            ) % {"subject": subject}
        elif not changes:
            headline = gettext(
                "%(subject)s: 이 화면을 연 뒤에 다른 사람이 고쳤거나 지워서, 덮어쓰지 않도록 "
                "저장하지 않았습니다."
            ) % {"subject": subject}
        else:
            headline = gettext(
                "%(subject)s: 이 화면을 연 뒤에 다른 사람이 고쳐 저장해서, 덮어쓰지 않도록 "
                "저장하지 않았습니다. 그사이 바뀐 내용:"
            ) % {"subject": subject}
        advice = gettext(
            "화면을 새로 고쳐 바뀐 내용을 확인한 뒤 다시 입력하세요. "
            "새로 고치면 지금 입력한 내용은 사라지니, 필요하면 먼저 복사해 두세요."
        )
        super().__init__([headline, *self.changes, advice], code="edit_conflict")

    def brief_messages(self) -> list[str]:
        """The changes alone (or why there are none), for a row of a page whose summary
        already says that nothing was saved and what to do."""
        if self.missing:
            return [gettext("이 화면을 연 때의 수정 차례를 알 수 없습니다.")]
        return self.changes or [gettext("이 화면을 연 뒤에 다른 사람이 고쳤거나 지웠습니다.")]


# Claiming -------------------------------------------------------------------------------------


def revision_claim(
    model: type[models.Model], pk: int, seen: int | None, *, children: Sequence[Child] = ()
) -> int:
    """Raise row `pk` from revision `seen` to the next one; returns the new revision.

    One conditional UPDATE in the caller's transaction; raises EditConflict (the caller's
    transaction should then roll back) when the row is no longer at `seen`.
    """
    if seen is None:
        raise edit_conflict(model, pk, seen, children=children)
    updated = model._default_manager.filter(pk=pk, revision=seen).update(revision=F("revision") + 1)
    if not updated:
        raise edit_conflict(model, pk, seen, children=children)
    return seen + 1


def revisions_check(
    model: type[models.Model],
    seen: Mapping[int, int | None],
    *,
    children: Sequence[Child] = (),
) -> None:
    """Raise EditConflict unless every row `pk` is still at revision `seen[pk]`.

    Inside a transaction the rows stay locked (FOR NO KEY UPDATE) until it ends, so nobody
    else can claim them meanwhile. One query for all the rows.
    """
    if not seen:
        return
    rows = model._default_manager.filter(pk__in=list(seen))
    if connection.in_atomic_block and connection.features.has_select_for_update:
        rows = rows.select_for_update(
            no_key=connection.features.has_select_for_no_key_update
        ).order_by("pk")
    current = dict(rows.values_list("pk", "revision"))
    for pk in sorted(seen):
        if seen[pk] is None or current.get(pk) != seen[pk]:
            raise edit_conflict(model, pk, seen[pk], children=children)


def revisions_claim(
    model: type[models.Model],
    seen: Mapping[int, int | None],
    *,
    children: Sequence[Child] = (),
) -> dict[int, int]:
    """Claim the next revision of every row at once (lock, compare, one UPDATE); returns
    pk → new revision. Raises EditConflict, having claimed none, when any row moved on."""
    if not seen:
        return {}
    revisions_check(model, seen, children=children)
    updated = model._default_manager.filter(pk__in=list(seen)).update(revision=F("revision") + 1)
    if updated != len(seen):  # only without row locks (SQLite): a row vanished meanwhile
        first = min(seen)
        raise edit_conflict(model, first, seen[first], children=children)
    return {pk: revision + 1 for pk, revision in seen.items()}


# Describing what changed meanwhile ---------------------------------------------------------


def edit_conflict(
    model: type[models.Model], pk: int, seen: int | None, *, children: Sequence[Child] = ()
) -> EditConflict:
    """The EditConflict for row `pk` of a page opened at revision `seen`."""
    records = list(
        model.history.filter(**{model._meta.pk.attname: pk})
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    current = model._default_manager.filter(pk=pk).first()
    subject = _subject(model, current or (records[-1].instance if records else None))
    if seen is None:
        return EditConflict(subject, pk=pk, missing=True)
    base = None
    saves: dict[int, list] = {}  # revision -> its records, in order
    for record in records:
        if record.revision > seen:
            saves.setdefault(record.revision, []).append(record)
        elif not saves:
            base = record
    groups = list(saves.values())
    changes = []
    for index, group in enumerate(groups):
        until = groups[index + 1][0].history_date if index + 1 < len(groups) else None
        changes.append(_describe_save(base, group, children, pk, until))
        base = group[-1]
    if len(changes) > SAVES_LISTED:
        hidden = len(changes) - SAVES_LISTED
        changes = [
            gettext("(그 전에도 %(count)s번 더 저장했습니다.)") % {"count": hidden},
            *changes[-SAVES_LISTED:],
        ]
    return EditConflict(subject, changes, pk=pk)


def _subject(model: type[models.Model], obj: models.Model | None) -> str:
    name = str(model._meta.verbose_name)
    return f"{name} ‘{obj}’" if obj is not None else name


def _describe_save(base, group: list, children: Sequence[Child], pk: int, until) -> str:
    """`김철수(chulsoo), 2026. 11. 22. 14:05 저장 — 사업명: ‘옛’ → ‘새’; 블록 ‘사업개요’ 고침`."""
    last = group[-1]
    parts = []
    if last.history_type == "-":
        parts.append(gettext("지웠습니다"))
    elif base is None:
        parts.append(gettext("새로 만들었습니다"))
    else:
        parts += _field_changes(last, base)
    reason = next((r.history_change_reason for r in reversed(group) if r.history_change_reason), "")
    if reason:
        parts.append(gettext("바꾼 부분: %(parts)s") % {"parts": reason})
    for child in children:
        parts += _child_changes(child, pk, group[0].history_date, until)
    head = gettext("%(who)s, %(when)s 저장") % {
        "who": who(last.history_user),
        "when": when(last.history_date),
    }
    if not parts:
        return gettext("%(head)s (바뀐 칸 없음)") % {"head": head}
    return f"{head} — {'; '.join(parts)}"


def _field_changes(record, before) -> list[str]:
    """`verbose_name: before → after` for every field that differs between two records."""
    model = record.instance_type
    changes = []
    for change in _in_field_order(
        model, record.diff_against(before, foreign_keys_are_objs=True).changes
    ):
        field = model._meta.get_field(change.field)
        old, new = show_value(field, change.old), show_value(field, change.new)
        if old.startswith("‘") and new.startswith("‘"):
            old, new = (f"‘{text}’" for text in _around_difference(old[1:-1], new[1:-1]))
        changes.append(f"{field.verbose_name}: {old} → {new}")
    return changes


def _around_difference(old: str, new: str) -> tuple[str, str]:
    """Both texts cut to VALUE_CHARS from a little before where they first differ."""
    if len(old) <= VALUE_CHARS and len(new) <= VALUE_CHARS:
        return old, new
    same = 0
    while same < min(len(old), len(new)) and old[same] == new[same]:
        same += 1
    start = max(0, same - VALUE_CHARS // 4)

    def cut(text: str) -> str:
        part = text[start : start + VALUE_CHARS]
        return ("…" if start else "") + part + ("…" if start + VALUE_CHARS < len(text) else "")

    return cut(old), cut(new)


def _in_field_order(model: type[models.Model], changes: Iterable) -> list:
    order = {field.name: index for index, field in enumerate(model._meta.fields)}
    return sorted(changes, key=lambda change: order.get(change.field, len(order)))


def _child_changes(child: Child, pk: int, since, until) -> list[str]:
    records = child.model.history.filter(**{child.fk: pk, "history_date__gte": since})
    if until is not None:
        records = records.filter(history_date__lt=until)
    by_row: dict[int, list] = {}
    for record in records.order_by("history_date", "history_id"):
        by_row.setdefault(getattr(record, child.model._meta.pk.attname), []).append(record)
    lines = []
    for rows in by_row.values():
        first, last = rows[0], rows[-1]
        label = child.label(last)
        if first.history_type == "+" and last.history_type != "-":
            lines.append(gettext("%(label)s 추가") % {"label": label})
        elif last.history_type == "-":
            lines.append(gettext("%(label)s 삭제") % {"label": label})
        else:
            before = first.prev_record
            details = _field_changes(last, before) if before is not None else []
            text = gettext("%(label)s 고침") % {"label": label}
            lines.append(f"{text}({', '.join(details)})" if details else text)
    return lines


def who(user) -> str:
    """`홍길동(hong)`, or the username alone when the account has no name."""
    if user is None:
        return gettext("(알 수 없는 사용자)")
    name = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    username = user.get_username()
    return f"{name}({username})" if name and name != username else username


def when(moment: datetime.datetime) -> str:
    """`2026. 11. 22. 14:05` in the site's time zone (Asia/Seoul)."""
    local = timezone.localtime(moment)
    return f"{local.year}. {local.month}. {local.day}. {local.hour:02d}:{local.minute:02d}"


def show_value(field: models.Field, value) -> str:
    """A field's value as the message quotes it: choices by label, amounts with commas,
    text (개조식 too) on one line in ‘quotes’."""
    if isinstance(value, DeletedObject):
        return gettext("(지워진 항목)")
    if value is None or value == "" or value == []:
        return gettext("(빈칸)")
    if isinstance(value, bool):
        return gettext("예") if value else gettext("아니오")
    if field.choices:
        value = dict(field.flatchoices).get(value, value)
        return f"‘{value}’"
    if isinstance(value, models.Model):
        return f"‘{value}’"
    if isinstance(value, datetime.datetime):
        return when(value)
    if isinstance(value, datetime.date):
        return f"{value.year}. {value.month}. {value.day}."
    if isinstance(value, int):
        return f"{value:,}" if isinstance(field, models.BigIntegerField) else str(value)
    if isinstance(value, list):
        try:
            value = gaejosik.to_text(value)
        except (KeyError, TypeError, ValueError):
            value = str(value)
    return f"‘{' '.join(str(value).split())}’"


# Admin pages ----------------------------------------------------------------------------------


class RevisionFormMixin:
    """For the ModelForm of an admin page that edits one row with `revision` and its inlines.

    The page carries the revision it showed in a hidden `revision` field (the change_form
    template renders it: the admin's fieldsets do not). `clean()` locks the row and refuses a
    page opened at an older revision with EditConflict as a non-field error, so nothing is
    saved. The admin validates and saves in one transaction (`changeform_view`), so the row
    stays locked until the save commits: `save()` then only sets the next revision on the
    instance, and the admin's `save_model` writes it with the row. (Claiming with an UPDATE in
    `save()` would be too early: the admin calls `save(commit=False)` before it validates the
    inlines, and a page shown again for a bad inline row commits that transaction.)

    The revision moves on only when the page changes anything: the row's fields, or the rows
    of the inline formsets `revision_inlines` names (model, form), rebuilt here from the same
    POST data to tell whether the admin will write them. A page posted without a revision is
    refused: it cannot be told apart from a stale one.
    """

    revision_inlines: Sequence[tuple[type[models.Model], type[forms.ModelForm]]] = ()
    revision_children: Sequence[Child] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"] = forms.IntegerField(
            required=False, min_value=1, widget=forms.HiddenInput
        )
        if self.instance.pk is not None:
            self.initial["revision"] = self.instance.revision
        self.edit_conflict: EditConflict | None = None

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            return data
        try:
            revisions_check(
                type(self.instance),
                {self.instance.pk: data.get("revision")},
                children=self.revision_children,
            )
        except EditConflict as conflict:
            self.edit_conflict = conflict
            self.add_error(None, conflict)
        return data

    def save(self, commit=True):
        if self.instance.pk is not None and self.changes_anything():
            # Ours: clean() found the row at this revision and holds its lock.
            self.instance.revision = self.cleaned_data["revision"] + 1
        return super().save(commit)

    def changes_anything(self) -> bool:
        """Whether saving the page writes anything (the admin skips unchanged inline rows)."""
        if any(name != "revision" for name in self.changed_data):
            return True
        for child, form in self.revision_inlines:
            formset_class = forms.inlineformset_factory(
                self._meta.model, child, form=form, extra=0, can_delete=True
            )
            formset = formset_class(
                self.data,
                self.files,
                instance=self.instance,
                prefix=formset_class.get_default_prefix(),
            )
            if formset.has_changed():
                return True
        return False
