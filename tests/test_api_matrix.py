"""The authorization matrix of tests/test_authorization_matrix.py, extended to every API route.

The same world — department A (the 2020 seed) and B (a synthetic department) in session 227,
both published and then reopened for a correction, so each has a public edition and a live
draft — and the same seven accounts. Every route of the staff API (from its router, so a new
route is walked without touching this file) is asked for by every role: list, read, change,
delete and add, for A's and B's rows, each write inside a savepoint that is rolled back. The
public API is read by every role for B's draft secret. Zero cross-department reads or writes,
zero writes without permission, zero server errors, and no legitimate request refused.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client

from config.api_urls import public as public_router
from config.api_urls import staff as staff_router
from projects.models import Card
from reports.models import DepartmentReport
from tests.test_authorization_matrix import (
    CROSS_READ,
    CROSS_WRITE,
    REACH,
    REFUSED_OWN,
    ROLES,
    SERVER_ERROR,
    UNAUTHORISED_WRITE,
    Matrix,
    build_world,
    department_rows,
    publish_then_reopen,
    quiet_request_log,  # noqa: F401  (a fixture)
    stub_pdf,  # noqa: F401  (a fixture)
)

SECRET = "정정 중인 미공개 사업명"

# A change a legitimate editor could make to each kind of row, and a new row for a department.
CHANGES = {
    "staff-report": lambda obj: {"facilities": "○ 권한 점검"},
    "staff-section": lambda obj: {"title": f"{obj.title} (점검)"},
    "staff-card": lambda obj: {"title": f"{obj.title} (점검)"},
    "staff-budget-line": lambda obj: {"name": f"{obj.name} (점검)"},
    "staff-staffing": lambda obj: {"as_of": "2020-10-30"},
}


def new_row(name: str, world, key: str) -> dict:
    department = world.departments[key]
    report = world.reports[key]
    section = report.sections.order_by("pk").first()
    return {
        "staff-report": {"session": report.session_id, "department": department.pk},
        "staff-section": {"report": report.pk, "kind": "other", "title": "점검 단원", "order": 9},
        "staff-card": {
            "section": section.pk,
            "number": 99,
            "title": "점검 카드",
            "order": 99,
            "budget_kind": "none",
        },
        "staff-budget-line": {
            "department": department.pk,
            "fiscal_year": 2020,
            "name": "점검 사업",
            "order": 99,
        },
        "staff-staffing": {"department": department.pk, "as_of": "2020-09-30", "cells": []},
    }[name]


@pytest.fixture
def api_world(report_2020, make_report, stub_pdf):  # noqa: F811
    world = build_world(report_2020, make_report)
    clerk = world.users["clerk"]
    for report in world.reports.values():
        publish_then_reopen(report, clerk)
    Card.objects.filter(section__report=world.reports["B"]).update(title=SECRET)
    return world


def _routes(router):
    yield from router.registry


def _json(response) -> dict:
    try:
        return json.loads(response.content or b"{}")
    except ValueError:
        return {}


def test_every_staff_api_route_for_every_role(api_world):
    world = api_world
    matrix = Matrix("staff API")
    before = {key: department_rows(d) for key, d in world.departments.items()}

    def rows_changed(key: str, snapshot: dict) -> bool:
        return department_rows(world.departments[key]) != snapshot

    for prefix, viewset, name in _routes(staff_router):
        model = viewset.model
        label = model._meta.label_lower
        for role in ROLES:
            client = world.clients[role]
            staff = role not in ("anonymous", "member")
            can_view = world.can(role, "view", model)

            response = client.get(f"/api/v1/staff/{prefix}/", {"page_size": 500})
            matrix.record("list", role, "-", str(response.status_code), label)
            if response.status_code >= 500:
                matrix.problem("list", label, role, "-", SERVER_ERROR)
            elif response.status_code == 200:
                ids = [row["id"] for row in _json(response)["results"]]
                seen = world.departments_of(model, ids)
                for key in seen & {"A", "B"}:
                    if key not in REACH[role]:
                        matrix.problem("list", label, role, key, CROSS_READ)
            elif staff and can_view:
                matrix.problem("list", label, role, "-", REFUSED_OWN, str(response.status_code))

            for key in ("A", "B"):
                obj = world.first_object(model, key)
                obj = model._default_manager.get(pk=obj.pk)
                url = f"/api/v1/staff/{prefix}/{obj.pk}/"
                reach = key in REACH[role]

                response = client.get(url)
                matrix.record("read", role, key, str(response.status_code), label)
                if response.status_code == 200 and not reach:
                    matrix.problem("read", label, role, key, CROSS_READ)
                elif response.status_code != 200 and reach and can_view and staff:
                    matrix.problem("read", label, role, key, REFUSED_OWN, str(response.status_code))

                writes = [
                    ("change", "patch", url, {**CHANGES[name](obj), **_revision(obj)}),
                    ("delete", "delete", url, None),
                    ("add", "post", f"/api/v1/staff/{prefix}/", new_row(name, world, key)),
                ]
                for kind, method, target, body in writes:
                    action = {"change": "change", "delete": "delete", "add": "add"}[kind]
                    allowed = staff and reach and world.can(role, action, model)
                    with transaction.atomic():
                        sid = transaction.savepoint()
                        snapshot = department_rows(world.departments[key])
                        kwargs = {"content_type": "application/json"}
                        if body is not None:
                            kwargs["data"] = json.dumps(body)
                        response = getattr(client, method)(target, **kwargs)
                        changed = rows_changed(key, snapshot)
                        transaction.savepoint_rollback(sid)
                    status = response.status_code
                    matrix.record(kind, role, key, str(status) + ("*" if changed else ""), label)
                    if status >= 500:
                        matrix.problem(kind, label, role, key, SERVER_ERROR, response.content[:200])
                    elif changed and not reach:
                        matrix.problem(kind, label, role, key, CROSS_WRITE, str(status))
                    elif changed and not allowed:
                        matrix.problem(kind, label, role, key, UNAUTHORISED_WRITE, str(status))
                    elif allowed and status >= 400 and status not in (400, 409):
                        # 400: the admin's own refusal (a line a card cites, a taken name…)
                        matrix.problem(
                            kind, label, role, key, REFUSED_OWN, f"{status} {_json(response)}"
                        )
                    elif status < 300 and not changed and kind != "change":
                        matrix.problem(kind, label, role, key, REFUSED_OWN, "said yes, did nothing")

    # The workflow action, for each role on A and B: only the department itself submits.
    for role in ROLES:
        for key in ("A", "B"):
            report = world.reports[key]
            with transaction.atomic():
                sid = transaction.savepoint()
                response = world.clients[role].post(
                    f"/api/v1/staff/reports/{report.pk}/transition/",
                    {"action": "submit"},
                    content_type="application/json",
                )
                status = DepartmentReport.objects.get(pk=report.pk).status
                transaction.savepoint_rollback(sid)
            matrix.record(
                "submit", role, key, str(response.status_code), "reports.departmentreport"
            )
            own = role in ("officer_a", "head_a") and key == "A"
            if (status == "submitted") != own:
                category = CROSS_WRITE if key not in REACH[role] else UNAUTHORISED_WRITE
                matrix.problem(
                    "submit", "departmentreport", role, key, category if not own else REFUSED_OWN
                )

    for key, department in world.departments.items():
        assert department_rows(department) == before[key]
    matrix.check()
    assert matrix.requests == len(staff_router.registry) * len(ROLES) * 9 + 2 * len(ROLES)


def _revision(obj) -> dict:
    return {"revision": obj.revision} if hasattr(obj, "revision") else {}


def test_every_public_api_route_for_every_role(api_world):
    """B's correction in progress (its cards renamed to SECRET) is read only by those who may
    preview B; everyone else reads B's published edition; the published rows never show it."""
    world = api_world
    matrix = Matrix("public API")
    report_b = world.reports["B"]
    for role in ROLES:
        client = world.clients[role]
        for prefix, _viewset, _name in _routes(public_router):
            response = client.get(f"/api/v1/{prefix}/", {"page_size": 500})
            matrix.record(prefix, role, "-", str(response.status_code))
            if response.status_code != 200:
                matrix.problem(prefix, "public", role, "-", REFUSED_OWN, str(response.status_code))
            if SECRET in response.content.decode():
                matrix.problem(prefix, "public", role, "B", CROSS_READ, "draft in a list")
        detail = client.get(f"/api/v1/reports/{report_b.pk}/")
        body = detail.content.decode()
        previews = "B" in REACH[role]
        matrix.record("report B", role, "B", str(detail.status_code))
        if detail.status_code != 200:
            matrix.problem("report B", "public", role, "B", REFUSED_OWN, str(detail.status_code))
        elif (SECRET in body) != previews:
            category = CROSS_READ if SECRET in body else REFUSED_OWN
            matrix.problem("report B", "public", role, "B", category)
        elif _json(detail)["preview"] != previews:
            matrix.problem("report B", "public", role, "B", REFUSED_OWN, "preview flag")
    anonymous = Client()
    assert SECRET not in anonymous.get("/api/v1/cards/", {"page_size": 500}).content.decode()
    matrix.check()
