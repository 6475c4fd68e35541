"""What the meetings pages show, built from the selectors so the views stay thin:
the month grid, the agenda by day, the event page's context, form initials."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from cooperation.http import MemberRequest
from cooperation.models import Institution, User
from cooperation.permissions import can

from . import recurrence
from .models import Event, EventStatus, Invitee, Occurrence, Response
from .permissions import ORGANISE
from .selectors import (
    calendar_occurrences,
    clients_shown_to,
    event_people,
    minutes_of,
    participant_institutions,
    participant_members,
    partner_institutions,
    seats_taken,
    with_my_answer,
)
from .services import RECORDS_OPEN_BEFORE


def _aware(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def parse_month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date().replace(day=1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def filter_institutions(request: MemberRequest) -> QuerySet[Institution]:
    own = request.institution
    ids = [own.pk, *partner_institutions(own).values_list("pk", flat=True)]
    return Institution.objects.filter(pk__in=ids).order_by("name")


def cleaned_filters(form: forms.Form) -> dict[str, object]:
    if not form.is_bound or not form.is_valid():
        return {}
    return {
        "institution": form.cleaned_data.get("institution"),
        "kind": form.cleaned_data.get("kind") or "",
    }


def filter_query(filters: dict[str, object]) -> str:
    params = {}
    if filters.get("institution"):
        params["institution"] = filters["institution"].pk  # type: ignore[attr-defined]
    if filters.get("kind"):
        params["kind"] = filters["kind"]
    return urlencode(params)


def _local_days(o: Occurrence) -> Iterable[dt.date]:
    first = timezone.localtime(o.starts_at).date()
    last = timezone.localtime(o.ends_at - dt.timedelta(microseconds=1)).date()
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def month_view(
    user: User, month: dt.date, *, institution: Institution | None = None, kind: str = ""
) -> dict[str, object]:
    """The month as weeks of days (Monday first), each with its dates; one query."""
    last = _add_months(month, 1) - dt.timedelta(days=1)
    grid_start = month - dt.timedelta(days=month.weekday())
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    occurrences = calendar_occurrences(
        user,
        start=_aware(grid_start),
        end=_aware(grid_end + dt.timedelta(days=1)),
        institution=institution,
        kind=kind,
    )
    by_day: dict[dt.date, list[Occurrence]] = {}
    for o in occurrences:
        for day in _local_days(o):
            by_day.setdefault(day, []).append(o)
    today = timezone.localdate()
    weeks = []
    day = grid_start
    while day <= grid_end:
        weeks.append(
            [
                {
                    "date": d,
                    "in_month": d.month == month.month,
                    "is_today": d == today,
                    "items": by_day.get(d, []),
                }
                for d in (day + dt.timedelta(days=i) for i in range(7))
            ]
        )
        day += dt.timedelta(days=7)
    return {
        "month": month,
        "weeks": weeks,
        "weekdays": [grid_start + dt.timedelta(days=i) for i in range(7)],
        "previous_month": _add_months(month, -1),
        "next_month": _add_months(month, 1),
        "this_month": today.replace(day=1),
        "count": sum(len(v) for v in by_day.values()),
    }


def agenda_occurrences(
    user: User,
    date_from: dt.date,
    date_to: dt.date,
    *,
    institution: Institution | None = None,
    kind: str = "",
) -> QuerySet[Occurrence]:
    qs = calendar_occurrences(
        user,
        start=_aware(date_from),
        end=_aware(date_to + dt.timedelta(days=1)),
        institution=institution,
        kind=kind,
    )
    return with_my_answer(qs, user)


def group_by_day(occurrences: Iterable[Occurrence]) -> list[tuple[dt.date, list[Occurrence]]]:
    days: dict[dt.date, list[Occurrence]] = {}
    for o in occurrences:
        days.setdefault(timezone.localtime(o.starts_at).date(), []).append(o)
    return list(days.items())


def records_open(occurrence: Occurrence) -> bool:
    return not occurrence.cancelled and timezone.now() >= occurrence.starts_at - RECORDS_OPEN_BEFORE


def occurrence_context(request: MemberRequest, occurrence: Occurrence) -> dict[str, object]:
    """Everything the event page (and the minutes PDF) shows, for this user."""
    event = occurrence.event
    user = request.user
    client = None
    if event.is_case_conference:
        client = clients_shown_to(user, [event.client_id]).get(event.client_id)  # type: ignore[arg-type]
    show_details = not event.is_case_conference or client is not None
    people = event_people(event)
    now = timezone.now()
    counts = {r: 0 for r in Response.values}
    for p in people:
        counts[p.response] += 1
    upcoming = event.occurrences.filter(ends_at__gte=now, cancelled=False)
    tz = recurrence.zone(event.timezone)
    return {
        "event": event,
        "occurrence": occurrence,
        "client": client,
        "show_details": show_details,
        "people": people,
        "mine": next((p for p in people if p.user_id == user.pk), None),
        "counts": counts,
        "places_left": (max(event.capacity - seats_taken(event), 0) if event.capacity else None),
        "institutions": list(participant_institutions(event)),
        "minutes": minutes_of(occurrence),
        "attendance": list(
            occurrence.attendance.select_related("user", "institution").order_by(
                "institution__name", "user__last_name"
            )
        ),
        "materials": list(event.materials.select_related("uploaded_by")) if show_details else [],
        "series_next": list(upcoming.exclude(pk=occurrence.pk).order_by("starts_at")[:6])
        if event.rrule
        else [],
        "series_past": list(
            event.occurrences.filter(ends_at__lt=now)
            .exclude(pk=occurrence.pk)
            .order_by("-starts_at")[:6]
        )
        if event.rrule
        else [],
        "rule_text": recurrence.describe(event.rrule, event.starts_at, tz),
        "can_organise": can(user, event, ORGANISE),
        "records_open": records_open(occurrence),
        "is_future": occurrence.starts_at > now and not occurrence.cancelled,
        # The person who scheduled it runs it; they have nothing to answer.
        "may_answer": event.status == EventStatus.SCHEDULED
        and user.pk != event.created_by_id
        and upcoming.exists(),
        "today": timezone.localdate(),
        "now": now,
    }


def attendance_people(occurrence: Occurrence) -> tuple[list[tuple], list[int]]:
    """(user, institution, answer) of everyone who may be marked, and who is marked present."""
    invitees = occurrence.event.invitees.exclude(response=Response.DECLINED).select_related(
        "user", "institution"
    )
    recorded = {a.user_id: a for a in occurrence.attendance.select_related("user", "institution")}
    people = [(i.user, i.institution, i.get_response_display()) for i in invitees]
    seen = {i.user_id for i in invitees}
    people += [(a.user, a.institution, _("declined")) for u, a in recorded.items() if u not in seen]
    people.sort(key=lambda p: (p[1].name, p[0].last_name, p[0].first_name))
    return people, [u for u, a in recorded.items() if a.present]


def action_item_owners(event: Event) -> tuple[list, dict[int, User]]:
    """Grouped choices for an action item's owner, and the users by id."""
    groups: dict[str, list[tuple[int, str]]] = {}
    people: dict[int, User] = {}
    for m in participant_members(event):
        groups.setdefault(m.institution.name, []).append((m.user_id, m.user.display_name))
        people[m.user_id] = m.user
    return list(groups.items()), people


