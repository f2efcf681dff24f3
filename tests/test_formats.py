"""One way to write a date, a moment, an amount and yes/no, in Python and in templates alike."""

import datetime

from django.template import Context, Template
from django.utils import timezone

from core import cutoff, formats

NOV_20 = datetime.date(2020, 11, 20)


def test_dates_are_written_as_korean_reports_write_them():
    assert formats.date(datetime.date(2026, 9, 3)) == "2026. 9. 3."
    assert formats.short_date(datetime.date(2026, 9, 30)) == "9.30."
    assert formats.period(NOV_20, datetime.date(2020, 12, 23)) == "2020. 11. 20. ~ 12. 23."
    assert formats.period(NOV_20, datetime.date(2021, 1, 5)) == "2020. 11. 20. ~ 2021. 1. 5."


def test_a_moment_is_shown_in_seoul_time():
    utc = datetime.datetime(2026, 11, 22, 5, 5, tzinfo=datetime.UTC)
    assert formats.moment(utc) == "2026. 11. 22. 14:05"
    assert formats.day_of(datetime.datetime(2026, 11, 22, 20, 0, tzinfo=datetime.UTC)) == (
        "2026. 11. 23."
    )


def test_templates_write_the_same_dates_as_python():
    moment = timezone.make_aware(datetime.datetime(2026, 11, 22, 14, 5))
    rendered = Template('{{ day|date }} / {{ moment|date:"DATETIME_FORMAT" }}').render(
        Context({"day": NOV_20, "moment": moment})
    )
    assert rendered == f"{formats.date(NOV_20)} / {formats.moment(moment)}"


def test_yes_and_no_are_the_standard_words():
    assert (formats.yes_no(True), formats.yes_no(False)) == ("예", "아니요")


def test_a_figure_counts_on_or_before_the_figure_date_and_undated_always():
    day = datetime.date(2026, 9, 30)
    assert cutoff.counts(None, day)
    assert cutoff.counts(day, day)
    assert not cutoff.counts(datetime.date(2026, 10, 1), day)
