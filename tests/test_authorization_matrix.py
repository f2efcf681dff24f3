"""The authorization matrix: every URL, for every role, against two departments.

Department A is the 2020 seed (비전협력과, 제227회); department B is a synthetic report of the
same session (시험과). The accounts are an officer and a head of A, a clerk, an administrator,
a council member, a staff account with no role, and an anonymous reader.

- Admin: every ModelAdmin of `admin.site._registry` whose model is department-scoped
  (`org.access.is_scoped`) is walked programmatically — changelist, add page (and its
  foreign-key choices, also with `?<fk>=<B's object>`), add POST, change GET/POST, delete
  GET/POST, history, the history "revert" form GET/POST, autocomplete and the bulk delete
  action — so a new model admin is covered without touching this file.
- Public pages, the clerk's dashboard and 회기 열기, and the workflow buttons of the report
  editor have their own tests below.

Every POST runs inside a savepoint that is rolled back, so a legitimate write (which must
really change the database) does not change what the next request sees. A row of department
B changing for an account that does not reach B is a cross-department write; a page of B's
data (or B's rows in a list, an autocomplete or a select) is a cross-department read. Both
must be zero. Run with `-s` to print the matrix.

Known bugs would be listed in KNOWN_BUGS (tolerated by the matrix, each with a strict xfail
test); there are none now. The four this walk found are regression tests at the end.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.test import Client
from django.urls import reverse

from core.fields import GaejosikField
from org import access
from org.models import Department
from org.roles import Role, make_staff
from projects.models import Card
from publishing.workflow import perform, publish_imported
from reports.models import AccessLog, DepartmentReport, ReportSection, ReportVersion, Session

# Accounts and what they reach ----------------------------------------------------------------

ROLES = ["officer_a", "head_a", "clerk", "administrator", "member", "no_role", "anonymous"]
ROLE_SETUP = {
    "officer_a": (Role.OFFICER, "A"),
    "head_a": (Role.HEAD, "A"),
    "clerk": (Role.CLERK, None),
    "administrator": (Role.ADMINISTRATOR, None),
    "member": (Role.MEMBER, None),
}
# The department rule, written down independently of org/access.py: officers and heads reach
# their own department, clerks and administrators every department (the seed also makes a few
# sibling departments, shown as other#<id>), nobody else any.
ALL_DEPARTMENTS = {"clerk", "administrator"}
REACH = {
    "officer_a": {"A"},
    "head_a": {"A"},
    "clerk": {"A", "B"},
    "administrator": {"A", "B"},
    "member": set(),
    "no_role": set(),
    "anonymous": set(),
}


def outside(role: str, keys) -> set[str]:
    """The departments among `keys` the role may not reach."""
    if role in ALL_DEPARTMENTS:
        return set()
    return set(keys) - REACH.get(role, set())


TARGETS = ("A", "B")
SECRET = "미공개 초안 제목"  # a title only B's draft has (public test)

CROSS_READ = "cross-department read"
CROSS_WRITE = "cross-department write"
UNAUTHORISED_WRITE = "write without permission"
UNEXPECTED_ACCESS = "access without permission"
REFUSED_OWN = "legitimate request refused"
SERVER_ERROR = "server error"
ODD_STATUS = "unexpected status"


# Problems and known bugs ----------------------------------------------------------------------


@dataclass
class Problem:
    area: str
    kind: str
    model: str
    role: str
    target: str
    category: str
    detail: str = ""

    def __str__(self) -> str:
        return (
            f"[{self.category}] {self.area} {self.kind} {self.model} "
            f"role={self.role} target={self.target} {self.detail}"
        ).strip()


# Each known bug: (name, reason, which problems of the matrix it explains).
BUG_CARD_FORM = (
    "CardAdminForm.__init__ replaces the department-scoped querysets of section/team/budget_line "
    "(ScopedPermissions.formfield_for_foreignkey) with unscoped ones: on /admin/projects/card/add/ "
    "an officer of A is offered B's sections, teams and budget lines, ?section=<B's section> "
    "shows only B's teams and lines, and a POST with section=<B's section> creates a card in "
    "B's report (302, row created). It should offer only A's choices and refuse B's section."
)
BUG_REVERT_FORM = (
    "simple_history's history form (/admin/<app>/<model>/<id>/history/<history_id>/) saves a POST "
    "whenever the account may *view* the object (has_view_history_or_change_history_permission); "
    "SIMPLE_HISTORY_REVERT_DISABLED only hides the button. Officers, heads and clerks (view-only "
    "on 부서) rename a department, and the department's staff change sections (and cards, by "
    "adding the hidden revision field) of their own submitted, i.e. frozen, report. It should be "
    "403 unless has_change_permission(request, obj). Another department's objects are 403 already."
)
BUG_ADD_TO_FROZEN = (
    "The add views of ReportSection and Card do not apply the frozen-report rule: an officer adds "
    "a section (POST /admin/reports/reportsection/add/) or a card (POST /admin/projects/card/add/) "
    "to their own report after it was submitted (302, row created). Content of a report may "
    "change only while it is 작성 중 or 보완 요청; the add should be refused."
)
BUG_VERSION_HISTORY = (
    "/admin/reports/reportversion/<id>/history/ is a 500 (AttributeError: 'Options' object has no "
    "attribute 'simple_history_manager_attribute') for every staff account, also one without any "
    "permission (which should get 403): ReportVersionAdmin inherits SimpleHistoryAdmin but "
    "ReportVersion has no HistoricalRecords. It should be a 200 (empty history) or 404."
)

# Bugs found by this walk and fixed since (kept as regression tests at the end); add an
# entry here only together with a strict xfail test that describes it.
KNOWN_BUGS: list[tuple[str, str, Callable[[Problem], bool]]] = []


def known_bug(problem: Problem) -> str | None:
    return next((name for name, _reason, matches in KNOWN_BUGS if matches(problem)), None)


# The matrix -----------------------------------------------------------------------------------


@dataclass
class Matrix:
    area: str
    cells: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    by_model: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    kinds: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    requests: int = 0

    def record(self, kind: str, role: str, target: str, shown: str, model: str = "") -> None:
        if kind not in self.kinds:
            self.kinds.append(kind)
        self.cells[(kind, role)][target].add(shown)
        if model:
            self.by_model[(model, role)][target].add(f"{kind}={shown}")
        self.requests += 1

    def problem(self, kind, model, role, target, category, detail="") -> None:
        self.problems.append(Problem(self.area, kind, model, role, target, category, detail))

    def unknown(self) -> list[Problem]:
        return [p for p in self.problems if known_bug(p) is None]

    def count(self, category: str, *, known: bool | None = None) -> int:
        return sum(
            p.category == category and (known is None or (known_bug(p) is not None) == known)
            for p in self.problems
        )

    def render(self, roles=ROLES) -> str:
        width, first = 15, 26
        lines = [
            f"== {self.area}: {self.requests} requests; cell = status per target "
            "(A = officer/head's own department, B = another) ==",
            "kind".ljust(first) + "".join(role[:width].ljust(width + 1) for role in roles),
        ]
        for kind in self.kinds:
            row = kind[: first - 1].ljust(first)
            for role in roles:
                per_target = self.cells.get((kind, role), {})
                text = " ".join(
                    f"{target}:{','.join(sorted(per_target[target]))}"
                    for target in sorted(per_target)
                )
                row += (text or "-")[:width].ljust(width + 1)
            lines.append(row.rstrip())
        reads, writes = self.count(CROSS_READ), self.count(CROSS_WRITE)
        lines.append(
            f"cross-department reads: {reads} (known bugs {self.count(CROSS_READ, known=True)}), "
            f"writes: {writes} (known bugs {self.count(CROSS_WRITE, known=True)}), "
            f"all problems: {len(self.problems)} (unknown {len(self.unknown())})"
        )
        for problem in self.problems:
            tag = known_bug(problem)
            lines.append(f"  {'KNOWN BUG ' + repr(tag) if tag else 'PROBLEM'}: {problem}")
        return "\n".join(lines)

    def render_role(self, role: str) -> str:
        """One role, model by model: `A|B` status of each kind (`*`: rows changed)."""
        models_ = sorted({model for model, _role in self.by_model})
        width = 11
        lines = [
            f"== {self.area}, {role}, per model (cell = A|B; - = no target) ==",
            "model".ljust(26) + "".join(kind[:width].ljust(width + 1) for kind in self.kinds),
        ]
        for model in models_:
            per_target = self.by_model.get((model, role), {})
            row = model.ljust(26)
            for kind in self.kinds:
                texts = []
                for target in ("A", "B", "-"):
                    found = sorted(
                        text.split("=", 1)[1]
                        for text in per_target.get(target, ())
                        if text.split("=", 1)[0] == kind
                    )
                    if found:
                        texts.append(",".join(found))
                row += ("|".join(texts) or ".")[:width].ljust(width + 1)
            lines.append(row.rstrip())
        return "\n".join(lines)

    def check(self, roles=ROLES) -> None:
        print("\n" + self.render(roles))
        unknown = self.unknown()
        assert self.count(CROSS_READ, known=False) == 0, "\n".join(map(str, unknown))
        assert self.count(CROSS_WRITE, known=False) == 0, "\n".join(map(str, unknown))
        assert not unknown, "\n".join(map(str, unknown))


# Data and accounts ----------------------------------------------------------------------------


def _pdf_stub(documents) -> bytes:
    """What a PDF would contain, readable in a test: each department and its card titles."""
    lines = [
        f"{document.department}: "
        + " | ".join(card.title for section in document.sections for card in section.cards)
        for document in documents
    ]
    return ("%PDF-stub\n" + "\n".join(lines)).encode()


@pytest.fixture(autouse=True)
def quiet_request_log(caplog):
    """Hundreds of deliberate 403/404s (and the known 500s) would each log a warning with a
    traceback into a failure's report; the matrix records every status instead."""
    caplog.set_level(logging.CRITICAL, logger="django.request")


