"""The 한글(HWPX) download beside every PDF one: the same reader rules, the same document."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from org.roles import Role, make_staff
from publishing.hwpx import hwpx_paragraphs
from publishing.workflow import perform
from reports.models import AccessLog


def _hwpx_url(report):
    return reverse("reports:department_hwpx", args=[report.session.number, report.department_id])


def test_the_public_downloads_the_published_report_as_hwpx(client, published_2020):
    page = client.get(published_2020.get_absolute_url())

    response = client.get(_hwpx_url(published_2020))

    assert _hwpx_url(published_2020) in page.text
    assert response.status_code == 200
    assert response["Content-Type"] == "application/hwp+zip"
    assert "%EC%A0%9C227%ED%9A%8C" in response["Content-Disposition"]  # 제227회, quoted
    assert "Ⅰ. 일반현황" in hwpx_paragraphs(response.content)


def test_a_draft_is_not_found_by_the_public_but_its_officer_gets_it_logged(client, report_2020):
    assert client.get(_hwpx_url(report_2020)).status_code == 404
    officer = get_user_model().objects.create_user("kim")
    make_staff(officer, Role.OFFICER, report_2020.department)
    client.force_login(officer)

    response = client.get(_hwpx_url(report_2020))

    assert response.status_code == 200
    assert "%EB%AF%B8%EB%A6%AC%EB%B3%B4%EA%B8%B0" in response["Content-Disposition"]  # 미리보기
    assert AccessLog.objects.filter(user=officer, action=AccessLog.Action.DOWNLOAD).count() == 1


def test_the_first_edition_keeps_its_hwpx_after_a_correction(client, published_2020, clerk):
    perform(published_2020, "reopen", clerk, comment="오타 정정")
    card = published_2020.sections.first().cards.first()
    card.title = "정정한 사업명"
    card.save()
    version_url = reverse("reports:version_hwpx", args=[227, published_2020.department_id, 1])

    first = hwpx_paragraphs(client.get(version_url).content)
    client.force_login(clerk)
    draft = hwpx_paragraphs(client.get(_hwpx_url(published_2020)).content)

    assert not any("정정한 사업명" in text for text in first)
    assert any("정정한 사업명" in text for text in draft)


def test_the_session_booklet_comes_as_one_hwpx(client, published_2020):
    response = client.get(reverse("reports:session_hwpx", args=[227]))

    texts = hwpx_paragraphs(response.content)
    assert response.status_code == 200
    assert any("비전협력과" in text for text in texts)
