"""Session booklets are built in the background from per-department parts cached by content.

Tasks run when enqueued here (tests/conftest.py: the immediate backend, after the request's
transaction "commits"); tests/test_pdf_workers.py runs real worker processes.
"""

import dataclasses
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from pypdf import PdfReader

from budget.models import BudgetLine, Execution
from org.models import Department, StaffingCell, Team
from projects.models import Block, Card
from publishing import booklet, pdf
from publishing.assembly import assemble_report, assemble_session_outline
from publishing.versions import canonical_json
from reports.models import AccessLog, BookletBuild, ReportSection, Session

# Hashes ---------------------------------------------------------------------------------------


def _keys(*reports):
    return [booklet.part_key(assemble_report(report)) for report in reports]


def _first(model, report):
    department = report.department
    if model is Card:
        return Card.objects.filter(section__report=report).order_by("pk").first()
    if model is Block:
        return Block.objects.filter(card__section__report=report).order_by("pk").first()
    if model is BudgetLine:
        return BudgetLine.objects.filter(department=department).order_by("pk").first()
    if model is Execution:
        return Execution.objects.filter(line__department=department).order_by("pk").first()
    if model is StaffingCell:
        return StaffingCell.objects.filter(snapshot__department=department).order_by("pk").first()
    if model is Team:
        return Team.objects.filter(department=department).order_by("pk").first()
    if model is ReportSection:
        return report.sections.order_by("pk").first()
    return department


DEPARTMENT_CHANGES = {
    "a card's title": (Card, "title", "바뀐 사업명"),
    "a block's text": (Block, "content", "○ 새로 쓴 내용"),
    "a budget line's 구비": (BudgetLine, "district", 123_456),
    "an execution figure": (Execution, "district", 1),
    "a staffing cell": (StaffingCell, "current", 9),
    "a team's duties": (Team, "duties", "새 업무"),
    "a section's title": (ReportSection, "title", "바뀐 단원"),
    "the department's name": (Department, "name", "새이름과"),
}


def test_the_hashed_document_is_exactly_what_dataclasses_asdict_gives(make_report, report_2018):
    """to_dict is a fast hand-written asdict (it runs for every department at every build):
    the same dicts, lists and tuples, so stored versions and part hashes do not change."""
    for report in (make_report(cards=3, department="가과"), report_2018):
        document = assemble_report(report)
        assert document.to_dict() == dataclasses.asdict(document)
        assert canonical_json(document.to_dict()) == canonical_json(dataclasses.asdict(document))


@pytest.mark.parametrize("change", DEPARTMENT_CHANGES, ids=list(DEPARTMENT_CHANGES))
def test_any_change_to_a_departments_data_changes_its_hash_and_no_other(make_report, change):
    first = make_report(cards=2, department="가과")
    second = make_report(cards=2, department="나과")
    before = _keys(first, second)
    model, field, value = DEPARTMENT_CHANGES[change]
    row = _first(model, first)
    setattr(row, field, value)
    row.save()

    after = _keys(first, second)

    assert after[0] != before[0], f"{change} did not change 가과's hash"
    assert after[1] == before[1], f"{change} of 가과 changed 나과's hash"


def test_unrelated_changes_leave_a_departments_hash_alone(make_report, clerk, client):
    report = make_report(cards=2, department="가과")
    other_session = make_report(cards=1, number=901, department="다른회기과")
    before = _keys(report)

    Card.objects.filter(section__report=other_session).update(title="다른 회기의 사업")
    BudgetLine.objects.create(department=report.department, fiscal_year=2019, name="지난해 예산")
    get_user_model().objects.create_user("new-officer")
    client.force_login(clerk)
    client.get(report.get_absolute_url())  # a preview: an access log row
    assert AccessLog.objects.exists()
    BookletBuild.objects.create(session=report.session, key="x", composition={})

    assert _keys(report) == before


def test_the_hash_follows_the_print_templates_css_and_fonts(make_report, monkeypatch, tmp_path):
    """Parts laid out by an older template, stylesheet or font are not reused."""
    report = make_report(cards=1)
    template, font = tmp_path / "print.css", tmp_path / "fonts" / "Extra.ttf"
    template.write_text("p { margin: 0 }")
    font.parent.mkdir()
    font.write_bytes(b"\0" * 10)
    monkeypatch.setattr(booklet, "_print_inputs", lambda: iter([template]))
    monkeypatch.setattr(booklet, "_font_files", lambda: [font])

    def key():
        booklet.render_salt.cache_clear()
        return _keys(report)[0]

    try:
        first = key()
        template.write_text("p { margin: 1mm }")
        edited_css = key()
        font.write_bytes(b"\0" * 11)
        edited_font = key()
        assert len({first, edited_css, edited_font}) == 3
        assert key() == edited_font  # and nothing else moves it
    finally:
        booklet.render_salt.cache_clear()


