"""Forms for project cards: the card rows of the report editor and the card's own admin page."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from budget.forms import FUNDING_SHORT_LABELS, AmountField, ObjectChoiceField
from budget.models import FUNDING_FIELDS, BudgetLine
from core.conflicts import RevisionFormMixin
from org.models import Team
from projects import services
from projects.models import Block, Card
from reports.models import DepartmentReport, ReportSection

REQUIRED_FIELDS = tuple(f"required_{name}" for name in FUNDING_FIELDS)
REQUIRED_LABELS = {f"required_{name}": label for name, label in FUNDING_SHORT_LABELS.items()}
# Cards that change place in a section are parked on numbers from here down, so that two
# cards can swap numbers under the (section, number) unique constraint.
PARKING_NUMBER = 32767
EDITOR_FIELDS = (
    "section",
    "number",
    "title",
    "team",
    "order",
    "budget_kind",
    "budget_heading",
    "budget_line",
    *REQUIRED_FIELDS,
)
# What the card's page saves with the card, for the message of an edit conflict.
CARD_CHILDREN = services.CARD_CHILDREN


def team_label(team: Team) -> str:
    return f"{team.name} (폐지)" if team.abolished_on else team.name


def budget_line_label(line: BudgetLine) -> str:
    return f"└ {line.name}" if line.parent_id else line.name


def section_choice_label(section: ReportSection) -> str:
    report = section.report
    return f"제{report.session.number}회 {report.department.name} — {section.title}"


def lines_in_print_order(lines: Iterable[BudgetLine]) -> list[BudgetLine]:
    """단위사업 in order, each followed by its 세부사업."""
    lines = list(lines)
    children: dict[int, list[BudgetLine]] = {}
    for line in lines:
        if line.parent_id:
            children.setdefault(line.parent_id, []).append(line)
    ordered = []
    for line in lines:
        if line.parent_id is None:
            ordered += [line, *children.pop(line.pk, [])]
    for orphans in children.values():  # a parent of another year: should not happen
        ordered += orphans
    return ordered


class CardRowForm(forms.Form):
    """One card in the report editor's list: where it stands and its budget block.

    Choices come from objects the editor fetched once (`sections`, `teams`, `lines`), so a
    page of 40 cards runs no query per card. The card's purpose and blocks are edited on the
    card's own page.
    """

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The card's revision when the page was opened (core.conflicts): the editor claims it.
    revision = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    order = forms.IntegerField(
        required=False, min_value=0, widget=forms.HiddenInput(attrs={"class": "card-order"})
    )
    number = forms.IntegerField(
        label=_("번호"),
        min_value=1,
        max_value=PARKING_NUMBER - 1000,
        error_messages={
            "required": _("카드 번호를 입력하세요."),
            "invalid": _("카드 번호는 1 이상의 정수로 입력하세요."),
            "min_value": _("카드 번호는 1 이상의 정수로 입력하세요."),
            "max_value": _("카드 번호가 너무 큽니다."),
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "size": 2, "class": "card-number", "autocomplete": "off"}
        ),
    )
    title = forms.CharField(
        label=_("사업명"), max_length=200, error_messages={"required": _("사업명을 입력하세요.")}
    )
    budget_kind = forms.ChoiceField(
        label=_("예산 블록"), choices=Card.BudgetKind.choices, initial=Card.BudgetKind.NONE
    )
    budget_heading = forms.CharField(
        label=_("예산 블록 제목"), max_length=50, required=False, initial="예산현황"
    )

    def __init__(
        self,
        *args,
        card: Card | None = None,
        sections: Sequence = (),
        section_label=str,
        teams: Sequence[Team] = (),
        lines: Sequence[BudgetLine] = (),
        year: int | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.card = card
        self.fields["section"] = ObjectChoiceField(
            label=_("보고 단원"),
            objects=sections,
            label_from_instance=section_label,
            empty_label=None,
            error_messages={
                "required": _("단원을 고르세요."),
                "invalid_choice": _("이 보고서의 단원만 고를 수 있습니다."),
            },
        )
        self.fields["team"] = ObjectChoiceField(
            label=_("담당 팀"),
            objects=teams,
            label_from_instance=team_label,
            empty_label=str(_("(없음)")),
            required=False,
            error_messages={"invalid_choice": _("이 부서의 팀만 고를 수 있습니다.")},
        )
        self.fields["budget_line"] = ObjectChoiceField(
            label=_("예산 사업"),
            objects=lines_in_print_order(lines),
            label_from_instance=budget_line_label,
            empty_label=str(_("(예산 사업 고르기)")),
            required=False,
            error_messages={
                "invalid_choice": _("이 부서의 %(year)s년 예산 사업만 고를 수 있습니다.")
                % {"year": year}
            },
        )
        for name in REQUIRED_FIELDS:
            self.fields[name] = AmountField(
                label=REQUIRED_LABELS[name], empty_value=0, blank_zero=True
            )
        self.fields["title"].widget.attrs.update(
            {"class": "card-title-input", "autocomplete": "off"}
        )
        self.fields["budget_heading"].widget.attrs.update({"size": 8, "class": "budget-heading"})
        self.fields["budget_kind"].widget.attrs.update({"class": "budget-kind"})
        self.fields["section"].widget.attrs.update({"class": "card-section"})
        self.fields["budget_line"].widget.attrs.update({"class": "budget-line"})
        self.cleaned_card: Card | None = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # A copy of the stored card, so that its history record keeps the fields not shown here.
        card = copy.copy(self.card) if self.card else Card()
        for name in EDITOR_FIELDS:
            if name != "order":
                setattr(card, name, data.get(name))
        card.budget_heading = card.budget_heading or ""
        order = data.get("order")
        card.order = order if order is not None else (self.card.order if self.card else 0)
        try:
            card.clean()  # team and budget line of this department, budget block complete
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
            return data
        self.cleaned_card = card
        return data

    def changed_fields(self) -> list[str]:
        """Names of the editor's fields that differ from the stored card (all for a new one)."""
        new = self.cleaned_card
        if self.card is None:
            return list(EDITOR_FIELDS)
        return [
            name
            for name in EDITOR_FIELDS
            if _field_value(self.card, name) != _field_value(new, name)
        ]


