"""E-mails about events: invitations and changes with the .ics attached, reminders,
places freed on a waiting list, new action items.

One message per person (no one sees the others' addresses). Like the
calendar files, e-mails never name a case conference's client.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperation.models import User

from . import ical
from .models import ActionItem, Event, Occurrence

SUBJECTS = {
    "invitation": gettext_lazy("Invitation: %(title)s, %(when)s"),
    "changed": gettext_lazy("Changed: %(title)s, %(when)s"),
    "moved": gettext_lazy("Moved to another date: %(title)s, %(when)s"),
    "cancelled": gettext_lazy("Cancelled: %(title)s, %(when)s"),
    "event_cancelled": gettext_lazy("Cancelled: %(title)s"),
    "reminder": gettext_lazy("Tomorrow: %(title)s, %(when)s"),
    "promoted": gettext_lazy("A place is yours: %(title)s, %(when)s"),
}

LEADS = {
    "invitation": gettext_lazy(
        "You are invited. Please answer in the app (accept, maybe or decline)."
    ),
    "changed": gettext_lazy(
        "The organiser changed this event. The attached file updates your calendar."
    ),
    "moved": gettext_lazy(
        "One date of this event has moved. The attached file updates your calendar."
    ),
    "cancelled": gettext_lazy("One date of this event is cancelled."),
    "event_cancelled": gettext_lazy("This event is cancelled."),
    "reminder": gettext_lazy("A reminder: this event is tomorrow."),
    "promoted": gettext_lazy(
        "A place became free and it is now yours: you moved up from the waiting list."
    ),
}


def _when(start, end) -> str:
    start, end = timezone.localtime(start), timezone.localtime(end)
    if start.date() == end.date():
        return f"{date_format(start, 'j E Y, H:i')}–{date_format(end, 'H:i')}"
    return f"{date_format(start, 'j E Y, H:i')} – {date_format(end, 'j E Y, H:i')}"


def _first_upcoming(event: Event) -> Occurrence | None:
    return (
        event.occurrences.filter(ends_at__gte=timezone.now(), cancelled=False)
        .order_by("starts_at")
        .first()
    )


def _attachment(event: Event, occurrence: Occurrence | None, what: str) -> bytes:
    if what == "event_cancelled":
        return ical.cancellation_bytes(event, None)
    if what == "cancelled":
        return ical.cancellation_bytes(event, occurrence)
    return ical.calendar_bytes([(event, list(event.occurrences.all()))])


def event_notify(
    *, event_id: int, user_ids: Iterable[int], what: str, occurrence_id: int | None = None
) -> int:
    """Send one kind of message about an event to these people; returns how many went."""
    event = Event.objects.select_related("organiser", "room").get(pk=event_id)
    occurrence = (
        event.occurrences.get(pk=occurrence_id) if occurrence_id else _first_upcoming(event)
    )
    people = [u for u in User.objects.filter(pk__in=list(user_ids), is_active=True) if u.email]
    if not people:
        return 0
    start, end = (
        (occurrence.starts_at, occurrence.ends_at)
        if occurrence
        else (event.starts_at, event.ends_at)
    )
    when = _when(start, end)
    link = settings.SITE_URL + (
        occurrence.get_absolute_url() if occurrence else event.get_absolute_url()
    )
    subject = SUBJECTS[what] % {"title": event.outside_title, "when": when}
    body = render_to_string(
        "meetings/email/event.txt",
        {
            "lead": LEADS[what],
            "event": event,
            "title": event.outside_title,
            "when": when,
            "where": ical._location(event),
            "link": link,
            "reason": (occurrence.cancel_reason if occurrence and what == "cancelled" else "")
            or (event.cancel_reason if what == "event_cancelled" else ""),
        },
    )
    attachment = _attachment(event, occurrence, what)
    method = "CANCEL" if what in ("cancelled", "event_cancelled") else "PUBLISH"
    messages = []
    for person in people:
        message = EmailMessage(subject, body, None, [person.email])
        message.attach(
            ical.ics_filename(event), attachment, f"text/calendar; method={method}; charset=UTF-8"
        )
        messages.append(message)
    return get_connection().send_messages(messages) or 0


def action_items_notify(*, item_ids: Iterable[int]) -> int:
    """Tell each owner of a new action item what they took on, and by when."""
    items = ActionItem.objects.filter(pk__in=list(item_ids)).select_related(
        "owner", "minutes__occurrence__event__organiser"
    )
    messages = []
    for item in items:
        if not item.owner.email or not item.owner.is_active:
            continue
        occurrence = item.minutes.occurrence
        event = occurrence.event
        body = render_to_string(
            "meetings/email/action_item.txt",
            {
                "item": item,
                "title": event.outside_title,
                "when": _when(occurrence.starts_at, occurrence.ends_at),
                "link": settings.SITE_URL + occurrence.get_absolute_url(),
                "is_case_conference": event.is_case_conference,
            },
        )
        subject = _("New action item, due %(date)s") % {"date": date_format(item.due_date, "j E Y")}
        messages.append(EmailMessage(subject, body, None, [item.owner.email]))
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0
