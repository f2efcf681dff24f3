"""Report sections through the staff API: DRF serializer + reports.services.save_section,
with the admin form's messages, the department rule and the frozen report."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from org.roles import Role, make_staff
from reports import services
from reports.models import DepartmentReport, ReportSection

URL = "/api/v1/staff/sections/"


@pytest.fixture
def own(make_report):
    return make_report(cards=0, number=901)


@pytest.fixture
def other(make_report):
    return make_report(cards=0, number=902, department="다른과", bureau="다른국")


@pytest.fixture
def officer(own):
    user = get_user_model().objects.create_user("officer", password="pw-not-used")
    make_staff(user, Role.OFFICER, own.department)
    return user


@pytest.fixture
def api(officer):
    client = Client()
    client.force_login(officer)
    return client


def _post(api, body):
    return api.post(URL, body, content_type="application/json")


def test_an_officer_adds_a_section_to_the_own_report_and_it_is_logged(api, own, officer):
    response = _post(api, {"report": own.pk, "kind": "other", "title": "점검 단원", "order": 9})

    assert response.status_code == 201, response.content.decode()
    section = ReportSection.objects.get(pk=response.json()["id"])
    assert (section.report, section.title, section.order) == (own, "점검 단원", 9)
    assert LogEntry.objects.filter(object_id=str(section.pk), user=officer).exists()


def test_another_departments_report_is_not_a_choice(api, other):
    response = _post(api, {"report": other.pk, "title": "남의 단원"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "report"
    assert not ReportSection.objects.filter(title="남의 단원").exists()


def test_a_title_is_required_and_a_duplicate_is_refused(api, own):
    missing = _post(api, {"report": own.pk})
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "title"

    assert _post(api, {"report": own.pk, "title": "같은 단원"}).status_code == 201
    twice = _post(api, {"report": own.pk, "title": "같은 단원"})
    assert twice.status_code == 400
    assert ReportSection.objects.filter(report=own, title="같은 단원").count() == 1


def test_a_submitted_report_takes_no_new_section_through_the_service(own, officer):
    DepartmentReport.objects.filter(pk=own.pk).update(status=DepartmentReport.Status.SUBMITTED)

    with pytest.raises(ValidationError) as refused:
        services.save_section(officer, None, {"report": own.pk, "title": "제출 후 단원"})
    assert refused.value.message_dict["__all__"]
    assert not ReportSection.objects.filter(title="제출 후 단원").exists()


def test_a_section_is_renamed_with_patch(api, own):
    section = ReportSection.objects.create(report=own, title="옛 이름", kind="other")

    response = api.patch(f"{URL}{section.pk}/", {"title": "새 이름"}, "application/json")

    assert response.status_code == 200, response.content.decode()
    section.refresh_from_db()
    assert (section.title, section.kind) == ("새 이름", "other")


def test_a_clerk_adds_a_report_once_and_an_officer_only_for_the_own_department(own, other, officer):

    clerk = get_user_model().objects.create_user("clerk", password="pw-not-used")
    make_staff(clerk, Role.CLERK)
    client = Client()
    client.force_login(clerk)
    body = {"session": own.session_id, "department": other.department_id}
    added = client.post("/api/v1/staff/reports/", body, content_type="application/json")
    assert added.status_code == 201, added.content.decode()
    again = client.post("/api/v1/staff/reports/", body, content_type="application/json")
    assert again.status_code == 400

    client.force_login(officer)
    body = {"session": other.session_id, "department": other.department_id}
    refused = client.post("/api/v1/staff/reports/", body, content_type="application/json")
    assert refused.status_code in (400, 403)
    assert DepartmentReport.objects.filter(department=other.department).count() == 2