# The clerk's build ----------------------------------------------------------------------------


@pytest.fixture
def session_of_three(make_report):
    """Session 900: two departments of 시험1국, one of 시험2국, a card or two each."""
    reports = [
        make_report(cards=2, department="가과", bureau="시험1국"),
        make_report(cards=1, department="나과", bureau="시험1국"),
        make_report(cards=1, department="다과", bureau="시험2국"),
    ]
    return Session.objects.get(number=900), reports


def _request_booklet(client, capture, number=900):
    """Ask for the booklet; the build runs when the request's transaction commits."""
    with capture(execute=True):
        response = client.get(reverse("reports:session_pdf", args=[number]))
    return response


def _booklet_bytes(response) -> bytes:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def _page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def _outline(content: bytes):
    reader = PdfReader(io.BytesIO(content))

    def walk(items, depth=0):
        rows = []
        for item in items:
            if isinstance(item, list):
                rows += walk(item, depth + 1)
            else:
                rows.append((depth, item.title, reader.get_destination_page_number(item) + 1))
        return rows

    return walk(reader.outline)


@pytest.mark.slow
def test_a_clerk_gets_the_booklet_with_true_contents_bookmarks_and_shared_fonts(
    session_of_three, clerk_client, django_capture_on_commit_callbacks
):
    session, reports = session_of_three
    first = _request_booklet(clerk_client, django_capture_on_commit_callbacks)
    assert first.status_code == 302
    assert "/booklet/" in first["Location"]
    build = BookletBuild.objects.get()
    assert build.status == BookletBuild.Status.SUCCEEDED, build.error
    assert (build.departments_done, build.departments_total) == (3, 3)

    content = _booklet_bytes(clerk_client.get(reverse("reports:session_pdf", args=[900])))
    texts = _page_texts(content)
    assert len(texts) == build.pages

    # The contents (page 2) give each department's booklet page; its cover is on that page.
    contents = texts[1]
    starts = {name: int(page) for name, page in re.findall(r"(\S+과)[ .]+(\d+)", contents)}
    assert set(starts) == {"가과", "나과", "다과"}
    for name, page in starts.items():
        assert name in texts[page - 1]
        assert f"책자 {page}" in texts[page - 1]

    # Bookmarks: bureau → department → section, each pointing at the page it names.
    outline = _outline(content)
    bureaus = [(title, page) for depth, title, page in outline if depth == 0]
    assert [title for title, _page in bureaus] == ["시험1국", "시험2국"]
    departments = {title: page for depth, title, page in outline if depth == 1}
    assert departments == starts
    sections = [(title, page) for depth, title, page in outline if depth == 2]
    assert len(sections) >= 3 * 3
    for title, page in sections:
        assert title.split(". ", 1)[-1].replace(" ", "") in texts[page - 1].replace(" ", "")

    # Each department's 보고 순서 gives its own page numbers: "- n -" at the foot of that page.
    start = starts["가과"]
    own_contents = texts[start]  # the page after the cover (texts counts from 0)
    entries = re.findall(r"([ⅠⅡⅢⅣ])\.\s*([^.\n]+?)\s*[ .]{3,}\s*(\d+)", own_contents)
    assert len(entries) >= 3, own_contents
    for _numeral, title, number in entries:
        body_page = texts[start + int(number)]  # cover and 보고 순서 come before page 1
        assert f"- {number} -" in body_page
        assert title.replace(" ", "") in body_page.replace(" ", "")
    # …and its entries are links to those pages.
    reader = PdfReader(io.BytesIO(content))
    page_ids = [page.indirect_reference.idnum for page in reader.pages]
    targets = {
        page_ids.index(annotation.get_object()["/Dest"][0].idnum) + 1
        for annotation in reader.pages[start].get("/Annots", [])
        if "/Dest" in annotation.get_object()
    }
    assert targets == {start + 1 + int(number) for _n, _t, number in entries}

    # One embedded file per font, shared by every part.
    reader = PdfReader(io.BytesIO(content))
    files: dict[str, set] = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            files.setdefault(descriptor["/FontName"], set()).add(
                descriptor.raw_get("/FontFile2").idnum
            )
    assert files and all(len(ids) == 1 for ids in files.values()), files

    # No bigger than 1.5× one WeasyPrint pass over the same content.
    outline_obj = assemble_session_outline(session)
    single = pdf.session_pdf(outline_obj, [assemble_report(r) for r in reports])
    assert len(content) <= 1.5 * len(single), (len(content), len(single))


