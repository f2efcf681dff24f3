"""Export → import changes nothing: what the admin exports of the 2020 seed reads back as every
row unchanged, numbers stay numbers in XLSX, and text a spreadsheet would run as a formula is
exported escaped and reads back as it was."""

import csv
import io

import openpyxl
import pytest

from budget.models import BudgetLine
from org.models import StaffingCell, Team
from tests.import_helpers import (
    confirm,
    db_state,
    export,
    make_officer,
    preview_counts,
    upload,
)

FORMULA_LIKE = ["=1+1", "@SUM(A1)", "-2", "+x", "'=x"]


@pytest.fixture
def officer_client(client, report_2020):
    client.force_login(make_officer(report_2020.department))
    return client


def xlsx_rows(data: bytes) -> list[list[openpyxl.cell.Cell]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows()]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def seed_rows(kind: str, department) -> int:
    if kind == "budget":
        return BudgetLine.objects.filter(department=department).count()
    if kind == "staffing":
        return StaffingCell.objects.filter(snapshot__department=department).count()
    return Team.objects.filter(department=department).count()


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", ["budget", "staffing", "team"])
def test_an_exported_file_previews_as_every_row_unchanged(
    officer_client, report_2020, kind, file_format
):
    data = export(officer_client, kind, file_format)

    preview = upload(officer_client, kind, data, filename=f"내보내기.{file_format}")

    assert preview_counts(preview) == (0, 0, seed_rows(kind, report_2020.department))


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", ["budget", "staffing", "team"])
def test_confirming_an_exported_file_changes_nothing(officer_client, kind, file_format):
    data = export(officer_client, kind, file_format)
    preview = upload(officer_client, kind, data, filename=f"내보내기.{file_format}")
    before = db_state()

    response = confirm(officer_client, kind, preview)

    assert response.status_code == 302
    assert db_state() == before


def test_the_budget_xlsx_keeps_amounts_dates_and_rates_as_numbers(officer_client):
    header, *rows = xlsx_rows(export(officer_client, "budget", "xlsx"))
    numeric = [cell.column for cell in header if "천원" in cell.value or "%" in cell.value]
    dated = [cell.column for cell in header if "기준일" in cell.value]

    assert len(numeric) == 12 and rows
    assert all(row[column - 1].data_type == "n" for row in rows for column in numeric)
    assert all(row[column - 1].is_date for row in rows for column in dated)


def test_a_negative_staffing_difference_stays_a_number(officer_client):
    header, *rows = xlsx_rows(export(officer_client, "staffing", "xlsx"))
    _header, *lines = csv_rows(export(officer_client, "staffing", "csv"))
    column = [cell.value for cell in header].index("과부족")

    assert -2 in [row[column].value for row in rows if row[column].data_type == "n"]
    assert "-2" in [line[column] for line in lines]  # not '-2


@pytest.fixture
def formula_like_teams(report_2020):
    for order, name in enumerate(FORMULA_LIKE, start=10):
        Team.objects.create(department=report_2020.department, name=name, order=order)


@pytest.mark.usefixtures("formula_like_teams")
def test_formula_like_team_names_are_exported_escaped_in_csv(officer_client):
    header, *lines = csv_rows(export(officer_client, "team", "csv"))
    names = [line[header.index("팀 이름")] for line in lines]

    assert ["'" + name for name in FORMULA_LIKE] == [name for name in names if name[0] == "'"]


@pytest.mark.usefixtures("formula_like_teams")
def test_formula_like_team_names_are_exported_as_escaped_text_in_xlsx(officer_client):
    header, *rows = xlsx_rows(export(officer_client, "team", "xlsx"))
    column = [cell.value for cell in header].index("팀 이름")
    cells = [row[column] for row in rows if str(row[column].value).startswith("'")]

    assert [cell.value for cell in cells] == ["'" + name for name in FORMULA_LIKE]
    assert {cell.data_type for cell in cells} == {"s"}  # text, not a formula


@pytest.mark.usefixtures("formula_like_teams")
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_escaped_team_names_read_back_as_they_were(officer_client, report_2020, file_format):
    data = export(officer_client, "team", file_format)
    preview = upload(officer_client, "team", data, filename=f"팀.{file_format}")
    before = db_state()

    confirm(officer_client, "team", preview)

    assert preview_counts(preview) == (0, 0, 2 + len(FORMULA_LIKE))
    assert db_state() == before
    names = set(
        Team.objects.filter(department=report_2020.department).values_list("name", flat=True)
    )
    assert set(FORMULA_LIKE) <= names
