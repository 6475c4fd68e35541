"""Repeat rules: building, checking and expanding RRULEs, in local time across DST,
and a series' dates in the database with one moved and one cancelled."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings import recurrence, services
from meetings.models import Occurrence
from meetings.recurrence import Repeat

from .conftest import at, event_data, schedule

WARSAW = ZoneInfo("Europe/Warsaw")


def test_first_tuesday_of_each_month_is_built_from_the_start() -> None:
    start = at(dt.date(2027, 1, 5), 10)  # the first Tuesday of January 2027
    rule = recurrence.build_rrule(Repeat.MONTHLY_WEEKDAY, start)
    assert rule == "FREQ=MONTHLY;BYDAY=1TU"
    dates = [d.date() for d in recurrence.expand(rule, start, WARSAW, limit=4)]
    assert dates == [
        dt.date(2027, 1, 5),
        dt.date(2027, 2, 2),
        dt.date(2027, 3, 2),
        dt.date(2027, 4, 6),
    ]


def test_a_fifth_weekday_becomes_the_last_one() -> None:
    start = at(dt.date(2026, 12, 29), 10)  # the fifth Tuesday of December
    rule = recurrence.build_rrule(Repeat.MONTHLY_WEEKDAY, start)
    assert rule == "FREQ=MONTHLY;BYDAY=-1TU"
    assert recurrence.expand(rule, start, WARSAW, limit=2)[1].date() == dt.date(2027, 1, 26)


def test_a_10_oclock_series_stays_at_10_across_both_clock_changes() -> None:
    start = at(dt.date(2026, 9, 1), 10)
    dates = recurrence.expand("FREQ=MONTHLY;BYDAY=1TU", start, WARSAW, limit=8)
    assert {d.astimezone(WARSAW).strftime("%H:%M") for d in dates} == {"10:00"}
    utc_hours = [d.astimezone(dt.UTC).hour for d in dates]
    # Sep, Oct: summer time (UTC+2); Nov–Mar: winter time (UTC+1); April: summer again.
    assert utc_hours == [8, 8, 9, 9, 9, 9, 9, 8]


def test_a_weekly_series_over_the_october_change_keeps_its_wall_clock_time() -> None:
    start = at(dt.date(2026, 10, 19), 10)  # Monday before the last Sunday of October
    first, second = recurrence.expand("FREQ=WEEKLY;BYDAY=MO", start, WARSAW, limit=2)
    real = second.astimezone(dt.UTC) - first.astimezone(dt.UTC)
    assert real == dt.timedelta(days=7, hours=1)  # 169 real hours apart
    assert second.astimezone(WARSAW).time() == dt.time(10, 0)


def test_an_end_date_is_sent_in_utc_and_includes_that_local_day() -> None:
    start = at(dt.date(2027, 1, 5), 10)
    rule = recurrence.build_rrule(Repeat.MONTHLY_WEEKDAY, start, until=dt.date(2027, 4, 6))
    assert rule == "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270406T215959Z"
    assert recurrence.expand(rule, start, WARSAW)[-1].date() == dt.date(2027, 4, 6)
    assert len(recurrence.expand(rule, start, WARSAW)) == 4


def test_a_count_ends_the_series() -> None:
    start = at(dt.date(2027, 1, 4), 9)
    rule = recurrence.build_rrule(Repeat.BIWEEKLY, start, count=3)
    assert rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=3"
    assert [d.date() for d in recurrence.expand(rule, start, WARSAW)] == [
        dt.date(2027, 1, 4),
        dt.date(2027, 1, 18),
        dt.date(2027, 2, 1),
    ]


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ("FREQ=HOURLY", "rrule"),
        ("FREQ=MONTHLY;BYDAY=XX", "rrule"),
        ("FREQ=MONTHLY;UNTIL=20270101", "rrule"),
        ("FREQ=MONTHLY;BYDAY=1WE", "starts_at"),  # the start is a Tuesday
        ("FREQ=MONTHLY;COUNT=2;UNTIL=20270101T000000Z", "rrule"),
    ],
)
def test_bad_rules_are_refused_next_to_the_right_field(rule: str, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        recurrence.validate(rule, at(dt.date(2027, 1, 5), 10), WARSAW)
    assert field in exc.value.message_dict


def test_a_valid_rule_is_normalised() -> None:
    assert (
        recurrence.validate("rrule:freq=monthly;byday=1tu;", at(dt.date(2027, 1, 5), 10), WARSAW)
        == "FREQ=MONTHLY;BYDAY=1TU"
    )


@pytest.mark.parametrize(
    "repeat", [Repeat.WEEKLY, Repeat.BIWEEKLY, Repeat.MONTHLY_WEEKDAY, Repeat.MONTHLY_DAY]
)
def test_a_stored_rule_reads_back_into_the_form_choice(repeat: str) -> None:
    start = at(dt.date(2027, 1, 12), 10)
    rule = recurrence.build_rrule(repeat, start, until=dt.date(2027, 6, 30))
    assert recurrence.decompose(rule, start, WARSAW) == {
        "repeat": repeat,
        "repeat_until": dt.date(2027, 6, 30),
    }


def test_an_unusual_rule_reads_back_as_custom() -> None:
    start = at(dt.date(2027, 1, 12), 10)
    assert recurrence.decompose("FREQ=DAILY;COUNT=3", start, WARSAW) == {
        "repeat": Repeat.CUSTOM,
        "rrule": "FREQ=DAILY;COUNT=3",
    }


def _series(coordinator, **kw):
    start = kw.pop("starts_at", at(timezone.localdate() + dt.timedelta(days=3), 10))
    rule = kw.pop("rrule", recurrence.build_rrule(Repeat.MONTHLY_WEEKDAY, start))
    return schedule(
        coordinator, starts_at=start, ends_at=start + dt.timedelta(hours=2), rrule=rule, **kw
    )


def test_a_series_is_stored_as_its_rule_and_its_dates_up_to_the_horizon(coordinator) -> None:
    event = _series(coordinator)
    dates = list(event.occurrences.order_by("starts_at"))
    horizon = event.starts_at + dt.timedelta(days=recurrence.HORIZON_DAYS)
    assert 12 <= len(dates) <= 15
    assert all(o.starts_at <= horizon for o in dates)
    assert {timezone.localtime(o.starts_at).strftime("%H:%M") for o in dates} == {"10:00"}
    assert {timezone.localtime(o.ends_at).strftime("%H:%M") for o in dates} == {"12:00"}
    assert [o.original_start for o in dates] == [o.starts_at for o in dates]


def test_one_date_moves_and_another_is_cancelled_and_the_rest_stay(coordinator) -> None:
    event = _series(coordinator)
    first, second, third, *rest = list(event.occurrences.order_by("starts_at"))
    new_start = second.starts_at + dt.timedelta(days=1, hours=3)
    services.occurrence_move(
        occurrence=second,
        acting_user=coordinator,
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(hours=1),
    )
    services.occurrence_cancel(occurrence=third, acting_user=coordinator, reason="Ferie")
    # The daily extension runs again: what was done to single dates survives it.
    services.occurrences_sync(event)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.is_moved and second.starts_at == new_start
    assert second.original_start != second.starts_at
    assert third.cancelled and third.cancel_reason == "Ferie"
    untouched = Occurrence.objects.filter(pk__in=[first.pk, *(o.pk for o in rest)])
    assert not untouched.filter(is_moved=True).exists()
    assert not untouched.filter(cancelled=True).exists()
    event.refresh_from_db()
    assert event.sequence == 2  # calendar programs pick up both changes


def test_a_past_or_upside_down_move_is_refused(coordinator) -> None:
    event = _series(coordinator)
    occurrence = event.occurrences.order_by("starts_at")[1]
    with pytest.raises(ValidationError) as exc:
        services.occurrence_move(
            occurrence=occurrence,
            acting_user=coordinator,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.starts_at - dt.timedelta(hours=1),
        )
    assert "ends_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        yesterday = timezone.now() - dt.timedelta(days=1)
        services.occurrence_move(
            occurrence=occurrence,
            acting_user=coordinator,
            starts_at=yesterday,
            ends_at=yesterday + dt.timedelta(hours=1),
        )
    assert "starts_at" in exc.value.message_dict


def test_a_begun_series_may_change_its_end_but_not_its_day(coordinator, own) -> None:
    start = at(timezone.localdate() - dt.timedelta(days=70), 10)
    event = _series(coordinator, starts_at=start, allow_past=True)
    past = event.occurrences.filter(starts_at__lt=timezone.now()).count()
    assert past >= 2
    later = start + dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        services.event_update(
            event=event,
            acting_user=coordinator,
            data=event_data(
                starts_at=later, ends_at=later + dt.timedelta(hours=2), rrule=event.rrule
            ),
            institutions=[],
        )
    assert "repeat" in exc.value.message_dict
    until = timezone.localdate() + dt.timedelta(days=40)
    rule = recurrence.build_rrule(Repeat.MONTHLY_WEEKDAY, start, until=until)
    services.event_update(
        event=event,
        acting_user=coordinator,
        data=event_data(starts_at=start, ends_at=start + dt.timedelta(hours=2), rrule=rule),
        institutions=[],
    )
    assert event.occurrences.filter(starts_at__lt=timezone.now()).count() == past
    assert not event.occurrences.filter(starts_at__date__gt=until).exists()


def test_the_daily_task_extends_a_series_to_the_new_horizon(coordinator) -> None:
    start = at(timezone.localdate() + dt.timedelta(days=3), 10)
    event = _series(
        coordinator, starts_at=start, rrule=recurrence.build_rrule(Repeat.WEEKLY, start)
    )
    before = event.occurrences.count()
    later = event.starts_at + dt.timedelta(days=28)
    added = services.occurrences_extend_all(now=later)
    assert added == 4
    assert event.occurrences.count() == before + 4
    assert services.occurrences_extend_all(now=later) == 0
