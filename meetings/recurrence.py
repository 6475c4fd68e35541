"""Repeat rules: iCalendar RRULEs (RFC 5545) built, checked, read back and expanded.

Expansion runs in the event's local wall-clock time (dateutil with a
ZoneInfo-aware DTSTART), so a 10:00 meeting stays at 10:00 in Warsaw when
the clocks change, and its UTC instant moves by an hour instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# A series is materialised as Occurrence rows this far ahead; the daily task
# keeps extending it. The RRULE itself (sent in the .ics) has no such limit.
HORIZON_DAYS = 400
MAX_OCCURRENCES = 500
ALLOWED_FREQS = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class Repeat(models.TextChoices):
    NONE = "", gettext_lazy("does not repeat")
    WEEKLY = "weekly", gettext_lazy("every week on the same weekday")
    BIWEEKLY = "biweekly", gettext_lazy("every two weeks on the same weekday")
    MONTHLY_WEEKDAY = (
        "monthly_weekday",
        gettext_lazy("every month on the same weekday (e.g. the first Tuesday)"),
    )
    MONTHLY_DAY = "monthly_day", gettext_lazy("every month on the same day of the month")
    CUSTOM = "custom", gettext_lazy("custom rule (RRULE)")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone: %(tz)s") % {"tz": name}) from None


def _nth_weekday(day: dt.date) -> int:
    """1..4 for the first..fourth weekday of the month; -1 for a fifth (the last)."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


def until_utc(until: dt.date, tz: ZoneInfo) -> str:
    """The RFC 5545 UNTIL for a DTSTART with TZID: UTC, at the end of the local day."""
    end = dt.datetime.combine(until, dt.time(23, 59, 59), tzinfo=tz)
    return end.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def build_rrule(
    repeat: str,
    start: dt.datetime,
    *,
    until: dt.date | None = None,
    count: int | None = None,
    custom: str = "",
) -> str:
    """The RRULE text (without the `RRULE:` prefix) for a choice of the form."""
    if not repeat:
        return ""
    if repeat == Repeat.CUSTOM:
        return custom
    day = WEEKDAYS[start.weekday()]
    parts = {  # type: ignore[call-overload]
        Repeat.WEEKLY: ["FREQ=WEEKLY", f"BYDAY={day}"],
        Repeat.BIWEEKLY: ["FREQ=WEEKLY", "INTERVAL=2", f"BYDAY={day}"],
        Repeat.MONTHLY_WEEKDAY: ["FREQ=MONTHLY", f"BYDAY={_nth_weekday(start.date())}{day}"],
        Repeat.MONTHLY_DAY: ["FREQ=MONTHLY", f"BYMONTHDAY={start.day}"],
    }.get(repeat)
    if parts is None:
        raise ValidationError({"repeat": _("Choose how the event repeats.")})
    if until and count:
        raise ValidationError(
            {"repeat_count": _("Give either an end date or a number of dates, not both.")}
        )
    if until:
        parts.append(f"UNTIL={until_utc(until, start.tzinfo)}")  # type: ignore[arg-type]
    elif count:
        parts.append(f"COUNT={count}")
    return ";".join(parts)


def normalise(text: str) -> str:
    text = text.strip().upper()
    return text.removeprefix("RRULE:").strip().rstrip(";")


def _parse(text: str, start: dt.datetime, tz: ZoneInfo) -> RRule:
    try:
        rule = rrulestr(f"RRULE:{text}", dtstart=start.astimezone(tz))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValidationError(
            {"rrule": _("This is not a valid repeat rule: %(error)s") % {"error": exc}}
        ) from None
    if not isinstance(rule, RRule):
        raise ValidationError({"rrule": _("Give one RRULE only.")})
    return rule


def _fields(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(";") if "=" in part)


