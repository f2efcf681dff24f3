"""What officers can enter never breaks a page, and figures say which date they are from."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from budget.models import BudgetLine, Execution
from projects.models import Card
from publishing.assembly import assemble_report


def _row(report, name):
    return next(row for row in assemble_report(report).budget.rows if row.name == name)


def test_a_line_whose_latest_figure_is_older_says_its_date(report_2020):
    line = BudgetLine.objects.get(department=report_2020.department, name="기본경비")
    line.executions.all().delete()
    Execution.objects.create(line=line, as_of=datetime.date(2020, 6, 30), district=40_000)

    row = _row(report_2020, "기본경비")
    assert (row.executed, row.as_of) == (40_000, "6.30.")


def test_a_line_without_any_execution_prints_a_dash_not_zero(report_2020, clerk_client):
    BudgetLine.objects.get(
        department=report_2020.department, name="기본경비"
    ).executions.all().delete()

    row = _row(report_2020, "기본경비")
    assert (row.executed, row.rate) == (None, None)
    assert "<td>-</td>" in clerk_client.get(report_2020.get_absolute_url()).text


def test_a_card_citing_last_years_line_still_shows_its_budget(report_2020):
    old = BudgetLine.objects.create(
        department=report_2020.department, fiscal_year=2019, name="2019 대외교류", district=10_000
    )
    card = Card.objects.filter(section__report=report_2020, budget_kind="execution").first()
    Card.objects.filter(pk=card.pk).update(budget_line=old)

    cards = [
        c for s in assemble_report(report_2020).sections for c in s.cards if c.title == card.title
    ]
    assert cards[0].budget.budget.total == 10_000


def test_detail_lines_cannot_add_up_to_more_than_their_unit_line(report_2018):
    parent = BudgetLine.objects.get(
        department=report_2018.department, name="구정의 민관협치 활성화"
    )
    child = BudgetLine(
        department=parent.department,
        fiscal_year=parent.fiscal_year,
        parent=parent,
        name="새 세부사업",
        district=999_999,
    )

    with pytest.raises(ValidationError) as raised:
        child.full_clean()
    assert "구비" in raised.value.message_dict["district"][0]


def test_text_an_officer_types_is_escaped_everywhere(report_2020, clerk_client):
    card = Card.objects.filter(section__report=report_2020).first()
    block = card.blocks.first()
    block.content = [
        {"type": "item", "marker": "○", "text": "**<script>alert(1)</script>**", "children": []}
    ]
    block.save()
    Card.objects.filter(pk=card.pk).update(title="<img src=x onerror=alert(2)>")

    html = clerk_client.get(report_2020.get_absolute_url()).text
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>" in html


def test_a_new_quarters_achievements_join_the_earlier_ones_up_to_the_figure_date(report_2020):
    card = Card.objects.filter(
        section__report=report_2020, title="국내외 도시와의 상호교류 활성화"
    ).first()
    heading = "주요 추진실적"
    item = {"type": "item", "marker": "-", "children": []}
    card.blocks.create(
        heading=heading,
        as_of=datetime.date(2020, 9, 30),
        content=[{**item, "text": "3분기 실적"}],
        order=90,
    )
    card.blocks.create(
        heading=heading,
        as_of=datetime.date(2020, 12, 31),
        content=[{**item, "text": "4분기 실적"}],
        order=91,
    )

    section = assemble_report(report_2020).sections[0]
    blocks = next(c for c in section.cards if c.title == card.title).blocks
    texts = [node["text"] for node in next(b for b in blocks if b.heading == heading).nodes]

    assert [b.heading for b in blocks].count(heading) == 1
    assert (
        texts[-1] == "3분기 실적" and "4분기 실적" not in texts
    )  # 12.31. is after the 10.31. 기준일


def test_a_block_dated_after_the_figure_date_is_refused(report_2020):
    from projects.models import Block

    block = Block.objects.filter(card__section__report=report_2020).first()
    block.as_of = datetime.date(2020, 12, 31)

    with pytest.raises(ValidationError) as raised:
        block.full_clean()
    assert "회기 기준일 2020. 10. 31.까지" in raised.value.message_dict["as_of"][0]


def test_a_session_figure_date_long_before_the_session_is_refused(report_2020):
    session = report_2020.session
    session.figure_date = datetime.date(2019, 10, 31)

    with pytest.raises(ValidationError) as raised:
        session.full_clean()
    assert "시작일 전 1년 안" in raised.value.message_dict["figure_date"][0]


def test_with_no_execution_entered_at_all_the_total_prints_a_dash(report_2020):
    Execution.objects.filter(line__department=report_2020.department).delete()

    total = assemble_report(report_2020).budget.total
    assert (total.executed, total.rate) == (None, None)
