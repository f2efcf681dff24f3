"""Account administration without escalation (issue 18, item 3).

The probe found that the 관리자 role could set a superuser's password, add itself to the clerk
group (and so publish) and read every staff API token in full. Now: administrators manage
accounts below their own level only (org/accounts.py), no one edits their own groups or
permissions, only superusers touch superusers, and API tokens are stored hashed and shown once.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from org.models import ApiToken
from org.roles import Role, make_staff

PASSWORD = "old-pass-portal-2026"
NEW_PASSWORD = "new-pass-portal-2026"


@pytest.fixture
def root(db, django_user_model):
    return django_user_model.objects.create_superuser("root", password=PASSWORD)


def staff_user(django_user_model, username: str, role: Role):
    user = django_user_model.objects.create_user(username, password=PASSWORD)
    make_staff(user, role)
    return user


@pytest.fixture
def administrator(db, django_user_model):
    return staff_user(django_user_model, "admin1", Role.ADMINISTRATOR)


@pytest.fixture
def other_administrator(db, django_user_model):
    return staff_user(django_user_model, "admin2", Role.ADMINISTRATOR)


@pytest.fixture
def plain_officer(db, django_user_model):
    return staff_user(django_user_model, "kim", Role.OFFICER)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def set_password(client, user):
    return client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )


def change_form(client, user) -> dict:
    """The user's change page as its form posts it back (fields the page shows)."""
    page = client.get(f"/admin/auth/user/{user.pk}/change/")
    data = {}
    for name, value in re.findall(
        r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.content.decode()
    ):
        if name != "csrfmiddlewaretoken":
            data[name] = value
    data.setdefault("username", user.username)
    data["staff_profile-TOTAL_FORMS"] = data.get("staff_profile-TOTAL_FORMS", "1")
    data["staff_profile-INITIAL_FORMS"] = data.get("staff_profile-INITIAL_FORMS", "1")
    data["_save"] = "저장"
    return data


def role_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


# The probe's findings ---------------------------------------------------------------------


def test_an_administrator_cannot_set_a_superusers_password(administrator, root):
    response = set_password(signed_in(administrator), root)

    assert response.status_code == 403
    assert "최고 관리자" in response.content.decode()
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


def test_an_administrator_cannot_set_another_administrators_password(
    administrator, other_administrator
):
    response = set_password(signed_in(administrator), other_administrator)

    assert response.status_code == 403
    other_administrator.refresh_from_db()
    assert other_administrator.check_password(PASSWORD)


def test_an_administrator_cannot_add_itself_to_the_clerk_group(administrator):
    client = signed_in(administrator)
    data = change_form(client, administrator)
    data["groups"] = [str(Group.objects.get(name=Role.CLERK.value).pk)]

    client.post(f"/admin/auth/user/{administrator.pk}/change/", data)

    assert role_names(administrator) == {Role.ADMINISTRATOR.value}
    administrator.refresh_from_db()
    assert not administrator.has_perm("reports.publish_report")


def test_a_superuser_does_not_edit_its_own_groups_or_flags_either(root):
    client = signed_in(root)
    data = change_form(client, root)
    data["groups"] = [str(Group.objects.get(name=Role.CLERK.value).pk)]

    client.post(f"/admin/auth/user/{root.pk}/change/", data)

    root.refresh_from_db()
    assert role_names(root) == set() and root.is_superuser


def test_the_token_list_never_shows_a_key(administrator, plain_officer):
    token, key = ApiToken.issue(user=plain_officer, name="부서 시스템")

    listing = signed_in(administrator).get("/admin/org/apitoken/")

    assert listing.status_code == 200
    assert token.prefix in listing.content.decode()
    assert key not in listing.content.decode()
    assert signed_in(administrator).get("/admin/authtoken/tokenproxy/").status_code == 404


# Levels: below one's own only ---------------------------------------------------------------


def test_an_administrator_cannot_change_or_delete_a_superuser(administrator, root):
    client = signed_in(administrator)
    data = change_form(client, root)
    data["first_name"] = "바뀜"

    changed = client.post(f"/admin/auth/user/{root.pk}/change/", data)
    deleted = client.post(f"/admin/auth/user/{root.pk}/delete/", {"post": "yes"})

    assert changed.status_code == 403 and deleted.status_code == 403
    assert "최고 관리자" in deleted.content.decode()
    root.refresh_from_db()
    assert root.first_name == ""


