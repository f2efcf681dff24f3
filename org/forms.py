"""Forms for organisation and staffing: the headcount field and the staffing grid."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import formats
from org.models import MAX_HEADCOUNT, STANDARD_COLUMNS, Grade, JobSeries, StaffingCell

_DIGITS = re.compile(r"[0-9]+")
NEGATIVE_SIGNS = "△▲-−–—"

Column = tuple[str, str]  # (series, grade)


class HeadcountField(forms.Field):
    """A number of people, 0–999, as typed into a staffing cell; blank means 0."""

    default_error_messages = {
        "negative": _("음수는 입력할 수 없습니다."),
        "decimal": _("소수 없이 정수로 입력하세요."),
        "invalid": _("글자는 쓸 수 없습니다. 숫자만 입력하세요."),
        "max_value": _("인원은 %(limit)s명 이하로 입력하세요."),
    }

    def __init__(self, *, blank_zero: bool = True, **kwargs):
        self.blank_zero = blank_zero
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "class": "headcount", "size": 3}
        )
        return attrs

    def prepare_value(self, value):
        if value == 0 and self.blank_zero and not isinstance(value, bool):
            return ""
        return value

    def to_python(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        elif value in self.empty_values:
            return 0
        else:
            text = "".join(unicodedata.normalize("NFKC", str(value)).split())
        if not text:
            return 0
        if text[0] in NEGATIVE_SIGNS or "△" in text:
            raise ValidationError(self.error_messages["negative"], code="negative")
        if "." in text:
            raise ValidationError(self.error_messages["decimal"], code="decimal")
        if not _DIGITS.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        number = int(text)
        if number > MAX_HEADCOUNT:
            raise ValidationError(
                self.error_messages["max_value"], code="max_value", params={"limit": MAX_HEADCOUNT}
            )
        return number

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial or 0)
        except ValidationError:
            return True


def staffing_columns(stored: Iterable[Column]) -> list[Column]:
    """The printed columns (STANDARD_COLUMNS) plus any other stored cell, in series order."""
    series_order = {value: index for index, value in enumerate(JobSeries.values)}
    columns = dict.fromkeys([*STANDARD_COLUMNS, *stored])
    return sorted(columns, key=lambda key: (series_order.get(key[0], 99), key[1]))


@dataclass
class GridColumn:
    series: str
    grade: str
    grade_label: str
    authorized: forms.BoundField
    current: forms.BoundField
    authorized_value: int
    current_value: int

    @property
    def difference(self) -> int:
        return self.current_value - self.authorized_value


@dataclass
class GridGroup:
    label: str
    span: int


class StaffingGridForm(forms.Form):
    """정원 and 현원 by job series × grade as of a 기준일, laid out like the printed table.

    `initial_cells` maps (series, grade) to (정원, 현원) as shown before editing; the 기준일
    must fall in the session's year and not after its last day.
    """

    as_of = forms.DateField(
        label=_("기준일"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("기준일을 입력하세요."),
            "invalid": _("날짜를 2020-10-31 꼴로 입력하세요."),
        },
    )

    def __init__(
        self,
        *args,
        year: int,
        last_day: datetime.date,
        initial_cells: Mapping[Column, tuple[int, int]],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.year = year
        self.last_day = last_day
        self.columns = staffing_columns(initial_cells)
        for series, grade in self.columns:
            authorized, current = initial_cells.get((series, grade), (0, 0))
            label = f"{JobSeries(series).label} {Grade(grade).label}"
            self.fields[self.cell_name("authorized", series, grade)] = HeadcountField(
                label=_("%(cell)s 정원") % {"cell": label}, initial=authorized
            )
            self.fields[self.cell_name("current", series, grade)] = HeadcountField(
                label=_("%(cell)s 현원") % {"cell": label}, initial=current
            )
        for name, field in self.fields.items():
            if name != "as_of":
                field.widget.attrs["aria-label"] = str(field.label)

    @staticmethod
    def cell_name(row: str, series: str, grade: str) -> str:
        return f"{row}_{series}_{grade}"

    def clean_as_of(self) -> datetime.date:
        day = self.cleaned_data["as_of"]
        if day.year != self.year:
            raise ValidationError(
                _("기준일은 보고 연도(%(year)s년) 안의 날짜여야 합니다."),
                params={"year": self.year},
            )
        if day > self.last_day:
            raise ValidationError(
                _("기준일은 회기 마지막 날(%(day)s)보다 늦을 수 없습니다."),
                params={"day": formats.date(self.last_day)},
            )
        return day

    def headcounts(self) -> dict[Column, tuple[int, int]]:
        """(정원, 현원) of every column, from the cleaned data."""
        data = self.cleaned_data
        return {
            (series, grade): (
                data[self.cell_name("authorized", series, grade)],
                data[self.cell_name("current", series, grade)],
            )
            for series, grade in self.columns
        }

    # Layout for the template: computed totals from whatever is shown (typed or initial).

    def _shown(self, name: str) -> int:
        field = self.fields[name]
        value = self[name].value()
        try:
            return field.to_python(value)
        except ValidationError:
            return 0

    def grid(self) -> list[GridColumn]:
        return [
            GridColumn(
                series=series,
                grade=grade,
                grade_label=str(Grade(grade).label),
                authorized=self[self.cell_name("authorized", series, grade)],
                current=self[self.cell_name("current", series, grade)],
                authorized_value=self._shown(self.cell_name("authorized", series, grade)),
                current_value=self._shown(self.cell_name("current", series, grade)),
            )
            for series, grade in self.columns
        ]

    def groups(self) -> list[GridGroup]:
        groups: list[GridGroup] = []
        for series, _grade in self.columns:
            label = str(JobSeries(series).label)
            if groups and groups[-1].label == label:
                groups[-1].span += 1
            else:
                groups.append(GridGroup(label, 1))
        return groups

    def totals(self) -> dict[str, int]:
        columns = self.grid()
        authorized = sum(column.authorized_value for column in columns)
        current = sum(column.current_value for column in columns)
        return {"authorized": authorized, "current": current, "difference": current - authorized}


class StaffingCellForm(forms.ModelForm):
    """A cell of the StaffingSnapshot admin, with headcounts checked like the grid's."""

    authorized = HeadcountField(label=_("정원"), blank_zero=False)
    current = HeadcountField(label=_("현원"), blank_zero=False)

    class Meta:
        model = StaffingCell
        fields = ["series", "grade", "authorized", "current"]
