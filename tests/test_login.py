"""Signing in: failed attempts are throttled for a while (never for good); idle sessions end."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session as DbSession
from django.urls import reverse
from django.utils import timezone


@pytest.fixture
def officer(db):
    return get_user_model().objects.create_user("kim", password="correct-horse-2026")


def attempt(client, password):
    return client.post(reverse("login"), {"username": "kim", "password": password})


def test_five_wrong_passwords_make_the_account_wait_even_with_the_right_one(
    client, officer, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200

    locked = attempt(client, "wrong")
    still_locked = attempt(client, "correct-horse-2026")

    assert locked.status_code == 429
    assert "15분 뒤에 다시 시도하세요" in locked.text
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_wait_ends_after_the_cool_off(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong")
    # The cool-off has passed: the attempts are older than AXES_COOLOFF_TIME.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))

    response = attempt(client, "correct-horse-2026")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_the_admin_login_is_throttled_too(client, officer, settings):
    officer.is_staff = True
    officer.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("admin:login"), {"username": "kim", "password": "wrong"})
    assert response.status_code == 429


def test_a_wrong_password_is_answered_in_korean(client, officer):
    response = attempt(client, "wrong")

    assert "올바른 사용자 이름" in response.text
    assert response.status_code == 200


def test_a_session_ends_after_the_idle_time_and_each_request_renews_it(client, officer, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(officer)

    response = client.get(reverse("reports:sessions"))

    # 20 idle minutes later (the stored expiry moved back), the next request renews it.
    key = response.cookies[settings.SESSION_COOKIE_NAME].value
    stored = DbSession.objects.filter(session_key=key)
    stored.update(expire_date=timezone.now() + datetime.timedelta(minutes=10))
    client.get(reverse("reports:sessions"))
    expiry = stored.get().expire_date
    assert timezone.now() + datetime.timedelta(minutes=29) < expiry
    assert expiry <= timezone.now() + datetime.timedelta(minutes=30, seconds=5)
    session = client.session
    session.set_expiry(-1)  # as if 30 idle minutes had passed
    session.save()
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