def minutes_initial(occurrence: Occurrence) -> dict[str, object]:
    minutes = minutes_of(occurrence)
    if minutes is None:
        return {"minutes": {}, "decisions": [], "items": []}
    return {
        "minutes": {"notes": minutes.notes},
        "decisions": [{"text": d.text} for d in minutes.decisions.all()],
        "items": [
            {
                "item_id": i.pk,
                "description": i.description,
                "owner": i.owner_id,
                "due_date": i.due_date,
                "status": i.status,
            }
            for i in minutes.action_items.all()
        ],
    }


def event_initial(event: Event) -> dict[str, object]:
    tz = recurrence.zone(event.timezone)
    return {
        "kind": event.kind,
        "title": event.title,
        "client": event.client_id,
        "agenda": event.agenda,
        "capacity": event.capacity,
        "starts_at": event.starts_at.astimezone(tz),
        "ends_at": event.ends_at.astimezone(tz),
        "room": event.room_id,
        "location": event.location,
        "online_url": event.online_url,
        "institutions": list(
            event.institution_links.filter(is_organiser=False).values_list(
                "institution_id", flat=True
            )
        ),
        **recurrence.decompose(event.rrule, event.starts_at, tz),
    }


def back_to(event: Event, occurrence_pk: str | None) -> str:
    # isdecimal, not isdigit: int() refuses digits such as "²".
    if occurrence_pk and occurrence_pk.isdecimal():
        occurrence = event.occurrences.filter(pk=int(occurrence_pk)).first()
        if occurrence:
            return occurrence.get_absolute_url()
    return event.get_absolute_url()


def answer_message(invitee: Invitee) -> str:
    if invitee.response == Response.WAITLISTED:
        return _(
            "All places are taken: you are on the waiting list. We will e-mail you if a place frees up."
        )
    return {  # type: ignore[call-overload]
        Response.ACCEPTED: _("You accepted. See you there."),
        Response.MAYBE: _("You answered maybe."),
        Response.DECLINED: _("You declined."),
    }.get(invitee.response, _("Saved."))


def safe_next(request: MemberRequest, default: str) -> str:
    target = request.POST.get("next", "")
    # Only a path of this site: redirect() would take a bare word for a view
    # name (a 500), and a line break for the end of the Location header.
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default
