"""Bad input on the report editor: a Korean message next to the field, a summary at the top,
and the database exactly as it was (product rule 6: bad input never half-lands)."""

from __future__ import annotations

import pytest

from budget.forms import AmountField
from budget.models import BudgetLine
from org.forms import HeadcountField
from org.models import Department, Team
from projects.models import Card
from reports.models import ReportSection
from tests.test_admin_report_editor import dump, editor_data, field_errors, post, row_prefix

SUMMARY = "입력한 내용에 오류가 있어 저장하지 않았습니다. 표시된 칸을 고쳐 주세요."


def submit_with(client, report, changes) -> tuple[str, dict, dict]:
    """Post the page with `changes(data)` applied plus a valid edit elsewhere; returns the
    response HTML and the dumps before and after."""
    data = editor_data(client, report)
    changes(data)
    data["report-facilities"] = "○ 이 변경도 저장되면 안 됩니다"
    before = dump()
    response = post(client, report, data)
    assert response.status_code == 200
    return response.content.decode(), before, dump()


# The fields on their own --------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, value",
    [
        ("1,079,048", 1079048),
        ("1079048", 1079048),
        (" 1 079 048 ", 1079048),
        ("１,０７９", 1079),
        ("", None),
        ("0", 0),
    ],
)
def test_an_amount_is_read_as_officers_type_it(typed, value):
    assert AmountField().clean(typed) == value


@pytest.mark.parametrize(
    "typed, message",
    [
        ("1,2,3", "쉼표 위치가 맞지 않습니다"),
        ("12,34", "쉼표 위치가 맞지 않습니다"),
        ("1,000,", "쉼표 위치가 맞지 않습니다"),
        ("12만", "숫자와 쉼표만"),
        ("1,079.5", "소수점은 쓸 수 없습니다"),
        ("△1,000", "0 이상이어야 합니다"),
        ("-500", "0 이상이어야 합니다"),
    ],
)
def test_an_amount_typed_wrong_gets_a_korean_message(typed, message):
    with pytest.raises(Exception) as error:
        AmountField().clean(typed)

    assert message in " ".join(error.value.messages)


@pytest.mark.parametrize(
    "typed, message",
    [("-1", "음수"), ("△1", "음수"), ("1.5", "소수"), ("두 명", "숫자만"), ("1000", "999명 이하")],
)
def test_a_headcount_typed_wrong_gets_a_korean_message(typed, message):
    with pytest.raises(Exception) as error:
        HeadcountField().clean(typed)

    assert message in " ".join(error.value.messages)


# On the screen: each kind of bad input -----------------------------------------------------


def _line(data, name):
    return row_prefix(data, "lines", "name", name)


def _card(data, title):
    return row_prefix(data, "cards", "title", title)


CASES = {
    "misplaced commas in a budget part": (
        lambda d: d.update({_line(d, "기본경비") + "-district": "82,64,6"}),
        lambda d: _line(d, "기본경비") + "-district",
        "쉼표 위치가 맞지 않습니다",
    ),
    "letters in an execution part": (
        lambda d: d.update({_line(d, "기본경비") + "-exec_district": "칠만오천"}),
        lambda d: _line(d, "기본경비") + "-exec_district",
        "숫자와 쉼표만",
    ),
    "a decimal in the expected amount": (
        lambda d: d.update({_line(d, "기본경비") + "-expected": "82,646.5"}),
        lambda d: _line(d, "기본경비") + "-expected",
        "소수점",
    ),
    "a negative budget part": (
        lambda d: d.update({_line(d, "기본경비") + "-district": "△100"}),
        lambda d: _line(d, "기본경비") + "-district",
        "0 이상이어야",
    ),
    "a negative headcount": (
        lambda d: d.update({"staffing-current_general_7": "-2"}),
        lambda d: "staffing-current_general_7",
        "음수",
    ),
    "a decimal headcount": (
        lambda d: d.update({"staffing-authorized_general_6": "2.5"}),
        lambda d: "staffing-authorized_general_6",
        "소수",
    ),
    "letters in a headcount": (
        lambda d: d.update({"staffing-authorized_admin_ops_9": "한명"}),
        lambda d: "staffing-authorized_admin_ops_9",
        "숫자만",
    ),
    "an execution part above its budget part": (
        lambda d: d.update({_line(d, "대외교류 활성화") + "-exec_city": "20,001"}),
        lambda d: _line(d, "대외교류 활성화") + "-exec_city",
        "시비 집행액 20,001천원이 시비 예산 20,000천원보다 많습니다.",
    ),
    "a budget part lowered below what was executed": (
        lambda d: d.update({_line(d, "금융산업 경쟁력 강화") + "-city": "100,000"}),
        lambda d: _line(d, "금융산업 경쟁력 강화") + "-exec_city",
        "시비 집행액 186,000천원이 시비 예산 100,000천원보다 많습니다.",
    ),
    "an expected amount below what was executed": (
        lambda d: d.update({_line(d, "기본경비") + "-expected": "70,000"}),
        lambda d: _line(d, "기본경비") + "-expected",
        "이미 집행한 75,028천원보다 적을 수 없습니다",
    ),
    "an expected amount above the budget": (
        lambda d: d.update({_line(d, "기본경비") + "-expected": "90,000"}),
        lambda d: _line(d, "기본경비") + "-expected",
        "예산액 82,646천원보다 많습니다",
    ),
    "a card number used twice in a section": (
        lambda d: d.update({_card(d, "여의도 금융특정개발진흥지구 육성") + "-number": "1"}),
        lambda d: _card(d, "여의도 금융특정개발진흥지구 육성") + "-number",
        "같은 단원에 1번 카드가 이미 있습니다",
    ),
    "a team of another department": (
        lambda d: d.update(
            {_card(d, "여의도 금융특정개발진흥지구 육성") + "-team": str(_other_team().pk)}
        ),
        lambda d: _card(d, "여의도 금융특정개발진흥지구 육성") + "-team",
        "이 부서의 팀만 고를 수 있습니다.",
    ),
    "a budget line of another department": (
        lambda d: d.update(
            {_card(d, "여의도 금융특정개발진흥지구 육성") + "-budget_line": str(_other_line().pk)}
        ),
        lambda d: _card(d, "여의도 금융특정개발진흥지구 육성") + "-budget_line",
        "이 부서의 2020년 예산 사업만 고를 수 있습니다.",
    ),
    "a staffing date in another year": (
        lambda d: d.update({"staffing-as_of": "2019-12-31"}),
        lambda d: "staffing-as_of",
        "보고 연도(2020년) 안의 날짜여야 합니다.",
    ),
    "a staffing date after the session's last day": (
        lambda d: d.update({"staffing-as_of": "2020-12-24"}),
        lambda d: "staffing-as_of",
        "회기 마지막 날(2020. 12. 23.)보다 늦을 수 없습니다.",
    ),
    "deleting a budget line a card cites": (
        lambda d: d.update({_line(d, "대외교류 활성화") + "-DELETE": "on"}),
        lambda d: _line(d, "대외교류 활성화") + "-DELETE",
        "사업 카드 ‘1. 국내외 도시와의 상호교류 활성화’에서 이 예산 사업을 쓰고 있어 지울 수 없습니다.",
    ),
    "two budget lines with one name": (
        lambda d: d.update({_line(d, "기본경비") + "-name": "대외교류 활성화"}),
        lambda d: _line(d, "기본경비") + "-name",
        "같은 이름의 예산 사업이 이미 있습니다",
    ),
    "a section deleted with its cards": (
        lambda d: d.update(
            {row_prefix(d, "sections", "title", "신규·중점 추진사업") + "-DELETE": "on"}
        ),
        lambda d: row_prefix(d, "sections", "title", "신규·중점 추진사업") + "-DELETE",
        "카드 2개가 남아 있어 지울 수 없습니다",
    ),
    "a requirement budget block without any amount": (
        lambda d: d.update(
            {_card(d, "여의도 금융특정개발진흥지구 육성") + "-budget_kind": "requirement"}
        ),
        lambda d: _card(d, "여의도 금융특정개발진흥지구 육성") + "-required_district",
        "소요예산 재원을 하나 이상 입력하세요.",
    ),
}


