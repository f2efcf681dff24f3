"""Fonts ship with the project: whole TTFs for the PDF, small WOFF2 subsets for phones."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from fontTools.ttLib import TTFont

WEB_CSS = "css/fonts-web.css"


def _web_font_files() -> list[str]:
    css = Path(finders.find(WEB_CSS)).read_text(encoding="utf-8")
    return [finders.find("css/" + url) for url in re.findall(r'url\("([^"]+)"\)', css)]


def test_the_web_pages_load_only_small_woff2_fonts():
    files = _web_font_files()

    assert len(files) == 4 and all(path and path.endswith(".woff2") for path in files)
    assert sum(Path(path).stat().st_size for path in files) < 1_600_000


def test_the_web_fonts_cover_every_character_of_the_seed_reports():
    from reports.seeds import SEED_DIR

    text = "".join(path.read_text(encoding="utf-8") for path in SEED_DIR.glob("*.expect.txt"))
    hangul = {ch for ch in text if "가" <= ch <= "힣"}
    covered = set(chr(code) for code in TTFont(_web_font_files()[0]).getBestCmap())

    assert hangul - covered == set()
