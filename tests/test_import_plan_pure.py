"""Planning an import reads the file's rows and the database and changes neither: the preview
and the confirmation plan the very same rows, and a plan can be made twice."""

import copy

import pytest
import tablib

from budget.models import BudgetLine
from budget.resources import BudgetLineResource
from core.tabular import find_table, read_sheets
from org.models import StaffingCell, Team
from org.resources import StaffingResource, TeamResource
from tests.import_helpers import db_state

E_HOJO = """(단위: 원)
단위사업명,세부사업명,시도비,시군구비,예산현액,시도비 지출액,시군구비 지출액,지출액,exe_ymd
청년 일자리,,"10,000,000","5,000,499","15,000,499",,,,
청년 일자리,청년 창업 지원,"4,000,000","2,000,500","6,000,500","1,000,000","500,499","1,500,499",20201031
"""
UNIT_PROJECTS_ONLY = (
    "회계연도,단위사업명,예산액\r\n2020,새 단위사업,1000\r\n2020,또 다른 단위사업,500\r\n"
)
STAFFING = (
    "기준일,직렬,직급,정원,현원\r\n2020-10-31,일반직,6급,3,2\r\n2020-10-31,일반직,7급,4,4\r\n"
)
TEAMS = '팀 이름,업무분장,순서\r\n새 기획팀,"예산\n평가",1\r\n'


def exported(resource_class, queryset) -> str:
    """The department's rows as the portal exports them (CSV): an import of them changes
    nothing, but plans every stored row."""
    dataset = resource_class().export(queryset=queryset)
    return tablib.Dataset(*dataset, headers=dataset.headers).export("csv")


def files(department) -> dict:
    return {
        "budget from e-호조 in 원": (BudgetLineResource, E_HOJO),
        "budget naming only 단위사업": (BudgetLineResource, UNIT_PROJECTS_ONLY),
        "budget exported": (
            BudgetLineResource,
            exported(BudgetLineResource, BudgetLine.objects.filter(department=department)),
        ),
        "staffing": (StaffingResource, STAFFING),
        "staffing exported": (
            StaffingResource,
            exported(
                StaffingResource, StaffingCell.objects.filter(snapshot__department=department)
            ),
        ),
        "teams": (TeamResource, TEAMS),
        "teams exported": (
            TeamResource,
            exported(TeamResource, Team.objects.filter(department=department)),
        ),
    }


KINDS = [
    "budget from e-호조 in 원",
    "budget naming only 단위사업",
    "budget exported",
    "staffing",
    "staffing exported",
    "teams",
    "teams exported",
]


@pytest.mark.parametrize("kind", KINDS)
def test_planning_an_import_leaves_its_rows_and_the_database_as_they_were(kind, report_2020):
    department = report_2020.department
    resource_class, text = files(department)[kind]
    resource = resource_class(department=department, defaults={"fiscal_year": 2020})
    # The table as plan() is given it (any table: here without the admin's required columns).
    table = find_table(read_sheets(text.encode()), columns=resource.columns, required=())
    given, stored = copy.deepcopy(table), db_state()

    plan = resource.plan(table)

    assert plan.rows and not plan.problems, [str(problem) for problem in plan.problems]
    assert table == given
    assert db_state() == stored


def test_a_plan_made_twice_from_the_same_rows_is_the_same_plan(report_2020):
    resource = BudgetLineResource(department=report_2020.department)
    table = find_table(read_sheets(E_HOJO.encode()), columns=resource.columns, required=())

    first, second = resource.plan(table), resource.plan(table)

    assert first.digest == second.digest
    assert first.payload == second.payload