def _other_team() -> Team:
    other = Department.objects.create(name="다른과")
    return Team.objects.create(department=other, name="다른팀")


def _other_line() -> BudgetLine:
    other = Department.objects.create(name="다른과")
    return BudgetLine.objects.create(
        department=other, fiscal_year=2020, name="남의 사업", district=10
    )


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_shows_its_korean_message_next_to_the_field(admin_client, report_2020, case):
    change, locate, message = CASES[case]
    data = editor_data(admin_client, report_2020)
    field = locate(data)

    html, _before, _after = submit_with(admin_client, report_2020, change)

    assert message in field_errors(html, field)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_changes_nothing_in_the_database(admin_client, report_2020, case):
    change, _locate, _message = CASES[case]

    _html, before, after = submit_with(admin_client, report_2020, change)

    assert after == before


def test_bad_input_puts_a_summary_at_the_top_that_links_to_the_field(admin_client, report_2020):
    html, _before, _after = submit_with(
        admin_client, report_2020, lambda d: d.update({"staffing-current_general_7": "-2"})
    )

    summary = html[html.index('id="editor-errors"') :]
    assert SUMMARY in summary
    assert 'href="#id_staffing-current_general_7"' in summary


def test_every_error_of_one_submit_is_shown_at_once(admin_client, report_2020):
    def two_mistakes(data):
        data["staffing-current_general_7"] = "1.5"
        data[_line(data, "기본경비") + "-district"] = "1,2,3"

    html, _before, _after = submit_with(admin_client, report_2020, two_mistakes)

    assert html.count('class="errorlist" id="id_') == 2


def test_the_typed_values_stay_on_the_screen_after_an_error(admin_client, report_2020):
    html, _before, _after = submit_with(
        admin_client, report_2020, lambda d: d.update({"staffing-current_general_7": "두명"})
    )

    assert 'value="두명"' in html


def test_a_card_posted_for_another_report_is_refused(admin_client, report_2020, report_2018):
    stranger = Card.objects.filter(section__report=report_2018).first()

    html, before, after = submit_with(
        admin_client,
        report_2020,
        lambda d: d.update(
            {_card(d, "여의도 금융특정개발진흥지구 육성") + "-id": str(stranger.pk)}
        ),
    )

    assert "이 카드는 이미 지워졌거나 다른 보고서의 카드입니다" in html
    assert after == before


def test_a_section_id_of_another_report_is_refused(admin_client, report_2020, report_2018):
    foreign = ReportSection.objects.filter(report=report_2018).first()
    data_prefix = {}

    def move_card_there(data):
        data_prefix["card"] = _card(data, "여의도 금융특정개발진흥지구 육성")
        data[data_prefix["card"] + "-section"] = str(foreign.pk)

    html, before, after = submit_with(admin_client, report_2020, move_card_there)

    assert "이 보고서의 단원만 고를 수 있습니다." in field_errors(
        html, data_prefix["card"] + "-section"
    )
    assert after == before