@pytest.mark.slow
def test_editing_one_card_rebuilds_only_that_department(
    session_of_three, clerk_client, django_capture_on_commit_callbacks, monkeypatch
):
    _session, reports = session_of_three
    laid_out = []  # (template, department) of every WeasyPrint layout of a department
    real = pdf.Renderer.render

    def spy(self, template, context, **kwargs):
        if "doc" in context:
            laid_out.append((template.rsplit("/", 1)[-1], context["doc"].department))
        return real(self, template, context, **kwargs)

    monkeypatch.setattr(pdf.Renderer, "render", spy)
    _request_booklet(clerk_client, django_capture_on_commit_callbacks)
    assert {department for _template, department in laid_out} == {"가과", "나과", "다과"}

    laid_out.clear()
    Card.objects.filter(section__report=reports[1]).update(title="고친 사업명")
    _request_booklet(clerk_client, django_capture_on_commit_callbacks)

    # Only the one section of 나과 holding the card is laid out again: its cover and 보고 순서
    # (same section titles, same pages) are reused.
    assert laid_out == [("department_chunk.html", "나과")]
    latest = BookletBuild.objects.order_by("-pk").first()
    assert latest.status == BookletBuild.Status.SUCCEEDED
    texts = _page_texts(
        _booklet_bytes(clerk_client.get(reverse("reports:session_pdf", args=[900])))
    )
    assert any("고친 사업명" in text for text in texts)

    # A section's new title is in the 보고 순서 too: the front is laid out again with it.
    laid_out.clear()
    section = ReportSection.objects.filter(report=reports[1]).first()
    ReportSection.objects.filter(pk=section.pk).update(title="고친 분야")
    _request_booklet(clerk_client, django_capture_on_commit_callbacks)
    assert sorted(laid_out) == [
        ("department_chunk.html", "나과"),
        ("department_front.html", "나과"),
    ]
    texts = _page_texts(
        _booklet_bytes(clerk_client.get(reverse("reports:session_pdf", args=[900])))
    )
    # 나과's 보고 순서 and the section's own first page
    assert sum("고친 분야" in text for text in texts) == 2, texts


