"""Uploading, confirming and exporting spreadsheets through the admin in tests, and a snapshot
of every row an import may touch (with the django-simple-history tables)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budget.models import BudgetLine, Execution
from org.models import Department, StaffingCell, StaffingSnapshot, Team
from org.roles import Role, make_staff

ADMINS = {"budget": "budget_budgetline", "staffing": "org_staffingsnapshot", "team": "org_team"}
FORMATS = {"xlsx": "0", "csv": "1"}  # export formats, in DepartmentImportExportMixin's order
NOTHING_SAVED = "아무것도 저장하지 않았습니다"
PREVIEW = "미리보기 — 아직 저장하지 않았습니다"

TRACKED = (BudgetLine, Execution, StaffingSnapshot, StaffingCell, Team, Department)


def make_officer(department: Department, username: str = "officer", role: Role = Role.OFFICER):
    user = get_user_model().objects.create_user(username)  # no password: hashing is slow
    make_staff(user, role, department)
    return user


def db_state() -> dict[str, list[tuple]]:
    """Every row, every column, of the models an import writes and of their history tables."""
    models = [*TRACKED, *(model.history.model for model in TRACKED if hasattr(model, "history"))]
    return {model._meta.label: list(model.objects.order_by("pk").values_list()) for model in models}


def upload(client, kind: str, data: bytes, filename: str = "자료.csv", **fields):
    """Post `data` to the admin import page of `kind`; 회계연도 2020 unless given."""
    fields.setdefault("fiscal_year", 2020)
    payload = {"import_file": SimpleUploadedFile(filename, data), "format": "0"}
    payload.update({key: value for key, value in fields.items() if value is not None})
    return client.post(reverse(f"admin:{ADMINS[kind]}_import"), payload)


class _ConfirmForm(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("action") or "").endswith("/process_import/")
        elif tag == "input" and self.inside and attrs.get("name") and attrs["type"] != "submit":
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def confirm_fields(preview) -> dict[str, str]:
    """The hidden fields of the preview's confirm form ({} when the page has none)."""
    parser = _ConfirmForm()
    parser.feed(preview.content.decode())
    return parser.fields


def confirm(client, kind: str, preview, **changes):
    """Press 이대로 가져오기 on `preview` (with some fields changed, as a forged post would)."""
    fields = confirm_fields(preview)
    assert fields, "the preview has no confirm form"
    fields.update(changes)
    return client.post(reverse(f"admin:{ADMINS[kind]}_process_import"), fields)


def page_text(response) -> str:
    """The page's main content as text: tags dropped, entities read, spaces collapsed."""
    content = response.content.decode()
    start = content.find('<div id="content"')
    text = re.sub(r"<[^>]+>", " ", content[start if start != -1 else 0 :])
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def preview_counts(response) -> tuple[int, int, int]:
    """(new, changed, unchanged) as the preview shows them."""
    text = page_text(response)
    found = re.search(r"새 행 (\d+) 바뀌는 행 (\d+) 그대로인 행 (\d+)", text)
    assert found, f"no preview counts in: {text[:500]}"
    return tuple(int(number) for number in found.groups())


def export(client, kind: str, file_format: str) -> bytes:
    """Download every row the user may see of `kind` through the admin export view."""
    url = reverse(f"admin:{ADMINS[kind]}_export")
    form = client.get(url).content.decode()
    fields = re.findall(r'<input type="checkbox" name="(\w+)" resource-id="0"[^>]*checked', form)
    assert fields, "the export page lists no fields"
    response = client.post(
        url, {"format": FORMATS[file_format], "resource": "0"} | dict.fromkeys(fields, "on")
    )
    assert response.status_code == 200
    assert "attachment" in response.headers.get("Content-Disposition", ""), page_text(response)[
        :800
    ]
    return response.content
