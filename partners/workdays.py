"""Working days in Poland: Monday to Friday, minus statutory public holidays.

The holidays are those of the act on public holidays (ustawa o dniach wolnych
od pracy, Dz.U. 1951 nr 4 poz. 28, as amended): fixed dates, the Easter-based
ones, and 24 December since 2025. Computed here (a dozen lines) rather than
pulled in as a dependency: the list changes once in decades, and a test pins it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

FIXED = [(1, 1), (1, 6), (5, 1), (5, 3), (8, 15), (11, 1), (11, 11), (12, 25), (12, 26)]
CHRISTMAS_EVE_FROM = 2025  # a public holiday by the amendment of 2024


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (the anonymous Meeus/Jones/Butcher algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=64)
def polish_holidays(year: int) -> frozenset[dt.date]:
    easter = easter_sunday(year)
    days = {dt.date(year, month, day) for month, day in FIXED}
    days |= {
        easter,
        easter + dt.timedelta(days=1),  # Easter Monday
        easter + dt.timedelta(days=49),  # Pentecost Sunday
        easter + dt.timedelta(days=60),  # Corpus Christi
    }
    if year >= CHRISTMAS_EVE_FROM:
        days.add(dt.date(year, 12, 24))
    return frozenset(days)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in polish_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (`start` itself never counts)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day = start
    while days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day
