"""Clerks download a report as HWPX for Hancom Office: the PDF's text in the PDF's order, real
merged table headings, △ for a shortfall, 개조식 markers hanging level by level, pages
numbered from 1 for each department, A4 with Korean fonts, and files the library accepts."""

import dataclasses
import json

import pytest
from hwpx import HwpxDocument
from hwpx.tools.package_validator import validate_editor_open_safety, validate_package
from hwpx.tools.validator import validate_document

from portal.seeds import SEED_DIR
from portal.synthetic import build_report
from publishing import pdf
from publishing.assembly import assemble_report, assemble_session_outline
from publishing.document import BudgetTable, StaffingTable
from publishing.hwpx import department_hwpx, hwpx_paragraphs, session_hwpx
from publishing.versions import document_from_dict
from tests.textmatch import expected_lines, missing_in_order, pdf_pages

SEEDS = [("report_2018", "2018_planning"), ("report_2020", "2020_vision")]


def _read(data: bytes) -> str:
    return "\n".join(hwpx_paragraphs(data))


def _opened(report) -> HwpxDocument:
    return HwpxDocument.open(department_hwpx(assemble_report(report)))


def _table_headed(document: HwpxDocument, heading: str):
    return next(table for table in document.tables if table.cell(0, 0).text == heading)


def _paragraph(document: HwpxDocument, start: str, *, last: bool = False):
    """The first (or the last) paragraph whose text starts with `start`."""
    found = [p for p in document.paragraphs if p.text.startswith(start)]
    return found[-1 if last else 0]


def _face(document: HwpxDocument, paragraph) -> str:
    """The font of the paragraph's last run of text."""
    run = next(run for run in reversed(paragraph.runs) if run.text)
    return document.styles.font_face(run.char_pr_id_ref)


def _margin(document: HwpxDocument, paragraph) -> tuple[int, int]:
    """(left, first-line indent) of a paragraph, in HWPUNIT."""
    margin = document.styles.paragraph_property(paragraph.para_pr_id_ref).margin
    return int(margin.left), int(margin.intent)


def _controls(paragraph) -> list[tuple[str, dict]]:
    """The paragraph's own controls: (local name, attributes), e.g. ("newNum", {...})."""
    return [
        (node.tag.rpartition("}")[2], dict(node.attrib))
        for run in paragraph.element
        for ctrl in run
        if ctrl.tag.endswith("}ctrl")
        for node in ctrl
    ]


# The same text as the PDF, in the same order


@pytest.mark.parametrize(("fixture", "seed"), SEEDS)
def test_the_hwpx_reads_back_every_line_of_the_seed_in_order(request, fixture, seed):
    report = request.getfixturevalue(fixture)

    text = _read(department_hwpx(assemble_report(report)))

    assert missing_in_order(expected_lines(SEED_DIR / f"{seed}.expect.txt"), text) == []


@pytest.mark.slow
def test_every_paragraph_of_the_hwpx_is_in_the_pdf_in_the_same_order(report_2020):
    document = assemble_report(report_2020)

    paragraphs = [text for text in hwpx_paragraphs(department_hwpx(document)) if text.strip()]
    pdf_text = "\n".join(pdf_pages(pdf.department_pdf(document)))

    assert len(paragraphs) > 300
    assert missing_in_order(paragraphs, pdf_text) == []


def test_a_bullet_left_out_of_the_document_is_missing_from_the_reading(report_2020):
    """The comparison is not vacuous: one bullet less in the document is one line less."""
    document = assemble_report(report_2020)
    nodes = document.sections[0].cards[0].blocks[1].nodes  # Ⅱ-1 □ 주요 추진실적
    foreign = nodes[1]["children"]  # - 국외 도시 교류
    foreign[:] = [n for n in foreign if not n["text"].startswith("호치민시 외무국의 교류 추천")]

    text = _read(department_hwpx(document))

    assert missing_in_order(expected_lines(SEED_DIR / "2020_vision.expect.txt"), text) == [
        "호치민시 외무국의 교류 추천 도시: 나베현(Nha Be)"
    ]


def test_a_published_version_exports_the_same_text_as_the_live_report(report_2020):
    live = assemble_report(report_2020)
    stored = document_from_dict(json.loads(json.dumps(live.to_dict())))

    assert hwpx_paragraphs(department_hwpx(stored)) == hwpx_paragraphs(department_hwpx(live))


