"""`manage.py import_spreadsheet`: a clerk's import from the command line, same checks."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from budget.models import BudgetLine
from org.roles import Role, make_staff

FILE = "회계연도,사업명,구비,예산액\n2020,청년 일자리,1500,1500\n"


@pytest.fixture
def budget_csv(tmp_path):
    path = tmp_path / "예산.csv"
    path.write_text(FILE, encoding="cp949")
    return path


def _run(*args):
    call_command("import_spreadsheet", *map(str, args))


def test_without_confirm_the_clerk_sees_the_preview_and_nothing_is_saved(
    budget_csv, report_2020, clerk, capsys
):
    _run("budget", budget_csv, "--department", "비전협력과", "--user", "clerk")

    out = capsys.readouterr().out
    assert "2행 [새로] 2020 청년 일자리" in out and "--confirm" in out
    assert not BudgetLine.objects.filter(name="청년 일자리").exists()


def test_with_confirm_the_rows_are_saved_and_attributed_to_the_clerk(
    budget_csv, report_2020, clerk
):
    _run("budget", budget_csv, "--department", "비전협력과", "--user", "clerk", "--confirm")

    line = BudgetLine.objects.get(name="청년 일자리", department=report_2020.department)
    assert line.district == 1500
    assert line.history.get().history_user == clerk


def test_a_bad_file_is_refused_with_its_problems_and_saves_nothing(
    tmp_path, report_2020, clerk, capsys
):
    path = tmp_path / "bad.csv"
    path.write_text("사업명,예산액\n청년 일자리,많음\n", encoding="utf-8")

    with pytest.raises(CommandError, match="아무것도 저장하지 않았습니다"):
        _run("budget", path, "--department", "비전협력과", "--user", "clerk", "--confirm")

    assert "2행 ‘예산액’ 열 값 ‘많음’" in capsys.readouterr().err
    assert not BudgetLine.objects.filter(name="청년 일자리").exists()


def test_an_officer_cannot_import_into_another_department(budget_csv, report_2020):
    officer = get_user_model().objects.create_user("kim")
    make_staff(officer, Role.OFFICER, report_2020.department)

    with pytest.raises(CommandError, match="가져올 수 없습니다"):
        _run("budget", budget_csv, "--department", "미래교육과", "--user", "kim", "--confirm")
