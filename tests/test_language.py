"""The portal speaks Korean, whatever language the browser asks for."""

from django.contrib.auth import get_user_model


def test_the_admin_is_korean_for_an_english_browser(client, db):
    user = get_user_model().objects.create_superuser("clerk", password="pw-not-used")
    client.force_login(user)

    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert "로그아웃" in response.text and "Log out" not in response.text
