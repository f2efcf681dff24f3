"""Every change is attributed: who, when, what, before → after, visible in the admin."""

import datetime

from django.urls import reverse

from org.models import Department
from org.roles import Role, make_staff


def session_form(session, **changes):
    data = {
        "number": session.number,
        "name": session.name,
        "kind": session.kind,
        "start_date": session.start_date.isoformat(),
        "end_date": session.end_date.isoformat(),
        "year": session.year,
        "figure_date": session.figure_date.isoformat(),
        "deadline": "",
    }
    data.update(changes)
    return data


def test_a_clerks_change_is_in_the_history_with_before_and_after(clerk_client, clerk, report_2020):
    session = report_2020.session
    url = reverse("admin:reports_session_change", args=[session.pk])

    response = clerk_client.post(url, session_form(session, deadline="2020-11-13"))

    assert response.status_code == 302
    record = session.history.first()
    assert (record.history_user, record.history_type) == (clerk, "~")
    delta = record.diff_against(record.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("deadline", None, datetime.date(2020, 11, 13))
    ]
    page = clerk_client.get(reverse("admin:reports_session_history", args=[session.pk])).text
    assert "clerk" in page
    assert "제출 마감일" in page


def test_a_workflow_step_is_attributed_in_the_reports_history(clerk, report_2020):
    from publishing.workflow import perform

    officer_department = report_2020.department
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.create_user("kim")
    make_staff(officer, Role.OFFICER, officer_department)

    perform(report_2020, "submit", officer)

    event = report_2020.events.get()
    assert (event.actor, event.from_status, event.to_status) == (officer, "draft", "submitted")
    record = report_2020.history.first()
    assert (record.status, record.history_user) == ("submitted", officer)


def test_an_officer_cannot_read_another_departments_history(client, report_2020, django_user_model):
    other = Department.objects.create(name="다른과")
    officer = django_user_model.objects.create_user("lee")
    make_staff(officer, Role.OFFICER, other)
    client.force_login(officer)
    card = report_2020.sections.first().cards.first()

    response = client.get(reverse("admin:projects_card_history", args=[card.pk]))

    assert response.status_code in (302, 403, 404)
    assert card.title not in response.text