@pytest.fixture
def stub_pdf(monkeypatch):
    """Rendering is tested in test_pdf.py; here only who gets which content matters."""
    from publishing import booklet, pdf

    def render_part(document):
        key = booklet.part_key(document)
        booklet.write_atomic(booklet.part_path(key), _pdf_stub([document]))
        return key

    def assemble(outline, parts, destination):  # the parts, one after another
        joined = b"\n".join(booklet.part_path(part.key).read_bytes() for part in parts)
        booklet.write_atomic(destination, joined)
        return booklet.Assembled(destination, len(parts), {})

    monkeypatch.setattr(pdf, "department_pdf", lambda document: _pdf_stub([document]))
    monkeypatch.setattr(booklet, "render_part", render_part)
    monkeypatch.setattr(booklet, "assemble", assemble)


@dataclass
class World:
    reports: dict[str, DepartmentReport]
    departments: dict[str, Department]
    users: dict
    clients: dict[str, Client]

    def key_of_department(self, department_id) -> str:
        for key, department in self.departments.items():
            if department.pk == department_id:
                return key
        return f"other#{department_id}"

    def departments_of(self, model, pks) -> set[str]:
        """Which of A and B the rows `pks` of a scoped model belong to."""
        path = access.DEPARTMENT_PATHS[model._meta.label_lower]
        values = model._default_manager.filter(pk__in=list(pks)).values_list(path, flat=True)
        return {self.key_of_department(value) for value in values}

    def first_object(self, model, key: str):
        path = access.DEPARTMENT_PATHS[model._meta.label_lower]
        department = self.departments[key]
        return (
            model._default_manager.filter(**{path: department.pk}).order_by("pk").only("pk").first()
        )

    def client(self, role: str) -> Client:
        client = Client(raise_request_exception=False)
        if self.users.get(role) is not None:
            client.force_login(self.users[role])
        return client

    def can(self, role: str, action: str, model) -> bool:
        user = self.users.get(role)
        if user is None:
            return False
        opts = model._meta
        allowed = user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
        if action == "view":
            allowed = allowed or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        return allowed


def make_user(username: str, role: Role | None, department=None, **extra):
    # No password (force_login needs none; hashing one costs ~0.4 s per account).
    user = get_user_model().objects.create_user(username, password=None, **extra)
    if role is not None:
        make_staff(user, role, department)
    return user


def build_world(report_a: DepartmentReport, make_report) -> World:
    report_b = make_report(cards=2, number=227, department="시험과")
    reports = {"A": report_a, "B": report_b}
    departments = {key: report.department for key, report in reports.items()}
    users = {"anonymous": None}
    for role, (group, key) in ROLE_SETUP.items():
        users[role] = make_user(f"authz-{role}", group, departments[key] if key else None)
    users["no_role"] = make_user("authz-no-role", None, is_staff=True)
    world = World(reports, departments, users, {})
    world.clients = {role: world.client(role) for role in ROLES}
    return world


def publish_then_reopen(report: DepartmentReport, clerk) -> None:
    """Version 1 published, then reopened for a correction: a draft with a public version."""
    publish_imported(report, comment="권한 점검용 공개")
    perform(report, "reopen", clerk, comment="권한 점검용 정정")


def department_rows(department: Department) -> dict:
    """Every row of every scoped model that belongs to the department (PDF bytes left out)."""
    rows = {}
    for label, path in access.DEPARTMENT_PATHS.items():
        model = apps.get_model(label)
        names = [f.attname for f in model._meta.concrete_fields if f.name != "pdf"]
        rows[label] = list(
            model._default_manager.filter(**{path: department.pk}).order_by("pk").values(*names)
        )
    return rows


def seen_text(seen) -> str:
    """`AB`, or `AB+` when rows of the seed's other departments are there too."""
    return "".join(k for k in sorted(seen) if k in TARGETS) + (
        "+" if set(seen) - set(TARGETS) else ""
    )


def rendered_objects(response, model) -> set:
    """Pks of `model` rows a page shows as its object(s): a change or delete page's object, the
    bulk delete confirmation's queryset."""
    context = response.context if response.status_code == 200 else None
    if context is None:
        return set()
    found = set()
    for name in ("original", "object"):
        value = context.get(name)
        if isinstance(value, model):
            found.add(value.pk)
    queryset = context.get("queryset")
    if isinstance(queryset, models.QuerySet) and queryset.model is model:
        found |= set(queryset.values_list("pk", flat=True))
    return found


def refused(response) -> bool:
    """403, 404, or the admin's redirects for an object it cannot find or a login it needs."""
    if response.status_code in (403, 404):
        return True
    if response.status_code == 302:
        location = response["Location"]
        return location == reverse("admin:index") or location.startswith(
            (reverse("admin:login"), reverse("login"))
        )
    return False


