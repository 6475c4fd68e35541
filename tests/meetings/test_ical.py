"""iCalendar: the .ics of an event and the private subscription feed, valid per
RFC 5545 as the `icalendar` library reads them, and the feed's secret token."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from dateutil.rrule import rrulestr
from django.urls import reverse
from django.utils import timezone

from cooperation.services import membership_update
from meetings import recurrence, services
from meetings.models import FeedToken, Response

from .conftest import at, schedule


def _parse(data: bytes) -> icalendar.Calendar:
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in data.split(b"\r\n")), "lines must be folded at 75 octets"
    assert b"\n" not in data.replace(b"\r\n", b""), "line breaks must be CRLF"
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    for vevent in cal.walk("VEVENT"):
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert prop in vevent, prop
        assert vevent["DTSTART"].params["TZID"] == "Europe/Warsaw"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Warsaw"]
    return cal


@pytest.fixture
def series(coordinator):
    """A monthly series on the first Tuesday, from the first Tuesday of the month
    after next (whatever today is), with its second date moved and third cancelled."""
    today = timezone.localdate()
    month = dt.date(today.year + (today.month + 1) // 12, (today.month + 1) % 12 + 1, 1)
    start = at(month + dt.timedelta(days=(1 - month.weekday()) % 7), 10)
    event = schedule(
        coordinator,
        title="Zespół współpracy",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        rrule=recurrence.build_rrule(recurrence.Repeat.MONTHLY_WEEKDAY, start),
        location="MOPS, sala 12",
    )
    dates = list(event.occurrences.order_by("starts_at"))
    moved = dates[1]
    new_start = moved.starts_at + dt.timedelta(days=2)
    services.occurrence_move(
        occurrence=moved,
        acting_user=coordinator,
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(hours=2),
    )
    services.occurrence_cancel(occurrence=dates[2], acting_user=coordinator, reason="")
    return event


def test_a_series_downloads_as_rrule_with_exdate_and_a_moved_override(
    client, series, coordinator
) -> None:
    client.force_login(coordinator)
    response = client.get(reverse("meetings:event_ics", args=[series.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    cal = _parse(response.content)
    master, override = cal.walk("VEVENT")
    dates = list(series.occurrences.order_by("original_start"))
    assert master["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=1TU"
    assert master["UID"] == override["UID"]
    assert [d.dt for d in master["EXDATE"].dts] == [dates[2].original_start]
    assert override["RECURRENCE-ID"].dt == dates[1].original_start
    assert override["DTSTART"].dt == dates[1].starts_at
    assert int(master["SEQUENCE"]) == 2
    assert str(master["LOCATION"]) == "MOPS, sala 12"


def test_a_calendar_program_expanding_the_file_gets_the_dates_in_the_app(
    client, series, coordinator
) -> None:
    client.force_login(coordinator)
    cal = _parse(client.get(reverse("meetings:event_ics", args=[series.pk])).content)
    master, override = cal.walk("VEVENT")
    horizon = series.occurrences.order_by("-original_start").first().original_start
    rule = rrulestr("RRULE:" + master["RRULE"].to_ical().decode(), dtstart=master["DTSTART"].dt)
    excluded = {d.dt for d in master["EXDATE"].dts} | {override["RECURRENCE-ID"].dt}
    expanded = sorted(
        [d for d in rule.between(master["DTSTART"].dt, horizon, inc=True) if d not in excluded]
        + [override["DTSTART"].dt]
    )
    in_app = list(
        series.occurrences.filter(cancelled=False)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    assert expanded == in_app
    assert {d.astimezone(master["DTSTART"].dt.tzinfo).hour for d in expanded} == {10}


def test_a_single_event_and_a_cancelled_one(client, coordinator) -> None:
    event = schedule(coordinator, title="Dzień informacyjny", kind="info_session")
    client.force_login(coordinator)
    vevent = _parse(client.get(reverse("meetings:event_ics", args=[event.pk])).content).walk(
        "VEVENT"
    )[0]
    assert "RRULE" not in vevent and str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent["DTSTART"].dt == event.starts_at
    services.event_cancel(event=event, acting_user=coordinator, reason="")
    vevent = _parse(client.get(reverse("meetings:event_ics", args=[event.pk])).content).walk(
        "VEVENT"
    )[0]
    assert str(vevent["STATUS"]) == "CANCELLED"


# --- the feed ----------------------------------------------------------------------


def _new_feed(client, user) -> str:
    client.force_login(user)
    client.post(reverse("meetings:feed_settings"), {"action": "create"})
    body = client.get(reverse("meetings:feed_settings")).content.decode()
    url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', body).group(1)
    # Shown once: the next visit no longer has it.
    assert url not in client.get(reverse("meetings:feed_settings")).content.decode()
    client.logout()
    return url.split("/feed/", 1)[1].removesuffix(".ics")


def test_a_valid_token_opens_the_feed_without_logging_in(
    client, own, partner, agreement, coordinator, partner_coordinator, colleague
) -> None:
    mine = schedule(coordinator, title="Moje spotkanie", institutions=[partner])
    declined = schedule(coordinator, title="Odrzucone", institutions=[partner])
    services.invitation_respond(
        event=declined, acting_user=partner_coordinator, response=Response.DECLINED
    )
    schedule(coordinator, title="Bez PUP")
    token = _new_feed(client, partner_coordinator)
    response = client.get(reverse("meetings:feed", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = _parse(response.content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == [mine.title]
    assert "REFRESH-INTERVAL" in cal and "X-WR-CALNAME" in cal
    assert FeedToken.objects.get(user=partner_coordinator).last_used_at is not None
    client.force_login(colleague)  # a browser logged in as someone else changes nothing
    assert (
        _parse(client.get(reverse("meetings:feed", args=[token])).content).walk("VEVENT")[0][
            "SUMMARY"
        ]
        == mine.title
    )


def test_only_a_hash_of_the_token_is_stored(client, coordinator) -> None:
    token = _new_feed(client, coordinator)
    stored = FeedToken.objects.get(user=coordinator).token_hash
    assert token not in stored and len(stored) == 64


def test_a_revoked_or_replaced_token_gives_404(client, coordinator) -> None:
    schedule(coordinator)
    old = _new_feed(client, coordinator)
    new = _new_feed(client, coordinator)
    assert client.get(reverse("meetings:feed", args=[old])).status_code == 404
    assert client.get(reverse("meetings:feed", args=[new])).status_code == 200
    client.force_login(coordinator)
    client.post(reverse("meetings:feed_settings"), {"action": "revoke"})
    client.logout()
    assert client.get(reverse("meetings:feed", args=[new])).status_code == 404
    assert not FeedToken.objects.exists()


@pytest.mark.parametrize("token", ["wrong", "x" * 43, "a" * 200, "' OR 1=1 --"])
def test_a_wrong_token_gives_404(client, coordinator, token) -> None:
    _new_feed(client, coordinator)
    assert client.get(reverse("meetings:feed", args=[token])).status_code == 404


def test_a_token_dies_with_the_membership(client, own, coordinator, colleague) -> None:
    token = _new_feed(client, colleague)
    membership = colleague.memberships.get(is_active=True)
    membership_update(
        membership=membership, acting_user=coordinator, role=membership.role, is_active=False
    )
    assert client.get(reverse("meetings:feed", args=[token])).status_code == 404
