"""Forms for budget lines: the money field officers type into, and the editor's line rows.

`AmountField` and `ObjectChoiceField` are reused by the other apps' forms (cards' 소요예산,
the report editor) and by importers that clean spreadsheet cells the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from budget import services
from budget.models import FUNDING_FIELDS, BudgetLine, Execution
from core.conflicts import RevisionFormMixin

# 천원: a trillion won is far beyond any district budget line.
MAX_AMOUNT = 999_999_999_999

NEGATIVE_SIGNS = "△▲-−–—"
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_PLAIN = re.compile(r"[0-9]+")

EXECUTION_FIELDS = tuple(f"exec_{name}" for name in FUNDING_FIELDS)
FUNDING_SHORT_LABELS = {
    "national": _("국비"),
    "city": _("시비"),
    "district": _("구비"),
    "other": _("기타"),
}


def _compact(value: Any) -> str:
    """Full-width digits and commas made ASCII, every kind of space removed."""
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


class AmountField(forms.Field):
    """An amount in 천원 as officers type it: `1,079,048`, `1079048`, ` 1 079 048 `.

    Commas must group by three; signs, decimals and letters are refused with a Korean message
    that says what to fix. Cleans to an int, or to `empty_value` when left blank.
    """

    default_error_messages = {
        "negative": _("금액은 0 이상이어야 합니다(△, - 없이)."),
        "decimal": _("천원 단위 정수로 입력하세요. 소수점은 쓸 수 없습니다."),
        "commas": _("쉼표 위치가 맞지 않습니다(예: 1,079,048 또는 1079048)."),
        "invalid": _("금액에는 숫자와 쉼표만 쓸 수 있습니다."),
        "max_value": _("금액이 너무 큽니다. %(limit)s천원 이하로 입력하세요."),
    }

    def __init__(
        self,
        *,
        max_value: int = MAX_AMOUNT,
        empty_value: int | None = None,
        blank_zero: bool = False,
        **kwargs,
    ):
        self.max_value = max_value
        self.empty_value = empty_value
        self.blank_zero = blank_zero
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "off", "class": "amount"})
        return attrs

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return "" if value == 0 and self.blank_zero else f"{value:,}"
        return value

    def to_python(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        elif value in self.empty_values:
            return self.empty_value
        else:
            text = _compact(value)
        if not text:
            return self.empty_value
        if text[0] in NEGATIVE_SIGNS or "△" in text:
            raise ValidationError(self.error_messages["negative"], code="negative")
        if "." in text:
            raise ValidationError(self.error_messages["decimal"], code="decimal")
        if not _PLAIN.fullmatch(text.replace(",", "")):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if "," in text and not _GROUPED.fullmatch(text):
            raise ValidationError(self.error_messages["commas"], code="commas")
        amount = int(text.replace(",", ""))
        if amount > self.max_value:
            raise ValidationError(
                self.error_messages["max_value"],
                code="max_value",
                params={"limit": f"{self.max_value:,}"},
            )
        return amount


class ObjectChoiceField(forms.ChoiceField):
    """A select over objects already fetched: rendering and cleaning run no query.

    (A ModelChoiceField queries its queryset on every render and every clean, which is one
    query per row in a formset.) Cleans to the object, or None when left empty.
    """

    def __init__(
        self,
        *,
        objects: Iterable[models.Model],
        label_from_instance: Callable[[Any], str] = str,
        empty_label: str | None = "---------",
        **kwargs,
    ):
        self.objects = {str(obj.pk): obj for obj in objects}
        choices: list[tuple[str, str]] = [] if empty_label is None else [("", empty_label)]
        choices += [(key, label_from_instance(obj)) for key, obj in self.objects.items()]
        super().__init__(choices=choices, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, models.Model):
            return str(value.pk)
        return "" if value is None else str(value)

    def to_python(self, value):
        if isinstance(value, models.Model):
            return value
        if value in self.empty_values:
            return None
        obj = self.objects.get(str(value))
        if obj is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return obj

    def validate(self, value):
        forms.Field.validate(self, value)

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        return self.prepare_value(initial) != ("" if data is None else str(data))


def funding_fields(
    prefix: str = "",
    *,
    empty_value: int | None = 0,
    label_suffix: str = "",
    blank_zero: bool = True,
) -> dict:
    """AmountFields for the four funding parts, named `<prefix><part>`; 0 shows as blank."""
    return {
        f"{prefix}{name}": AmountField(
            label=f"{FUNDING_SHORT_LABELS[name]}{label_suffix}",
            empty_value=empty_value,
            blank_zero=blank_zero,
        )
        for name in FUNDING_FIELDS
    }


class FundingPartsAdminForm(forms.ModelForm):
    """Admin form of a model with funding parts: the parts typed like officers write them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FUNDING_FIELDS:
            if name in self.fields:
                field = self.fields[name]
                self.fields[name] = AmountField(
                    label=field.label, help_text=field.help_text, empty_value=0
                )