def shown(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith((reverse("admin:login"), reverse("login"))):
            return "302L"  # to the login page
        if location == reverse("admin:index"):
            return "302I"  # the admin's "does not exist" redirect to the index
    return str(response.status_code)


# Reading a form as a browser submits it -------------------------------------------------------


class _Forms(HTMLParser):
    """Name/value pairs of every POST form of a page, as a browser submits them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self.pairs: list | None = None
        self.templates = 0
        self.select = self.option = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "").lower() == "post":
                self.pairs = []
                self.forms.append((attrs.get("id") or "", self.pairs))
            return
        if self.pairs is None:
            return
        if tag == "template":
            self.templates += 1
        if self.templates:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.pairs.append((attrs["name"], attrs.get("value", default)))
        elif tag == "select" and attrs.get("name"):
            self.select = {"name": attrs["name"], "first": None, "chosen": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = {"name": attrs["name"], "text": ""}

    def handle_data(self, data):
        for element in (self.option, self.textarea):
            if element is not None:
                element["text"] += data

    def handle_endtag(self, tag):
        if self.pairs is None:
            return
        if tag == "template":
            self.templates -= 1
            return
        if self.templates:
            return
        if tag == "form":
            self.pairs = None
        elif tag == "option" and self.option is not None and self.select is not None:
            value = self.option["value"]
            value = self.option["text"].strip() if value is None else value
            if self.select["first"] is None:
                self.select["first"] = value
            if self.option["selected"]:
                self.select["chosen"].append(value)
            self.option = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"] or [self.select["first"]]
            self.pairs.extend((self.select["name"], value) for value in chosen if value is not None)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            self.pairs.append((self.textarea["name"], text[1:] if text.startswith("\n") else text))
            self.textarea = None


def form_data(response, model) -> tuple[str, dict[str, str]]:
    """The (id, data) of the page's object form: the admin's change form or the report editor."""
    reader = _Forms()
    reader.feed(response.content.decode())
    forms = [(form_id, dict(pairs)) for form_id, pairs in reader.forms if form_id != "logout-form"]
    wanted = {f"{model._meta.model_name}_form", "report-editor"}
    for form_id, data in forms:
        if form_id in wanted:
            return form_id, data
    return forms[0] if forms else ("", {})


def _form_key(data: dict, name: str) -> str | None:
    """The key of a model field in posted data: `name`, or `prefix-name` outside formset rows."""
    if name in data:
        return name
    for key in data:
        parts = key.split("-")
        if parts[-1] == name and not any(part.isdigit() for part in parts):
            return key
    return None


def mutate(data: dict, model) -> tuple[dict, bool]:
    """The same data with one real change: the fields that make the row unique (so a copy does
    not clash), or else its first text field."""
    data = dict(data)
    unique = [f.name for f in model._meta.fields if f.unique and not f.primary_key]
    for constraint in model._meta.total_unique_constraints:
        unique += list(constraint.fields)
    candidates = [model._meta.get_field(name) for name in unique]
    text_fields = (models.CharField, models.TextField, GaejosikField)
    candidates = [f for f in candidates if not f.is_relation] or [
        f for f in model._meta.fields if isinstance(f, text_fields) and not f.choices
    ]
    candidates.sort(key=lambda f: not isinstance(f, text_fields))  # a name before a year
    for model_field in candidates:
        key = _form_key(data, model_field.attname)
        if key is None:
            continue
        value = data[key]
        if isinstance(model_field, models.TextField | GaejosikField):
            data[key] = f"{value}\n○ 권한 점검".strip()
        elif isinstance(model_field, models.CharField):
            data[key] = f"{value}·점검"
        elif isinstance(model_field, models.DateField):
            day = datetime.date.fromisoformat(value) if value else datetime.date(2020, 10, 31)
            data[key] = (day - datetime.timedelta(days=3)).isoformat()
        elif isinstance(model_field, models.IntegerField):
            data[key] = str(int(value or 0) + 50)
        else:
            continue
        return data, True
    return data, False


def as_new(data: dict, model) -> tuple[dict, bool]:
    """A change form's data as an add form's: no inline rows, no revision, unique fields moved."""
    new = {}
    for key, value in data.items():
        if key.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS")):
            new[key] = "0"
        elif re.match(r"^.+-\d+-", key) or "__prefix__" in key or key == "revision":
            continue
        else:
            new[key] = value
    return mutate(new, model)


def choice_departments(world: World, response) -> dict[str, set[str]]:
    """For each foreign-key field of the page's forms (and inlines): the departments offered."""
    found: dict[str, set[str]] = defaultdict(set)
    context = response.context
    if context is None:
        return found
    forms = []
    if "adminform" in context:
        forms.append(context["adminform"].form)
    for inline in context.get("inline_admin_formsets") or []:
        forms += [*inline.formset.forms, inline.formset.empty_form]
    for form in forms:
        for name, form_field in form.fields.items():
            queryset = getattr(form_field, "queryset", None)
            if queryset is None or not access.is_scoped(queryset.model):
                continue
            if name == queryset.model._meta.pk.name and form_field.widget.is_hidden:
                continue  # an inline row's own hidden id, not a choice
            pks = list(queryset.values_list("pk", flat=True))
            found[name] |= world.departments_of(queryset.model, pks)
    return found


# The admin walk -------------------------------------------------------------------------------


def scoped_admins() -> list:
    return sorted(
        (
            (model, model_admin)
            for model, model_admin in admin.site._registry.items()
            if access.is_scoped(model)
        ),
        key=lambda item: item[0]._meta.label_lower,
    )


class AdminWalk:
    def __init__(self, world: World, matrix: Matrix):
        self.world = world
        self.matrix = matrix
        self.before = {key: department_rows(d) for key, d in world.departments.items()}

    # Checks --------------------------------------------------------------------------------

    def get(self, kind, model, role, target, url, *, expected: bool, object_page=True):
        """A GET: 200 when expected (its form offering only reachable choices), else refused.

        object_page: the page shows the target's object (a 200 is a read of it); else only
        its choices can leak.
        """
        label = model._meta.label_lower
        response = self.world.clients[role].get(url)
        self.matrix.record(kind, role, target, shown(response), label)
        status = response.status_code
        if status >= 500:
            self.matrix.problem(kind, label, role, target, SERVER_ERROR, url)
        elif status == 200:
            if object_page and target in TARGETS and target not in REACH[role]:
                self.matrix.problem(kind, label, role, target, CROSS_READ, url)
            elif not expected:
                self.matrix.problem(kind, label, role, target, UNEXPECTED_ACCESS, url)
            self.check_choices(kind, label, role, target, response, url)
        elif not refused(response):
            self.matrix.problem(kind, label, role, target, ODD_STATUS, f"{status} {url}")
        elif expected:
            self.matrix.problem(kind, label, role, target, REFUSED_OWN, f"{status} {url}")
        return response

    def check_choices(self, kind, label, role, target, response, url):
        for name, offered in choice_departments(self.world, response).items():
            leaked = outside(role, offered)
            if leaked:
                self.matrix.problem(
                    kind,
                    label,
                    role,
                    target,
                    CROSS_READ,
                    f"field {name!r} offers {sorted(leaked)} ({url})",
                )

    def post(
        self,
        kind,
        model,
        role,
        target,
        url,
        data,
        *,
        expected: bool,
        must_write: bool,
        strict: bool,
        obj=None,
    ):
        """A POST in a savepoint that is rolled back; did target's rows change?

        strict: a refusal must also show in the status (403/404/redirect), not only in the
        database (a change form re-rendered for another department's object is a read).
        """
        label = model._meta.label_lower
        department = self.world.departments[target]
        with transaction.atomic():
            response = self.world.clients[role].post(url, data)
            error = response.status_code >= 500
            changed = None if error else department_rows(department) != self.before[target]
            protected = bool(
                response.status_code == 200
                and response.context is not None
                and response.context.get("protected")
            )
            rendered = rendered_objects(response, model)
            transaction.set_rollback(True)
        if obj is not None and obj.pk in rendered and target not in REACH[role]:
            self.matrix.problem(kind, label, role, target, CROSS_READ, f"rendered ({url})")
        self.matrix.record(kind, role, target, shown(response) + ("*" if changed else ""), label)
        if error:
            self.matrix.problem(kind, label, role, target, SERVER_ERROR, url)
        elif changed and target not in REACH[role]:
            self.matrix.problem(kind, label, role, target, CROSS_WRITE, url)
        elif changed and not expected:
            self.matrix.problem(kind, label, role, target, UNAUTHORISED_WRITE, url)
        elif not changed and must_write and not protected:
            self.matrix.problem(kind, label, role, target, REFUSED_OWN, f"{shown(response)} {url}")
        if strict and not changed and not expected and not refused(response):
            category = CROSS_READ if target not in REACH[role] else UNEXPECTED_ACCESS
            self.matrix.problem(kind, label, role, target, category, f"{shown(response)} {url}")
        return response

    def post_add(self, kind, model, role, data, url, *, target):
        """An add POST (copy of target's object): which department did a new row land in?"""
        label = model._meta.label_lower
        manager = model._default_manager
        before = set(manager.values_list("pk", flat=True))
        with transaction.atomic():
            response = self.world.clients[role].post(url, data)
            error = response.status_code >= 500
            new = set() if error else set(manager.values_list("pk", flat=True)) - before
            landed = self.world.departments_of(model, new) if new else set()
            transaction.set_rollback(True)
        self.matrix.record(kind, role, target, shown(response) + ("*" if new else ""), label)
        # A new department belongs to no existing one: it needs only the permission.
        fresh = {key for key in landed if key.startswith("other#") and model is Department}
        expected = self.world.can(role, "add", model) and target in REACH[role]
        if error:
            self.matrix.problem(kind, label, role, target, SERVER_ERROR, url)
        for key in sorted(outside(role, landed - fresh)):
            self.matrix.problem(kind, label, role, key, CROSS_WRITE, f"row created in {key}")
        if new and not self.world.can(role, "add", model):
            self.matrix.problem(kind, label, role, target, UNAUTHORISED_WRITE, url)
        if expected and not new:
            self.matrix.problem(kind, label, role, target, REFUSED_OWN, f"{shown(response)} {url}")

    # The walk ------------------------------------------------------------------------------

    def run(self):
        for model, model_admin in scoped_admins():
            self.walk_model(model, model_admin)

    def walk_model(self, model, model_admin):
        world = self.world
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        objects = {key: world.first_object(model, key) for key in TARGETS}
        assert all(objects.values()), f"no {opts.label} for one of the departments: {objects}"
        history = getattr(opts, "simple_history_manager_attribute", None)
        # Form data as the administrator (every department, the most permissions) sees it,
        # posted by every role.
        filler = world.clients["administrator"]

        change_forms, revert_forms, history_urls = {}, {}, {}
        for key, obj in objects.items():
            response = filler.get(reverse(f"{name}_change", args=[obj.pk]))
            assert response.status_code == 200, (opts.label, key, response.status_code)
            change_forms[key] = form_data(response, model)
            if history is not None:
                records = getattr(model, history).filter(**{opts.pk.attname: obj.pk})
                record = records.order_by("-pk").first()
                if record is not None:
                    history_urls[key] = reverse(
                        f"{name}_simple_history", args=[obj.pk, record.history_id]
                    )
                    response = filler.get(history_urls[key])
                    assert response.status_code == 200, (opts.label, key, response.status_code)
                    revert_forms[key] = form_data(response, model)[1]

        changelist = reverse(f"{name}_changelist")
        add_url = reverse(f"{name}_add")
        for role in ROLES:
            can_view = world.can(role, "view", model)
            can_add = world.can(role, "add", model)
            self.walk_changelist(model, role, changelist, can_view)
            self.get("add GET", model, role, "-", add_url, expected=can_add)
            self.walk_add_prefilled(model, role, add_url, can_add)
            self.walk_autocomplete(model, model_admin, role)
            for key, obj in objects.items():
                reach = key in REACH[role]
                view = can_view and reach
                change = world.can(role, "change", model) and reach
                delete = world.can(role, "delete", model) and reach
                change_url = reverse(f"{name}_change", args=[obj.pk])
                self.get("change GET", model, role, key, change_url, expected=view)
                form_id, data = change_forms[key]
                data, mutated = mutate(data, model)
                self.post(
                    "change POST",
                    model,
                    role,
                    key,
                    change_url,
                    data,
                    expected=change,
                    must_write=change and mutated,
                    strict=True,
                    obj=obj,
                )
                if form_id == f"{opts.model_name}_form":  # a standard admin form: copy it
                    new_data, _moved = as_new(change_forms[key][1], model)
                    self.post_add("add POST", model, role, new_data, add_url, target=key)
                delete_url = reverse(f"{name}_delete", args=[obj.pk])
                self.get("delete GET", model, role, key, delete_url, expected=delete)
                self.post(
                    "delete POST",
                    model,
                    role,
                    key,
                    delete_url,
                    {"post": "yes"},
                    expected=delete,
                    must_write=delete,
                    strict=True,
                    obj=obj,
                )
                self.post(
                    "bulk delete",
                    model,
                    role,
                    key,
                    changelist,
                    {
                        "action": "delete_selected",
                        "_selected_action": str(obj.pk),
                        "post": "yes",
                        "index": "0",
                    },
                    expected=delete,
                    must_write=delete,
                    strict=False,
                    obj=obj,
                )
                history_url = reverse(f"{name}_history", args=[obj.pk])
                self.get("history", model, role, key, history_url, expected=view)
                if key in history_urls:
                    url = history_urls[key]
                    self.get("revert GET", model, role, key, url, expected=view)
                    data, _mutated = mutate(revert_forms[key], model)
                    # Reverting is disabled (SIMPLE_HISTORY_REVERT_DISABLED): a refusal is fine
                    # for everyone, a write only with the change permission.
                    self.post(
                        "revert POST",
                        model,
                        role,
                        key,
                        url,
                        data,
                        expected=change,
                        must_write=False,
                        strict=True,
                        obj=obj,
                    )

    def walk_changelist(self, model, role, url, can_view):
        label = model._meta.label_lower
        response = self.world.clients[role].get(url)
        status = response.status_code
        if status == 200:
            pks = [obj.pk for obj in response.context["cl"].result_list]
            seen = self.world.departments_of(model, pks)
            self.matrix.record("changelist", role, "-", f"200[{seen_text(seen)}]", label)
            for key in sorted(outside(role, seen)):
                self.matrix.problem("changelist", label, role, key, CROSS_READ, f"rows of {key}")
            if not can_view:
                self.matrix.problem("changelist", label, role, "-", UNEXPECTED_ACCESS, url)
            for key in sorted(REACH[role] - seen):
                self.matrix.problem("changelist", label, role, key, REFUSED_OWN, "rows missing")
        else:
            self.matrix.record("changelist", role, "-", shown(response), label)
            if status >= 500:
                self.matrix.problem("changelist", label, role, "-", SERVER_ERROR, url)
            elif can_view:
                self.matrix.problem("changelist", label, role, "-", REFUSED_OWN, str(status))
            elif not refused(response):
                self.matrix.problem("changelist", label, role, "-", ODD_STATUS, str(status))

    def walk_add_prefilled(self, model, role, add_url, can_add):
        """The add page with a foreign key already set to B's object (?section=<B's section>)."""
        for model_field in model._meta.fields:
            related = model_field.related_model
            if not model_field.is_relation or related is None or not access.is_scoped(related):
                continue
            other = self.world.first_object(related, "B")
            if other is None:
                continue
            url = f"{add_url}?{model_field.name}={other.pk}"
            self.get("add?fk GET", model, role, "B", url, expected=can_add, object_page=False)

    def walk_autocomplete(self, model, model_admin, role):
        label = model._meta.label_lower
        for field_name in model_admin.autocomplete_fields:
            related = model._meta.get_field(field_name).related_model
            query = {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": field_name,
                "term": "",
            }
            url = f"{reverse('admin:autocomplete')}?{urlencode(query)}"
            response = self.world.clients[role].get(url)
            kind = "autocomplete"
            expected = self.world.can(role, "view", related)
            if response.status_code == 200:
                pks = [result["id"] for result in response.json()["results"]]
                seen = self.world.departments_of(related, pks)
                self.matrix.record(kind, role, "-", f"200[{seen_text(seen)}]", label)
                for key in sorted(outside(role, seen)):
                    self.matrix.problem(kind, label, role, key, CROSS_READ, f"{field_name}: {key}")
                for key in sorted(REACH[role] - seen):
                    self.matrix.problem(kind, label, role, key, REFUSED_OWN, f"{field_name}")
                if not expected:
                    self.matrix.problem(kind, label, role, "-", UNEXPECTED_ACCESS, url)
            else:
                self.matrix.record(kind, role, "-", shown(response), label)
                if response.status_code >= 500:
                    self.matrix.problem(kind, label, role, "-", SERVER_ERROR, url)
                elif expected:
                    self.matrix.problem(kind, label, role, "-", REFUSED_OWN, url)
                elif not refused(response):
                    self.matrix.problem(kind, label, role, "-", ODD_STATUS, url)


@pytest.fixture
def world(report_2020, make_report, stub_pdf):
    """A = the 2020 seed (비전협력과), B = a synthetic department, both in session 227."""
    return build_world(report_2020, make_report)


@pytest.fixture
def light_world(make_report, stub_pdf):
    """The same accounts with two synthetic departments: for the focused tests (fast)."""
    return build_world(make_report(cards=3, number=227, department="갑시험과"), make_report)


def test_every_scoped_admin_url_for_every_role(world):
    """Admin: 8 scoped model admins × 7 roles × A/B, every kind of admin URL."""
    clerk = world.users["clerk"]
    for report in world.reports.values():  # so that ReportVersion has a row in A and in B
        publish_then_reopen(report, clerk)
    covered = [model._meta.label_lower for model, _admin in scoped_admins()]
    assert {"projects.card", "reports.departmentreport", "budget.budgetline"} <= set(covered)

    matrix = Matrix("admin (" + ", ".join(covered) + ")")
    walk = AdminWalk(world, matrix)
    walk.run()
    print("\n" + matrix.render_role("officer_a"))

    # Nothing the walk did (GETs, rolled-back POSTs) stayed in the database.
    for key, department in world.departments.items():
        assert department_rows(department) == walk.before[key]
    matrix.check()
    assert matrix.requests > 1000


# Spreadsheet imports and exports (org/imports.py) -----------------------------------------


def import_export_admins() -> list:
    return [(m, a) for m, a in scoped_admins() if hasattr(a, "import_action")]


def exported_file(model_admin, queryset, *, with_department: bool) -> bytes:
    """The department's rows as the portal exports them (CSV), optionally without 부서."""
    import tablib

    dataset = model_admin.resource_classes[0]().export(queryset=queryset)
    if not with_department:
        del dataset["부서"]
    return tablib.Dataset(*dataset, headers=dataset.headers).export("csv").encode("utf-8")


def import_as(client, name: str, data: bytes, department=None):
    """Upload (preview), then confirm when the preview offers it; returns both responses."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    post = {"import_file": SimpleUploadedFile("rows.csv", data), "format": "0"}
    post.update(fiscal_year="2020", as_of="2020-10-31")
    if department is not None:
        post["department"] = str(department.pk)
    preview = client.post(reverse(f"{name}_import"), post)
    confirm = None
    if preview.status_code == 200 and 'name="digest"' in preview.text:
        hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', preview.text))
        confirm = client.post(reverse(f"{name}_process_import"), hidden)
    return preview, confirm


def test_imports_and_exports_respect_role_and_department(world):
    """Every import/export admin × every role: who may import and export, what an export
    holds, and where imported rows land (never in a department the account does not reach)."""
    problems = []
    a, b = world.departments["A"], world.departments["B"]
    covered = []
    for model, model_admin in import_export_admins():
        opts = model._meta
        covered.append(opts.label_lower)
        name = f"admin:{opts.app_label}_{opts.model_name}"
        path = access.DEPARTMENT_PATHS[opts.label_lower]
        rows_b = model._default_manager.filter(**{path: b.pk})
        with_department = exported_file(model_admin, rows_b, with_department=True)
        without_department = exported_file(model_admin, rows_b, with_department=False)
        resource = model_admin.resource_classes[0]
        export_form = {"format": "1", "resource": "0"}  # CSV
        export_form.update(
            {f"{resource.__name__.lower()}_{field}": "on" for field in resource._meta.fields}
        )
        for role in ROLES:
            client = world.clients[role]
            may_import = world.can(role, "add", model) and world.can(role, "change", model)
            page = client.get(reverse(f"{name}_import"))
            if (page.status_code == 200) != may_import or page.status_code >= 500:
                problems.append(f"{opts.label} {role}: import page {page.status_code}")

            exported = client.post(reverse(f"{name}_export"), export_form)
            if exported.status_code == 200 and exported.get("Content-Disposition"):
                text = exported.content.decode("utf-8-sig")
                if b.name in text and "B" not in REACH[role]:
                    problems.append(f"{opts.label} {role}: export holds {b.name}'s rows")
            elif world.can(role, "view", model) and REACH[role]:
                problems.append(f"{opts.label} {role}: export refused ({exported.status_code})")

            before = {key: department_rows(d) for key, d in world.departments.items()}
            with transaction.atomic():
                target = b if role in ALL_DEPARTMENTS else None
                preview, confirm = import_as(client, name, with_department, target)
                labelled = {key: department_rows(d) for key, d in world.departments.items()}
                # The same rows without 부서: they can only land in the importer's own department.
                preview2, confirm2 = import_as(client, name, without_department, None)
                after = {key: department_rows(d) for key, d in world.departments.items()}
                transaction.set_rollback(True)
            for response in (preview, confirm, preview2, confirm2):
                if response is not None and response.status_code >= 500:
                    problems.append(f"{opts.label} {role}: import server error")
            if labelled["B"] != before["B"] and "B" not in REACH[role]:
                problems.append(f"{opts.label} {role}: B's file changed B")
            if after["B"] != labelled["B"] and "B" not in REACH[role]:
                problems.append(f"{opts.label} {role}: rows without 부서 landed in B")
            if (labelled != before or after != labelled) and not may_import:
                problems.append(f"{opts.label} {role}: wrote without permission")
            if role == "officer_a" and after["A"] == labelled["A"]:
                problems.append(f"{opts.label} {role}: own import refused")
            if role == "officer_a" and confirm is not None:
                problems.append(f"{opts.label} {role}: another department's file was offered")
    assert set(covered) == {"budget.budgetline", "org.staffingsnapshot", "org.team"}
    assert problems == []
    assert a.pk != b.pk


# Foreign-key choices, spelled out for the pages the brief names ------------------------------


def test_an_officers_forms_offer_only_their_own_departments_rows(light_world):
    world = light_world
    client, a = world.clients["officer_a"], world.reports["A"]
    line_a = world.first_object(apps.get_model("budget.budgetline"), "A")
    pages = {
        "budget line add": reverse("admin:budget_budgetline_add"),
        "budget line change": reverse("admin:budget_budgetline_change", args=[line_a.pk]),
        "team add": reverse("admin:org_team_add"),
        "staffing add": reverse("admin:org_staffingsnapshot_add"),
        "section add": reverse("admin:reports_reportsection_add"),
        "card change": reverse(
            "admin:projects_card_change", args=[Card.objects.filter(section__report=a)[0].pk]
        ),
    }
    for page, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, page
        offered = choice_departments(world, response)
        assert offered, f"{page}: no department-scoped choices found"
        for name, departments in offered.items():
            assert departments <= {"A"}, f"{page}: {name} offers {departments}"


# Public pages ---------------------------------------------------------------------------------


def _titles(report: DepartmentReport) -> set[str]:
    return set(Card.objects.filter(section__report=report).values_list("title", flat=True))


def test_public_pages_for_every_role(world, django_capture_on_commit_callbacks):
    """Drafts are read by their department's staff and clerks (and by members when the report
    is shared with them); everyone else sees only published versions, never the live draft."""
    matrix = Matrix("public site")
    reports, departments = world.reports, world.departments
    names = {key: department.name for key, department in departments.items()}

    def previews(role: str, key: str) -> bool:
        shared = role == "member" and reports[key].shared_with_members
        return key in REACH[role] or shared

    def check(kind, role, key, url, *, status, logs=0, contains=(), lacks=(), built=False):
        """GET url: the status, texts the body must (not) contain, AccessLog rows written.

        `built`: a booklet, asked for once first so that its background build has run."""
        if built:
            with django_capture_on_commit_callbacks(execute=True):
                world.clients[role].get(url)
        before = AccessLog.objects.count()
        response = world.clients[role].get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        body = content.decode(errors="replace") if response.status_code == 200 else ""
        matrix.record(kind, role, key, str(response.status_code))
        if response.status_code != status:
            category = CROSS_READ if response.status_code == 200 else REFUSED_OWN
            matrix.problem(kind, "public", role, key, category, f"{response.status_code} {url}")
        for text in lacks:
            if text in body:
                matrix.problem(kind, "public", role, key, CROSS_READ, f"{text!r} in {url}")
        for text in contains:
            if response.status_code == 200 and text not in body:
                matrix.problem(kind, "public", role, key, REFUSED_OWN, f"{text!r} not in {url}")
        logged = AccessLog.objects.count() - before
        if logged != logs:
            matrix.problem(kind, "public", role, key, ODD_STATUS, f"{logged} access logs ≠ {logs}")
        return response

    def department_url(key, pdf=False):
        args = [227, departments[key].pk]
        return reverse("reports:department_pdf" if pdf else "reports:department", args=args)

    # Phase 1: both reports are drafts never published; B is shared with members, A is not.
    DepartmentReport.objects.filter(pk=reports["B"].pk).update(shared_with_members=True)
    reports["B"].refresh_from_db()
    a_titles = sorted(_titles(reports["A"]))
    for role in ROLES:
        readable = {key for key in TARGETS if previews(role, key)}
        log = role != "anonymous"
        response = check("sessions (drafts)", role, "-", reverse("reports:sessions"), status=200)
        listed = {session.number for session in response.context["sessions"]}
        if (227 in listed) != bool(readable):
            category = REFUSED_OWN if readable else CROSS_READ
            matrix.problem("sessions (drafts)", "public", role, "-", category, f"{listed}")
        url = reverse("reports:session", args=[227])
        response = check("session (drafts)", role, "-", url, status=200 if readable else 404)
        if response.status_code == 200:
            linked = {
                world.key_of_department(entry.department_id)
                for bureau in response.context["outline"].bureaus
                for entry in bureau.departments
                if entry.report_id
            }
            for key in sorted(linked ^ readable):
                category = CROSS_READ if key in linked else REFUSED_OWN
                matrix.problem("session (drafts)", "public", role, key, category, "link")
        for key in TARGETS:
            ok = key in readable
            for kind, pdf in [("department (draft)", False), ("department PDF (draft)", True)]:
                check(
                    kind,
                    role,
                    key,
                    department_url(key, pdf),
                    status=200 if ok else 404,
                    logs=int(ok and log),
                    contains=[names[key]] if ok else [],
                )
        check(
            "booklet PDF (drafts)",
            role,
            "-",
            reverse("reports:session_pdf", args=[227]),
            built=True,
            status=200 if readable else 404,
            logs=len(readable) if log else 0,
            contains=[names[key] for key in sorted(readable)],
            lacks=[names[key] for key in TARGETS if key not in readable],
        )
        url = reverse("reports:version", args=[227, departments["A"].pk, 1])
        check("version (none yet)", role, "A", url, status=404)

    # Phase 2: B is published (version 1) and reopened for a correction; its draft now has a
    # title that only B's staff and clerks may read. B is no longer shared with members.
    publish_then_reopen(reports["B"], world.users["clerk"])
    DepartmentReport.objects.filter(pk=reports["B"].pk).update(shared_with_members=False)
    reports["B"].refresh_from_db()
    Card.objects.filter(section__report=reports["B"], number=1).update(title=SECRET)
    version = reports["B"].versions.get()
    for role in ROLES:
        sees_draft = previews(role, "B")
        log = int(sees_draft and role != "anonymous")
        draft = {"contains": [SECRET]} if sees_draft else {"lacks": [SECRET]}
        response = check("sessions (B public)", role, "-", reverse("reports:sessions"), status=200)
        if 227 not in {session.number for session in response.context["sessions"]}:
            matrix.problem("sessions (B public)", "public", role, "-", REFUSED_OWN, "no 227")
        check(
            "department B (v1+draft)", role, "B", department_url("B"), status=200, logs=log, **draft
        )
        check(
            "department PDF B", role, "B", department_url("B", True), status=200, logs=log, **draft
        )
        url = reverse("reports:version", args=[227, departments["B"].pk, 1])
        check("version page B v1", role, "B", url, status=200, lacks=[SECRET])
        url = reverse("reports:version_pdf", args=[227, departments["B"].pk, 1])
        response = check("version PDF B v1", role, "B", url, status=200, lacks=[SECRET])
        if response.status_code == 200 and response.content != bytes(version.pdf):
            matrix.problem(
                "version PDF B v1", "public", role, "B", ODD_STATUS, "not the stored PDF"
            )
        sees_a = previews(role, "A")
        check(
            "booklet PDF (B public)",
            role,
            "-",
            reverse("reports:session_pdf", args=[227]),
            built=True,
            status=200,
            logs=(int(sees_a) + log) if role != "anonymous" else 0,
            contains=[names["B"]] + ([SECRET] if sees_draft else []),
            lacks=([] if sees_draft else [SECRET]) + ([] if sees_a else [names["A"], *a_titles]),
        )
    matrix.check()


# The clerk's screens --------------------------------------------------------------------------


def test_dashboard_and_open_session_are_for_clerks_only(light_world):
    world = light_world
    """The clerk's screens (config/urls.py): officers, heads, members, anonymous and accounts
    without a role are refused; what a clerk may do there follows the role's permissions."""
    matrix = Matrix("clerk screens")
    a, b = world.reports["A"], world.reports["B"]
    Status = DepartmentReport.Status

    def has(role, *permissions):
        user = world.users[role]
        return user is not None and all(user.has_perm(p) for p in permissions)

    # The rule, from the brief: clerks (and administrators, who see every department) only.
    for role in ROLES:
        assert has(role, "reports.view_dashboard") == (role in ALL_DEPARTMENTS), role

    def status_of(report):
        return DepartmentReport.objects.values_list("status", flat=True).get(pk=report.pk)

    def attempt(kind, role, url, data, *, allowed, prepare=lambda: None, done):
        """POST in a rolled-back savepoint (after `prepare`); did `done()` become true?"""
        with transaction.atomic():
            prepare()
            response = world.clients[role].post(url, data)
            did = done()
            transaction.set_rollback(True)
        matrix.record(kind, role, "-", shown(response) + ("*" if did else ""))
        if did and not allowed:
            matrix.problem(kind, "clerk screens", role, "-", UNAUTHORISED_WRITE, url)
        if not did and allowed:
            matrix.problem(kind, "clerk screens", role, "-", REFUSED_OWN, shown(response))
        if not allowed and role not in ALL_DEPARTMENTS and not refused(response):
            matrix.problem(kind, "clerk screens", role, "-", UNEXPECTED_ACCESS, shown(response))

    def submitted(*reports):
        return lambda: DepartmentReport.objects.filter(pk__in=[r.pk for r in reports]).update(
            status=Status.SUBMITTED
        )

    def approved(*reports):
        return lambda: DepartmentReport.objects.filter(pk__in=[r.pk for r in reports]).update(
            status=Status.APPROVED
        )

    open_data = {
        "number": "228",
        "name": "임시회",
        "kind": "extraordinary",
        "start_date": "2021-03-02",
        "end_date": "2021-03-10",
        "deadline": "2021-02-20",
        "year": "2021",
        "figure_date": "2021-01-31",
        "departments": [str(d.pk) for d in world.departments.values()],
    }
    for role in ROLES:
        dashboard = has(role, "reports.view_dashboard")
        for kind, url, allowed in [
            ("dashboard GET", reverse("session_dashboard", args=[227]), dashboard),
            (
                "open session GET",
                reverse("open_session"),
                has(role, "reports.add_session", "org.all_departments"),
            ),
        ]:
            response = world.clients[role].get(url)
            matrix.record(kind, role, "-", shown(response))
            if allowed and response.status_code != 200:
                matrix.problem(kind, "clerk screens", role, "-", REFUSED_OWN, shown(response))
            if not allowed and not refused(response):
                matrix.problem(kind, "clerk screens", role, "-", UNEXPECTED_ACCESS, url)
        for key, report in world.reports.items():
            url = reverse("session_dashboard_transition", args=[227, report.pk])
            attempt(
                f"dashboard approve {key}",
                role,
                url,
                {"action": "approve"},
                allowed=dashboard and has(role, "reports.approve_report"),
                prepare=submitted(report),
                done=lambda report=report: status_of(report) == Status.APPROVED,
            )
            attempt(
                f"dashboard submit {key}",
                role,
                url,
                {"action": "submit"},
                allowed=dashboard and has(role, "reports.submit_report"),
                done=lambda report=report: status_of(report) == Status.SUBMITTED,
            )
        attempt(
            "dashboard publish all",
            role,
            reverse("session_dashboard_publish", args=[227]),
            {},
            allowed=dashboard and has(role, "reports.publish_report"),
            prepare=approved(a, b),
            done=lambda: {status_of(a), status_of(b)} == {Status.PUBLISHED},
        )
        attempt(
            "open session POST",
            role,
            reverse("open_session"),
            open_data,
            allowed=has(role, "reports.add_session", "org.all_departments"),
            done=lambda: (
                Session.objects.filter(number=228).exists()
                and DepartmentReport.objects.filter(session__number=228).count() == 2
            ),
        )
    matrix.check()


