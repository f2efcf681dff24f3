"""Staffing (정원/현원 by 직렬 × 직급) and teams from spreadsheets, as an officer sees it."""

import datetime

import pytest

from org.models import JobSeries, StaffingSnapshot, Team
from tests.import_helpers import (
    confirm,
    db_state,
    make_officer,
    page_text,
    preview_counts,
    upload,
)


@pytest.fixture
def officer_client(client, report_2020):
    client.force_login(make_officer(report_2020.department))
    return client


def csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def cells(department, day: datetime.date) -> dict[tuple[str, str], tuple[int, int]]:
    snapshot = StaffingSnapshot.objects.get(department=department, as_of=day)
    return {(c.series, c.grade): (c.authorized, c.current) for c in snapshot.cells.all()}


def test_a_staffing_file_for_a_new_date_makes_that_dates_table(officer_client, report_2020):
    data = csv(
        "기준일,직렬,직급,정원,현원",
        "2021-03-31,일반직,6급,3,3",
        "2021-03-31,일반,7,4,5",
        "2021-03-31,별정직,6급,1,0",
    )

    preview = upload(officer_client, "staffing", data)
    confirm(officer_client, "staffing", preview)

    assert preview_counts(preview) == (3, 0, 0)
    assert cells(report_2020.department, datetime.date(2021, 3, 31)) == {
        (JobSeries.GENERAL, "6"): (3, 3),
        (JobSeries.GENERAL, "7"): (4, 5),
        (JobSeries.SPECIAL_TERM, "6"): (1, 0),
    }


def test_a_staffing_file_replaces_its_dates_table_and_says_which_cells_go(
    officer_client, report_2020
):
    data = csv("직렬,직급,정원,현원", "일반직,6급,3,3", "일반직,7급,4,2")
    day = datetime.date(2020, 10, 31)

    preview = upload(officer_client, "staffing", data, as_of=day.isoformat())
    confirm(officer_client, "staffing", preview)

    assert preview_counts(preview)[:2] == (0, 2)  # 6급 changes, the five others go
    assert "파일에 없는 칸을 지웁니다: 일반직 4급, 일반직 5급" in page_text(preview)
    assert cells(report_2020.department, day) == {
        (JobSeries.GENERAL, "6"): (3, 3),
        (JobSeries.GENERAL, "7"): (4, 2),
    }


def test_other_dates_staffing_is_left_as_history(officer_client, report_2020):
    before = cells(report_2020.department, datetime.date(2020, 10, 31))
    data = csv("기준일,직렬,직급,정원,현원", "2021-03-31,일반직,6급,3,3")

    confirm(officer_client, "staffing", upload(officer_client, "staffing", data))

    assert cells(report_2020.department, datetime.date(2020, 10, 31)) == before


def test_a_new_date_where_nobody_is_counted_changes_nothing(officer_client):
    data = csv("기준일,직렬,직급,정원,현원", "2021-03-31,일반직,6급,0,0")
    preview = upload(officer_client, "staffing", data)
    before = db_state()

    confirm(officer_client, "staffing", preview)

    assert preview_counts(preview) == (0, 0, 1)
    assert db_state() == before  # no empty snapshot to hide the 2020 one


def test_a_team_file_adds_and_changes_teams_and_leaves_the_others(officer_client, report_2020):
    data = csv(
        "팀 이름,업무분장,순서,신설일",
        '대외협력팀,"자매도시 교류\n국제기구 협력",2,',
        "기획팀,부서 기획,3,2020-07-01",
    )

    preview = upload(officer_client, "team", data)
    confirm(officer_client, "team", preview)

    assert preview_counts(preview) == (1, 1, 0)
    teams = Team.objects.filter(department=report_2020.department)
    assert {team.name: team.duty_list() for team in teams} == {
        "국제금융특구팀": [],
        "대외협력팀": ["자매도시 교류", "국제기구 협력"],
        "기획팀": ["부서 기획"],
    }
    assert teams.get(name="기획팀").established_on == datetime.date(2020, 7, 1)


def test_a_team_preview_names_what_changes_and_saves_nothing(officer_client):
    before = db_state()

    preview = upload(officer_client, "team", csv("팀 이름,순서", "대외협력팀,5"))

    assert "바뀜: 순서" in page_text(preview)
    assert db_state() == before


def test_a_grade_written_in_words_of_a_staffing_export_reads_back(officer_client, report_2020):
    data = csv(
        "부서,기준일,직렬,직급,정원,현원,과부족",
        "비전협력과,2021. 3. 31.,연구·지도직,6급,2,1,-1",
    )

    confirm(officer_client, "staffing", upload(officer_client, "staffing", data))

    assert cells(report_2020.department, datetime.date(2021, 3, 31)) == {
        (JobSeries.RESEARCH, "6"): (2, 1)
    }
