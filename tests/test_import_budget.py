"""Budget lines from spreadsheets, as an officer sees it: an e-호조 CSV in 원 lands in 천원, the
preview says what will happen and saves nothing, the confirmation saves all of it or — one bad
row, or data changed since the preview — nothing."""

import datetime
import os
import time

import pytest

from budget.models import BudgetLine, Execution
from org.imports import PREVIEW_DIR, PREVIEW_KEEP_SECONDS
from tests.import_helpers import (
    NOTHING_SAVED,
    PREVIEW,
    confirm,
    db_state,
    make_officer,
    page_text,
    preview_counts,
    upload,
)

E_HOJO = """2020년 세출예산 집행 현황
(단위: 원)
단위사업명,세부사업명,시도비,시군구비,예산현액,시도비 지출액,시군구비 지출액,지출액,exe_ymd
청년 일자리,,"10,000,000","5,000,499","15,000,499",,,,
청년 일자리,청년 창업 지원,"4,000,000","2,000,500","6,000,500","1,000,000","500,499","1,500,499",20201031
합계,,"14,000,000","7,000,999","21,000,999","1,000,000","500,499","1,500,499",
"""

HEADER = "회계연도,상위 단위사업,사업명,국비,시비,구비,기타,예산액"


def csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def officer(report_2020):
    return make_officer(report_2020.department)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def line(name: str) -> BudgetLine:
    return BudgetLine.objects.get(fiscal_year=2020, name=name)


def test_an_e_hojo_csv_in_won_lands_in_thousands_under_its_unit_project(
    officer_client, report_2020
):
    preview = upload(officer_client, "budget", E_HOJO.encode("cp949"), filename="e호조.csv")
    confirm(officer_client, "budget", preview)

    unit, detail = line("청년 일자리"), line("청년 창업 지원")
    assert (unit.city, unit.district, unit.parent) == (10_000, 5_000, None)
    assert (detail.city, detail.district, detail.parent) == (4_000, 2_001, unit)
    assert detail.department == report_2020.department
    execution = detail.executions.get()
    assert (execution.as_of, execution.city, execution.district) == (
        datetime.date(2020, 10, 31),
        1_000,
        500,
    )


def test_the_e_hojo_preview_says_it_reads_won_and_skips_the_total_row(officer_client):
    preview = upload(officer_client, "budget", E_HOJO.encode("cp949"), filename="e호조.csv")

    text = page_text(preview)
    assert preview_counts(preview) == (2, 0, 0)
    assert "금액을 원 단위로 읽어 천원으로 바꿉니다(2행)" in text
    assert "합계 행은 건너뜁니다(6행)" in text


def test_the_preview_shows_new_changed_and_unchanged_rows_and_saves_nothing(officer_client):
    before = db_state()
    data = csv(
        HEADER,
        "2020,,청년 일자리,0,0,1000,0,1000",  # new
        "2020,,기본경비,0,0,90000,0,90000",  # 82,646 before
        "2020,,대외교류 활성화,0,20000,95900,0,115900",  # as it is
    )

    preview = upload(officer_client, "budget", data)

    assert preview_counts(preview) == (1, 1, 1)
    assert "구비 예산 82,646 → 90,000" in page_text(preview)
    assert db_state() == before


def test_confirming_the_preview_saves_every_row_as_the_officer(officer_client, officer):
    data = csv(
        HEADER,
        "2020,,청년 일자리,0,0,1000,0,1000",
        "2020,,기본경비,0,0,90000,0,90000",
    )
    preview = upload(officer_client, "budget", data)

    response = confirm(officer_client, "budget", preview)

    assert response.status_code == 302
    assert (line("청년 일자리").district, line("기본경비").district) == (1000, 90000)
    assert line("기본경비").history.latest().history_user == officer


def test_one_bad_row_among_many_valid_ones_saves_nothing(officer_client):
    rows = [f"2020,,시험 사업 {index:02d},0,0,{index},0,{index}" for index in range(1, 41)]
    rows[24] = "2020,,시험 사업 25,0,0,25,0,이십오"
    before = db_state()

    response = upload(officer_client, "budget", csv(HEADER, *rows))

    assert "26행 ‘예산액’ 열 값 ‘이십오’: 금액으로 읽을 수 없습니다" in page_text(response)
    assert db_state() == before