# Tables


def test_the_staffing_heading_merges_each_job_series_across_its_grades(report_2020):
    table = _table_headed(_opened(report_2020), "구 분")

    heading = {cell.text: cell.span for cell in table.rows[0].cells}
    grades = [cell.text for cell in table.rows[1].cells]

    assert heading == {
        "구 분": (2, 1),
        "계": (2, 1),
        "일반직": (1, 6),
        "관리운영직": (1, 4),
        "별정직·임기제": (1, 4),
    }
    assert grades == ["4급", "5급", "6급", "7급", "8급", "9급"] + ["6급", "7급", "8급", "9급"] * 2


def test_the_budget_heading_spans_the_executed_amount_over_its_two_dates(report_2020):
    table = _table_headed(_opened(report_2020), "단위사업명")

    heading = [(cell.text, cell.span) for cell in table.rows[0].cells]
    dates = [cell.text for cell in table.rows[1].cells]

    assert heading == [
        ("단위사업명", (2, 1)),
        ("예산액", (2, 1)),
        ("집행액", (1, 2)),
        ("집행률(%)\n(10.31.기준)", (2, 1)),
    ]
    assert dates == ["10.31.기준", "12.31.까지"]


def test_a_shortfall_is_written_with_a_triangle_as_in_the_pdf(report_2020):
    table = _table_headed(_opened(report_2020), "구 분")

    shortfall = [cell.text for cell in table.rows[4].cells]

    assert shortfall[:6] == ["과부족", "△1", "", "", "1", "△2"]
    assert not any(text.startswith("-") for text in shortfall)


def test_a_card_budget_gives_each_amount_with_its_split_by_source(report_2020):
    paragraphs = hwpx_paragraphs(department_hwpx(assemble_report(report_2020)))
    first = paragraphs.index("□ 예산현황 (단위: 천원)")

    assert paragraphs[first + 1 : first + 10] == [
        "",  # the table's anchor line
        *["예산액", "집행액", "집행률(%)"],
        *["115,900", "(시비 20,000, 구비 95,900)", "82,810", "(시비 20,000, 구비 62,810)", "71.4"],
    ]
    assert "□ 소요예산: 총 377,673천원 (시비 60,000, 구비 317,673)" in paragraphs


# 개조식


def test_bullets_keep_their_markers_and_each_level_hangs_further_in(make_report):
    document = _opened(make_report(cards=1))
    levels = [
        _paragraph(document, "○ 주요 사업내용"),
        _paragraph(document, "- 국제금융컨퍼런스 개최"),
        _paragraph(document, "· 세부 일정"),
    ]
    note = _paragraph(document, "※ 참여자는 누적 인원임")

    lefts = [_margin(document, paragraph)[0] for paragraph in levels]
    indents = [_margin(document, paragraph)[1] for paragraph in [*levels, note]]

    assert lefts[0] < lefts[1] < lefts[2]
    assert _margin(document, note)[0] == lefts[1]  # a note under a ○ item, like a - item
    assert all(indent < 0 for indent in indents)  # each marker hangs out of its text


def test_words_in_double_asterisks_are_bold_and_lose_the_asterisks(report_2020):
    document = _opened(report_2020)
    paragraph = _paragraph(document, "- 추진절차:")

    bold = [
        run.text
        for run in paragraph.runs
        if "bold" in document.styles.char_property(run.char_pr_id_ref).child_attributes
    ]

    assert bold == ["대상선정", "교섭추진"]
    assert not any("**" in p.text for p in document.paragraphs)


# Pages


def test_the_body_is_numbered_from_one_and_the_front_pages_hide_the_number(report_2020):
    document = _opened(report_2020)
    paragraphs = document.paragraphs
    body = paragraphs.index(_paragraph(document, "Ⅰ. 일반현황", last=True))  # not the contents'
    footer = document.sections[0].properties.get_footer().element
    hidden = [
        any(name == "pageHiding" and a["hideFooter"] == "1" for name, a in _controls(p))
        for p in paragraphs
    ]

    assert any(
        node.tag.endswith("}autoNum") and node.get("numType") == "PAGE" for node in footer.iter()
    )
    assert ("newNum", {"num": "1", "numType": "PAGE"}) in _controls(paragraphs[body])
    assert all(hidden[:body]) and not any(hidden[body:])