def test_the_same_booklet_is_built_once_and_served_from_its_file(
    session_of_three, clerk_client, django_capture_on_commit_callbacks, monkeypatch
):
    _stub_rendering(monkeypatch)
    _request_booklet(clerk_client, django_capture_on_commit_callbacks)
    response = _request_booklet(clerk_client, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert BookletBuild.objects.count() == 1
    assert _booklet_bytes(response).startswith(b"%PDF-stub")


def _stub_rendering(monkeypatch, fail_for: str | None = None):
    """Parts and booklets as small stand-ins: here only the build's bookkeeping matters."""

    def render_part(document):
        if document.department == fail_for:
            raise ValueError("표 안의 글자가 너무 큽니다")
        key = booklet.part_key(document)
        booklet.write_atomic(booklet.part_path(key), document.department.encode())
        return key

    def assemble(outline, parts, destination):
        joined = b" ".join(booklet.part_path(part.key).read_bytes() for part in parts)
        booklet.write_atomic(destination, b"%PDF-stub " + joined)
        return booklet.Assembled(destination, len(parts), {})

    monkeypatch.setattr(booklet, "render_part", render_part)
    monkeypatch.setattr(booklet, "assemble", assemble)


def test_a_failed_build_says_which_department_and_why_and_can_be_retried(
    session_of_three, clerk_client, django_capture_on_commit_callbacks, monkeypatch
):
    _stub_rendering(monkeypatch, fail_for="나과")
    response = _request_booklet(clerk_client, django_capture_on_commit_callbacks)
    build = BookletBuild.objects.get()
    assert build.status == BookletBuild.Status.FAILED
    assert build.error == "나과 보고서를 조판하지 못했습니다"
    assert build.error_detail == "ValueError: 표 안의 글자가 너무 큽니다"
    assert not list(booklet.root().glob("booklets/*.pdf")), "a failed build published a file"

    page = clerk_client.get(response["Location"])
    body = page.content.decode()
    assert "나과 보고서를 조판하지 못했습니다" in body
    assert "표 안의 글자가 너무 큽니다" in body  # the clerk (staff) sees the error itself
    assert "다시 만들기" in body
    # Asking again within minutes shows this failure instead of queuing the same one again.
    again = _request_booklet(clerk_client, django_capture_on_commit_callbacks)
    assert again["Location"].split("/booklet/")[1] and BookletBuild.objects.count() == 1
    status = clerk_client.get(response["Location"] + "status.json").json()
    assert status["status"] == "failed" and status["download"] is None
    download = clerk_client.get(response["Location"] + "booklet.pdf")
    assert download.status_code == 404

    _stub_rendering(monkeypatch)  # the cause is fixed
    with django_capture_on_commit_callbacks(execute=True):
        retried = clerk_client.post(response["Location"] + "retry/")
    assert retried.status_code == 302
    build.refresh_from_db()
    assert build.status == BookletBuild.Status.SUCCEEDED
    assert build.error == ""
    status = clerk_client.get(response["Location"] + "status.json").json()
    assert (status["done"], status["total"], status["percent"]) == (3, 3, 100)
    file = clerk_client.get(status["download"])
    assert _booklet_bytes(file) == "%PDF-stub 가과 나과 다과".encode()


def test_while_a_build_waits_the_reader_sees_its_progress(session_of_three, clerk_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = clerk_client.get(reverse("reports:session_pdf", args=[900]))
    page = clerk_client.get(response["Location"])
    body = page.content.decode()

    assert page.status_code == 200
    assert "PDF 작업자를 기다리고 있습니다" in body
    assert '<progress max="100" value="0"' in body
    status = clerk_client.get(response["Location"] + "status.json").json()
    assert (status["status"], status["done"], status["total"]) == ("queued", 0, 3)
    assert clerk_client.get(response["Location"] + "booklet.pdf").status_code == 404


def test_a_draft_build_stops_working_when_the_reader_may_no_longer_preview(
    session_of_three, client, django_user_model, settings
):
    from org.roles import Role, make_staff

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    _session, reports = session_of_three
    officer = django_user_model.objects.create_user("officer-b")
    make_staff(officer, Role.OFFICER, department=reports[1].department)
    client.force_login(officer)
    location = client.get(reverse("reports:session_pdf", args=[900]))["Location"]
    assert client.get(location + "status.json").status_code == 200

    make_staff(officer, Role.OFFICER, department=reports[0].department)  # moved

    assert client.get(location + "status.json").status_code == 404
    assert client.get(location + "booklet.pdf").status_code == 404


def test_a_build_address_works_only_for_the_reader_it_was_given_to(
    session_of_three, clerk_client, client, django_user_model, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    location = clerk_client.get(reverse("reports:session_pdf", args=[900]))["Location"]
    assert not BookletBuild.objects.get().public  # drafts: the clerk's own build

    other = django_user_model.objects.create_user("someone")
    client.force_login(other)
    assert client.get(location + "status.json").status_code == 404
    assert client.post(location + "retry/").status_code == 404
    client.logout()
    assert client.get(location + "status.json").status_code == 404  # anonymous
    tampered = location.replace("/booklet/", "/booklet/x")
    response = clerk_client.get(tampered)
    assert response.status_code == 404
    assert "책자 PDF 작업을 찾을 수 없습니다" in response.content.decode()
    assert clerk_client.get(location.replace("/900/", "/901/")).status_code == 404


def test_retrying_takes_a_post(session_of_three, clerk_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    location = clerk_client.get(reverse("reports:session_pdf", args=[900]))["Location"]
    BookletBuild.objects.update(status=BookletBuild.Status.FAILED, error="시험")

    assert clerk_client.get(location + "retry/").status_code == 405
    assert BookletBuild.objects.get().status == BookletBuild.Status.FAILED


def test_a_bureau_of_many_departments_whose_cover_runs_over_a_page_keeps_the_contents_true(
    make_report,
):
    """The contents' page numbers count every page before a department, bureau covers that
    need two pages included (laid out once more until the numbers hold)."""
    for index in range(40):
        make_report(cards=0, department=f"긴목록{index + 1:02d}과", bureau="큰국")
    outline = assemble_session_outline(Session.objects.get(number=900))
    part_pages = {d.department_id: 7 for b in outline.bureaus for d in b.departments}

    content, covers, front_length = booklet._frame(outline, part_pages)

    texts = _page_texts(content)
    ((first, length),) = covers
    assert length >= 2, "40 departments should not fit one cover page"
    assert first == front_length and len(texts) == front_length + length
    listed = dict(re.findall(r"(긴목록\d+과)[ .]+(\d+)", "\n".join(texts[:front_length])))
    assert len(listed) == 40
    expected = front_length + length + 1
    for index in range(40):
        assert int(listed[f"긴목록{index + 1:02d}과"]) == expected + 7 * index