def test_every_problem_of_a_file_is_listed_not_only_the_first(officer_client):
    data = csv(
        HEADER,
        "2020,,청년 일자리,0,0,많음,0,",
        "2020,,노인 일자리,0,0,1000,0,1000",
        "2020,,노인 일자리,0,0,2000,0,2000",
    )

    text = page_text(upload(officer_client, "budget", data))

    assert "문제 2건" in text
    assert "2행 ‘구비’ 열 값 ‘많음’" in text
    assert "4행 ‘사업명’ 열 값 ‘노인 일자리’: 같은 사업이 3행에도 있습니다" in text


def test_a_row_made_invalid_between_preview_and_confirm_saves_nothing(officer_client):
    data = csv(
        HEADER,
        "2020,,청년 일자리,0,0,1000,0,1000",
        "2020,기본경비,청사 관리,0,0,80000,0,80000",  # within 기본경비's 82,646
    )
    preview = upload(officer_client, "budget", data)
    BudgetLine.objects.filter(name="기본경비").update(district=50_000)  # someone else's edit
    before = db_state()

    response = confirm(officer_client, "budget", preview)

    text = page_text(response)
    assert response.status_code == 200
    assert NOTHING_SAVED in text
    assert "3행 ‘구비’ 열 값 ‘80000’" in text
    assert "단위사업 ‘기본경비’의 구비 50,000천원보다 많습니다" in text
    assert db_state() == before


def test_a_preview_outdated_by_another_edit_is_not_confirmed(officer_client):
    preview = upload(officer_client, "budget", csv(HEADER, "2020,,기본경비,0,0,90000,0,90000"))
    BudgetLine.objects.filter(name="기본경비").update(district=85_000)
    before = db_state()

    response = confirm(officer_client, "budget", preview)

    assert "미리보기를 본 뒤에 자료가 바뀌어" in page_text(response)
    assert db_state() == before


def test_a_confirmation_sent_twice_saves_once_and_answers_the_second_in_korean(officer_client):
    preview = upload(officer_client, "budget", csv(HEADER, "2020,,청년 일자리,0,0,1000,0,1000"))
    confirm(officer_client, "budget", preview)
    after_first = db_state()

    second = confirm(officer_client, "budget", preview)

    assert second.status_code == 200
    assert "미리보기한 파일이 남아 있지 않습니다" in page_text(second)
    assert db_state() == after_first


def test_a_confirmation_with_its_hidden_fields_changed_is_refused(officer_client):
    preview = upload(officer_client, "budget", csv(HEADER, "2020,,청년 일자리,0,0,1000,0,1000"))
    before = db_state()

    response = confirm(officer_client, "budget", preview, digest="")

    assert response.status_code == 200
    assert "확인 요청이 올바르지 않습니다" in page_text(response)
    assert db_state() == before


def test_a_refused_upload_leaves_no_copy_in_the_temporary_folder(officer_client):
    PREVIEW_DIR.mkdir(parents=True, exist_ok=True)
    before = set(os.listdir(PREVIEW_DIR))

    upload(officer_client, "budget", csv(HEADER, "2020,,청년 일자리,0,0,많음,0,"))

    assert set(os.listdir(PREVIEW_DIR)) - before == set()


def test_a_preview_never_confirmed_is_removed_a_day_later(officer_client):
    upload(officer_client, "budget", csv(HEADER, "2020,,청년 일자리,0,0,1,0,"))
    kept = max(PREVIEW_DIR.iterdir(), key=lambda path: path.stat().st_mtime)
    old = time.time() - PREVIEW_KEEP_SECONDS - 60
    os.utime(kept, (old, old))

    upload(officer_client, "budget", csv(HEADER, "2020,,청년 일자리,0,0,1,0,"))

    assert not kept.exists()