def test_the_pages_are_a4_portrait_with_korean_fonts(report_2020):
    document = _opened(report_2020)
    size = document.sections[0].properties.page_size
    title = _paragraph(document, "Ⅰ. 일반현황", last=True)
    bullet = _paragraph(document, "- 상호결연도시 현황")

    assert (round(size.width * 25.4 / 7200), round(size.height * 25.4 / 7200)) == (210, 297)
    assert size.orientation == "WIDELY"  # portrait, as Hancom writes it
    assert (_face(document, title), _face(document, bullet)) == ("함초롬돋움", "함초롬바탕")


# Session booklet


def test_the_session_booklet_has_the_bureau_cover_then_the_department_report(report_2020):
    outline = assemble_session_outline(report_2020.session)

    text = _read(session_hwpx(outline, [assemble_report(report_2020)]))

    expected = expected_lines(SEED_DIR / "2020_vision.session.expect.txt")
    expected += expected_lines(SEED_DIR / "2020_vision.expect.txt")
    assert missing_in_order(expected, text) == []


def test_the_session_holds_two_departments_under_their_bureau_each_numbered_from_one(
    report_2020,
):
    # 시험과 comes first in 미래비전추진단: its order is 0, 비전협력과's 1.
    build_report(
        cards=1, session_number=227, department_name="시험과", bureau_name="미래비전추진단"
    )
    outline = assemble_session_outline(report_2020.session)
    booklet_order = [
        "순 서", "미래비전추진단", "시험과", "비전협력과",
        "부서별", "미래비전추진단", "순서", "Ⅰ. 시험과", "Ⅱ. 비전협력과", "Ⅲ. 미래교육과",
        "2020년 주요업무 보고", "시험과", "보고 순서", "Ⅰ. 일반현황", "시험 사업 1",
        "2020년 주요업무 보고", "비전협력과", "보고 순서", "Ⅰ. 일반현황", "나베현(Nha Be)",
    ]  # fmt: skip

    data = session_hwpx(outline, [assemble_report(pk) for pk in outline.report_ids])
    restarts = [
        p.text
        for p in HwpxDocument.open(data).paragraphs
        if ("newNum", {"num": "1", "numType": "PAGE"}) in _controls(p)
    ]

    assert missing_in_order(booklet_order, _read(data)) == []
    assert restarts == ["Ⅰ. 일반현황", "Ⅰ. 일반현황"]


def test_a_report_with_nothing_entered_yet_says_so_where_the_pdf_does(report_2020):
    full = assemble_report(report_2020)
    empty = dataclasses.replace(
        full,
        teams=[],
        staffing=StaffingTable(as_of=None, groups=[], grades=[], rows=[]),
        budget=BudgetTable(as_of="10.31.", show_expected=False, total=full.budget.total, rows=[]),
        sections=[dataclasses.replace(full.sections[0], cards=[])],
    )

    data = department_hwpx(empty)

    assert (
        missing_in_order(
            [
                ": 기준일 현재 입력된 인력 현황이 없습니다.",
                ": 해당없음",
                "입력된 예산 사업이 없습니다.",
                "Ⅱ. 주요업무 추진실적",
                "등록된 사업이 없습니다.",
            ],
            _read(data),
        )
        == []
    )
    assert validate_editor_open_safety(data).ok


# The library's validator


@pytest.fixture(params=["2018", "2020", "session"])
def produced(request) -> bytes:
    if request.param == "session":
        report = request.getfixturevalue("report_2020")
        build_report(cards=2, session_number=227, department_name="시험과", bureau_name="시험국")
        outline = assemble_session_outline(report.session)
        return session_hwpx(outline, [assemble_report(pk) for pk in outline.report_ids])
    report = request.getfixturevalue(f"report_{request.param}")
    return department_hwpx(assemble_report(report))


def test_every_file_passes_the_librarys_validator(produced):
    assert validate_document(produced).issues == ()  # OWPML schema: no error, no warning
    assert validate_package(produced).errors == ()
    assert validate_editor_open_safety(produced).ok
