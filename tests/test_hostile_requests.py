"""Hostile requests on every route: no answer is a server error (issue 18, item 5).

The walk is built from the code, so a new admin page, filter or API route is covered without
touching this file:

- every registered ModelAdmin: its changelist with each lookup parameter of its list_filter
  (read from the admin's own ChangeList), its date hierarchy, search, ordering and page, each
  given hostile values; its add page and the change, history and delete pages of one object,
  and of ids that are not ids;
- every API route of the two routers: the list with every filter of its FilterSet (and the
  paging and format parameters), the detail of ids that are not ids, and on the staff routes
  oversized and deeply nested JSON bodies for every write method;

as each role (anonymous, officer, clerk, administrator, superuser). Values are sampled: each
parameter gets a few of the hostile values, a different few for each role and each parameter,
so that across the walk every value meets every kind of parameter while it stays short (about
a minute per database). The tests after it are the probe's findings, one each.
"""

from __future__ import annotations

import itertools
import json
import time
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

from config.api_urls import public, staff
from org.roles import Role, make_staff
from projects.models import Card

# Values no form would send: huge and negative numbers, NUL, impossible dates, SQL, very long
# text, and Unicode that looks like digits or hides (superscripts, bidi override, BOM).
HOSTILE = [
    "99999999999999999999",
    "\x00",
    "2020-02-30",
    "' OR 1=1 --",
    "-1",
    "가" * 3000,
    "\u202e\u200b\ufeff",
    "²",
    "1,2",
    "9" * 400,
    "0001-01-01",
    "%00",
    "null",
    "1e309",
]
DEEP_JSON = "[" * 100_000 + "]" * 100_000
ROLES = ["anonymous", "officer", "clerk", "administrator", "superuser"]
# How many hostile values each parameter gets, by role (anonymous readers stop at the login).
PER_PARAMETER = {"anonymous": 2, "officer": 2, "clerk": 2, "administrator": 3, "superuser": 5}


def url(path: str, params: dict[str, str]) -> str:
    return path + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items())


def sample(role: str, salt: int) -> list[str]:
    """The hostile values one parameter gets for one role (a different slice per role)."""
    count = PER_PARAMETER[role]
    start = (ROLES.index(role) * 3 + salt * 5) % len(HOSTILE)
    return list(itertools.islice(itertools.cycle(HOSTILE), start, start + count))


@pytest.fixture
def world(published_2020, make_report, django_user_model, settings):
    """The 2020 seed published, a second department's draft, and one account per role."""
    settings.API_ANON_RATE = "100000/min"
    settings.API_STAFF_RATE = "100000/min"
    make_report(cards=2)
    officer = django_user_model.objects.create_user("kim", password=None)
    make_staff(officer, Role.OFFICER, published_2020.department)
    accounts = {"officer": officer}
    for name, role in (("clerk", Role.CLERK), ("administrator", Role.ADMINISTRATOR)):
        accounts[name] = django_user_model.objects.create_user(name, password=None)
        make_staff(accounts[name], role)
    accounts["superuser"] = django_user_model.objects.create_superuser("root", password=None)
    return accounts


def client_for(world, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world[role])
    return client


class Walk:
    """Requests sent and the server errors among them."""

    def __init__(self, client: Client):
        self.client = client
        self.count = 0
        self.errors: list[str] = []

    def send(self, method: str, path: str, body: str | None = None) -> None:
        self.count += 1
        if body is None:
            response = getattr(self.client, method.lower())(path)
        else:
            response = self.client.generic(method, path, body, content_type="application/json")
        if response.status_code >= 500:
            self.errors.append(f"{response.status_code} {method} {path[:160]}")


# Admin --------------------------------------------------------------------------------------