def validate(text: str, start: dt.datetime, tz: ZoneInfo) -> str:
    """Check a rule against its first date; return it normalised.

    Guarantees: a daily or slower rule, UNTIL in UTC as RFC 5545 requires
    with a zoned DTSTART, and the first date of the rule is the start itself
    (dateutil would silently skip a start that does not match; calendar
    programs would show it) — so every program shows the same dates.
    """
    text = normalise(text)
    if not text:
        return ""
    fields = _fields(text)
    if fields.get("FREQ") not in ALLOWED_FREQS:
        raise ValidationError(
            {"rrule": _("The rule must repeat daily, weekly, monthly or yearly.")}
        )
    if "UNTIL" in fields and not fields["UNTIL"].endswith("Z"):
        raise ValidationError(
            {"rrule": _("UNTIL must be given in UTC, e.g. UNTIL=20271231T225959Z.")}
        )
    if "UNTIL" in fields and "COUNT" in fields:
        raise ValidationError({"rrule": _("A rule cannot have both UNTIL and COUNT.")})
    rule = _parse(text, start, tz)
    first = next(iter(rule), None)
    if first is None:
        raise ValidationError({"rrule": _("This rule gives no dates at all.")})
    if first != start.astimezone(tz):
        raise ValidationError(
            {
                "starts_at": _(
                    "The first date does not follow the repeat rule; the rule's first date is %(date)s."
                )
                % {"date": date_format(first, "j E Y, H:i")}
            }
        )
    return text


def iterate(text: str, start: dt.datetime, tz: ZoneInfo) -> Iterator[dt.datetime]:
    """Every start the rule gives, in local time (aware), from the first on."""
    if not text:
        yield start.astimezone(tz)
        return
    yield from _parse(text, start, tz)


def expand(
    text: str,
    start: dt.datetime,
    tz: ZoneInfo,
    *,
    until: dt.datetime | None = None,
    limit: int = MAX_OCCURRENCES,
) -> list[dt.datetime]:
    """The rule's starts up to `until` (inclusive) and at most `limit` of them."""
    result = []  # type: ignore[var-annotated]
    for when in iterate(text, start, tz):
        if (until is not None and when > until) or len(result) >= limit:
            break
        result.append(when)
    return result


def decompose(text: str, start: dt.datetime, tz: ZoneInfo) -> dict[str, object]:
    """Read a stored rule back into the form's choices; anything else is 'custom'."""
    if not text:
        return {"repeat": Repeat.NONE}
    fields = _fields(text)
    until = fields.pop("UNTIL", None)
    count = fields.pop("COUNT", None)
    end: dict[str, object] = {}
    if until:
        end_at = dt.datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        end["repeat_until"] = end_at.astimezone(tz).date()
    if count:
        end["repeat_count"] = int(count)
    for repeat in (Repeat.WEEKLY, Repeat.BIWEEKLY, Repeat.MONTHLY_WEEKDAY, Repeat.MONTHLY_DAY):
        if _fields(build_rrule(repeat, start.astimezone(tz))) == fields:
            return {"repeat": repeat, **end}
    return {"repeat": Repeat.CUSTOM, "rrule": text}


_ORDINALS = {
    1: gettext_lazy("first"),
    2: gettext_lazy("second"),
    3: gettext_lazy("third"),
    4: gettext_lazy("fourth"),
    -1: gettext_lazy("last"),
}


def describe(text: str, start: dt.datetime, tz: ZoneInfo) -> str:
    """A sentence for people: 'every month on the first Tuesday, until 30 June 2027'."""
    if not text:
        return ""
    choice = decompose(text, start, tz)
    local = start.astimezone(tz)
    weekday = date_format(local, "l")
    base = {  # type: ignore[call-overload]
        Repeat.WEEKLY: _("every week on %(weekday)s") % {"weekday": weekday},
        Repeat.BIWEEKLY: _("every two weeks on %(weekday)s") % {"weekday": weekday},
        Repeat.MONTHLY_WEEKDAY: _("every month on the %(nth)s %(weekday)s")
        % {"nth": _ORDINALS[_nth_weekday(local.date())], "weekday": weekday},
        Repeat.MONTHLY_DAY: _("every month on day %(day)s") % {"day": local.day},
    }.get(choice["repeat"], f"RRULE: {text}")
    if "repeat_until" in choice:
        return _("%(rule)s, until %(date)s") % {
            "rule": base,
            "date": date_format(choice["repeat_until"], "j E Y"),  # type: ignore[arg-type]
        }
    if "repeat_count" in choice:
        n = choice["repeat_count"]
        return ngettext("%(rule)s, %(n)s date", "%(rule)s, %(n)s dates", n) % {"rule": base, "n": n}  # type: ignore[arg-type]
    return base
