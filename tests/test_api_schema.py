"""Schemathesis against the portal's own OpenAPI schema: every operation, ≥ 100 generated
requests each (valid ones, then invalid ones), as a clerk with a token and anonymously.

No response may be a server error, and every response must match the schema: its status code
is documented, its content type is declared, its body validates (errors are the Problem shape).
The ids in paths are drawn from the rows that exist (and one that does not), so the requests
reach real reports, cards and lines instead of 404s only.
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, override_settings
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from budget.models import BudgetLine
from org.models import ApiToken, Bureau, Department, StaffingSnapshot
from projects.models import Card
from reports.models import (
    DepartmentReport,
    PublishedBudgetRow,
    PublishedCard,
    PublishedStaffingCell,
    ReportSection,
    ReportVersion,
)
from tests.test_authorization_matrix import stub_pdf  # noqa: F401  (a fixture)

# (path ids drawn from existing rows?, generation mode, examples): random ids first, so every
# operation gets its 100 generated requests even where the existing ids are few.
RUNS = [
    (False, GenerationMode.POSITIVE, 100),
    (True, GenerationMode.POSITIVE, 50),
    (True, GenerationMode.NEGATIVE, 25),
]
MINIMUM_CALLS = 100
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MISSING_ID = 987_654


def _schema_dict() -> dict:
    response = Client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


OPERATIONS = [
    (method.upper(), path)
    for path, item in _schema_dict()["paths"].items()
    for method in item
    if method in {"get", "post", "put", "patch", "delete"}
]

# Which rows a path's {id} names, by the path's first segment(s).
ID_SOURCES = {
    "sessions": None,  # by number, below
    "bureaus": Bureau,
    "departments": Department,
    "reports": DepartmentReport,
    "versions": ReportVersion,
    "staffing": PublishedStaffingCell,
    "budget-lines": PublishedBudgetRow,
    "cards": PublishedCard,
    "staff/reports": DepartmentReport,
    "staff/sections": ReportSection,
    "staff/cards": Card,
    "staff/budget-lines": BudgetLine,
    "staff/staffing": StaffingSnapshot,
}


def _source(path: str):
    parts = path.removeprefix("/api/v1/").strip("/").split("/")
    return ID_SOURCES["/".join(parts[:2]) if parts[0] == "staff" else parts[0]]


def _pin_path_ids(schema: dict) -> dict:
    """Path ids drawn from the rows that exist, plus one that does not."""
    for path, item in schema["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "path":
                    continue
                if parameter["name"] == "number":
                    values = [227, 206, MISSING_ID]
                else:
                    model = _source(path)
                    values = [*model.objects.values_list("pk", flat=True)[:20], MISSING_ID]
                parameter["schema"] = {"type": "integer", "enum": values}
    return schema


@pytest.fixture(autouse=True)
def quiet_request_log(caplog):
    caplog.set_level(logging.CRITICAL, logger="django.request")


@contextmanager
def keep_connection():
    """The WSGI handler closes the database connection around every request, which would end
    the test's transaction on PostgreSQL; Django's test client does the same as this (and
    connects the handlers again after each of its own requests)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(published_2020, make_report, clerk, stub_pdf):  # noqa: F811
    """The 2020 seed published, a second department's draft, a clerk with a token."""
    make_report(cards=2, number=227, department="시험과")
    return ApiToken.issue(user=clerk, name="시험")[1]


def _exercise(path: str, method: str, raw: dict, headers: dict) -> int:
    """Run the generated requests of one operation; returns how many were sent. Raises the
    first failure schemathesis found (already shrunk to its smallest example)."""
    schemas = {False: raw, True: _pin_path_ids(json.loads(json.dumps(raw)))}
    calls = 0
    for pinned, mode, examples in RUNS:
        schema = schemathesis.openapi.from_dict(schemas[pinned])
        schema.app = WSGIHandler()
        strategy = schema[path][method].as_strategy(generation_mode=mode)

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case):
            nonlocal calls
            response = case.call(headers=headers)
            calls += 1
            case.validate_response(response, checks=CHECKS, headers=headers)

        with keep_connection():
            run()
    return calls


@pytest.mark.slow
@pytest.mark.parametrize("who", ["clerk", "anonymous"])
@override_settings(API_ANON_RATE="100000/min", API_STAFF_RATE="100000/min")
def test_every_operation_answers_within_its_schema(api_world, who):
    """One world for all operations (the writes of one operation stay for the next ones, as
    in real use); every failure of every operation is listed."""
    raw = _schema_dict()
    headers = {"Authorization": f"Token {api_world}"} if who == "clerk" else {}
    # The in-process WSGI client does not undo the portal's gzip (GZipMiddleware).
    headers["Accept-Encoding"] = "identity"
    operations = [(m, p) for m, p in OPERATIONS if who == "clerk" or "/staff/" not in p]
    failures, counts = [], {}
    for method, path in operations:
        try:
            counts[(method, path)] = _exercise(path, method, raw, headers)
        except Exception as error:  # noqa: BLE001 — collected, reported below
            failures.append(f"{method} {path}: {error}")
    assert not failures, "\n\n".join(failures)
    assert all(n >= MINIMUM_CALLS for n in counts.values()), counts
    assert len(counts) == len(operations) >= (40 if who == "clerk" else 16)
