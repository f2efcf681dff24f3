"""Forms of the staff screens that are not admin forms."""

from __future__ import annotations

from django import forms
from django.db.models import F, Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from org.models import Department
from projects import carry
from reports.models import DepartmentReport, Session

FIELDSETS = [
    (gettext_lazy("회기"), ["number", "name", "kind"]),
    (gettext_lazy("일정"), ["start_date", "end_date", "deadline"]),
    (gettext_lazy("보고 수치"), ["year", "figure_date"]),
]
SESSION_FIELDS = [
    "number",
    "name",
    "kind",
    "start_date",
    "end_date",
    "year",
    "figure_date",
    "deadline",
]
DATE_FIELDS = ("start_date", "end_date", "figure_date", "deadline")


class OpenSessionForm(forms.ModelForm):
    """A session's number, name, dates, 기준일 and deadline, and the departments that report."""

    departments = forms.TypedMultipleChoiceField(
        label=gettext_lazy("참여 부서"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "보고서 책자 순서(국·단 순, 부서 순)입니다. 빼려면 선택을 해제하세요."
        ),
        error_messages={"required": gettext_lazy("참여 부서를 하나 이상 고르세요.")},
    )

    class Meta:
        model = Session
        fields = SESSION_FIELDS
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in DATE_FIELDS
        }
        error_messages = {
            "number": {"unique": gettext_lazy("이 번호의 회기가 이미 있습니다.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].required = True
        self.fields["deadline"].help_text = _(
            "부서가 보고서를 제출할 마지막 날입니다. 기준일보다 뒤, 회기 시작일까지로 정합니다."
        )
        self.fields["deadline"].error_messages["required"] = _("제출 마감일을 입력하세요.")
        departments = _departments_in_booklet_order()
        self._departments = {department.pk: department for department in departments}
        self.fields["departments"].choices = _grouped_choices(departments)
        if not self.is_bound:
            self.initial.setdefault("departments", list(self._departments))
            last = Session.objects.aggregate(last=Max("number"))["last"]
            if last:
                self.initial.setdefault("number", last + 1)

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in FIELDSETS]

    def department_groups(self) -> list[tuple[str, list]]:
        """The department checkboxes under their bureau's name, in booklet order."""
        options = iter(self["departments"])
        return [
            (bureau, [next(options) for _choice in choices])
            for bureau, choices in self.fields["departments"].choices
        ]

    def clean_departments(self) -> list[Department]:
        chosen = set(self.cleaned_data["departments"])
        return [department for pk, department in self._departments.items() if pk in chosen]

    def save(self, commit: bool = True, *, user=None) -> Session:
        data = {name: self.cleaned_data[name] for name in SESSION_FIELDS}
        self.instance = carry.open_session(
            **data, departments=self.cleaned_data["departments"], user=user
        )
        return self.instance


def _departments_in_booklet_order() -> list[Department]:
    return list(
        Department.objects.select_related("bureau").order_by(
            F("bureau__order").asc(nulls_first=True), "bureau__name", "order", "name"
        )
    )


def _grouped_choices(departments: list[Department]) -> list:
    """[(bureau, [(pk, label), …]), …]; a label names the department's latest report."""
    latest = dict(
        DepartmentReport.objects.values("department")
        .annotate(last=Max("session__number"))
        .values_list("department", "last")
    )
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for department in departments:
        bureau = department.bureau.name if department.bureau else _("직속 부서")
        if not groups or groups[-1][0] != bureau:
            groups.append((bureau, []))
        label = department.name
        if department.pk in latest:
            label = _("%(name)s (지난 보고: 제%(number)s회)") % {
                "name": department.name,
                "number": latest[department.pk],
            }
        groups[-1][1].append((department.pk, label))
    return groups
