"""The 기준일 rule: which dated figures a report shows.

A report states its figures (budget executions, staffing, card blocks with a date) as of its
session's 기준일 (figure date): a figure counts when it is dated on or before that day — an
undated block always counts — and of several, the latest one is the figure. Assembly, the
department editor and the exports all ask here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TypeVar

from django.db.models import QuerySet

T = TypeVar("T")


def counts(as_of: datetime.date | None, figure_date: datetime.date) -> bool:
    """Whether something dated `as_of` (None: undated) belongs in a report of `figure_date`."""
    return as_of is None or as_of <= figure_date


def on_or_before(queryset: QuerySet, day: datetime.date, *, field: str = "as_of") -> QuerySet:
    """The rows that count for `day`, latest first (so the first of each group is the figure)."""
    return queryset.filter(**{f"{field}__lte": day}).order_by(f"-{field}")


def latest(rows: Iterable[T]) -> T | None:
    """The figure among rows already ordered latest first (on_or_before), or None."""
    return next(iter(rows), None)
