# ruff: noqa: F811 - the meetings fixtures, imported, are parameters here
"""The daily jobs that told of one exact day catch up on the days beat did not run:
an action item due, a meeting tomorrow, an agreement ending in 30 or 7 days, a
consent lapsing in 30 days. A missed day's notice comes on the next run, once, with
the date rather than "today" or a count of days; run again (or with the record of
the last run lost) they tell nobody twice; the first run ever tells today's only.
The clock is pinned (time-machine) at each job's beat hour, Warsaw time. The
reintegration plans: test_daily_catch_up.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.models import Scope
from agreements.services import REMINDERS_JOB as AGREEMENTS_JOB
from agreements.tasks import agreements_daily
from clients.models import Consent, LegalBasis
from clients.services import LAPSING_JOB, consent_record
from clients.tasks import consents_daily
from cooperation.models import DailyRun
from meetings import services as meetings
from meetings.models import ActionItem, ActionStatus
from meetings.services import ActionItemData
from meetings.services.reminders import ACTION_ITEMS_JOB, REMINDERS_JOB
from meetings.tasks import action_items_due, send_reminders
from notifications.models import Notice

from ..factories import ClientFactory, agreement_between
from ..meetings.conftest import (  # noqa: F401 - fixtures
    agreement,
    at,
    partner_advisor,
    schedule,
)
from .daily import notices, run_at

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LATER = TODAY + dt.timedelta(days=40)  # past every date the fixtures set up
SPRING_DST = dt.date(2027, 3, 26)  # Friday; Sunday 28 March 2027: 02:00 → 03:00
LEAP = dt.date(2028, 2, 27)  # the two days missed: 28 and 29 February 2028


def days(start: dt.date, *offsets: int) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in offsets]


def texts(kind: str) -> dict[int, str]:
    """The notice text of `kind` about each target (one recipient's)."""
    return dict(Notice.objects.filter(kind=kind).values_list("target_id", "text"))


def once(kind: str) -> None:
    counts = notices(kind)
    assert counts and set(counts.values()) == {1}


# --- meetings: action items due --------------------------------------------------------


def _items(coordinator, partner, advisor, *due: dt.date) -> list[ActionItem]:  # type: ignore[no-untyped-def]
    start = at(TODAY, 0, 30)
    event = schedule(
        coordinator,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        institutions=[partner],
        people=[advisor],
        allow_past=True,
        confirm_overlap=True,
    )
    minutes = meetings.minutes_save(
        occurrence=event.occurrences.get(),
        acting_user=coordinator,
        notes="Notatki",
        decisions=[],
        action_items=[
            ActionItemData(description=f"Zadanie {n}", owner=advisor, due_date=TODAY)
            for n in range(len(due))
        ],
    )
    items = list(ActionItem.objects.filter(minutes=minutes).order_by("pk"))
    for item, day in zip(items, due, strict=True):
        ActionItem.objects.filter(pk=item.pk).update(due_date=day)
    return items


@pytest.mark.parametrize("start", [LATER, SPRING_DST, LEAP], ids=["plain", "dst", "29-february"])
def test_action_items_due_on_missed_days_are_told_once_with_their_date(
    coordinator, partner, agreement, partner_advisor, start
) -> None:
    *missed, due_today = items = _items(
        coordinator, partner, partner_advisor, *days(start, 1, 2, 3)
    )
    done = _items(coordinator, partner, partner_advisor, start + dt.timedelta(days=2))[-1]
    ActionItem.objects.filter(pk=done.pk).update(status=ActionStatus.DONE)
    assert run_at(start, action_items_due, "07:30") == 0
    back = start + dt.timedelta(days=3)
    assert run_at(back, action_items_due, "07:30") == 3
    assert set(notices("meetings.action_item_due")) == {(i.pk, partner_advisor.pk) for i in items}
    once("meetings.action_item_due")
    said = texts("meetings.action_item_due")
    for item in missed:
        day = ActionItem.objects.get(pk=item.pk).due_date
        assert "minął" in said[item.pk] and str(day.day) in said[item.pk]
    assert said[due_today.pk].startswith("Dziś")
    # Run again the same day: nothing more; the record lost: nobody told twice.
    assert run_at(back, action_items_due, "09:00") == 0
    before = notices("meetings.action_item_due")
    DailyRun.objects.filter(job=ACTION_ITEMS_JOB).update(done_through=start)
    assert run_at(back, action_items_due, "10:00") == 3
    assert notices("meetings.action_item_due") == before


def test_the_first_run_of_action_items_tells_todays_only(
    coordinator, partner, agreement, partner_advisor
) -> None:
    _yesterdays, todays = _items(coordinator, partner, partner_advisor, *days(LATER, -1, 0))
    assert run_at(LATER, action_items_due, "07:30") == 1
    assert set(notices("meetings.action_item_due")) == {(todays.pk, partner_advisor.pk)}
    assert DailyRun.objects.get(job=ACTION_ITEMS_JOB).done_through == LATER


# --- meetings: the day-before reminder -------------------------------------------------


def _meeting(coordinator, partner, title: str, day: dt.date, hour: int):  # type: ignore[no-untyped-def]
    start = at(day, hour)
    event = schedule(
        coordinator,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        institutions=[partner],
        confirm_overlap=True,
    )
    return event.occurrences.get()


@pytest.mark.parametrize("start", [LATER, SPRING_DST], ids=["plain", "dst"])
def test_a_reminder_missed_the_day_before_goes_on_the_day_if_not_yet_begun(
    coordinator, partner, agreement, start
) -> None:
    back = start + dt.timedelta(days=3)
    gone = _meeting(coordinator, partner, "Minione", start + dt.timedelta(days=2), 10)
    begun = _meeting(coordinator, partner, "Rano", back, 7)
    today = _meeting(coordinator, partner, "Dzisiaj", back, 12)
    tomorrow = _meeting(coordinator, partner, "Jutro", back + dt.timedelta(days=1), 10)
    assert run_at(start, send_reminders, "08:00") == 0
    assert run_at(back, send_reminders, "08:00") == 2
    reminded = {target for target, _user in notices("meetings.reminder")}
    assert reminded == {today.event_id, tomorrow.event_id}
    assert not reminded & {gone.event_id, begun.event_id}
    once("meetings.reminder")
    said = texts("meetings.reminder")
    assert said[today.event_id].startswith("Dziś: Dzisiaj,")
    assert said[tomorrow.event_id].startswith("Jutro: Jutro,")
    assert run_at(back, send_reminders, "09:00") == 0
    DailyRun.objects.filter(job=REMINDERS_JOB).update(done_through=start)
    before = notices("meetings.reminder")
    assert run_at(back, send_reminders, "10:00") == 0  # each date's stamp is taken
    assert notices("meetings.reminder") == before


def test_the_first_run_of_reminders_tells_of_tomorrow_only(coordinator, partner, agreement) -> None:
    _meeting(coordinator, partner, "Dzisiaj", LATER, 12)
    tomorrow = _meeting(coordinator, partner, "Jutro", LATER + dt.timedelta(days=1), 10)
    assert run_at(LATER, send_reminders, "08:00") == 1
    assert {t for t, _u in notices("meetings.reminder")} == {tomorrow.event_id}


# --- agreements: the end 30 and 7 days ahead -------------------------------------------


@pytest.mark.parametrize("start", [LATER, SPRING_DST, LEAP], ids=["plain", "dst", "29-february"])
def test_the_end_ahead_of_missed_days_is_told_once_with_the_date(own, partner, start) -> None:
    # Its 7-day reminder was due on the first missed day, another's 30-day one on the
    # second; a third's 7-day one is due on the day beat is back.
    late7 = agreement_between(own, partner, valid_until=start + dt.timedelta(days=8))
    late30 = agreement_between(own, partner, valid_until=start + dt.timedelta(days=32))
    on_time = agreement_between(own, partner, valid_until=start + dt.timedelta(days=10))
    assert run_at(start, agreements_daily, "01:15")["reminders"] == 0
    back = start + dt.timedelta(days=3)
    assert run_at(back, agreements_daily, "01:15")["reminders"] == 3
    once("agreements.ending")
    told = {target for target, _user in notices("agreements.ending")}
    assert told == {late7.pk, late30.pk, on_time.pk}
    said = texts("agreements.ending")
    for late in (late7, late30):
        assert late.valid_until.strftime("%d.%m.%Y") in said[late.pk]
    assert "za 7 dni" in said[on_time.pk]
    assert run_at(back, agreements_daily, "09:00")["reminders"] == 0
    before = notices("agreements.ending")
    DailyRun.objects.filter(job=AGREEMENTS_JOB).update(done_through=start)
    assert run_at(back, agreements_daily, "10:00")["reminders"] == 0
    assert notices("agreements.ending") == before


def test_a_termination_ending_on_a_missed_day_is_told_too(own, partner) -> None:
    """The last binding day of a terminated agreement is the day before its
    termination date."""
    agreement = agreement_between(own, partner)
    type(agreement).objects.filter(pk=agreement.pk).update(
        termination_date=LATER + dt.timedelta(days=9)
    )
    run_at(LATER, agreements_daily, "01:15")
    assert run_at(LATER + dt.timedelta(days=2), agreements_daily, "01:15")["reminders"] == 1
    assert (LATER + dt.timedelta(days=8)).strftime("%d.%m.%Y") in texts("agreements.ending")[
        agreement.pk
    ]


def test_an_end_moved_later_is_reminded_of_again(own, partner) -> None:
    """An annex moves the end a month on, after the 30-day reminder of the first end:
    the new end gets its own 30-day reminder (the history once kept one per kind)."""
    agreement = agreement_between(own, partner, valid_until=LATER + dt.timedelta(days=30))
    assert run_at(LATER, agreements_daily, "01:15")["reminders"] == 1
    moved = LATER + dt.timedelta(days=60)
    type(agreement).objects.filter(pk=agreement.pk).update(valid_until=moved)
    assert run_at(LATER + dt.timedelta(days=30), agreements_daily, "01:15")["reminders"] == 1
    assert notices("agreements.ending") and set(notices("agreements.ending").values()) == {2}
    ending = Notice.objects.filter(kind="agreements.ending").order_by("-pk").first()
    assert "za 30 dni" in ending.text
    assert agreement.events.filter(kind="reminder").count() == 2


def test_the_first_run_of_the_end_ahead_tells_todays_only(own, partner) -> None:
    agreement_between(own, partner, valid_until=LATER + dt.timedelta(days=6))
    today = agreement_between(own, partner, valid_until=LATER + dt.timedelta(days=7))
    assert run_at(LATER, agreements_daily, "01:15")["reminders"] == 1
    assert {t for t, _u in notices("agreements.ending")} == {today.pk}
    assert DailyRun.objects.get(job=AGREEMENTS_JOB).done_through == LATER


# --- clients: consents lapsing in 30 days, and lapsed ---------------------------------


def _consents(own, owner, partner, *valid_until: dt.date) -> list[Consent]:  # type: ignore[no-untyped-def]
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    consents = []
    for day in valid_until:
        client = ClientFactory(owner=own, created_by=owner)
        consent = consent_record(
            client=client,
            acting_user=owner,
            partner=partner,
            basis=LegalBasis.STATUTORY_TASK,
            scopes=[Scope.CLIENT_RECORDS],
            given_on=TODAY,
        )
        Consent.objects.filter(pk=consent.pk).update(valid_until=day)
        consents.append(consent)
    return consents


@pytest.mark.parametrize("start", [LATER, SPRING_DST, LEAP], ids=["plain", "dst", "29-february"])
def test_consents_lapsing_on_missed_days_are_told_once_with_the_date(
    own, owner, partner, start
) -> None:
    *lapsing, lapses = _consents(own, owner, partner, *days(start, 31, 32, 33, 1))
    assert run_at(start, consents_daily, "01:30") == {"lapsed": 0, "reminded": 0}
    back = start + dt.timedelta(days=3)
    assert run_at(back, consents_daily, "01:30") == {"lapsed": 1, "reminded": 3}
    once("clients.consent_lapsing")
    assert {t for t, _u in notices("clients.consent_lapsing")} == {c.pk for c in lapsing}
    said = texts("clients.consent_lapsing")
    for consent in lapsing:
        consent.refresh_from_db()
        assert consent.valid_until.strftime("%d.%m.%Y") in said[consent.pk]
        assert consent.reminder_sent_on == back
    once("clients.consent_lapsed")
    assert {t for t, _u in notices("clients.consent_lapsed")} == {lapses.pk}
    assert run_at(back, consents_daily, "09:00") == {"lapsed": 0, "reminded": 0}
    before = notices("clients.consent_lapsing")
    DailyRun.objects.filter(job=LAPSING_JOB).update(done_through=start)
    assert run_at(back, consents_daily, "10:00") == {"lapsed": 0, "reminded": 0}
    assert notices("clients.consent_lapsing") == before


def test_the_first_run_of_consents_lapsing_tells_todays_only(own, owner, partner) -> None:
    _yesterdays, todays = _consents(own, owner, partner, *days(LATER, 29, 30))
    assert run_at(LATER, consents_daily, "01:30") == {"lapsed": 0, "reminded": 1}
    assert {t for t, _u in notices("clients.consent_lapsing")} == {todays.pk}
    assert DailyRun.objects.get(job=LAPSING_JOB).done_through == LATER
