"""Invariants live in the database too, not only in forms."""

import datetime

from django.db import IntegrityError, transaction

from budget.models import BudgetLine
from org.models import StaffingCell
from projects.models import Card
from reports.models import DepartmentReport, Session


def _violates(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_one_report_per_department_per_session(report_2020):
    assert _violates(
        lambda: DepartmentReport.objects.create(
            session=report_2020.session, department=report_2020.department
        )
    )


def test_card_numbers_are_unique_within_a_section(report_2020):
    card = Card.objects.filter(section__report=report_2020).first()

    assert _violates(
        lambda: Card.objects.create(section=card.section, number=card.number, title="중복")
    )


def test_a_session_cannot_end_before_it_starts(db):
    def create():
        Session.objects.create(
            number=1,
            name="임시회",
            start_date=datetime.date(2020, 12, 1),
            end_date=datetime.date(2020, 11, 1),
            year=2020,
            figure_date=datetime.date(2020, 10, 31),
        )

    assert _violates(create)


def test_amounts_cannot_be_negative(report_2020):
    line = BudgetLine.objects.filter(department=report_2020.department).first()

    assert _violates(lambda: BudgetLine.objects.filter(pk=line.pk).update(city=-1))


def test_headcounts_stay_within_range(report_2020):
    cell = StaffingCell.objects.filter(snapshot__department=report_2020.department).first()

    assert _violates(lambda: StaffingCell.objects.filter(pk=cell.pk).update(current=1000))


def test_an_execution_budget_block_needs_its_budget_line(report_2020):
    card = Card.objects.filter(section__report=report_2020, budget_kind="execution").first()

    assert _violates(lambda: Card.objects.filter(pk=card.pk).update(budget_line=None))