# The workflow buttons of the report editor -----------------------------------------------------


def test_workflow_transitions_respect_role_and_department(light_world):
    world = light_world
    matrix = Matrix("workflow (report editor _transition)")
    a, b = world.reports["A"], world.reports["B"]
    for role, group, key in [("officer_b", Role.OFFICER, "B"), ("head_b", Role.HEAD, "B")]:
        world.users[role] = make_user(f"authz-{role}", group, world.departments[key])
        world.clients[role] = world.client(role)
    Status = DepartmentReport.Status

    def step(role, key, action, *, moves_to=None, comment=""):
        report = world.reports[key]
        before = DepartmentReport.objects.get(pk=report.pk).status
        url = reverse("admin:reports_departmentreport_change", args=[report.pk])
        response = world.clients[role].post(url, {"_transition": action, "comment": comment})
        after = DepartmentReport.objects.get(pk=report.pk).status
        kind = f"{action} {key} ({before})"
        matrix.record(kind, role, key, shown(response) + ("*" if after != before else ""))
        target_reached = key in REACH.get(role, set()) or role.endswith(f"_{key.lower()}")
        if moves_to is None and after != before:
            category = CROSS_WRITE if not target_reached else UNAUTHORISED_WRITE
            matrix.problem(kind, "workflow", role, key, category, f"{before} → {after}")
        if moves_to is not None and after != moves_to:
            matrix.problem(kind, "workflow", role, key, REFUSED_OWN, f"{before} → {after}")
        if moves_to is None and not target_reached and not refused(response):
            matrix.problem(kind, "workflow", role, key, CROSS_READ, shown(response))

    outsiders = ["officer_b", "head_b", "member", "no_role", "anonymous"]
    for role in outsiders:
        step(role, "A", "submit")
    step("officer_a", "A", "approve")  # not yet submitted, and not the officer's to approve
    step("officer_a", "A", "submit", moves_to=Status.SUBMITTED)
    for role in ["officer_a", "officer_b", "head_b", "member", "no_role", "anonymous"]:
        step(role, "A", "approve")
        step(role, "A", "return", comment="보완 요청")
    step("head_a", "A", "approve", moves_to=Status.APPROVED)
    for role in ["officer_a", "head_a", "officer_b", "head_b", "member", "no_role", "anonymous"]:
        step(role, "A", "publish")
    step("clerk", "A", "publish", moves_to=Status.PUBLISHED)
    for role in ["officer_a", "head_a", "officer_b", "head_b"]:
        step(role, "A", "reopen", comment="정정")
    step("clerk", "A", "reopen", comment="정정 사유", moves_to=Status.DRAFT)

    for role in ["officer_a", "head_a"]:
        step(role, "B", "submit")
    step("officer_b", "B", "submit", moves_to=Status.SUBMITTED)
    for role in ["officer_a", "head_a"]:
        step(role, "B", "approve")
        step(role, "B", "return", comment="보완 요청")
    step("head_b", "B", "approve", moves_to=Status.APPROVED)
    step("head_a", "B", "publish")
    step("administrator", "B", "return", comment="다시 보세요")  # accounts, not the workflow
    step("clerk", "B", "return", comment="다시 보세요", moves_to=Status.RETURNED)
    assert a.versions.count() == 1
    assert not b.versions.exists()
    matrix.check([*ROLES, "officer_b", "head_b"])


