"""Number and text formats of Korean council reports."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

BOLD = re.compile(r"\*\*(.+?)\*\*")


@register.filter
def amount(value) -> str:
    """1079048 → 1,079,048 (천원); empty when there is no value."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


@register.filter
def signed(value) -> str:
    """A difference: △1 for −1, blank for 0 or nothing, 3 for 3."""
    if value is None or value == "" or int(value) == 0:
        return ""
    value = int(value)
    return f"△{-value:,}" if value < 0 else f"{value:,}"


@register.filter
def headcount(value) -> str:
    """A headcount cell: blank when nobody is counted there."""
    if value is None or value == "" or int(value) == 0:
        return ""
    return f"{int(value):,}"


@register.filter
def rate(value) -> str:
    """집행률: already one decimal as text ("71.4"); "-" when there is no budget."""
    return "-" if value in (None, "") else str(value)


@register.filter
def funding_note(funding) -> str:
    """(시비 20,000, 구비 95,900), or (구비 100%) when one source pays everything."""
    if funding is None:
        return ""
    parts = funding.parts
    if not parts:
        return ""
    if len(parts) == 1:
        return f"({parts[0][0]} 100%)"
    return "(" + ", ".join(f"{label} {value:,}" for label, value in parts) + ")"


@register.filter
def requirement_note(funding) -> str:
    """소요예산: 총 428,296천원 (구비) or 총 377,673천원 (시비 60,000, 구비 317,673)."""
    parts = funding.parts
    if not parts:
        return f"총 {funding.total:,}천원"
    if len(parts) == 1:
        note = f"({parts[0][0]})"
    else:
        note = "(" + ", ".join(f"{label} {value:,}" for label, value in parts) + ")"
    return f"총 {funding.total:,}천원 {note}"


@register.filter
def inline(text) -> str:
    """개조식 item text: escaped, **bold** as <strong>, line breaks kept."""
    escaped = conditional_escape(text or "")
    html = BOLD.sub(r"<strong>\1</strong>", str(escaped))
    return mark_safe(html.replace("\n", "<br>"))


@register.filter
def paragraph(text) -> str:
    """A purpose paragraph pasted with the page's line breaks: one flowing paragraph."""
    return " ".join(line.strip() for line in (text or "").splitlines() if line.strip())


@register.filter
def lookup(mapping, key):
    return (mapping or {}).get(key, "")


MARKER_CLASSES = {"○": "circle", "-": "dash", "·": "dot", "※": "note"}


@register.filter
def marker_class(marker) -> str:
    return MARKER_CLASSES.get(marker, "other")


@register.filter(name="roman")
def roman_filter(number) -> str:
    """3 → Ⅲ, as the booklets number their parts and departments."""
    from publishing.document import roman

    return roman(int(number))
