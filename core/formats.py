"""How the portal writes dates, times, amounts and yes/no — the one home for each.

Korean reports write dates `2020. 11. 20.` (no leading zeros), a short date in a table head
`9.30.`, a period `2020. 11. 20. ~ 12. 23.` (the year only when it changes), a moment
`2026. 11. 22. 14:05` in the site's time zone. The same patterns are Django's DATE_FORMAT and
DATETIME_FORMAT for Korean (config/formats/ko/formats.py), so templates write `|date` and
`|date:"DATETIME_FORMAT"` and agree with Python.
"""

from __future__ import annotations

import datetime

from django.utils import dateformat, timezone
from django.utils.translation import gettext

# Django date-format strings (https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date)
DATE_FORMAT = "Y. n. j."
SHORT_DATE_FORMAT = "n.j."
DATETIME_FORMAT = "Y. n. j. H:i"
MONTH_DAY_FORMAT = "n. j."


def date(day: datetime.date) -> str:
    """`2020. 11. 20.`"""
    return dateformat.format(day, DATE_FORMAT)


def short_date(day: datetime.date) -> str:
    """`9.30.` (a table head's 기준일 within the report's year)."""
    return dateformat.format(day, SHORT_DATE_FORMAT)


def period(start: datetime.date, end: datetime.date) -> str:
    """`2020. 11. 20. ~ 12. 23.`; the year is repeated only when it changes."""
    tail = dateformat.format(end, MONTH_DAY_FORMAT) if end.year == start.year else date(end)
    return f"{date(start)} ~ {tail}"


def moment(value: datetime.datetime) -> str:
    """`2026. 11. 22. 14:05` in the site's time zone (Asia/Seoul)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, DATETIME_FORMAT)


def day_of(value: datetime.datetime) -> str:
    """The local date of a moment: `2026. 11. 22.`"""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date(value.date())


def amount(value: int) -> str:
    """`1,234,000` (원 or 천원, as the table says)."""
    return f"{value:,}"


def yes_no(value: bool) -> str:
    """예 / 아니요 (표준어; never 아니오)."""
    return gettext("예") if value else gettext("아니요")
