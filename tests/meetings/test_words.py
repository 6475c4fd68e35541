"""A series' description says its number of dates with the Polish plural."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from meetings.recurrence import describe

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.parametrize(
    ("count", "words"), [(1, "1 termin"), (3, "3 terminy"), (5, "5 terminów"), (22, "22 terminy")]
)
def test_a_counted_series_says_how_many_dates_in_polish(count: int, words: str) -> None:
    start = dt.datetime(2030, 1, 8, 10, 0, tzinfo=WARSAW)
    with translation.override("pl"):
        text = describe(f"FREQ=WEEKLY;BYDAY=TU;COUNT={count}", start, WARSAW)
    assert text.endswith(f", {words}"), text
    assert "liczba" not in text