def test_an_execution_row_records_the_execution_of_its_own_date(officer_client):
    data = csv(
        "회계연도,사업명,시비,구비,집행 기준일,시비 집행액,구비 집행액,연말 집행 예정액",
        "2020,대외교류 활성화,20000,95900,2020-12-15,20000,90000,115000",
    )
    preview = upload(officer_client, "budget", data)

    confirm(officer_client, "budget", preview)

    executions = Execution.objects.filter(line=line("대외교류 활성화")).order_by("as_of")
    assert [(e.as_of.isoformat(), e.executed, e.expected) for e in executions] == [
        ("2020-10-31", 82_810, 96_700),
        ("2020-12-15", 110_000, 115_000),
    ]


def test_the_form_date_is_used_for_a_file_without_a_date_column(officer_client):
    data = csv("회계연도,사업명,구비,구비 집행액", "2020,기본경비,82646,80000")
    preview = upload(officer_client, "budget", data, as_of="2020-11-30")

    confirm(officer_client, "budget", preview)

    execution = line("기본경비").executions.get(as_of=datetime.date(2020, 11, 30))
    assert execution.district == 80_000


def test_an_upload_with_a_preview_is_not_mistaken_for_a_refusal(officer_client):
    preview = upload(officer_client, "budget", csv(HEADER, "2020,,청년 일자리,0,0,1000,0,1000"))

    text = page_text(preview)
    assert PREVIEW in text and NOTHING_SAVED not in text


def test_a_unit_projects_own_row_without_a_date_takes_the_year_of_the_dated_rows(
    officer_client, report_2020
):
    """The form's 회계연도 is this year; the file is about 2020 and says so in its dates."""
    preview = upload(officer_client, "budget", E_HOJO.encode("cp949"), fiscal_year=2026)
    confirm(officer_client, "budget", preview)

    assert line("청년 창업 지원").parent == line("청년 일자리")
    assert not BudgetLine.objects.filter(fiscal_year=2026).exists()


def test_sources_in_won_that_add_up_are_accepted_and_still_add_up_in_thousands(
    officer_client, report_2020
):
    data = "(단위: 원)\n회계연도,사업명,국비,구비,예산액\n2020,반올림 사업,500500,500500,1001000\n"

    confirm(officer_client, "budget", upload(officer_client, "budget", data.encode()))

    saved = line("반올림 사업")
    assert saved.amount == 1001
    assert sorted([saved.national, saved.district]) == [500, 501]


def test_a_source_the_file_has_no_column_for_keeps_its_amount(officer_client, report_2020):
    before = line("대외교류 활성화")  # 시비 20,000 + 구비 95,900 in the seed
    data = "회계연도,사업명,구비\n2020,대외교류 활성화,96000\n"

    confirm(officer_client, "budget", upload(officer_client, "budget", data.encode()))

    after = line("대외교류 활성화")
    assert (after.city, after.district) == (before.city, 96000)


def test_a_budget_lowered_below_what_was_already_executed_is_refused(officer_client, report_2020):
    data = "회계연도,사업명,시비,구비\n2020,대외교류 활성화,20000,50000\n"  # 구비 62,810 executed

    response = upload(officer_client, "budget", data.encode())

    assert "이미 기록된 2020. 10. 31. 기준 구비 집행액 62,810천원보다" in page_text(response)
    assert line("대외교류 활성화").district == 95900


def test_a_confirmation_with_a_forged_format_is_refused_in_korean(officer_client, report_2020):
    data = "회계연도,사업명,구비,예산액\n2020,새 사업,10,10\n"
    preview = upload(officer_client, "budget", data.encode())

    response = confirm(officer_client, "budget", preview, format="7")

    assert response.status_code == 200
    assert "확인 요청이 올바르지 않습니다" in page_text(response)
    assert not BudgetLine.objects.filter(name="새 사업").exists()


def test_an_officer_without_a_department_is_told_why_nothing_can_be_imported(client, report_2020):
    from django.contrib.auth import get_user_model

    from org.roles import Role, make_staff

    user = get_user_model().objects.create_user("nodept")
    make_staff(user, Role.OFFICER, None)
    client.force_login(user)

    response = upload(client, "budget", b"\xed\x9a\x8c\xea\xb3\x84\xec\x97\xb0\xeb\x8f\x84,x\n")

    assert "소속 부서가 지정되어 있지 않아" in page_text(response)
