"""Shared fixtures: the two real seed reports and a factory for synthetic reports."""

import datetime

import pytest

from reports.seeds import SEED_DIR, seed_load_file


@pytest.fixture
def report_2020(db):
    """제227회 제2차 정례회, 비전협력과 (미래비전추진단) — the 2020 seed."""
    report, _created = seed_load_file(SEED_DIR / "2020_vision.yaml")
    return report


@pytest.fixture
def report_2018(db):
    """제206회 임시회, 기획담당관 — the 2018 seed."""
    report, _created = seed_load_file(SEED_DIR / "2018_planning.yaml")
    return report


@pytest.fixture
def make_report(db):
    """A synthetic department report shaped like the seeds, with `cards` project cards."""
    from tests.factories import build_report

    def make(*, cards: int = 1, number: int = 900, department: str = "시험과"):
        return build_report(cards=cards, session_number=number, department_name=department)

    return make


@pytest.fixture
def figure_date():
    return datetime.date(2020, 10, 31)
