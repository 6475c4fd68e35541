"""Reporting periods (month, quarter, year) in local time.

A period is a half-open range of local dates [start, end); its datetime bounds
are local midnights made aware in the project's time zone (Europe/Warsaw), so a
referral sent at 23:59 on 31 March belongs to the first quarter whatever the
UTC offset.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

MONTH, QUARTER, YEAR = "month", "quarter", "year"
_CODE = re.compile(r"^(?P<y>\d{4})(?:-(?P<q>Q[1-4])|-(?P<m>0[1-9]|1[0-2]))?$")


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    number: int = 1  # the quarter or the month; 1 for a year

    @property
    def start(self) -> dt.date:
        if self.kind == YEAR:
            return dt.date(self.year, 1, 1)
        month = self.number if self.kind == MONTH else 3 * (self.number - 1) + 1
        return dt.date(self.year, month, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return self.next().start

    def next(self) -> Period:
        return self._shift(1)

    def previous(self) -> Period:
        return self._shift(-1)

    def _shift(self, by: int) -> Period:
        if self.kind == YEAR:
            return Period(YEAR, self.year + by)
        per_year = 12 if self.kind == MONTH else 4
        index = self.year * per_year + self.number - 1 + by
        return Period(self.kind, index // per_year, index % per_year + 1)

    @property
    def start_at(self) -> dt.datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> dt.datetime:
        return local_midnight(self.end)

    @property
    def code(self) -> str:
        if self.kind == YEAR:
            return str(self.year)
        if self.kind == QUARTER:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    @property
    def label(self) -> str:
        if self.kind == YEAR:
            return _("year %(year)s") % {"year": self.year}
        if self.kind == QUARTER:
            return _("Q%(q)s %(year)s") % {"q": self.number, "year": self.year}
        return f"{self.number:02d}.{self.year}"

    def __str__(self) -> str:
        return self.label


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def period_containing(day: dt.date, kind: str) -> Period:
    if kind == YEAR:
        return Period(YEAR, day.year)
    if kind == QUARTER:
        return Period(QUARTER, day.year, (day.month - 1) // 3 + 1)
    return Period(MONTH, day.year, day.month)


def period_parse(code: str | None, *, today: dt.date | None = None) -> Period:
    """A period from its code ("2026", "2026-Q1", "2026-03"); the current year
    when the code is missing or malformed, and never a period after today."""
    today = today or timezone.localdate()
    match = _CODE.match(code or "")
    if not match:
        return Period(YEAR, today.year)
    year = int(match["y"])
    if match["q"]:
        period = Period(QUARTER, year, int(match["q"][1]))
    elif match["m"]:
        period = Period(MONTH, year, int(match["m"]))
    else:
        period = Period(YEAR, year)
    if period.start > today or year < 2000:
        return Period(YEAR, today.year)
    return period


def period_choices(*, today: dt.date | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker's options, newest first: three years, eight quarters, thirteen months."""
    today = today or timezone.localdate()
    groups = []
    for kind, count, title in (
        (YEAR, 3, _("Years")),
        (QUARTER, 8, _("Quarters")),
        (MONTH, 13, _("Months")),
    ):
        period, options = period_containing(today, kind), []
        for _i in range(count):
            options.append((period.code, period.label))
            period = period.previous()
        groups.append((title, options))
    return groups
