"""The public reads published reports only; signed-in staff may preview drafts."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reports.models import DepartmentReport


@pytest.fixture
def draft_2020(report_2020):
    DepartmentReport.objects.filter(pk=report_2020.pk).update(status=DepartmentReport.Status.DRAFT)
    return report_2020


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_user("officer", password="pw-not-used", is_staff=True)
    client.force_login(user)
    return client


def test_a_draft_report_is_not_found_by_the_public(client, draft_2020):
    assert client.get(draft_2020.get_absolute_url()).status_code == 404
    assert (
        client.get(
            reverse("reports:department_pdf", args=[227, draft_2020.department_id])
        ).status_code
        == 404
    )


def test_a_session_with_only_drafts_is_not_listed_for_the_public(client, draft_2020):
    assert "제227회" not in client.get(reverse("reports:sessions")).text
    assert client.get(reverse("reports:session", args=[227])).status_code == 404


def test_staff_preview_a_draft_with_a_visible_notice(staff_client, draft_2020):
    response = staff_client.get(draft_2020.get_absolute_url())

    assert response.status_code == 200
    assert "공개되지 않은 보고서입니다" in response.text


def test_a_published_report_has_no_draft_notice(client, report_2020):
    assert "공개되지 않은 보고서입니다" not in client.get(report_2020.get_absolute_url()).text


@pytest.mark.parametrize(
    "url",
    [
        "/sessions/99999999999999999999999/",
        "/sessions/227/departments/99999999999999999999999/",
        "/sessions/227/departments/99999999999999999999999/report.pdf",
    ],
)
def test_an_absurdly_long_number_in_the_url_is_a_404_not_an_error(client, report_2020, url):
    assert client.get(url).status_code == 404
