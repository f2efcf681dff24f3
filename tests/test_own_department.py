"""The brief's own example: an officer of 비전협력과 cannot open 미래교육과's card by URL."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from org.models import Department
from org.roles import Role, make_staff
from projects.models import Card
from reports.models import DepartmentReport, ReportSection


def test_an_officer_of_비전협력과_cannot_open_미래교육과s_card_by_url(client, report_2020):
    future = Department.objects.get(name="미래교육과")  # the seed's sibling department
    report = DepartmentReport.objects.create(session=report_2020.session, department=future)
    section = ReportSection.objects.create(report=report, title="2021년 주요업무 추진계획")
    card = Card.objects.create(section=section, number=1, title="미래교육 시범학교 운영")
    officer = get_user_model().objects.create_user("kim")
    make_staff(officer, Role.OFFICER, report_2020.department)
    client.force_login(officer)

    opened = client.get(reverse("admin:projects_card_change", args=[card.pk]))
    listed = client.get(reverse("admin:projects_card_changelist") + "?q=미래교육")
    changed = client.post(
        reverse("admin:projects_card_change", args=[card.pk]), {"title": "바꿔 보기"}
    )
    deleted = client.post(reverse("admin:projects_card_delete", args=[card.pk]), {"post": "yes"})
    preview = client.get(report.get_absolute_url())

    assert opened.status_code == 302 and opened.url == reverse("admin:index")  # "not found"
    assert "미래교육 시범학교 운영" not in listed.text
    assert changed.status_code == 302 and deleted.status_code == 302
    card.refresh_from_db()
    assert card.title == "미래교육 시범학교 운영"
    assert preview.status_code == 404
