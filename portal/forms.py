"""Forms for reports: the one-screen report editor and its sections.

`ReportEditor` bundles every form of a department report's admin screen — facilities,
staffing grid, budget lines, sections and cards — fetches what they need up front, validates
them together (including the rules that cross forms) and saves them in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django import forms
from django.db import transaction
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from budget.forms import EXECUTION_FIELDS, LINE_CHILDREN, BudgetLineFormSet, BudgetLineRowForm
from budget.models import FUNDING_FIELDS, BudgetLine, Execution, execution_rate
from budget.services import BudgetLineRow, budget_lines_save, budget_lines_validate
from core import formats
from core.conflicts import (
    EditConflict,
    edit_conflict,
    revision_claim,
    revisions_check,
    revisions_claim,
)
from core.fields import GaejosikFormField
from org.forms import StaffingGridForm
from org.models import StaffingCell, StaffingSnapshot, Team
from org.services import staffing_save
from projects.forms import CARD_CHILDREN, CardFormSet, CardRowForm, lines_in_print_order
from projects.models import Card
from publishing.document import roman
from reports.models import DepartmentReport, ReportSection

SUMMARY_MESSAGE = _("입력한 내용에 오류가 있어 저장하지 않았습니다. 표시된 칸을 고쳐 주세요.")
CONFLICT_SUMMARY = _(
    "이 화면을 연 뒤에 다른 사람이 저장한 내용이 있어, 덮어쓰지 않도록 아무것도 저장하지 않았습니다. "
    "아래에서 그사이 바뀐 내용을 확인하고, 화면을 새로 고친 뒤 다시 입력하세요(새로 고치면 지금 "
    "입력한 내용은 사라지니 필요하면 먼저 복사해 두세요)."
)


class ReportFieldsForm(forms.Form):
    facilities = GaejosikFormField(
        label=_("주요시설 및 장비"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "gaejosik", "spellcheck": "false"}),
        help_text=_("○ - · 기호로 적습니다. 비워 두면 보고서에 ‘해당없음’으로 나옵니다."),
    )
    # The report's revision when the page was opened (core.conflicts): every save claims it.
    revision = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class SectionRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    order = forms.IntegerField(
        label=_("순서"),
        min_value=0,
        max_value=999,
        error_messages={
            "invalid": _("순서는 0 이상의 정수로 입력하세요."),
            "min_value": _("순서는 0 이상의 정수로 입력하세요."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 2, "class": "section-order"}),
    )
    kind = forms.ChoiceField(label=_("종류"), choices=ReportSection.Kind.choices)
    title = forms.CharField(
        label=_("단원 제목"),
        max_length=100,
        error_messages={"required": _("단원 제목을 입력하세요.")},
    )

    def __init__(self, *args, section: ReportSection | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        self.fields["title"].widget.attrs.update({"class": "section-title", "autocomplete": "off"})


class BaseSectionFormSet(forms.BaseFormSet):
    def __init__(self, *args, sections: dict[int, ReportSection], **kwargs):
        self.sections = sections
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        section_id = None
        if index is not None and self.is_bound:
            section_id = self.data.get(self.add_prefix(index) + "-id")
        elif index is not None and index < len(self.initial or []):
            section_id = self.initial[index].get("id")
        try:
            kwargs["section"] = self.sections.get(int(section_id)) if section_id else None
        except (TypeError, ValueError):
            kwargs["section"] = None
        return kwargs

    def live_forms(self) -> list[SectionRowForm]:
        return [
            form
            for form in self.forms
            if form.has_changed() or form.section is not None
            if not self._should_delete_form(form)
        ]

    def clean(self):
        if any(form.errors for form in self.forms if not marked_for_deletion(form)):
            return
        titles: set[str] = set()
        for form in self.forms:
            if form.cleaned_data.get("id") and form.section is None:
                form.add_error(
                    None,
                    _("이 단원은 이미 지워졌거나 다른 보고서의 단원입니다. 화면을 새로 고치세요."),
                )
        for form in self.live_forms():
            title = form.cleaned_data["title"].strip()
            if title in titles:
                form.add_error("title", _("같은 제목의 단원이 이미 있습니다."))
            titles.add(title)

    def save_changes(self, report: DepartmentReport) -> bool:
        """Change and add sections (deleting waits until their cards have moved)."""
        written = False
        live = self.live_forms()
        for form in live:
            section = form.section
            if section is not None and section.title != form.cleaned_data["title"].strip():
                ReportSection.objects.filter(pk=section.pk).update(
                    title=f"__renaming__{section.pk}"
                )
        for form in live:
            data = form.cleaned_data
            values = {"order": data["order"], "kind": data["kind"], "title": data["title"].strip()}
            section = form.section or ReportSection(report=report)
            if section.pk and all(getattr(section, key) == value for key, value in values.items()):
                continue
            for key, value in values.items():
                setattr(section, key, value)
            section.save()
            written = True
        return written

    def delete_marked(self) -> bool:
        doomed = [form.section.pk for form in self.deleted_forms if form.section is not None]
        if doomed:
            ReportSection.objects.filter(pk__in=doomed).delete()
        return bool(doomed)


SectionFormSet = forms.formset_factory(
    SectionRowForm, formset=BaseSectionFormSet, extra=0, can_delete=True, can_delete_extra=True
)


# Rows for the template ----------------------------------------------------------------------


@dataclass
class LineRow:
    """A budget line row as shown: its form and the figures computed from what is shown."""

    form: BudgetLineRowForm
    is_child: bool
    previous: Execution | None
    amount: int
    executed: int
    rate: str
    cited_by: list[str]


@dataclass
class CardGroup:
    section: ReportSection | None
    label: str
    forms: list[CardRowForm] = field(default_factory=list)


@dataclass
class ErrorEntry:
    where: str
    message: str
    anchor: str


class ReportEditor:
    """Every form of one department report's admin screen, validated and saved together.

    No lost updates (core.conflicts): the page carries the revisions it was opened at — the
    report's, and each budget line's and card's. A save claims the report's revision, and those
    of the lines and cards it writes; when one has moved on, nothing is saved and the error
    summary says who changed what meanwhile.
    """

    conflict_summary = CONFLICT_SUMMARY

    def __init__(self, report: DepartmentReport, data=None):
        self.report = report
        self.session = report.session
        self.department = report.department
        self.data = data
        cells = self._read_rows()
        bound = {"data": data} if data is not None else {}
        self.report_form = ReportFieldsForm(
            **bound,
            prefix="report",
            initial={"facilities": report.facilities, "revision": report.revision},
        )
        self.staffing_form = StaffingGridForm(
            **bound,
            prefix="staffing",
            year=self.session.year,
            last_day=self.session.end_date,
            initial={"as_of": self.session.figure_date},
            initial_cells={
                (cell.series, cell.grade): (cell.authorized, cell.current) for cell in cells
            },
        )
        self._build_formsets(bound)
        self._cross_errors_checked = False
        self.conflicted = False

    def _read_rows(self) -> list[StaffingCell]:
        """The department's teams, lines, executions, staffing, sections and cards as of the
        기준일; returns the cells of the staffing snapshot shown."""
        report, department, day = self.report, self.department, self.session.figure_date
        self.teams = list(Team.objects.filter(department=department).order_by("order", "name"))
        self.lines = list(BudgetLine.objects.for_year(department, self.session.year))
        self.lines_by_id = {line.pk: line for line in self.lines}
        executions = Execution.objects.as_of(day).filter(
            line__department=department, line__fiscal_year=self.session.year
        )
        self.current: dict[int, Execution] = {}
        self.previous: dict[int, Execution] = {}
        for execution in executions:
            if execution.as_of == day:
                self.current[execution.line_id] = execution
            else:
                self.previous.setdefault(execution.line_id, execution)
        self.snapshot = StaffingSnapshot.objects.as_of(day).filter(department=department).first()
        self.sections = list(ReportSection.objects.filter(report=report))
        for section in self.sections:
            section.report = report
        self.cards = list(
            Card.objects.filter(section__report=report).order_by(
                "section__order", "section_id", "order", "number"
            )
        )
        return list(StaffingCell.objects.filter(snapshot=self.snapshot)) if self.snapshot else []

    def _build_formsets(self, bound: dict) -> None:
        top_level = [line for line in self.lines if line.parent_id is None]
        self.line_formset = BudgetLineFormSet(
            **bound,
            prefix="lines",
            initial=[self._line_initial(line) for line in lines_in_print_order(self.lines)],
            parent_choices=top_level,
        )
        self.section_formset = SectionFormSet(
            **bound,
            prefix="sections",
            initial=[
                {"id": s.pk, "order": s.order, "kind": s.kind, "title": s.title}
                for s in self.sections
            ],
            sections={section.pk: section for section in self.sections},
        )
        self.card_formset = CardFormSet(
            **bound,
            prefix="cards",
            initial=[self._card_initial(card) for card in self.cards],
            cards={card.pk: card for card in self.cards},
            choices={
                "sections": self.sections,
                "section_label": self.section_label,
                "teams": self.teams,
                "lines": self.lines,
                "year": self.session.year,
            },
        )

    # Initial values ---------------------------------------------------------------------------

    def _line_initial(self, line: BudgetLine) -> dict:
        initial = {
            "id": line.pk,
            "revision": line.revision,
            "name": line.name,
            "parent": line.parent_id,
            **line.parts(),
        }
        execution = self.current.get(line.pk)
        if execution is not None:
            initial.update({f"exec_{name}": value for name, value in execution.parts().items()})
            initial["expected"] = execution.expected
        return initial

    @staticmethod
    def _card_initial(card: Card) -> dict:
        return {
            "id": card.pk,
            "revision": card.revision,
            "order": card.order,
            "section": card.section_id,
            "number": card.number,
            "title": card.title,
            "team": card.team_id,
            "budget_kind": card.budget_kind,
            "budget_heading": card.budget_heading,
            "budget_line": card.budget_line_id,
            **{f"required_{name}": value for name, value in card.required_parts().items()},
        }

    @cached_property
    def numerals(self) -> dict[int, str]:
        ordered = sorted(self.sections, key=lambda s: (s.order, s.pk))
        return {section.pk: roman(index) for index, section in enumerate(ordered, start=2)}

    def section_label(self, section: ReportSection) -> str:
        return f"{self.numerals.get(section.pk, '')}. {section.title}"

    # Validation -------------------------------------------------------------------------------

    @property
    def forms(self) -> list:
        return [
            self.report_form,
            self.staffing_form,
            self.line_formset,
            self.section_formset,
            self.card_formset,
        ]

    def is_valid(self) -> bool:
        valid = all([form.is_valid() for form in self.forms])  # every form, for every message
        if not self._cross_errors_checked:
            self._cross_errors_checked = True
            self._check_sections_left_empty()
            self._check_budget_lines()
            self._check_revisions()
        return valid and not self.has_errors()

    def has_errors(self) -> bool:
        return any(True for _entry in self.error_entries())

    def _check_sections_left_empty(self) -> None:
        if not self.card_formset.is_valid():
            return
        remaining: dict[int, int] = {}
        for form in self.card_formset.live_forms():
            section_id = form.cleaned_data["section"].pk
            remaining[section_id] = remaining.get(section_id, 0) + 1
        for form in self.section_formset.deleted_forms:
            count = remaining.get(form.section.pk if form.section else None, 0)
            if count:
                form.add_error(
                    "DELETE",
                    _(
                        "이 단원에 카드 %(count)s개가 남아 있어 지울 수 없습니다. 카드를 지우거나 다른 단원으로 옮기세요."
                    )
                    % {"count": count},
                )

    def _line_rows(self) -> list[tuple[BudgetLineRowForm, BudgetLineRow]]:
        """(form, row) for every line form to save: valid filled-in rows with parents by name,
        and stored lines marked for deletion (whatever else their row says)."""
        formset = self.line_formset
        names: dict[int, str] = {line.pk: line.name for line in self.lines}
        picked = []
        for form in formset.forms:
            if marked_for_deletion(form):
                if form.cleaned_data.get("id") in names:
                    picked.append((form, True))
            elif form.is_valid() and (form.has_changed() or form.cleaned_data.get("id")):
                picked.append((form, False))
                if form.cleaned_data.get("id"):
                    names[form.cleaned_data["id"]] = form.cleaned_data["name"]
        rows = []
        for form, deleting in picked:
            data = form.cleaned_data
            if deleting:
                row = BudgetLineRow(line_id=data["id"], name=names[data["id"]], delete=True)
            else:
                parent = data.get("parent")
                row = BudgetLineRow(
                    line_id=data.get("id"),
                    name=data["name"],
                    parent=names.get(parent.pk) if parent else None,
                    funding=form.funding(),
                    executed=form.execution(),
                    expected=data.get("expected"),
                )
            rows.append((form, row))
        return rows

    def _citations(self) -> dict[int, list[str]] | None:
        """Cards that will cite each budget line: this page's cards as submitted, and any
        other report's cards as stored. None when the cards could not be read."""
        if not self.card_formset.is_valid():
            return None
        cited = self.card_formset.citations()
        others = (
            Card.objects.filter(budget_line__in=self.lines)
            .exclude(section__report=self.report)
            .select_related("section__report__session")
        )
        for card in others:
            label = f"제{card.section.report.session.number}회 {card.number}. {card.title}"
            cited.setdefault(card.budget_line_id, []).append(label)
        return cited

    def _check_budget_lines(self) -> None:
        rows = self._line_rows()
        citations = self._citations()
        if citations is None:  # a card form is wrong: do not guess which lines it cites
            citations = {
                card.budget_line_id: [str(card)] for card in self.cards if card.budget_line_id
            }
        errors = budget_lines_validate(
            department=self.department,
            year=self.session.year,
            as_of=self.session.figure_date,
            rows=[row for _form, row in rows],
            citations=citations,
        )
        for index, fields in errors.items():
            form = rows[index][0]
            for key, messages in fields.items():
                name = {"delete": "DELETE", "__all__": None}.get(key, key)
                for message in messages:
                    form.add_error(name if name is None or name in form.fields else None, message)

    # Error summary ----------------------------------------------------------------------------

    def error_entries(self) -> Iterator[ErrorEntry]:
        yield from self._form_errors(self.report_form, gettext("보고서"))
        yield from self._form_errors(self.staffing_form, gettext("인력 현황"))
        for index, form in enumerate(self.line_formset.forms, start=1):
            name = form["name"].value() or ""
            yield from self._form_errors(
                form, gettext("예산 사업 %(n)s행 %(name)s") % {"n": index, "name": name}
            )
        for form in self.section_formset.forms:
            title = form["title"].value() or ""
            yield from self._form_errors(form, gettext("단원 ‘%(title)s’") % {"title": title})
        for form in self.card_formset.forms:
            number, title = form["number"].value() or "", form["title"].value() or ""
            yield from self._form_errors(
                form,
                gettext("사업 카드 %(number)s. %(title)s") % {"number": number, "title": title},
            )
        for formset in (self.line_formset, self.section_formset, self.card_formset):
            if formset.is_bound:
                for message in formset.non_form_errors():
                    yield ErrorEntry("", message, "")

    @staticmethod
    def _form_errors(form, where: str) -> Iterator[ErrorEntry]:
        """The form's errors; of a row marked for deletion, only why it cannot be deleted."""
        if not form.is_bound:
            return
        deleting = marked_for_deletion(form)
        for name, messages in form.errors.items():
            if deleting and name != "DELETE":
                continue
            if name == "__all__":
                label, anchor = "", form.prefix or ""
            else:
                label, anchor = str(form.fields[name].label or ""), form[name].auto_id
            for message in messages:
                yield ErrorEntry(f"{where} · {label}" if label else where, message, anchor)

    # Saving -----------------------------------------------------------------------------------

    @transaction.atomic
    def save(self) -> list[str]:
        """Write everything; returns the names of the parts that changed."""
        if not self.is_valid():
            raise ValueError("ReportEditor.save() called with invalid data")
        self._claim_revisions()
        changed = []
        facilities = self.report_form.cleaned_data["facilities"]
        if facilities != self.report.facilities:
            self.report.facilities = facilities
            changed.append(gettext("주요시설 및 장비"))
        if self._save_staffing():
            changed.append(gettext("인력 현황"))
        sections_changed = self.section_formset.save_changes(self.report)
        cards_changed = self.card_formset.save()
        sections_changed = self.section_formset.delete_marked() or sections_changed
        if sections_changed:
            changed.append(gettext("보고 단원"))
        if cards_changed:
            changed.append(gettext("사업 카드"))
        rows = [row for _form, row in self._line_rows()]
        if self._budget_rows_differ(rows):
            budget_lines_save(
                department=self.department,
                year=self.session.year,
                as_of=self.session.figure_date,
                rows=rows,
            )
            changed.append(gettext("예산 사업"))
        if changed:
            try:  # the report's row is locked since _claim_revisions: this fails only on SQLite
                self.report.revision = revision_claim(
                    DepartmentReport, self.report.pk, self.report_form.cleaned_data["revision"]
                )
            except EditConflict as conflict:
                self._conflict(self.report_form, conflict)
                raise
            self.report._change_reason = ", ".join(changed)  # kept in its history record
            self.report.save(update_fields=["facilities", "updated_at", "revision"])
        return changed

    def _save_staffing(self) -> bool:
        """Record the grid as of its 기준일 when it differs from what was shown.

        Numbers carried over from an earlier snapshot count as a difference: saving records
        them as of the 기준일 the officer saw on the screen.
        """
        form = self.staffing_form
        as_of = form.cleaned_data["as_of"]
        cells = form.headcounts()
        shown_date = self.snapshot.as_of if self.snapshot else None
        if shown_date == as_of and not form.has_changed():
            return False
        if self.snapshot is None and not any(any(counts) for counts in cells.values()):
            return False
        staffing_save(department=self.department, as_of=as_of, cells=cells)
        return True

    def _budget_rows_differ(self, rows: list[BudgetLineRow]) -> bool:
        return any(
            row.line_id not in self.lines_by_id
            or row.delete
            or self._line_differs(row)
            or self._execution_differs(row)
            for row in rows
        )

    def _line_differs(self, row: BudgetLineRow) -> bool:
        """Whether the stored line's own name, parent or funding differ from the row."""
        line = self.lines_by_id[row.line_id]
        parent = self.lines_by_id.get(line.parent_id)
        if (row.name.strip(), row.parent) != (line.name, parent.name if parent else None):
            return True
        return dict(line.parts()) != {name: row.funding.get(name, 0) for name in FUNDING_FIELDS}

    def _execution_differs(self, row: BudgetLineRow) -> bool:
        if row.executed is None:
            return False
        execution = self.current.get(row.line_id)
        return (
            execution is None
            or execution.parts() != dict(row.executed)
            or execution.expected != row.expected
        )

    # Edits made meanwhile ---------------------------------------------------------------------

    def _lines_to_claim(self) -> dict[int, tuple[BudgetLineRowForm, BudgetLineRow]]:
        """Stored lines this save writes (changed, or deleted), by id, with their forms."""
        return {
            row.line_id: (form, row)
            for form, row in self._line_rows()
            if row.line_id in self.lines_by_id
            if row.delete or self._line_differs(row) or self._execution_differs(row)
        }

    def _cards_to_claim(self) -> dict[int, CardRowForm]:
        """Stored cards this save writes (changed, moved or deleted), by id, with their forms."""
        formset = self.card_formset
        if not formset.is_valid():
            return {}
        changed = {
            form.card.pk: form
            for form in formset.live_forms()
            if form.card is not None and form.changed_fields()
        }
        deleted = {form.card.pk: form for form in formset.deleted_forms if form.card is not None}
        return {**changed, **deleted}

    def _check_revisions(self) -> None:
        """Refuse, before saving, what changed after the page was opened: compared with what
        this request read (no query); `save()` compares again with the rows locked."""
        seen = getattr(self.report_form, "cleaned_data", {}).get("revision")
        if seen != self.report.revision:
            self._conflict(self.report_form, edit_conflict(DepartmentReport, self.report.pk, seen))
        for pk, (form, _row) in self._lines_to_claim().items():
            seen = form.cleaned_data.get("revision")
            if seen != self.lines_by_id[pk].revision:
                self._conflict(form, edit_conflict(BudgetLine, pk, seen, children=LINE_CHILDREN))
        cards = {card.pk: card for card in self.cards}
        for pk, form in self._cards_to_claim().items():
            seen = form.cleaned_data.get("revision")
            if seen != cards[pk].revision:
                self._conflict(form, edit_conflict(Card, pk, seen, children=CARD_CHILDREN))

    def _claim_revisions(self) -> None:
        """Lock the report and claim the revisions of the lines and cards this save writes;
        raises EditConflict (after putting it on the screen) when one has moved on.

        The report's own revision is raised at the end, and only when something was saved."""
        try:
            revisions_check(
                DepartmentReport, {self.report.pk: self.report_form.cleaned_data["revision"]}
            )
        except EditConflict as conflict:
            self._conflict(self.report_form, conflict)
            raise
        lines = self._lines_to_claim()
        try:
            claimed = revisions_claim(
                BudgetLine,
                {pk: form.cleaned_data["revision"] for pk, (form, _row) in lines.items()},
                children=LINE_CHILDREN,
            )
        except EditConflict as conflict:
            self._conflict(lines[conflict.pk][0], conflict)
            raise
        for pk, revision in claimed.items():
            line = self.lines_by_id[pk]
            line.revision = revision
            _form, row = lines[pk]
            if not row.delete and not self._line_differs(row):
                # Only the execution changes: record the line's new revision first, so the
                # history shows who saved it (budget_lines_save writes changed lines itself).
                line.save(update_fields=["revision"])
        cards = self._cards_to_claim()
        try:
            claimed = revisions_claim(
                Card,
                {pk: form.cleaned_data["revision"] for pk, form in cards.items()},
                children=CARD_CHILDREN,
            )
        except EditConflict as conflict:
            self._conflict(cards[conflict.pk], conflict)
            raise
        for pk, revision in claimed.items():
            if cards[pk].cleaned_card is not None:
                cards[pk].cleaned_card.revision = revision

    def _conflict(self, form: forms.Form, conflict: EditConflict) -> None:
        """Show the conflict on its row; the summary's headline says the rest."""
        self.conflicted = True
        field = "DELETE" if marked_for_deletion(form) else None
        form.add_error(field, conflict.brief_messages())

    # Layout -----------------------------------------------------------------------------------

    @property
    def figure_date(self) -> datetime.date:
        return self.session.figure_date

    @property
    def figure_date_short(self) -> str:
        return formats.short_date(self.figure_date)

    def staffing_note(self) -> str:
        """Where the grid's numbers come from, when that is not the 기준일 itself."""
        if self.snapshot is None:
            return gettext("기준일 이전에 입력된 인력 현황이 없습니다. 새로 입력하세요.")
        if self.snapshot.as_of != self.figure_date:
            return gettext(
                "표의 숫자는 %(day)s 기준 인력 현황에서 가져왔습니다. 저장하면 위 기준일의 현황으로 기록되고, 이전 현황은 그대로 남습니다."
            ) % {"day": formats.date(self.snapshot.as_of)}
        return ""

    def line_rows(self) -> list[LineRow]:
        lines = {line.pk: line for line in self.lines}
        citations: dict[int, list[str]] = {}
        for card in self.cards:
            if card.budget_line_id:
                citations.setdefault(card.budget_line_id, []).append(f"{card.number}. {card.title}")
        rows = []
        for form in self.line_formset.forms:
            line_id = form["id"].value()
            try:
                line = lines.get(int(line_id)) if line_id else None
            except (TypeError, ValueError):
                line = None
            amount = sum(_shown_amount(form, name) for name in FUNDING_FIELDS)
            executed = sum(_shown_amount(form, name) for name in EXECUTION_FIELDS)
            rate = execution_rate(executed, amount)
            rows.append(
                LineRow(
                    form=form,
                    is_child=bool(form["parent"].value()),
                    previous=self.previous.get(line.pk) if line else None,
                    amount=amount,
                    executed=executed,
                    rate="-" if rate is None else str(rate),
                    cited_by=citations.get(line.pk, []) if line else [],
                )
            )
        return rows

    def budget_total(self) -> dict:
        rows = [row for row in self.line_rows() if not row.is_child]
        amount = sum(row.amount for row in rows)
        executed = sum(row.executed for row in rows)
        expected = sum(_shown_amount(row.form, "expected") for row in rows)
        rate = execution_rate(executed, amount)
        return {
            "amount": amount,
            "executed": executed,
            "expected": expected,
            "rate": "-" if rate is None else rate,
        }

    def card_groups(self) -> list[CardGroup]:
        """Cards under their section, in the order shown (as posted after an error)."""
        groups = {
            section.pk: CardGroup(section, self.section_label(section))
            for section in sorted(self.sections, key=lambda s: (s.order, s.pk))
        }
        loose = CardGroup(None, gettext("단원을 고르지 않은 카드"))
        for form in self.card_formset.forms:
            value = form["section"].value()
            try:
                group = groups.get(int(value)) if value else None
            except (TypeError, ValueError):
                group = None
            (group or loose).forms.append(form)
        for group in groups.values():
            group.forms.sort(key=lambda form: _int_or(form["order"].value(), 10**6))
        result = list(groups.values())
        if loose.forms:
            result.append(loose)
        return result

    def section_card_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for card in self.cards:
            counts[card.section_id] = counts.get(card.section_id, 0) + 1
        return counts

    def empty_forms(self) -> dict:
        return {
            "line": self.line_formset.empty_form,
            "section": self.section_formset.empty_form,
            "card": self.card_formset.empty_form,
        }


def marked_for_deletion(form: forms.Form) -> bool:
    """Whether a bound formset row has its 삭제 box ticked (validating it if needed)."""
    if not form.is_bound or "DELETE" not in form.fields:
        return False
    form.errors  # noqa: B018  (runs full_clean, which fills cleaned_data)
    return bool(form.cleaned_data.get("DELETE"))


def _int_or(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _shown_amount(form: forms.Form, name: str) -> int:
    """The amount a field shows (typed or initial), 0 when blank or not a valid amount."""
    try:
        return form.fields[name].to_python(form[name].value()) or 0
    except forms.ValidationError:
        return 0
