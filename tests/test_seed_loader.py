"""The seeds load with one command, twice without harm, and a broken seed loads nothing."""

import copy

import pytest
import yaml
from django.core.management import call_command

from budget.models import BudgetLine
from portal.seeds import SEED_DIR, SeedError, seed_load
from projects.models import Block, Card
from reports.models import DepartmentReport, Session


def _seed(name: str) -> dict:
    return yaml.safe_load((SEED_DIR / name).read_text(encoding="utf-8"))


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Session, DepartmentReport, BudgetLine, Card, Block)
    )


def test_load_seeds_loads_both_reports_with_every_card(db):
    call_command("load_seeds", stdout=None)

    assert DepartmentReport.objects.count() == 2
    assert Card.objects.filter(section__report__session__number=227).count() == 8
    assert Card.objects.filter(section__report__session__number=206).count() == 5


def test_loading_twice_changes_nothing(db):
    call_command("load_seeds")
    before = _counts()
    call_command("load_seeds")

    assert _counts() == before


def test_an_execution_larger_than_its_budget_loads_nothing(db):
    data = copy.deepcopy(_seed("2020_vision.yaml"))
    data["budget"]["lines"][0]["execution"]["parts"]["city"] = 999_999

    with pytest.raises(SeedError, match="시비 집행액"):
        seed_load(data=data)
    assert _counts() == (0, 0, 0, 0, 0)


def test_a_broken_block_says_which_card_and_line(db):
    data = copy.deepcopy(_seed("2020_vision.yaml"))
    data["sections"][0]["cards"][0]["blocks"][0]["body"] = "○ 첫 줄\n□ 본문 안의 제목"

    with pytest.raises(SeedError, match="1번 카드 □ 사업개요: 2번째 줄"):
        seed_load(data=data)
    assert _counts() == (0, 0, 0, 0, 0)
