"""Text hygiene: characters no one means to type in a title or a name.

Bidi overrides can make a title read differently from what is stored (‘Trojan Source’), and
zero-width characters or a stray BOM make two names that look the same differ, so a search,
a unique name or an import match misses. `refuse_invisible` is the validator of the model
fields of titles, names and headings (org, budget, projects, reports), so the admin, the
staff API and every import refuse them alike, saying which character and where. Ordinary
text, line breaks and tabs are untouched.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

INVISIBLE = {
    "\u200b": _("폭 없는 공백"),
    "\u200c": _("폭 없는 비결합자"),
    "\u200d": _("폭 없는 결합자"),
    "\u2060": _("단어 결합자"),
    "\ufeff": _("BOM(바이트 순서 표시)"),
    **{chr(code): _("글자 방향 제어 문자") for code in range(0x202A, 0x202F)},
    **{chr(code): _("글자 방향 제어 문자") for code in range(0x2066, 0x206A)},
}


def find_invisible(text: str) -> tuple[int, int, str] | None:
    """The first invisible character of `text` as (line, column, character), 1-based."""
    for line_number, line in enumerate(str(text).split("\n"), start=1):
        for column, char in enumerate(line, start=1):
            if char in INVISIBLE:
                return line_number, column, char
    return None


def invisible_message(text: str) -> str | None:
    """A Korean message naming the first invisible character of `text` and where it is."""
    found = find_invisible(text)
    if found is None:
        return None
    line, column, char = found
    where = (
        _("%(column)s번째 글자") % {"column": column}
        if "\n" not in str(text)
        else _("%(line)s번째 줄 %(column)s번째 글자") % {"line": line, "column": column}
    )
    return _(
        "보이지 않는 문자가 섞여 있습니다: %(where)s에 %(name)s(U+%(code)04X). "
        "그 글자를 지우고 다시 입력하세요."
    ) % {"where": where, "name": INVISIBLE[char], "code": ord(char)}


@deconstructible
class RefuseInvisible:
    """Model-field validator: no bidi override, zero-width character or BOM."""

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        message = invisible_message(value)
        if message is not None:
            raise ValidationError(message, code="invisible")

    def __eq__(self, other) -> bool:
        return isinstance(other, RefuseInvisible)

    def __hash__(self) -> int:
        return hash(RefuseInvisible)


refuse_invisible = RefuseInvisible()