class ExecutionAdminForm(FundingPartsAdminForm):
    expected = AmountField(
        label=_("연말까지 집행 예정액"),
        help_text=_("12. 31.까지 집행할 것으로 보는 금액(천원). 없으면 비워 둡니다."),
    )

    class Meta:
        model = Execution
        fields = ["as_of", *FUNDING_FIELDS, "expected"]


# What the line's page saves with the line, for the message of an edit conflict.
LINE_CHILDREN = services.LINE_CHILDREN


class BudgetLineAdminForm(RevisionFormMixin, FundingPartsAdminForm):
    """The line's page with its executions (the admin's ExecutionInline); a page opened before
    someone else saved the line is refused (core.conflicts.RevisionFormMixin)."""

    revision_inlines = [(Execution, ExecutionAdminForm)]
    revision_children = LINE_CHILDREN

    class Meta:
        model = BudgetLine
        fields = ["department", "fiscal_year", "parent", "name", "order", *FUNDING_FIELDS]


class BudgetLineRowForm(forms.Form):
    """One budget line of the report editor: its funding and its execution as of the 기준일.

    예산액, 집행액 and 집행률 are not fields: they are computed from the parts.
    `parent_choices` are the department's 단위사업 of the year (fetched once by the editor).
    """

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The line's revision when the page was opened (core.conflicts): the editor claims it.
    revision = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    name = forms.CharField(label=_("사업명"), max_length=100)

    def __init__(self, *args, parent_choices: Iterable[BudgetLine] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = ObjectChoiceField(
            label=_("상위 단위사업"),
            objects=parent_choices,
            label_from_instance=lambda line: line.name,
            empty_label=str(_("(단위사업)")),
            required=False,
            error_messages={"invalid_choice": _("이 부서의 그해 단위사업만 고를 수 있습니다.")},
        )
        self.fields.update(funding_fields(empty_value=0, label_suffix=str(_(" 예산"))))
        self.fields.update(
            funding_fields("exec_", empty_value=None, label_suffix=str(_(" 집행액")))
        )
        self.fields["expected"] = AmountField(label=_("12.31.까지 집행 예정액"))
        self.fields["name"].widget.attrs.update({"class": "line-name", "autocomplete": "off"})
        for field in self.fields.values():
            if isinstance(field, AmountField):
                field.widget.attrs["aria-label"] = str(field.label)

    def funding(self) -> dict[str, int]:
        return {name: self.cleaned_data.get(name) or 0 for name in FUNDING_FIELDS}

    def execution(self) -> dict[str, int] | None:
        """The execution parts, or None when every execution field was left blank."""
        values = [self.cleaned_data.get(name) for name in (*EXECUTION_FIELDS, "expected")]
        if all(value is None for value in values):
            return None
        return {name: self.cleaned_data.get(f"exec_{name}") or 0 for name in FUNDING_FIELDS}


class BaseBudgetLineFormSet(forms.BaseFormSet):
    """Rows of budget lines; the cross-row rules live in `budget.services`."""

    def __init__(self, *args, parent_choices: Iterable[BudgetLine] = (), **kwargs):
        self.parent_choices = list(parent_choices)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "parent_choices": self.parent_choices}


BudgetLineFormSet = forms.formset_factory(
    BudgetLineRowForm,
    formset=BaseBudgetLineFormSet,
    extra=0,
    can_delete=True,
    can_delete_extra=True,
)