# The report editor's own forms: ids of another department are refused --------------------------


def test_the_report_editor_refuses_rows_of_another_department(light_world):
    world = light_world
    client = world.clients["officer_a"]
    a, b = world.reports["A"], world.reports["B"]
    url = reverse("admin:reports_departmentreport_change", args=[a.pk])
    _form_id, original = form_data(client.get(url), DepartmentReport)
    b_rows = department_rows(b.department)
    a_card = Card.objects.filter(section__report=a).order_by("pk").first()
    b_team = world.first_object(apps.get_model("org.team"), "B")
    b_line = world.first_object(apps.get_model("budget.budgetline"), "B")
    b_section = world.first_object(ReportSection, "B")
    b_card = world.first_object(Card, "B")

    def prefix(formset, field, value):
        for key, shown_value in original.items():
            if key.startswith(f"{formset}-") and key.endswith(f"-{field}") and shown_value == value:
                return key.rsplit("-", 1)[0]
        raise AssertionError(f"no {formset} row with {field}={value}")

    card_row = prefix("cards", "id", str(a_card.pk))
    line_row = "lines-0"
    section_row = prefix("sections", "id", str(a_card.section_id))
    injections = {
        "card's team": {f"{card_row}-team": str(b_team.pk)},
        "card's budget line": {f"{card_row}-budget_line": str(b_line.pk)},
        "card's section": {f"{card_row}-section": str(b_section.pk)},
        "card id": {f"{card_row}-id": str(b_card.pk)},
        "section id": {f"{section_row}-id": str(b_section.pk)},
        "budget line id": {f"{line_row}-id": str(b_line.pk)},
    }
    for what, change in injections.items():
        with transaction.atomic():
            response = client.post(url, {**original, **change})
            assert response.status_code in (200, 302), what
            assert department_rows(b.department) == b_rows, what
            a_card.refresh_from_db()
            assert a_card.team_id != b_team.pk and a_card.budget_line_id != b_line.pk, what
            assert a_card.section_id != b_section.pk, what
            transaction.set_rollback(True)
    # The unchanged page still saves (so the refusals above are the injections' doing).
    with transaction.atomic():
        changed = {**original, "report-facilities": "○ 권한 점검"}
        assert client.post(url, changed).status_code == 302
        assert DepartmentReport.objects.get(pk=a.pk).facilities != a.facilities
        transaction.set_rollback(True)


