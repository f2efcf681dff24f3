"""Clerks print: A4 PDFs whose contents and list tables give the pages things really start on."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from publishing import booklet, pdf
from publishing.assembly import assemble_report, assemble_session_outline
from tests.textmatch import pdf_pages, squash

pytestmark = pytest.mark.slow

FRONT_PAGES = 2  # cover, 보고 순서
CONTENTS_LINE = re.compile(r"^([ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ])\.\s*(.+?)[\s.]*?(\d+)$")
LIST_ROW = re.compile(r"^([①-⑳])\s*(.+?)\s+(\d+)$")


@pytest.fixture
def pages_2020(client, published_2020) -> list[str]:
    report_2020 = published_2020
    url = reverse(
        "reports:department_pdf", args=[report_2020.session.number, report_2020.department_id]
    )
    return pdf_pages(client.get(url).content)


def _contents(pages: list[str]) -> list[tuple[str, str, int]]:
    lines = [line.strip() for line in pages[1].splitlines()]
    return [
        (m[1], m[2].rstrip(" ."), int(m[3])) for line in lines if (m := CONTENTS_LINE.match(line))
    ]


def test_the_contents_lists_every_part_with_a_page_number(pages_2020):
    titles = [title for _numeral, title, _page in _contents(pages_2020)]

    assert titles == [
        "일반현황",
        "주요업무 추진실적",
        "2021년 주요업무 추진계획",
        "신규·중점 추진사업",
    ]


def test_each_part_starts_on_the_page_the_contents_gives(pages_2020):
    body = pages_2020[FRONT_PAGES:]
    for numeral, title, page in _contents(pages_2020):
        first = next(
            i
            for i, text in enumerate(body, start=1)
            if squash(f"{numeral}.{title}") in squash(text)
        )
        assert first == page, f"{numeral}. {title}: contents say {page}, starts on {first}"


def test_each_card_starts_on_the_page_its_list_table_gives(pages_2020):
    body = pages_2020[FRONT_PAGES:]
    rows = [
        (list_page, m[2], int(m[3]))
        for list_page, text in enumerate(body, start=1)
        for line in text.splitlines()
        if (m := LIST_ROW.match(line.strip()))
    ]

    assert len(rows) == 8
    for list_page, title, page in rows:
        top = squash(body[page - 1]).lstrip("0123456789")
        assert page != list_page and top.startswith(squash(title)), (
            f"{title} is not at the top of page {page}"
        )


def test_body_pages_are_numbered_from_one_and_front_pages_are_not(pages_2020):
    body = pages_2020[FRONT_PAGES:]

    assert all(f"- {number} -" in text for number, text in enumerate(body, start=1))
    assert not any(re.search(r"- \d+ -", text) for text in pages_2020[:FRONT_PAGES])


def test_the_pdf_is_a4_and_uses_the_fonts_shipped_with_the_project(client, published_2020):
    report_2020 = published_2020
    url = reverse(
        "reports:department_pdf", args=[report_2020.session.number, report_2020.department_id]
    )
    reader = PdfReader(io.BytesIO(client.get(url).content))
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/BaseFont" in font.get_object()
    }
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height

    assert (round(float(width) * 25.4 / 72), round(float(height) * 25.4 / 72)) == (210, 297)
    assert {name.split("+")[-1] for name in fonts} >= {"Report-Myeongjo", "Report-Gothic-Bold"}


@pytest.fixture
def booklet_2020(report_2020, report_2018, tmp_path) -> list[str]:
    """The booklet as the PDF workers build it: cached department parts put together."""
    outline = assemble_session_outline(report_2020.session)
    documents = [assemble_report(r) for r in outline.report_ids]
    result = booklet.build(outline, documents, tmp_path / "booklet.pdf")
    return pdf_pages(result.content_path.read_bytes())


def test_the_booklet_contents_give_the_page_of_the_departments_cover(booklet_2020):
    listed = re.search(r"비전협력과[\s.]*?(\d+)", booklet_2020[1])
    cover, after = booklet_2020[int(listed[1]) - 1], booklet_2020[int(listed[1])]

    assert squash("2020년 주요업무 보고 비전협력과") in squash(cover) and "순서" not in squash(
        cover
    ).replace("보고순서", "")
    assert "보고순서" in squash(after)


def test_every_booklet_page_shows_its_booklet_number(booklet_2020):
    numbered = [
        number for number, text in enumerate(booklet_2020, start=1) if f"책자 {number}" in text
    ]

    assert numbered == list(range(1, len(booklet_2020) + 1))


def test_the_bureau_cover_comes_between_the_contents_and_its_departments(booklet_2020):
    covers = [
        i
        for i, text in enumerate(booklet_2020)
        if squash(text).startswith("제227회구의회제2차정례회")
    ]
    bureau_cover = next(i for i in covers if "부서별" in squash(booklet_2020[i]))

    assert bureau_cover > 1
    assert "미래비전추진단" in squash(booklet_2020[bureau_cover])
    assert "비전협력과" in squash(booklet_2020[bureau_cover + 1])


class TestTheFetcher:
    """WeasyPrint may read the project's static files and data: URLs, nothing else."""

    def test_it_serves_a_static_file(self):
        response = pdf.StaticOnlyFetcher().fetch("https://portal.invalid/static/css/print.css")

        assert b"@page" in response.read()

    @pytest.mark.parametrize(
        "url",
        [
            "file:///etc/passwd",
            "http://127.0.0.1:8000/admin/",
            "https://example.com/static/css/print.css",
            "https://portal.invalid/static/../config/settings.py",
            "https://portal.invalid/media/anything.png",
        ],
    )
    def test_it_refuses_anything_else(self, url):
        with pytest.raises(ValueError):
            pdf.StaticOnlyFetcher().fetch(url)

    def test_it_reads_data_urls(self):
        response = pdf.StaticOnlyFetcher().fetch("data:text/plain;base64,7ZWc6riA")

        assert response.read().decode() == "한글"