def changelist_parameters(model_admin, superuser) -> list[str]:
    """The query parameters the changelist understands: its filters' lookups, the date
    hierarchy, search, ordering and page."""
    request = RequestFactory().get("/")
    request.user = superuser
    changelist = model_admin.get_changelist_instance(request)
    names = [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return [*names, "q", "o", "p", "e", "_to_field"]


def walk_admin(walk: Walk, role: str, superuser) -> None:
    for salt, (model, model_admin) in enumerate(admin.site._registry.items()):
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        changelist = reverse(f"admin:{info}_changelist")
        parameters = changelist_parameters(model_admin, superuser)
        for index, name in enumerate(parameters):
            for value in sample(role, salt + index):
                walk.send("GET", url(changelist, {name: value}))
        walk.send("GET", url(changelist, dict.fromkeys(parameters, HOSTILE[salt % len(HOSTILE)])))
        if model_admin.has_add_permission(_request_for(superuser)):
            walk.send("GET", reverse(f"admin:{info}_add"))
        first = model_admin.get_queryset(_request_for(superuser)).order_by("pk").first()
        ids = [str(first.pk)] if first is not None else []
        for object_id in [*ids, *sample(role, salt)[:2]]:
            encoded = quote(object_id, safe="")
            for page in ("change", "history", "delete"):
                walk.send("GET", f"{changelist}{encoded}/{page}/")


def _request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


# API ----------------------------------------------------------------------------------------


def api_routes():
    """(path prefix, viewset) of every registered API route."""
    for prefix, viewset, _basename in public.registry:
        yield f"/api/v1/{prefix}/", viewset
    for prefix, viewset, _basename in staff.registry:
        yield f"/api/v1/staff/{prefix}/", viewset


def walk_api(walk: Walk, role: str) -> None:
    for salt, (path, viewset) in enumerate(api_routes()):
        filterset = getattr(viewset, "filterset_class", None)
        names = list(filterset.base_filters) if filterset is not None else []
        names += ["page", "page_size", "format"]
        for index, name in enumerate(names):
            for value in sample(role, salt + index):
                walk.send("GET", url(path, {name: value}))
        walk.send("GET", url(path, dict.fromkeys(names, HOSTILE[salt % len(HOSTILE)])))
        for object_id in sample(role, salt)[:2]:
            walk.send("GET", f"{path}{quote(object_id, safe='')}/")
        if path.startswith("/api/v1/staff/"):
            walk_writes(walk, path, viewset)


def walk_writes(walk: Walk, path: str, viewset) -> None:
    """Oversized and deeply nested bodies on every write method of a staff route."""
    from django.conf import settings

    oversized = json.dumps({"title": "가" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2)})
    hostile_bodies = [DEEP_JSON, oversized, '{"title": "\\u0000"}', "{" * 50, "[1e999999]"]
    for body in hostile_bodies:
        walk.send("POST", path, body)
    for method in ("PUT", "PATCH", "DELETE"):
        walk.send(method, f"{path}1/", DEEP_JSON if method != "DELETE" else None)
    walk.send("PATCH", f"{path}1/", oversized)
    for extra in viewset.get_extra_actions():  # e.g. reports/{id}/transition/
        for body in (DEEP_JSON, oversized):
            walk.send("POST", f"{path}1/{extra.url_path}/", body)


def test_no_hostile_request_is_a_server_error_for_any_role(world, capsys):
    errors = []
    for role in ROLES:
        walk = Walk(client_for(world, role))
        started = time.monotonic()
        walk_admin(walk, role, world["superuser"])
        walk_api(walk, role)
        errors += [f"{role}: {error}" for error in walk.errors]
        with capsys.disabled():
            print(
                f"\n  hostile walk as {role}: {walk.count} requests, {len(walk.errors)} server "
                f"errors, {time.monotonic() - started:.1f} s",
                end="",
            )

    assert errors == [], "\n".join(errors[:40])


# The probe's findings, one each --------------------------------------------------------------


@pytest.fixture
def officer_api(report_2020, django_user_model):
    from tests.test_api_staff import token_client

    user = django_user_model.objects.create_user("kim", password=None)
    make_staff(user, Role.OFFICER, report_2020.department)
    return token_client(user)


def test_a_json_body_nested_100000_levels_is_a_korean_400(officer_api, report_2020):
    card = Card.objects.filter(section__report=report_2020).first()

    response = officer_api.generic(
        "PATCH", f"/api/v1/staff/cards/{card.pk}/", DEEP_JSON, content_type="application/json"
    )

    assert response.status_code == 400
    assert "너무 깊게 중첩" in response.json()["errors"][0]["message"]


def test_a_json_body_too_large_is_a_json_413(officer_api, settings):
    body = json.dumps({"title": "가" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})

    response = officer_api.post("/api/v1/staff/cards/", body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "본문이 너무 큽니다" in response.json()["detail"]


@pytest.mark.parametrize("path, kind", [("/api/v1/staff/cards/", "json"), ("/admin/", "page")])
def test_django_refusing_a_body_as_too_big_is_a_413_in_the_paths_own_shape(db, path, kind):
    """Django's RequestDataTooBig (raised wherever Django itself reads an oversized body),
    answered as Django answers it — through the project's handler400."""
    from django.core.exceptions import RequestDataTooBig
    from django.core.handlers.exception import response_for_exception

    request = RequestFactory().post(path)
    request.user = AnonymousUser()

    response = response_for_exception(request, RequestDataTooBig("too big"))

    assert response.status_code == 413
    if kind == "json":
        assert "본문이 너무 큽니다" in json.loads(response.content)["detail"]
    else:
        assert "요청을 처리할 수 없습니다" in response.content.decode()


def test_a_20_digit_year_on_an_admin_list_is_a_korean_400(admin_client, report_2020):
    response = admin_client.get("/admin/org/staffingsnapshot/?as_of__year=99999999999999999999")

    assert response.status_code == 400
    assert "as_of__year" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/org/staffingsnapshot/?q=%00",
        "/admin/reports/departmentreport/?status__exact=%00",
        "/api/v1/cards/?section=%00",
    ],
)
def test_a_nul_in_a_filter_value_is_a_korean_400(admin_client, report_2020, path):
    response = admin_client.get(path)

    assert response.status_code == 400
    assert "NUL" in response.content.decode()
