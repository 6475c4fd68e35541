"""Working days: Monday to Friday, without Polish public holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from partners.workdays import add_working_days, easter_sunday, is_working_day, polish_holidays

D = dt.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2019, D(2019, 4, 21)),
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2027, D(2027, 3, 28)),
        (2038, D(2038, 4, 25)),
    ],
)
def test_easter_sunday_is_computed_for_any_year(year, easter) -> None:
    assert easter_sunday(year) == easter


def test_the_2026_holidays_are_exactly_the_statutory_ones() -> None:
    assert polish_holidays(2026) == {
        D(2026, 1, 1),
        D(2026, 1, 6),
        D(2026, 4, 5),
        D(2026, 4, 6),
        D(2026, 5, 1),
        D(2026, 5, 3),
        D(2026, 5, 24),
        D(2026, 6, 4),
        D(2026, 8, 15),
        D(2026, 11, 1),
        D(2026, 11, 11),
        D(2026, 12, 24),
        D(2026, 12, 25),
        D(2026, 12, 26),
    }


def test_christmas_eve_is_a_holiday_only_from_2025() -> None:
    assert D(2024, 12, 24) not in polish_holidays(2024)
    assert D(2025, 12, 24) in polish_holidays(2025)


def test_weekends_and_holidays_are_not_working_days() -> None:
    assert is_working_day(D(2026, 11, 27))  # Friday
    assert not is_working_day(D(2026, 11, 28))  # Saturday
    assert not is_working_day(D(2026, 11, 11))  # Independence Day, a Wednesday
    assert not is_working_day(D(2026, 6, 4))  # Corpus Christi, a Thursday


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        (D(2026, 11, 24), D(2026, 11, 26)),  # Tuesday → Thursday
        (D(2026, 11, 27), D(2026, 12, 1)),  # Friday → Tuesday, over the weekend
        (D(2026, 11, 28), D(2026, 12, 1)),  # sent on Saturday: Monday is the first day
        (D(2026, 11, 10), D(2026, 11, 13)),  # over 11 November
        (D(2026, 4, 2), D(2026, 4, 7)),  # over Easter Monday
        (D(2026, 6, 3), D(2026, 6, 8)),  # over Corpus Christi
        (D(2026, 12, 23), D(2026, 12, 29)),  # over Christmas Eve and Christmas
        (D(2026, 4, 30), D(2026, 5, 5)),  # over 1 and 3 May (a Sunday)
    ],
)
def test_two_working_days_after_sending(sent, due) -> None:
    assert add_working_days(sent, 2) == due


def test_at_least_one_day_is_counted() -> None:
    with pytest.raises(ValueError):
        add_working_days(D(2026, 1, 5), 0)