# A submitted report is read-only (what works) ------------------------------------------------


def test_a_submitted_reports_content_is_read_only_for_its_own_department(light_world):
    world = light_world
    officer, client = world.users["officer_a"], world.clients["officer_a"]
    a = world.reports["A"]
    card = Card.objects.filter(section__report=a).order_by("pk").first()
    pages = {
        reverse("admin:projects_card_change", args=[card.pk]): Card,
        reverse("admin:reports_reportsection_change", args=[card.section_id]): ReportSection,
        reverse("admin:reports_departmentreport_change", args=[a.pk]): DepartmentReport,
    }
    forms = {}
    for url, model in pages.items():  # the officer's own pages, opened while writing
        forms[url], _mutated = mutate(form_data(client.get(url), model)[1], model)
    perform(a, "submit", officer)
    rows = department_rows(a.department)
    for url, data in forms.items():
        response = client.post(url, data)
        if url.endswith(f"/departmentreport/{a.pk}/change/"):
            # The editor says why and keeps the typing on screen; it saves nothing.
            assert "저장하지 않았습니다. 제출 상태의 보고서는 고칠 수 없습니다" in response.text
        else:
            assert response.status_code == 403, url
    for url in [
        reverse("admin:projects_card_delete", args=[card.pk]),
        reverse("admin:reports_reportsection_delete", args=[card.section_id]),
    ]:
        assert client.post(url, {"post": "yes"}).status_code == 403, url
    assert department_rows(a.department) == rows