def _moved(form: CardRowForm) -> bool:
    """Whether a stored card's section or number is changed by the form."""
    data = form.cleaned_data
    return (form.card.section_id, form.card.number) != (data["section"].pk, data["number"])


def _field_value(card: Card, name: str):
    if name in ("section", "team", "budget_line"):
        return getattr(card, f"{name}_id")
    return getattr(card, name)


class BaseCardFormSet(forms.BaseFormSet):
    """All cards of one report, in order; numbers are unique within a section."""

    def __init__(self, *args, cards: dict[int, Card], choices: dict, **kwargs):
        self.cards = cards
        self.choices = choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = {**super().get_form_kwargs(index), **self.choices}
        card_id = None
        if index is not None and self.is_bound:
            card_id = self.data.get(self.add_prefix(index) + "-id")
        elif index is not None and index < len(self.initial or []):
            card_id = self.initial[index].get("id")
        try:
            kwargs["card"] = self.cards.get(int(card_id)) if card_id else None
        except (TypeError, ValueError):
            kwargs["card"] = None
        return kwargs

    def live_forms(self) -> list[CardRowForm]:
        """Forms that will be saved: filled in, not marked for deletion."""
        return [
            form
            for form in self.forms
            if form.has_changed() or form.card is not None
            if not (self.can_delete and self._should_delete_form(form))
        ]

    def clean(self):
        if any(form.errors for form in self.forms if not self._should_delete_form(form)):
            return
        for index, form in enumerate(self.forms):
            posted_id = form.cleaned_data.get("id")
            if posted_id and form.card is None:
                form.add_error(
                    None,
                    _("이 카드는 이미 지워졌거나 다른 보고서의 카드입니다. 화면을 새로 고치세요."),
                )
            if index >= self.initial_form_count() and form.card is not None:
                form.add_error(None, _("이 카드가 두 번 들어 있습니다. 화면을 새로 고치세요."))
        by_place: dict[tuple[int, int], list[CardRowForm]] = {}
        for form in self.live_forms():
            key = (form.cleaned_data["section"].pk, form.cleaned_data["number"])
            by_place.setdefault(key, []).append(form)
        for (_section, number), forms_here in by_place.items():
            if len(forms_here) < 2:
                continue
            # The card that already stood there keeps the number; the ones moved in are told.
            stayed = [form for form in forms_here if form.card and not _moved(form)]
            keeper = stayed[0] if stayed else forms_here[0]
            for form in forms_here:
                if form is not keeper:
                    form.add_error(
                        "number",
                        _(
                            "같은 단원에 %(number)s번 카드가 이미 있습니다(‘%(title)s’). 번호를 바꾸세요."
                        )
                        % {"number": number, "title": keeper.cleaned_data["title"]},
                    )

    def citations(self) -> dict[int, list[str]]:
        """Budget lines cited by the cards as they will be saved: line id → card labels."""
        cited: dict[int, list[str]] = {}
        for form in self.live_forms():
            card = form.cleaned_card
            if card is not None and card.budget_line_id:
                cited.setdefault(card.budget_line_id, []).append(f"{card.number}. {card.title}")
        return cited

    @transaction.atomic
    def save(self) -> bool:
        """Delete, move, change and add cards; True when anything was written."""
        deleted = [form.card.pk for form in self.deleted_forms if form.card is not None]
        if deleted:
            Card.objects.filter(pk__in=deleted).delete()
        live = self.live_forms()
        moving = [
            form
            for form in live
            if form.card is not None and {"section", "number"} & set(form.changed_fields())
        ]
        for offset, form in enumerate(moving):
            Card.objects.filter(pk=form.card.pk).update(number=PARKING_NUMBER - offset)
        written = bool(deleted)
        next_order: dict[int, int] = {}
        for form in live:
            card = form.cleaned_card
            if form.card is None:
                if not form.cleaned_data.get("order"):
                    section_id = card.section_id
                    if section_id not in next_order:
                        next_order[section_id] = 1 + max(
                            (
                                f.cleaned_card.order
                                for f in live
                                if f.cleaned_card.section_id == section_id
                            ),
                            default=0,
                        )
                    card.order = next_order[section_id]
                    next_order[section_id] += 1
                card.save()
                written = True
                continue
            changed = form.changed_fields()
            if changed:
                card.save(update_fields=[*changed, "revision"])
                written = True
        return written


