"""iCalendar (RFC 5545) files: one event's .ics, the e-mail attachment, a person's feed.

A series goes out as one VEVENT with its RRULE, an EXDATE for every
cancelled date and an overriding VEVENT (same UID, RECURRENCE-ID) for every
moved one — the form Outlook, Thunderbird and Google Calendar all import.

A case conference never carries its client's name or its agenda into a
calendar file: calendar files end up on third-party servers and phones.
The file says where to read the details, behind a login.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Event, EventKind, Occurrence
from .recurrence import zone

PRODID = "-//Wspolpraca//Kalendarz spotkan//PL"


def _uid(event: Event) -> str:
    return f"{event.uid}@wspolpraca"


def _description(event: Event, url: str) -> str:
    if event.kind == EventKind.CASE_CONFERENCE:
        return _("Case conference. The details are in the app, after logging in: %(url)s") % {
            "url": url
        }
    parts = [event.agenda.strip(), event.online_url, url]
    return "\n\n".join(p for p in parts if p)


def _location(event: Event) -> str:
    place = ", ".join(p for p in (str(event.room) if event.room else "", event.location) if p)
    if event.room and event.room.address:
        place = f"{place}, {event.room.address}"
    return place or event.online_url


def _base(event: Event, start: dt.datetime, end: dt.datetime) -> icalendar.Event:
    tz = zone(event.timezone)
    url = settings.SITE_URL + event.get_absolute_url()
    vevent = icalendar.Event.new(
        uid=_uid(event),
        stamp=timezone.now().astimezone(dt.UTC).replace(microsecond=0),
        start=start.astimezone(tz),
        end=end.astimezone(tz),
        summary=event.outside_title,
        description=_description(event, url),
        sequence=event.sequence,
        url=url,
        created=event.created_at.astimezone(dt.UTC).replace(microsecond=0),
        last_modified=event.updated_at.astimezone(dt.UTC).replace(microsecond=0),
    )
    location = _location(event)
    if location:
        vevent.add("location", location)
    vevent.add("categories", [str(EventKind(event.kind).label)])
    organiser = icalendar.vCalAddress(f"mailto:{event.organiser.email or 'no-reply@invalid'}")
    organiser.params["CN"] = event.organiser.name
    vevent.add("organizer", organiser)
    if event.kind == EventKind.CASE_CONFERENCE:
        vevent.add("class", "CONFIDENTIAL")
    return vevent


def event_components(event: Event, occurrences: Sequence[Occurrence]) -> list[icalendar.Event]:
    """The VEVENTs of one event: the master (with RRULE and EXDATEs for a series)
    and one override per moved date. `occurrences` are the event's dates."""
    tz = zone(event.timezone)
    cancelled_event = event.status == "cancelled"
    if not event.rrule:
        occurrence = occurrences[0] if occurrences else None
        start = occurrence.starts_at if occurrence else event.starts_at
        end = occurrence.ends_at if occurrence else event.ends_at
        vevent = _base(event, start, end)
        if cancelled_event or (occurrence and occurrence.cancelled):
            vevent.add("status", "CANCELLED")
        else:
            vevent.add("status", "CONFIRMED")
        return [vevent]
    master = _base(event, event.starts_at, event.ends_at)
    master.add("rrule", icalendar.vRecur.from_ical(event.rrule))
    master.add("status", "CANCELLED" if cancelled_event else "CONFIRMED")
    cancelled = [o.original_start.astimezone(tz) for o in occurrences if o.cancelled]
    if cancelled and not cancelled_event:
        master.add("exdate", cancelled)
    components = [master]
    for o in occurrences:
        if o.is_moved and not o.cancelled and not cancelled_event:
            override = _base(event, o.starts_at, o.ends_at)
            override.add("recurrence-id", o.original_start.astimezone(tz))
            override.add("status", "CONFIRMED")
            components.append(override)
    return components


def calendar_bytes(
    events: Iterable[tuple[Event, Sequence[Occurrence]]],
    *,
    name: str = "",
    method: str = "PUBLISH",
    refresh: dt.timedelta | None = None,
) -> bytes:
    """A VCALENDAR with the given events and the VTIMEZONEs they use."""
    cal = icalendar.Calendar.new(prodid=PRODID, method=method, calscale="GREGORIAN")
    if name:
        cal.add("name", name)
        cal.add("x-wr-calname", name)
    if refresh:
        cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", refresh)
    earliest = timezone.localdate()
    for event, occurrences in events:
        earliest = min(earliest, event.starts_at.date())
        for component in event_components(event, occurrences):
            cal.add_component(component)
    cal.add_missing_timezones(
        first_date=earliest - dt.timedelta(days=366),
        last_date=timezone.localdate() + dt.timedelta(days=366 * 10),
    )
    return cal.to_ical()


def cancellation_bytes(event: Event, occurrence: Occurrence | None) -> bytes:
    """METHOD:CANCEL for a whole event, or for one date of a series."""
    tz = zone(event.timezone)
    if occurrence is None or not event.rrule:
        vevent = _base(event, event.starts_at, event.ends_at)
        if event.rrule:
            vevent.add("rrule", icalendar.vRecur.from_ical(event.rrule))
    else:
        vevent = _base(event, occurrence.starts_at, occurrence.ends_at)
        vevent.add("recurrence-id", occurrence.original_start.astimezone(tz))
    vevent.add("status", "CANCELLED")
    cal = icalendar.Calendar.new(prodid=PRODID, method="CANCEL", calscale="GREGORIAN")
    cal.add_component(vevent)
    cal.add_missing_timezones(
        first_date=min(event.starts_at.date(), timezone.localdate()) - dt.timedelta(days=366),
        last_date=timezone.localdate() + dt.timedelta(days=366 * 10),
    )
    return cal.to_ical()


def ics_filename(event: Event) -> str:
    """The file's name leaves the app with it (an e-mail's attachment, a download): made
    from the outside title, as a case conference's own title may name the client."""
    from django.utils.text import slugify

    return f"{slugify(event.outside_title)[:60] or 'wydarzenie'}.ics"
