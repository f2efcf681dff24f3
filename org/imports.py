"""Imports and exports through django-import-export, checked as a whole and written at once.

The library reads a file row by row and, by default, saves every valid row even when others
fail — also on the admin's confirm step. Budget lines, staffing cells and teams are checked
against each other (a 세부사업 within its 단위사업, one name per year, one snapshot per date), so
`PlannedResource` replaces the library's per-row loop (`import_data_inner`) with a plan of
the whole file: `plan(table)` reads every row, collects every problem (line, column, value,
why) and decides what each row will do (new, changed, unchanged). Only a plan without
problems is applied, inside the transaction `import_data` opens, and `import_data` always
passes `rollback_on_validation_errors`, so any problem rolls everything back. The preview
(the library's dry run) plans without writing; the confirmation plans again — with the same
checks the writing services run — and is refused when the plan changed in between (its digest
differs), so what is saved is what the preview showed.

Rows always land in one department: the importing officer's own, or the one a clerk picks,
under the department rule of `org.access` (reach, and no changes while a report is reviewed).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import re
import secrets
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import Result, RowResult
from import_export.tmp_storages import TempFolderStorage
from simple_history.models import HistoricalRecords

from core import tabular
from core.tabular import Column, FileRejected, Sheet, SourceRow, Table
from org import access
from org.models import Department


@dataclass
class Problem:
    """One reason a file cannot be imported: where (line, column), what (value) and why."""

    line: int | None
    column: str | None
    value: object
    message: str

    def __str__(self) -> str:
        where = []
        if self.line:
            where.append(_("%(line)s행") % {"line": self.line})
        if self.column:
            where.append(_("‘%(column)s’ 열") % {"column": self.column})
        text = " ".join(where)
        shown = tabular.display(self.value)
        if shown:
            text += _(" 값 ‘%(value)s’") % {"value": shown}
        return f"{text}: {self.message}" if text else str(self.message)


@dataclass
class PlannedRow:
    """What one row of the file will do."""

    line: int
    kind: str  # RowResult.IMPORT_TYPE_NEW / _UPDATE / _SKIP
    label: str  # what the row is, e.g. "2026 청년 일자리 지원"
    changes: list[str] = field(default_factory=list)  # "국비 1,000 → 1,200" for updates


@dataclass
class ImportPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    payload: Any = None  # what `apply` writes
    context: str = ""  # where and with which defaults: part of the digest

    def problem(self, line, column, value, message) -> None:
        self.problems.append(Problem(line, column, value, str(message)))

    @property
    def digest(self) -> str:
        """Changes with the plan's outcome: new rows, changes, their order."""
        text = self.context + "\n".join(
            f"{row.line}|{row.kind}|{row.label}|{'|'.join(row.changes)}" for row in self.rows
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def count(self, kind: str) -> int:
        return sum(1 for row in self.rows if row.kind == kind)


class RowReader:
    """Reads the cells of one row, recording a Problem (line, column, value, why) for each
    cell that cannot be read; a failed cell reads as None."""

    def __init__(self, table: Table, plan: ImportPlan, row: SourceRow):
        self.table, self.plan, self.row = table, plan, row
        self.line, self.values = row.line, row.values
        self.failed = False

    def has(self, key: str) -> bool:
        return self.table.has(key)

    def blank(self, key: str) -> bool:
        return not tabular.display(self.values.get(key))

    def fail(self, key: str | None, message: str) -> None:
        self.failed = True
        header = self.table.header(key) if key else None
        self.plan.problem(self.line, header, self.values.get(key) if key else None, message)

    def _read(self, key: str, read, *args, **kwargs):
        if not self.has(key):
            return None
        try:
            return read(self.values.get(key), *args, **kwargs)
        except tabular.CellError as error:
            self.fail(key, str(error))
            return None

    def text(self, key: str, *, max_length: int, required: bool = False) -> str | None:
        value = self._read(key, tabular.read_text, max_length=max_length)
        if required and value == "":
            self.fail(key, _("비어 있습니다."))
            return None
        return value

    def amount(self, key: str) -> int | None:
        """An amount in 천원 (a 원 file's value rounded half-up)."""
        return self._non_negative(key, self._read(key, tabular.read_amount, unit=self.table.unit))

    def amount_in_won(self, key: str) -> int | None:
        """An amount in 원, exactly as the file states it, so that sums can be compared before
        anything is rounded (see tabular.to_thousands)."""
        written = self._read(key, tabular.read_amount, unit=tabular.WON_PER_THOUSAND)
        if written is None:
            return None
        return self._non_negative(key, written * self.table.unit)

    def _non_negative(self, key: str, value: int | None) -> int | None:
        if value is not None and value < 0:
            self.fail(key, _("음수(△) 금액은 쓸 수 없습니다. 예산액과 집행액은 0 이상입니다."))
            return None
        return value

    def count(self, key: str) -> int | None:
        return self._read(key, tabular.read_count)

    def date(self, key: str) -> datetime.date | None:
        return self._read(key, tabular.read_date)

    def year(self, key: str) -> int | None:
        value = self._read(key, tabular.read_count)
        if value is not None and not 2000 <= value <= 2100:
            self.fail(key, _("회계연도는 2000부터 2100 사이의 연도여야 합니다."))
            return None
        return value or None


class SheetsDataset(tablib.Dataset):
    """The raw sheets of an uploaded file; a resource finds its header row in them."""

    def __init__(self, sheets: list[Sheet]):
        super().__init__()
        self.sheets = sheets

    def __len__(self) -> int:
        return sum(len(sheet.rows) for sheet in self.sheets)


def sheets_of(dataset: tablib.Dataset) -> list[Sheet]:
    if isinstance(dataset, SheetsDataset):
        return dataset.sheets
    rows = [list(dataset.headers or [])] + [list(row) for row in dataset]
    return [Sheet(dataset.title or "", rows)]


@contextlib.contextmanager
def history_user(user) -> Iterator[None]:
    """Attribute django-simple-history records to `user` outside a request (commands)."""
    context = HistoricalRecords.context
    if getattr(context, "request", None) is not None:
        yield
        return
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        del context.request


class NativeWidget(widgets.Widget):
    """Numbers and dates out as they are: numbers stay numbers in XLSX (a negative amount is a
    number, not text), and CSV writes them plainly (1234, 2026-09-30) for the import to read."""

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class PlannedResource(resources.ModelResource):
    """A ModelResource whose import is planned for the whole file and applied all at once."""

    columns: Sequence[Column] = ()
    required: Sequence[str] = ()

    class Meta:
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(
        self,
        *,
        user=None,
        department: Department | None = None,
        defaults: dict | None = None,
        expected_digest: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.user = user
        self.department = department
        self.defaults = defaults or {}
        self.expected_digest = expected_digest

    # --- import ---------------------------------------------------------------------------

    def import_data(self, dataset, **kwargs):
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def import_data_inner(
        self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
    ):
        self.confirming = not dry_run  # rows read for a confirmation are locked (plan())
        plan = self.make_plan(dataset)
        if not plan.problems and self.expected_digest and plan.digest != self.expected_digest:
            plan.problem(
                None,
                None,
                None,
                _(
                    "미리보기를 본 뒤에 자료가 바뀌어 미리보기와 다르게 저장될 뻔했습니다. "
                    "아무것도 저장하지 않았습니다. 파일을 다시 올려 새 미리보기를 확인하세요."
                ),
            )
        if not plan.problems and not dry_run:
            try:
                with transaction.atomic(), history_user(self.user):
                    self.apply(plan)
            except ValidationError as error:
                for message in error.messages:
                    plan.problem(None, None, None, message)
            except DatabaseError as error:
                plan.problem(
                    None,
                    None,
                    None,
                    _(
                        "저장하는 중에 다른 저장과 겹쳤습니다. 아무것도 저장하지 않았습니다. 다시 해 주세요."
                    ),
                )
                if raise_errors:
                    raise error
        return self.result_of(plan)

    def make_plan(self, dataset) -> ImportPlan:
        plan = ImportPlan()
        department = self.department.pk if self.department else None
        plan.context = f"{department}|{sorted(self.defaults.items())}\n"
        if reason := self.refusal():
            plan.problem(None, None, None, reason)
            return plan
        try:
            table = tabular.find_table(
                sheets_of(dataset), columns=self.columns, required=self.required
            )
        except FileRejected as error:
            plan.problem(None, None, None, str(error))
            return plan
        if table.ignored:
            plan.notices.append(
                _("읽지 않은 열: %(headers)s") % {"headers": ", ".join(table.ignored)}
            )
        if table.skipped_totals:
            plan.notices.append(
                _("합계 행은 건너뜁니다(%(lines)s행).")
                % {"lines": ", ".join(str(line) for line in table.skipped_totals)}
            )
        planned = self.plan(table)
        plan.rows, plan.problems, plan.payload = planned.rows, planned.problems, planned.payload
        plan.notices.extend(planned.notices)
        return plan

    def refusal(self) -> str | None:
        """Why nothing may be imported into the department now, or None."""
        if self.department is None:
            if self.user is not None and not access.sees_all_departments(self.user):
                return _(
                    "계정에 소속 부서가 지정되어 있지 않아 가져올 수 없습니다. "
                    "관리자에게 소속 부서를 지정해 달라고 요청하세요."
                )
            return _("가져올 부서를 고르세요.")
        if self.user is not None:
            probe = Department(pk=self.department.pk)
            if not access.in_reach(self.user, probe):
                return _("이 부서의 자료는 가져올 수 없습니다: 자기 부서의 자료만 가져옵니다.")
        return access.department_frozen_reason(self.department.pk)

    def plan(self, table: Table) -> ImportPlan:
        """What importing `table` does: its rows, problems, notices and what `apply` writes.
        Reads the database, writes nothing, and leaves `table` as it is."""
        raise NotImplementedError

    def apply(self, plan: ImportPlan) -> None:
        raise NotImplementedError

    def result_of(self, plan: ImportPlan) -> Result:
        result = self.get_result_class()()
        result.plan = plan
        result.diff_headers = [_("행"), _("내용"), _("바뀌는 것")]
        result.total_rows = len(plan.rows)
        for row in plan.rows:
            row_result = self.get_row_result_class()()
            row_result.import_type = row.kind
            row_result.diff = [row.line, row.label, "; ".join(row.changes)]
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        by_line: dict[int, list[str]] = {}
        for problem in plan.problems:
            by_line.setdefault(problem.line or 0, []).append(str(problem))
        for line, problems in sorted(by_line.items()):
            result.append_invalid_row(line, {}, ValidationError(problems))
            result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
        return result

    # --- helpers for plans ----------------------------------------------------------------

    def check_department_cell(self, reader: RowReader) -> None:
        """A 부서 column, when the file has one, must name the department imported into."""
        if not reader.has("department"):
            return
        table, plan, row = reader.table, reader.plan, reader.row
        try:
            name = tabular.read_text(row.get("department"), max_length=200)
        except tabular.CellError as error:  # "=…", a control character, too long
            plan.problem(row.line, table.header("department"), row.get("department"), str(error))
            return
        if name and name != self.department.name:
            plan.problem(
                row.line,
                table.header("department"),
                name,
                _("다른 부서의 행입니다. 이 파일은 ‘%(department)s’의 자료로 가져오고 있습니다.")
                % {"department": self.department.name},
            )


DEPARTMENT_COLUMN = Column("department", "부서", ("부서명", "부서이름", "dept_nm", "과명"))


# --- Formats ----------------------------------------------------------------------------------


class SpreadsheetFormat(base_formats.Format):
    """XLSX or CSV (UTF-8 or CP949/EUC-KR), told apart by content and read within limits."""

    def __init__(self, encoding=None):
        self.encoding = encoding  # unused: the file's own encoding is found (core.tabular)

    def get_title(self):
        return "XLSX·CSV"

    def create_dataset(self, in_stream):
        return SheetsDataset(tabular.read_sheets(in_stream))

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def get_extension(self):
        return "xlsx"

    def can_import(self):
        return True


def escaped_dataset(dataset: tablib.Dataset, *, xlsx: bool) -> tablib.Dataset:
    """A copy for a file: formula-like text escaped (core.tabular.escape_cell), numbers kept."""
    copy = tablib.Dataset(*tabular.escape_rows(dataset, xlsx=xlsx), headers=dataset.headers)
    copy.title = dataset.title
    return copy


class EscapedCSV(base_formats.CSV):
    """CSV with a BOM (Excel opens it as UTF-8) and formula-like text escaped."""

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + escaped_dataset(dataset, xlsx=False).export("csv")


class EscapedXLSX(base_formats.XLSX):
    """XLSX with formula-like text escaped; numbers stay numbers."""

    def export_data(self, dataset, **kwargs):
        return escaped_dataset(dataset, xlsx=True).export("xlsx")


# --- Admin ------------------------------------------------------------------------------------


class DepartmentImportForm(ImportForm):
    """The file, and for an account that reaches every department, which one it belongs to."""

    department = forms.ModelChoiceField(
        label=gettext_lazy("부서"), queryset=Department.objects.all(), required=False
    )
    fiscal_year = forms.IntegerField(
        label=gettext_lazy("회계연도"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=gettext_lazy("파일에 회계연도 열이 없을 때 씁니다."),
    )
    as_of = forms.DateField(
        label=gettext_lazy("기준일"),
        required=False,
        help_text=gettext_lazy("파일에 기준일 열이 없을 때 씁니다(예: 2026-09-30)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, formats, resources, **kwargs):
        self.user = kwargs.pop("user")
        self.too_big = kwargs.pop("too_big", False)
        super().__init__(formats, resources, **kwargs)
        self.fields["import_file"].label = _("가져올 파일 (XLSX·CSV)")
        # The same words as a file read empty (other apps' catalogues word Django's own).
        self.fields["import_file"].error_messages["empty"] = tabular.EMPTY_FILE_MESSAGE
        self.fields["format"].label = _("형식")
        if access.sees_all_departments(self.user):
            self.fields["department"].required = True
        else:
            del self.fields["department"]

    def clean_import_file(self):
        upload = self.cleaned_data.get("import_file")
        if upload is not None and upload.size > tabular.MAX_UPLOAD_BYTES:
            raise ValidationError(tabular.too_big_message(upload.size))
        return upload

    def full_clean(self):
        super().full_clean()
        if self.too_big:
            # The file was dropped as it arrived (config.uploads): say so, not "required".
            self.errors.pop("import_file", None)
            self.add_error(
                "import_file",
                _("파일이 너무 큽니다. %(max)s MB까지 올릴 수 있습니다.")
                % {"max": tabular.MAX_UPLOAD_BYTES // (1024 * 1024)},
            )


class DepartmentConfirmForm(ConfirmImportForm):
    department = forms.IntegerField(widget=forms.HiddenInput(), required=False)
    fiscal_year = forms.IntegerField(widget=forms.HiddenInput(), required=False)
    as_of = forms.DateField(widget=forms.HiddenInput(), required=False)
    digest = forms.CharField(widget=forms.HiddenInput(), max_length=64)


class PreviewGone(Exception):
    """The file a confirmation names is no longer kept: imported already, or never previewed."""


PREVIEW_DIR = Path(settings.IMPORT_PREVIEW_DIR)
PREVIEW_KEEP_SECONDS = 24 * 60 * 60
_PREVIEW_NAME = re.compile(r"[0-9a-f]{32}")


class PreviewFile(TempFolderStorage):
    """The uploaded file, kept from the preview to the confirmation in a folder of its own,
    under a random name: a confirmation can only name such a file, and files of previews
    never confirmed are removed a day later (at the next upload)."""

    def save(self, data):
        PREVIEW_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._remove_stale()
        self.name = secrets.token_hex(16)
        with open(self.get_full_path(), "wb") as file:
            file.write(data)

    def get_full_path(self):
        if not self.name or not _PREVIEW_NAME.fullmatch(self.name):
            raise PreviewGone
        return str(PREVIEW_DIR / self.name)

    def read(self):
        try:
            with open(self.get_full_path(), "rb") as file:
                return file.read()
        except FileNotFoundError as error:
            raise PreviewGone from error

    def remove(self):
        with contextlib.suppress(FileNotFoundError, PreviewGone):  # e.g. confirmed twice at once
            os.remove(self.get_full_path())

    @staticmethod
    def _remove_stale() -> None:
        cutoff = time.time() - PREVIEW_KEEP_SECONDS
        for path in PREVIEW_DIR.iterdir():
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()


class DepartmentImportExportMixin(ImportExportMixin):
    """django-import-export in the admin, under the department rule and all-or-nothing."""

    import_formats = [SpreadsheetFormat]
    export_formats = [EscapedXLSX, EscapedCSV]
    import_form_class = DepartmentImportForm
    confirm_form_class = DepartmentConfirmForm
    import_template_name = "admin/portal_import.html"
    # The library's export page without inline style and script (Content-Security-Policy).
    export_template_name = "admin/portal/export.html"
    skip_admin_log = True  # django-simple-history records every row written
    tmp_storage_class = PreviewFile
    to_encoding = "utf-8"
    # Models whose add and change permissions an import needs besides the admin's own model.
    import_also_needs: Sequence[str] = ()

    def has_import_permission(self, request):
        opts = self.model._meta
        needed = [
            f"{opts.app_label}.add_{opts.model_name}",
            f"{opts.app_label}.change_{opts.model_name}",
        ]
        return request.user.has_perms([*needed, *self.import_also_needs])

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_form_kwargs(self, request):
        kwargs = super().get_import_form_kwargs(request)
        kwargs["user"] = request.user
        kwargs["too_big"] = getattr(request, "upload_too_large", False)
        return kwargs

    def get_import_form_initial(self, request):
        initial = super().get_import_form_initial(request)
        initial["fiscal_year"] = datetime.date.today().year
        return initial

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            department = import_form.cleaned_data.get("department")
            initial.update(
                department=department.pk if department else None,
                fiscal_year=import_form.cleaned_data.get("fiscal_year"),
                as_of=import_form.cleaned_data.get("as_of"),
                digest=getattr(request, "_import_digest", ""),
            )
        return initial

    def import_department(self, request, form) -> Department | None:
        if not access.sees_all_departments(request.user):
            own = access.department_id_of(request.user)
            return Department.objects.filter(pk=own).first() if own else None
        chosen = form.cleaned_data.get("department")
        if isinstance(chosen, Department):
            return chosen
        return Department.objects.filter(pk=chosen).first() if chosen else None

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        resource_kwargs = {"user": request.user}
        if form is not None and form.is_valid():
            resource_kwargs.update(
                department=self.import_department(request, form),
                defaults={
                    "fiscal_year": form.cleaned_data.get("fiscal_year"),
                    "as_of": form.cleaned_data.get("as_of"),
                },
                expected_digest=form.cleaned_data.get("digest"),
            )
        return resource_kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FileRejected):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                _("파일을 읽을 수 없습니다. XLSX나 CSV 파일인지 확인하세요."),
            )

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", {})
        result = context.get("result")
        if result is not None and "confirm_form" in context:
            # The confirmation must do what this preview shows: it carries the plan's digest.
            request._import_digest = result.plan.digest
            confirm = self.create_confirm_form(request, import_form=context["form"])
            context["confirm_form"] = confirm
        elif kept := getattr(request.FILES.get("import_file"), "tmp_storage_name", None):
            # Refused: nothing will confirm it, so the library's copy is not kept either.
            self.get_tmp_storage_class()(name=kept).remove()
        return response

    def process_import(self, request, **kwargs):
        """The library's confirmation, which answers a confirmation it cannot carry out — sent
        twice, or with its hidden fields changed — with a refusal, not an error page."""
        try:
            response = super().process_import(request, **kwargs)
        except (IndexError, ValueError):  # a forged "format"
            return self.refusal(
                request,
                _("확인 요청이 올바르지 않습니다. 파일을 다시 올려 미리보기부터 해 주세요."),
            )
        except PreviewGone:
            return self.refusal(
                request,
                _(
                    "미리보기한 파일이 남아 있지 않습니다(이미 가져왔거나 다시 보낸 확인입니다). "
                    "가져온 결과는 목록에서 확인하고, 필요하면 파일을 다시 올려 주세요."
                ),
            )
        if getattr(response, "context_data", {}).get("errors"):
            return self.refusal(
                request,
                _("확인 요청이 올바르지 않습니다. 파일을 다시 올려 미리보기부터 해 주세요."),
            )
        return response

    def refusal(self, request, message: str) -> TemplateResponse:
        plan = ImportPlan()
        plan.problem(None, None, None, message)
        resource = self.get_import_resource_classes(request)[0](user=request.user)
        return self.refused_page(request, resource.result_of(plan))

    def refused_page(self, request, result: Result) -> TemplateResponse:
        context = self.admin_site.each_context(request)
        context.update(
            title=_("가져오기"), opts=self.model._meta, result=result, refused=True, form=None
        )
        return TemplateResponse(request, [self.import_template_name], context)

    def process_result(self, result, request):
        plan = result.plan
        if result.has_errors() or result.has_validation_errors():
            return self.refused_page(request, result)
        messages.success(
            request,
            _("가져오기를 마쳤습니다: 새 행 %(new)s, 바뀐 행 %(update)s, 그대로인 행 %(skip)s.")
            % {
                "new": plan.count(RowResult.IMPORT_TYPE_NEW),
                "update": plan.count(RowResult.IMPORT_TYPE_UPDATE),
                "skip": plan.count(RowResult.IMPORT_TYPE_SKIP),
            },
        )
        app_label, model_name = self.get_model_info()
        url = reverse(
            f"admin:{app_label}_{model_name}_changelist", current_app=self.admin_site.name
        )
        return HttpResponseRedirect(url)
