"""Make the small WOFF2 fonts the web pages use from the TTFs that the PDF embeds whole."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from fontTools import subset

FONTS = ["NanumMyeongjo", "NanumMyeongjoBold", "NanumGothic", "NanumGothicBold"]

# Everything a report prints but hanja: ASCII and Latin-1 punctuation, the symbols of 개조식
# and of Korean tables (□ ○ ※ △ ① Ⅰ 「」 ‘’ ·), and the 2,350 Hangul syllables of KS X 1001.
# A rarer syllable or a hanja falls back, glyph by glyph, to the reader's own fonts.
RANGES = [
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2000, 0x206F),
    (0x2150, 0x218F),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
    (0x2460, 0x24FF),
    (0x2500, 0x25FF),
    (0x2600, 0x26FF),
    (0x3000, 0x303F),
    (0x3130, 0x318F),
    (0x3200, 0x32FF),
    (0xFF00, 0xFFEF),
]


def _ks_x_1001_hangul() -> list[int]:
    codes = []
    for code in range(0xAC00, 0xD7A4):
        try:
            chr(code).encode("euc-kr")
        except UnicodeEncodeError:
            continue
        codes.append(code)
    return codes


class Command(BaseCommand):
    help = "static/fonts의 나눔 글꼴에서 웹용 WOFF2 부분 글꼴(static/fonts/web/)을 만듭니다."

    def handle(self, *args, **options):
        source = Path(settings.BASE_DIR) / "static" / "fonts"
        target = source / "web"
        target.mkdir(exist_ok=True)
        codes = [c for start, end in RANGES for c in range(start, end + 1)] + _ks_x_1001_hangul()
        for name in FONTS:
            options = subset.Options()
            options.flavor = "woff2"
            options.layout_features = ["*"]
            options.hinting = False  # screens render Hangul well unhinted; halves the size
            font = subset.load_font(str(source / f"{name}.ttf"), options)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=codes)
            subsetter.subset(font)
            out = target / f"{name}.woff2"
            subset.save_font(font, str(out), options)
            self.stdout.write(
                f"{out.relative_to(settings.BASE_DIR)}: {out.stat().st_size / 1024:.0f} KiB"
            )
