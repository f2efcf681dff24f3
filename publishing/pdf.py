"""PDF rendering with WeasyPrint: the same partials as the web pages, with print CSS.

A department report is rendered in two passes so its contents can print true page numbers:
the body (일반현황 onwards, numbered from 1 like the council booklets) is laid out first,
the page of every section anchor is read off the laid-out pages, and then the cover and the
보고 순서 page are rendered with those numbers and put in front. A session booklet puts its
cover and contents, each bureau's cover and each department's pages together the same way
(in one pass here; from cached per-department parts in publishing/booklet.py).
"""

from __future__ import annotations

import functools
import mimetypes
import threading
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import weasyprint.pdf.fonts
import weasyprint.pdf.stream
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration, get_hb_object_data
from weasyprint.urls import URLFetcher, URLFetcherResponse

from publishing.assembly import SessionOutline
from publishing.document import ReportDocument


class StaticOnlyFetcher(URLFetcher):
    """Lets WeasyPrint read the project's own static files and data: URLs, nothing else."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        base = urlsplit(settings.PDF_BASE_URL)
        static_prefix = settings.STATIC_URL
        if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and parts.path.startswith(
            static_prefix
        ):
            relative = unquote(parts.path[len(static_prefix) :])
            path = finders.find(relative) if ".." not in relative.split("/") else None
            if path:
                mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, open(path, "rb"), {"Content-Type": mime_type})  # noqa: SIM115
        raise ValueError(f"PDF 렌더링에서 허용되지 않은 주소입니다: {url}")


_font_init = threading.local()


def _face_data(hb_object, ot_color=None, glyph=None):
    """WeasyPrint's `get_hb_object_data`, except for the whole-font copy a PDF font takes
    when it is made (see LazyFileFont)."""
    if getattr(_font_init, "active", False) and ot_color is None:
        return None
    return get_hb_object_data(hb_object, ot_color, glyph)


class LazyFileFont(weasyprint.pdf.fonts.Font):
    """A PDF font that copies its font file out of HarfBuzz only if it is asked for it.

    WeasyPrint 70's Font copies the whole file (4–5 MB for each Nanum print font) into a
    Python bytes object as soon as a page uses the font, then subsets the font from its
    HarfBuzz face and replaces the copy with the subset: the copy is never read, but it is
    made for every font of every PDF, and reading it maps every page of the font file into
    the process. With this class the subset is made from the face as before (same bytes)
    and the whole file is read only where WeasyPrint really reads it (variable, colour and
    bitmap fonts, or a failed subset).
    """

    def __init__(self, *args, **kwargs):
        _font_init.active = True
        try:
            super().__init__(*args, **kwargs)
        finally:
            _font_init.active = False

    @property
    def file_content(self) -> bytes:
        if self._file_content is None:
            self._file_content = get_hb_object_data(self.hb_face)
        return self._file_content

    @file_content.setter
    def file_content(self, value: bytes | None) -> None:
        self._file_content = value


weasyprint.pdf.fonts.get_hb_object_data = _face_data
weasyprint.pdf.stream.Font = LazyFileFont


BOOKLET_PAGE_CSS = """
@page {{ counter-increment: booklet; @bottom-right {{ content: "책자 " counter(booklet); font-family: "Report Gothic"; font-size: 8pt; color: #555; }} }}
@page :first {{ counter-reset: booklet {before}; }}
"""


PRINT_STYLESHEETS = ("css/fonts-print.css", "css/report.css", "css/print.css")


@functools.cache
def _fonts() -> FontConfiguration:
    """One font configuration per process: the print fonts are loaded once, not per PDF."""
    return FontConfiguration()


@functools.cache
def print_stylesheets() -> tuple[CSS, ...]:
    """The print CSS, parsed once per process (every print template is styled by it)."""
    fetcher = StaticOnlyFetcher()
    base = settings.PDF_BASE_URL.rstrip("/") + settings.STATIC_URL
    return tuple(
        CSS(url=base + name, url_fetcher=fetcher, font_config=_fonts())
        for name in PRINT_STYLESHEETS
    )


@dataclass
class Renderer:
    """Shares the font configuration, the print CSS and the fetcher across the parts of one PDF."""

    fonts: FontConfiguration = field(default_factory=_fonts)
    fetcher: StaticOnlyFetcher = field(default_factory=StaticOnlyFetcher)
    first: Document | None = None  # the PDF is written through this one (Document.copy)

    def render(self, template: str, context: dict, *, booklet_page: int | None = None) -> Document:
        """Lay out `template`; in a booklet, its pages also show their booklet page number."""
        # The printed booklet is the official Korean document, whatever the reader's language.
        with translation.override("ko"):
            html = render_to_string(template, {"print": True, **context})
        stylesheets = list(print_stylesheets())
        if booklet_page is not None:
            stylesheets.append(CSS(string=BOOKLET_PAGE_CSS.format(before=booklet_page - 1)))
        document = HTML(
            string=html, base_url=settings.PDF_BASE_URL, url_fetcher=self.fetcher
        ).render(stylesheets=stylesheets, font_config=self.fonts)
        self.first = self.first or document
        return document

    def write(self, pages: list, *, title: str) -> bytes:
        """One PDF of `pages`, which several documents of this renderer laid out."""
        document = self.first.copy(pages)
        document.metadata.title = title
        document.metadata.lang = "ko"
        return document.write_pdf()


def anchor_pages(document: Document) -> dict[str, int]:
    """The 1-based page number on which each anchor of a laid-out document stands."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages


def department_pages(
    renderer: Renderer, report: ReportDocument, *, booklet_page: int | None = None
) -> list:
    """Cover and 보고 순서, then the body numbered from 1, with true page numbers in the contents.

    In a booklet starting at `booklet_page`, the front is laid out once with blank numbers to
    learn its length, so that the body knows its own booklet page before it is laid out.
    """
    front_template = "reports/print/department_front.html"
    front_pages = 2
    if booklet_page is not None:
        draft = renderer.render(
            front_template, {"doc": report, "page_of": {}}, booklet_page=booklet_page
        )
        front_pages = len(draft.pages)
    body = renderer.render(
        "reports/print/department_body.html",
        {"doc": report},
        booklet_page=None if booklet_page is None else booklet_page + front_pages,
    )
    numbers = anchor_pages(body)
    page_of = {entry.anchor: numbers.get(entry.anchor) for entry in report.contents}
    front = renderer.render(
        front_template, {"doc": report, "page_of": page_of}, booklet_page=booklet_page
    )
    return [*front.pages, *body.pages]


def department_pdf(report: ReportDocument) -> bytes:
    renderer = Renderer()
    pages = department_pages(renderer, report)
    return renderer.write(pages, title=f"{report.session.title} {report.department} 주요업무 보고")


def session_pdf(outline: SessionOutline, reports: list[ReportDocument]) -> bytes:
    """The session booklet in one WeasyPrint pass: cover, contents, then per bureau its cover
    and its departments. Readers get the booklet publishing/booklet.py assembles from cached
    parts; this single pass is the reference it is measured against (`manage.py bench`, and
    the size test in tests/test_booklet_builds.py).

    Each department is numbered from 1 as in the council booklets; every page also shows its
    booklet page ("책자 17"), which is the number the booklet's contents give.
    """
    renderer = Renderer()
    # A published document keeps the department's name of its day: match on the id.
    by_anchor = {report.anchor: report for report in reports}

    def front(start_of: dict[int, int]) -> Document:
        context = {"outline": outline, "start_of": start_of}
        return renderer.render("reports/print/session_front.html", context, booklet_page=1)

    placeholder = {
        d.department_id: 888 for b in outline.bureaus for d in b.departments if d.report_id
    }
    front_length = len(front(placeholder).pages)
    pages: list = []
    start_of: dict[int, int] = {}
    for bureau in outline.bureaus:
        if bureau.name:
            context = {"outline": outline, "bureau": bureau}
            cover = renderer.render(
                "reports/print/bureau_cover.html",
                context,
                booklet_page=front_length + len(pages) + 1,
            )
            pages += cover.pages
        for department in bureau.departments:
            document = by_anchor.get(f"d{department.department_id}")
            if document is not None:
                start_of[department.department_id] = front_length + len(pages) + 1
                pages += department_pages(
                    renderer, document, booklet_page=start_of[department.department_id]
                )
    contents = front(start_of)
    if len(contents.pages) != front_length:
        raise RuntimeError("책자 차례의 쪽수가 조판 중에 달라졌습니다.")
    return renderer.write([*contents.pages, *pages], title=f"{outline.session.title} 주요업무 보고")
