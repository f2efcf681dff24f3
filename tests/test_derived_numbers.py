"""Product rule 7: 계, 과부족 and 집행률 are computed from their parts, never typed."""

import datetime
from decimal import Decimal

from budget.models import BudgetLine, Execution, execution_rate
from publishing.assembly import assemble_report


def test_rates_are_rounded_half_up_to_one_decimal():
    assert execution_rate(82_810, 115_900) == Decimal("71.4")
    assert execution_rate(1, 8) == Decimal("12.5")  # 12.5 exactly
    assert execution_rate(1, 16) == Decimal("6.3")  # 6.25 → 6.3, not banker's 6.2


def test_a_line_without_budget_has_no_rate():
    assert execution_rate(0, 0) is None


def test_the_2020_budget_total_row_is_the_sum_of_its_lines(report_2020):
    budget = assemble_report(report_2020).budget

    assert (budget.total.amount, budget.total.executed, budget.total.expected) == (
        1_079_048,
        852_903,
        1_012_341,
    )
    assert budget.total.rate == "79.0"


def test_the_2018_card_rate_is_computed_even_where_the_source_misprinted_it(report_2018):
    cards = [card for section in assemble_report(report_2018).sections for card in section.cards]
    card = next(
        card
        for card in cards
        if card.budget and card.budget.budget and card.budget.budget.total == 188_000
    )

    assert card.budget.executed.total == 97_925
    assert card.budget.rate == "52.1"  # the source printed 52.0; 97,925 / 188,000 = 52.09 %


def test_staffing_difference_is_current_minus_authorised(report_2020):
    rows = {row.label: row for row in assemble_report(report_2020).staffing.rows}

    assert (rows["정원"].total, rows["현원"].total, rows["과부족"].total) == (13, 12, -1)
    assert [c for c in rows["과부족"].cells if c] == [1, -2]


def test_the_difference_row_prints_a_triangle_for_a_shortfall(report_2020, clerk_client):
    html = clerk_client.get(report_2020.get_absolute_url()).text

    assert "△1" in html and "△2" in html


def test_the_report_shows_the_execution_as_of_the_sessions_figure_date(report_2020):
    line = BudgetLine.objects.get(department=report_2020.department, name="대외교류 활성화")
    Execution.objects.create(
        line=line, as_of=datetime.date(2020, 12, 31), city=20_000, district=75_900
    )
    Execution.objects.create(
        line=line, as_of=datetime.date(2020, 6, 30), city=10_000, district=1_000
    )

    row = next(
        row for row in assemble_report(report_2020).budget.rows if row.name == "대외교류 활성화"
    )

    assert (
        row.executed == 82_810
    )  # the 10.31. figure: neither the later 12.31. nor the earlier 6.30.


def test_a_budget_amount_is_the_sum_of_its_funding_parts(report_2020):
    line = BudgetLine.objects.get(department=report_2020.department, name="대외교류 활성화")

    assert (line.city, line.district, line.amount) == (20_000, 95_900, 115_900)


def test_the_assembled_document_is_plain_data_that_survives_json(report_2020):
    """Publishing will store the document as JSON: every number must come back as it went in."""
    import json

    data = json.loads(json.dumps(assemble_report(report_2020).to_dict()))

    assert data["budget"]["total"] == {
        "name": "계",
        "amount": 1_079_048,
        "executed": 852_903,
        "expected": 1_012_341,
        "rate": "79.0",
        "as_of": None,
    }
    assert [s["title"] for s in data["sections"]] == [
        "주요업무 추진실적",
        "2021년 주요업무 추진계획",
        "신규·중점 추진사업",
    ]