CardFormSet = forms.formset_factory(
    CardRowForm, formset=BaseCardFormSet, extra=0, can_delete=True, can_delete_extra=True
)


# The card's own admin page ---------------------------------------------------------------------


class CardAdminForm(RevisionFormMixin, forms.ModelForm):
    """The card's page: its fields, plus a whole card pasted from HWP to make its blocks.

    The pasted text is cut at its □ headings (core.gaejosik.split_blocks); text before the
    first □ becomes the purpose. An error in any block names the block and the line, and
    nothing is saved. A page opened before someone else saved the card is refused
    (core.conflicts.RevisionFormMixin; the blocks are the admin's BlockInline).
    """

    paste_all = forms.CharField(
        label=_("전체 붙여넣기"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "class": "gaejosik", "spellcheck": "false"}),
        help_text=_(
            "한글(HWP)에서 카드 전체를 복사해 붙여 넣으면 □ 제목마다 블록을 만듭니다. "
            "첫 □ 앞의 글은 추진 목적이 됩니다. 새 블록은 기존 블록 뒤에 붙습니다."
        ),
    )
    paste_replace = forms.BooleanField(
        label=_("기존 블록을 모두 지우고 붙여 넣은 블록으로 바꿉니다"), required=False
    )
    revision_children = CARD_CHILDREN

    @property
    def revision_inlines(self):
        return [(Block, BlockInlineForm)]

    class Meta:
        model = Card
        fields = [
            "section",
            "number",
            "title",
            "team",
            "order",
            "purpose",
            "budget_kind",
            "budget_heading",
            "budget_line",
            *REQUIRED_FIELDS,
            "predecessor",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in REQUIRED_FIELDS:
            if name in self.fields:
                self.fields[name] = AmountField(
                    label=self.fields[name].label, empty_value=0, required=False
                )
        report = self._report()
        if "section" in self.fields:
            sections = ReportSection.objects.select_related("report__session", "report__department")
            self.fields["section"].queryset = sections.filter(report=report) if report else sections
            self.fields["section"].label_from_instance = section_choice_label
        if "team" in self.fields:
            teams = Team.objects.select_related("department")
            if report is not None:
                teams = teams.filter(department_id=report.department_id)
                self.fields["team"].label_from_instance = team_label
            self.fields["team"].queryset = teams
        if "budget_line" in self.fields:
            lines = BudgetLine.objects.select_related("department")
            if report is not None:
                lines = lines.for_year(report.department_id, report.session.year)
            self.fields["budget_line"].queryset = lines
        self.pasted = services.Pasted()

    def _report(self) -> DepartmentReport | None:
        """The report the card belongs to (or, on the add page, the one of ?section=)."""
        if self.instance.section_id:
            return self.instance.section.report
        section_id = self.initial.get("section")
        if section_id:
            section = (
                ReportSection.objects.select_related("report__session")
                .filter(pk=section_id)
                .first()
            )
            return section.report if section else None
        return None

    def clean(self):
        data = self._clean_pasted_purpose(super().clean())
        section, number = data.get("section"), data.get("number")
        if section and number:
            placed = Card(pk=self.instance.pk, section=section, number=number)
            if clash := services.number_clash(placed):
                self.add_error("number", clash)
        return data

    def clean_paste_all(self) -> str:
        text = self.cleaned_data.get("paste_all") or ""
        self.pasted = services.paste_parse(text)  # ValidationError: the field's messages
        return text if text.strip() else ""

    def _clean_pasted_purpose(self, data):
        problem = services.paste_purpose_problem(
            self.instance.purpose, self.pasted, replace=bool(data.get("paste_replace"))
        )
        if problem:
            self.add_error("paste_all", problem)
            return data
        if self.pasted.purpose is not None:
            data["purpose"] = self.pasted.purpose
            self.instance.purpose = self.pasted.purpose
        return data

    def save_pasted_blocks(self, card: Card) -> int:
        """Create the pasted blocks after (or instead of) the card's blocks; returns how many."""
        replace = bool(self.cleaned_data.get("paste_replace"))
        return services.paste_write(card, self.pasted, replace=replace)


class BlockInlineForm(forms.ModelForm):
    class Meta:
        model = Block
        fields = ["heading", "as_of", "content", "order"]
        widgets = {
            "as_of": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "order": forms.NumberInput(
                attrs={"class": "block-order", "min": 0, "style": "width: 5em"}
            ),
        }