# Regressions: bugs this walk once found --------------------------------------------------------------


def test_the_card_add_page_neither_offers_nor_accepts_another_departments_section(light_world):
    world = light_world
    client, b = world.clients["officer_a"], world.reports["B"]
    b_section = world.first_object(ReportSection, "B")
    add_url = reverse("admin:projects_card_add")
    leaks = []
    for url in [add_url, f"{add_url}?section={b_section.pk}"]:
        response = client.get(url)
        assert response.status_code == 200
        for name, offered in choice_departments(world, response).items():
            if offered - {"A"}:
                leaks.append(f"{url} {name}: {sorted(offered)}")
    before = Card.objects.filter(section__report=b).count()
    client.post(
        add_url,
        {
            "section": b_section.pk,
            "number": 77,
            "title": "다른 부서에 끼워 넣은 카드",
            "order": 0,
            "budget_kind": "none",
            "budget_heading": "예산현황",
            "blocks-TOTAL_FORMS": 0,
            "blocks-INITIAL_FORMS": 0,
        },
    )
    created = Card.objects.filter(section__report=b).count() - before
    assert (created, leaks) == (0, [])


def test_the_history_form_never_saves(light_world):
    world = light_world
    officer, client = world.users["officer_a"], world.clients["officer_a"]
    a = world.reports["A"]
    department = a.department
    section = a.sections.order_by("pk").first()
    original = (department.name, section.title)

    # The officer may only view the department (no org.change_department).
    record = department.history.order_by("-pk").first()
    url = reverse("admin:org_department_simple_history", args=[department.pk, record.history_id])
    _form_id, data = form_data(client.get(url), Department)
    client.post(url, {**data, "name": "이름을 바꾼 부서"})

    # A submitted report is frozen: nobody may change its sections now.
    perform(a, "submit", officer)
    record = section.history.order_by("-pk").first()
    url = reverse(
        "admin:reports_reportsection_simple_history", args=[section.pk, record.history_id]
    )
    _form_id, data = form_data(client.get(url), ReportSection)
    client.post(url, {**data, "title": "제출 후 바꾼 단원"})

    department.refresh_from_db()
    section.refresh_from_db()
    assert (department.name, section.title) == original


