"""What a reader's first visit of a department page transfers: HTML, CSS, JS and web fonts.

Text is counted compressed, as the production server sends it (whitenoise's brotli for static
files, gzip for the HTML); WOFF2 files are compressed already. A font slice counts if its
unicode-range holds any character of the page's text — in every face, which overstates (a
character set in the serif face only does not load the sans slice), so the figure is an upper
bound. Used by `make bench` (the "first-view" part) and tests/test_fonts.py.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import brotli
from django.contrib.staticfiles import finders
from django.templatetags.static import static

FACE = re.compile(r"@font-face\s*{(?P<body>[^}]*)}")
URL = re.compile(r'url\("?(?P<url>[^")]+)"?\)')
RANGE = re.compile(r"unicode-range:\s*(?P<ranges>[^;}]+)")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.styles.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def code_points(ranges: str) -> set[int]:
    codes = set()
    for item in ranges.split(","):
        first, _dash, last = item.strip().upper().removeprefix("U+").partition("-")
        codes.update(range(int(first, 16), int(last or first, 16) + 1))
    return codes


@dataclass
class FontFace:
    file: Path
    codes: set[int] | None  # None: no unicode-range, every character


def font_faces(css_path: Path) -> list[FontFace]:
    faces = []
    for match in FACE.finditer(css_path.read_text(encoding="utf-8")):
        body = match["body"]
        url = URL.search(body)["url"]
        ranges = RANGE.search(body)
        faces.append(
            FontFace(
                (css_path.parent / url).resolve(), code_points(ranges["ranges"]) if ranges else None
            )
        )
    return faces


def _static_file(url: str) -> Path:
    name = url.removeprefix(static(""))
    return Path(finders.find(name))


@dataclass
class FirstView:
    html: int = 0
    css: int = 0
    js: int = 0
    fonts: int = 0
    font_files: list[Path] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.html + self.css + self.js + self.fonts


def first_view(html: str) -> FirstView:
    """The bytes a first visit of the page `html` transfers, compressed."""
    page = _Page()
    page.feed(html)
    used = {ord(ch) for ch in "".join(page.text)}
    view = FirstView(html=len(gzip.compress(html.encode(), compresslevel=6)))
    for url in page.styles:
        path = _static_file(url)
        view.css += len(brotli.compress(path.read_bytes()))
        for face in font_faces(path):
            if face.codes is None or face.codes & used:
                view.font_files.append(face.file)
                view.fonts += face.file.stat().st_size
    for url in page.scripts:
        view.js += len(brotli.compress(_static_file(url).read_bytes()))
    return view
