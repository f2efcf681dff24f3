"""PDF rendering with WeasyPrint: the same partials as the web pages, with print CSS.

A department report is rendered in two passes so its contents can print true page numbers:
the body (일반현황 onwards, numbered from 1 like the council booklets) is laid out first,
the page of every section anchor is read off the laid-out pages, and then the cover and the
보고 순서 page are rendered with those numbers and put in front. A session booklet puts its
cover and contents, each bureau's cover and each department's pages together the same way.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.assembly import SessionOutline
from reports.document import ReportDocument


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


@dataclass
class Renderer:
    """Shares one font configuration and fetcher across the parts of one PDF."""

    fonts: FontConfiguration = field(default_factory=FontConfiguration)
    fetcher: StaticOnlyFetcher = field(default_factory=StaticOnlyFetcher)

    def render(self, template: str, context: dict) -> Document:
        # The printed booklet is the official Korean document, whatever the reader's language.
        with translation.override("ko"):
            html = render_to_string(template, {"print": True, **context})
        return HTML(string=html, base_url=settings.PDF_BASE_URL, url_fetcher=self.fetcher).render(
            font_config=self.fonts
        )


def anchor_pages(document: Document) -> dict[str, int]:
    """The 1-based page number on which each anchor of a laid-out document stands."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages


def _department_documents(renderer: Renderer, report: ReportDocument) -> tuple[Document, Document]:
    body = renderer.render("reports/print/department_body.html", {"doc": report})
    numbers = anchor_pages(body)
    page_of = {entry.anchor: numbers.get(entry.anchor) for entry in report.contents}
    front = renderer.render(
        "reports/print/department_front.html", {"doc": report, "page_of": page_of}
    )
    return front, body


def department_pdf(report: ReportDocument) -> bytes:
    front, body = _department_documents(Renderer(), report)
    return _write(
        front,
        [*front.pages, *body.pages],
        title=f"{report.session.title} {report.department} 주요업무 보고",
    )


def session_pdf(outline: SessionOutline, reports: list[ReportDocument]) -> bytes:
    """The session booklet: cover, contents, then per bureau its cover and its departments."""
    renderer = Renderer()
    by_name = {report.department: report for report in reports}
    parts: list[tuple[str, list]] = []  # (key for the contents, pages)
    for bureau in outline.bureaus:
        if bureau.name:
            cover = renderer.render(
                "reports/print/bureau_cover.html", {"outline": outline, "bureau": bureau}
            )
            parts.append((f"bureau:{bureau.name}", cover.pages))
        for department in bureau.departments:
            if department.name in by_name:
                front, body = _department_documents(renderer, by_name[department.name])
                parts.append((department.name, [*front.pages, *body.pages]))

    def front(start_of: dict[str, int]) -> Document:
        return renderer.render(
            "reports/print/session_front.html",
            {"outline": outline, "start_of": start_of, "reports": by_name},
        )

    draft = front({})
    start_of, page = {}, len(draft.pages) + 1
    for key, pages in parts:
        start_of[key] = page
        page += len(pages)
    final = front(start_of)
    if len(final.pages) != len(draft.pages):  # the numbers made the contents longer: shift once
        shift = len(final.pages) - len(draft.pages)
        final = front({key: value + shift for key, value in start_of.items()})
    pages = [*final.pages, *(p for _key, part in parts for p in part)]
    return _write(final, pages, title=f"{outline.session.title} 주요업무 보고")


def _write(first: Document, pages: list, *, title: str) -> bytes:
    """One PDF of `pages` (laid out by several documents), with `first`'s settings."""
    document = first.copy(pages)
    document.metadata.title = title
    document.metadata.lang = "ko"
    return document.write_pdf()