def test_no_section_or_card_can_be_added_to_a_submitted_report(light_world):
    world = light_world
    officer, client = world.users["officer_a"], world.clients["officer_a"]
    a = world.reports["A"]
    perform(a, "submit", officer)
    sections, cards = a.sections.count(), Card.objects.filter(section__report=a).count()
    client.post(
        reverse("admin:reports_reportsection_add"),
        {"report": a.pk, "kind": "other", "title": "제출 후 추가한 단원", "order": 9},
    )
    client.post(
        reverse("admin:projects_card_add"),
        {
            "section": a.sections.order_by("pk").first().pk,
            "number": 77,
            "title": "제출 후 추가한 카드",
            "order": 0,
            "budget_kind": "none",
            "budget_heading": "예산현황",
            "blocks-TOTAL_FORMS": 0,
            "blocks-INITIAL_FORMS": 0,
        },
    )
    added = (
        a.sections.count() - sections,
        Card.objects.filter(section__report=a).count() - cards,
    )
    assert added == (0, 0)


def test_the_version_admin_has_no_history_page_and_no_server_error(light_world):
    world = light_world
    publish_then_reopen(world.reports["A"], world.users["clerk"])
    version = ReportVersion.objects.get(report=world.reports["A"])
    url = reverse("admin:reports_reportversion_history", args=[version.pk])
    assert world.clients["officer_a"].get(url).status_code < 500
