"""Reading a rendered page or PDF back as text and checking an expected reading order."""

import io
import re
from html.parser import HTMLParser
from pathlib import Path

from pypdf import PdfReader

WHITESPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    return WHITESPACE.sub("", text)


def expected_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def missing_in_order(lines: list[str], text: str) -> list[str]:
    """The expected lines not found in `text` after the previous line (whitespace ignored)."""
    haystack, position, missing = squash(text), 0, []
    for line in lines:
        found = haystack.find(squash(line), position)
        if found < 0:
            missing.append(line)
        else:
            position = found + len(squash(line))
    return missing


class _VisibleText(HTMLParser):
    """Text a reader sees: skips <script>, <style> and visually hidden elements."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hidden_depth = 0
        self.stack: list[bool] = []

    VOID = {"br", "img", "input", "meta", "link", "hr", "col", "wbr", "source"}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            self.parts.append(" ")
            return
        classes = (dict(attrs).get("class") or "").split()
        hidden = tag in {"script", "style"} or "visually-hidden" in classes
        self.stack.append(hidden)
        self.hidden_depth += hidden
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        self.hidden_depth -= self.stack.pop()
        self.parts.append(" ")

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "".join(parser.parts)


def pdf_pages(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [page.extract_text() or "" for page in reader.pages]