def test_a_bulk_delete_with_a_superuser_in_it_deletes_nothing(administrator, root, plain_officer):
    response = signed_in(administrator).post(
        "/admin/auth/user/",
        {
            "action": "delete_selected",
            "_selected_action": [root.pk, plain_officer.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 403
    assert "root" in response.content.decode()
    assert root.__class__.objects.filter(pk__in=[root.pk, plain_officer.pk]).count() == 2


def test_an_administrator_cannot_make_another_administrator(administrator, plain_officer):
    client = signed_in(administrator)
    data = change_form(client, plain_officer)
    data["groups"] = [str(Group.objects.get(name=Role.ADMINISTRATOR.value).pk)]

    response = client.post(f"/admin/auth/user/{plain_officer.pk}/change/", data)

    assert response.status_code == 200  # the form again, with the choice refused
    assert role_names(plain_officer) == {Role.OFFICER.value}


def test_an_administrator_still_manages_the_accounts_below(administrator, plain_officer):
    client = signed_in(administrator)
    data = change_form(client, plain_officer)
    data["groups"] = [str(Group.objects.get(name=Role.CLERK.value).pk)]

    changed = client.post(f"/admin/auth/user/{plain_officer.pk}/change/", data)
    password = set_password(client, plain_officer)

    assert changed.status_code == 302 and password.status_code == 302
    plain_officer.refresh_from_db()
    assert role_names(plain_officer) == {Role.CLERK.value}
    assert plain_officer.check_password(NEW_PASSWORD)


def test_a_superuser_manages_another_superuser(root, django_user_model):
    second = django_user_model.objects.create_superuser("root2", password=PASSWORD)

    assert set_password(signed_in(root), second).status_code == 302
    second.refresh_from_db()
    assert second.check_password(NEW_PASSWORD)


def test_an_administrator_cannot_edit_the_permissions_of_a_role(administrator):
    group = Group.objects.get(name=Role.ADMINISTRATOR.value)
    before = set(group.permissions.values_list("pk", flat=True))
    client = signed_in(administrator)

    response = client.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": group.name, "permissions": []}
    )

    assert response.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before


# API tokens: hashed, shown once -------------------------------------------------------------


def test_a_token_is_shown_once_when_issued_and_stored_only_as_a_hash(administrator, plain_officer):
    client = signed_in(administrator)

    issued = client.post(
        "/admin/org/apitoken/add/", {"user": plain_officer.pk, "name": "부서 시스템"}
    )

    key = re.search(r'<code id="api-token-key">([^<]+)</code>', issued.content.decode()).group(1)
    token = ApiToken.objects.get(user=plain_officer)
    assert key.startswith(token.prefix) and key not in (token.key_hash, token.prefix)
    assert key not in client.get(f"/admin/org/apitoken/{token.pk}/change/").content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/staff/cards/").status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None


def test_a_revoked_token_stops_working(administrator, plain_officer):
    token, key = ApiToken.issue(user=plain_officer, name="부서 시스템")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/staff/cards/").status_code == 200

    signed_in(administrator).post(
        "/admin/org/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )

    assert api.get("/api/v1/staff/cards/").status_code == 401


def test_an_administrator_cannot_issue_a_token_for_a_superuser(administrator, root):
    response = signed_in(administrator).post(
        "/admin/org/apitoken/add/", {"user": root.pk, "name": "가로채기"}
    )

    assert response.status_code == 200  # the form again: not a choice
    assert not ApiToken.objects.filter(user=root).exists()


def test_officers_do_not_see_tokens(plain_officer):
    assert signed_in(plain_officer).get("/admin/org/apitoken/").status_code == 403


def test_demo_users_get_a_fresh_working_token(db, settings, capsys, report_2020):
    settings.DEBUG = True
    call_command("ensure_demo_users")
    first = re.search(r"Authorization: Token (\S+)", capsys.readouterr().out).group(1)
    call_command("ensure_demo_users")
    second = re.search(r"Authorization: Token (\S+)", capsys.readouterr().out).group(1)

    assert first != second
    assert (
        Client(HTTP_AUTHORIZATION=f"Token {second}").get("/api/v1/staff/cards/").status_code == 200
    )
    assert (
        Client(HTTP_AUTHORIZATION=f"Token {first}").get("/api/v1/staff/cards/").status_code == 401
    )
