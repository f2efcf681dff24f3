"""The report editor's save has its own URL (portal/staff/editor.py); the page stays where it was.

An officer of 비전협력과 opens the editor at the admin's change URL, and the page's form posts
to `…/save/`: the whole screen saved at once, or nothing with the reason on the screen.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from org.roles import Role, make_staff
from publishing import workflow
from tests.test_admin_report_editor import dump, editor_data, editor_url, form_data, row_prefix
from tests.test_concurrent_edits import EDITOR_REFUSED, LINE_NAME, page_text

ROOMS = "○ 회의실 1개"


@pytest.fixture
def officer(report_2020):
    user = get_user_model().objects.create_user("kim", password="x-pass-2026", first_name="김")
    make_staff(user, Role.OFFICER, report_2020.department)
    return user


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def save(client, report, data: dict[str, str]):
    url = reverse("report_save", args=[report.pk])
    return client.post(url, MultiValueDict({key: [value] for key, value in data.items()}))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def test_the_editor_page_posts_its_form_to_the_save_url(officer_client, report_2020):
    html = officer_client.get(editor_url(report_2020)).content.decode()

    save_url = reverse("report_save", args=[report_2020.pk])
    assert f'action="{save_url}" id="report-editor"' in html


def test_an_officer_saves_the_facilities_and_is_back_on_the_editor(officer_client, report_2020):
    data = editor_data(officer_client, report_2020)
    data["report-facilities"] = ROOMS

    response = save(officer_client, report_2020, data)

    assert response.status_code == 302
    assert response["Location"] == editor_url(report_2020)
    assert messages_of(response) == ["저장했습니다: 주요시설 및 장비"]
    report_2020.refresh_from_db()
    assert report_2020.facilities[0]["text"] == "회의실 1개"


def test_an_error_anywhere_saves_nothing_and_is_shown_at_its_field(officer_client, report_2020):
    data = editor_data(officer_client, report_2020)
    data["report-facilities"] = ROOMS
    data[row_prefix(data, "lines", "name", LINE_NAME) + "-national"] = "오천"
    before = dump()

    response = save(officer_client, report_2020, data)

    assert response.status_code == 200
    assert "입력한 내용에 오류가 있어 저장하지 않았습니다" in page_text(response)
    assert dump() == before


def test_the_second_officer_to_save_is_refused_and_nothing_of_theirs_lands(
    officer_client, report_2020, client, django_user_model
):
    other = django_user_model.objects.create_user("lee", password="x-pass-2026")
    make_staff(other, Role.OFFICER, report_2020.department)
    mine = editor_data(officer_client, report_2020)
    theirs = form_data(officer_client.get(editor_url(report_2020)).content.decode())
    mine["report-facilities"] = ROOMS
    save(officer_client, report_2020, mine)
    after_first = dump()
    client.force_login(other)
    theirs[row_prefix(theirs, "lines", "name", LINE_NAME) + "-national"] = "5,000"

    response = save(client, report_2020, theirs)

    assert EDITOR_REFUSED in page_text(response)
    assert dump() == after_first


def test_a_save_after_the_report_was_submitted_keeps_the_typed_text_on_screen(
    officer_client, officer, report_2020
):
    data = editor_data(officer_client, report_2020)
    workflow.perform(report_2020, "submit", officer)
    data["report-facilities"] = ROOMS
    before = dump()

    response = save(officer_client, report_2020, data)

    assert response.status_code == 200
    assert messages_of(response)[0].startswith("저장하지 않았습니다.")
    assert ROOMS in response.content.decode()
    assert dump() == before


def test_another_departments_officer_gets_404_at_the_save_url(client, report_2020, make_report):
    other = make_report(cards=1, number=228, department="재무과")
    stranger = get_user_model().objects.create_user("park", password="x-pass-2026")
    make_staff(stranger, Role.OFFICER, other.department)
    client.force_login(stranger)
    before = dump()

    response = save(client, report_2020, {"report-facilities": ROOMS})

    assert response.status_code == 404
    assert dump() == before


def test_the_save_url_opened_in_the_address_bar_goes_to_the_editor(officer_client, report_2020):
    response = officer_client.get(reverse("report_save", args=[report_2020.pk]))

    assert response.status_code == 302
    assert response["Location"] == editor_url(report_2020)
