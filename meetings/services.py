"""Writes of the meetings app. Each is atomic, checks who acts and the
event's state, audits, and queues its e-mails for after the commit.

Rules kept here and nowhere else:
- an organiser invites only institutions linked to it by an agreement in
  force (any scope), and people of the invited institutions or its own;
- a case conference is about a client the organiser may see, and invites
  only institutions that may see that client too;
- a training with a number of places puts those who accept once it is
  full on a waiting list, and moves the first of them up when a place frees;
- a series' dates come from its RRULE in local time; a date can be moved
  or cancelled alone; a series that has begun may change only its end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clients.models import Client
from cooperation.audit import audit
from cooperation.models import AuditAction, Institution, Membership, Role, User
from cooperation.permissions import membership_of, visible

from . import recurrence
from .models import (
    DEFAULT_TIMEZONE,
    ActionItem,
    ActionStatus,
    Attendance,
    Decision,
    Event,
    EventInstitution,
    EventKind,
    EventStatus,
    FeedToken,
    Invitee,
    Material,
    Minutes,
    Occurrence,
    Response,
    Room,
)
from .selectors import (
    event_get_for_user,
    institutions_seeing_client,
    may_organise,
    may_schedule,
    partner_institutions,
    seats_taken,
)
from .tasks import notify_action_items, notify_people

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

MAX_DURATION = dt.timedelta(days=14)
# Attendance and minutes open this long before a date starts (people sign in
# at the door) and stay open afterwards.
RECORDS_OPEN_BEFORE = dt.timedelta(hours=1)
MATERIAL_EXTENSIONS = (".pdf", ".odt", ".ods", ".odp", ".docx", ".xlsx", ".pptx", ".jpg", ".png")
MATERIAL_MAX_MB = 20


class RoomOverlap(ValidationError):
    """The room is booked at that time. A warning: the organiser may confirm and book anyway."""


@dataclass(frozen=True)
class EventData:
    """What the event form gives: the fields an organiser chooses."""

    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    rrule: str = ""
    room: Room | None = None
    location: str = ""
    online_url: str = ""
    agenda: str = ""
    capacity: int | None = None
    client: Client | None = None


@dataclass(frozen=True)
class ActionItemData:
    description: str
    owner: User
    due_date: dt.date
    status: str = ActionStatus.OPEN
    pk: int | None = None


def _on_commit_notify(
    event: Event, users: Iterable[User | int], what: str, occurrence: Occurrence | None = None
) -> None:
    ids = sorted({u if isinstance(u, int) else u.pk for u in users})
    if ids:
        occurrence_id = occurrence.pk if occurrence else None
        transaction.on_commit(lambda: notify_people.delay(event.pk, ids, what, occurrence_id))


def _acting_membership(user: User) -> Membership:
    membership = membership_of(user)
    if membership is None:
        raise PermissionDenied(_("You are not a member of any institution."))
    return membership


def _require_organiser(user: User, event: Event) -> None:
    if not may_organise(user, event):
        raise PermissionDenied(
            _("Only the organiser's coordinator or the person who scheduled it may do this.")
        )


def _require_scheduled(event: Event) -> None:
    if event.status != EventStatus.SCHEDULED:
        raise ValidationError(_("This event is cancelled."))


# --- validation of an event's fields -------------------------------------------


def _check_fields(
    data: EventData,
    *,
    organiser: Institution,
    acting_user: User,
    now: dt.datetime,
    start_changed: bool,
    allow_past: bool,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if data.kind not in EventKind.values:
        add("kind", _("Choose the kind of event."))
    if not data.title.strip():
        add("title", _("Give the event a title."))
    if data.ends_at <= data.starts_at:
        add("ends_at", _("The end is before the start."))
    elif data.ends_at - data.starts_at > MAX_DURATION:
        add("ends_at", _("An event can last at most 14 days."))
    if start_changed and not allow_past and data.starts_at < now:
        add("starts_at", _("The start is in the past. Choose a date from today on."))
    if data.capacity is not None and data.kind != EventKind.TRAINING:
        add("capacity", _("A number of places applies to trainings only."))
    if data.online_url and not data.online_url.lower().startswith(("https://", "http://")):
        add("online_url", _("Give a link starting with https://."))
    if data.room is not None and data.room.institution_id != organiser.pk:
        add("room", _("Choose one of your institution's rooms."))
    if data.kind == EventKind.CASE_CONFERENCE:
        if data.client is None:
            add("client", _("A case conference is about one client: choose the client."))
        elif not visible(Client, acting_user).filter(pk=data.client.pk).exists():
            add("client", _("Choose a client you may see."))
    elif data.client is not None:
        add("client", _("Only a case conference is about a client."))
    return errors


def _check_institutions(
    data: EventData, organiser: Institution, institutions: Sequence[Institution]
) -> dict[str, list[str]]:
    partners = set(partner_institutions(organiser).values_list("pk", flat=True))
    outside = [i.name for i in institutions if i.pk not in partners and i.pk != organiser.pk]
    if outside:
        return {
            "institutions": [
                _(
                    "Only institutions with an agreement in force with yours can be invited: %(names)s."
                )
                % {"names": ", ".join(sorted(outside))}
            ]
        }
    if data.kind == EventKind.CASE_CONFERENCE and data.client is not None:
        seeing = institutions_seeing_client(data.client)
        blind = [i.name for i in institutions if i.pk not in seeing]
        if blind:
            return {
                "institutions": [
                    _(
                        "The client's record is not shared with %(names)s, so they cannot take part in this case conference."
                    )
                    % {"names": ", ".join(sorted(blind))}
                ]
            }
    return {}


def _check_people(
    people: Sequence[User], allowed_institution_ids: set[int]
) -> tuple[dict[str, list[str]], dict[int, int]]:
    """People must work at the organiser or an invited institution; returns their institutions."""
    memberships = {
        m.user_id: m.institution_id
        for m in Membership.objects.filter(user__in=people, is_active=True)
    }
    wrong = [p.display_name for p in people if memberships.get(p.pk) not in allowed_institution_ids]
    if wrong:
        return {
            "people": [
                _(
                    "These people do not work at your institution or an invited one: %(names)s. Invite their institution too."
                )
                % {"names": ", ".join(sorted(wrong))}
            ]
        }, memberships
    return {}, memberships


def _spans(
    data: EventData, tz, now: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime, dt.datetime]]:  # type: ignore[no-untyped-def]
    """(original start, start, end) of each date the rule gives up to the horizon."""
    duration = data.ends_at - data.starts_at
    starts = recurrence.expand(
        data.rrule,
        data.starts_at,
        tz,
        until=max(now, data.starts_at) + dt.timedelta(days=recurrence.HORIZON_DAYS),
    )
    return [(s, s, s + duration) for s in starts]


def room_clashes(
    room: Room,
    spans: Iterable[tuple[dt.datetime, dt.datetime]],
    *,
    exclude_event: Event | None = None,
    exclude_occurrence: Occurrence | None = None,
    now: dt.datetime | None = None,
) -> list[Occurrence]:
    """Other bookings of the room that overlap any of the spans (future ones only)."""
    now = now or timezone.now()
    spans = [(s, e) for s, e in spans if e > now]
    if not spans:
        return []
    qs = Occurrence.objects.filter(
        event__room=room,
        event__status=EventStatus.SCHEDULED,
        cancelled=False,
        starts_at__lt=max(e for _s, e in spans),
        ends_at__gt=min(s for s, _e in spans),
    ).select_related("event")
    if exclude_event is not None:
        qs = qs.exclude(event=exclude_event)
    if exclude_occurrence is not None:
        qs = qs.exclude(pk=exclude_occurrence.pk)
    return [o for o in qs if any(o.starts_at < e and o.ends_at > s for s, e in spans)]


def _raise_overlap(room: Room, clashes: list[Occurrence]) -> None:
    first = clashes[0]
    local = timezone.localtime(first.starts_at)
    message = _(
        "%(room)s is already booked on %(date)s, %(start)s–%(end)s for “%(title)s”%(more)s. Tick the box below to book it anyway."
    ) % {
        "room": room.name,
        "date": date_format(local, "j E Y"),
        "start": date_format(local, "H:i"),
        "end": date_format(timezone.localtime(first.ends_at), "H:i"),
        "title": first.event.title,
        "more": _(" (and %(n)s more times)") % {"n": len(clashes) - 1} if len(clashes) > 1 else "",
    }
    raise RoomOverlap({"room": [message]})


def _validated_rule(data: EventData, tz) -> EventData:  # type: ignore[no-untyped-def]
    rule = recurrence.validate(data.rrule, data.starts_at, tz) if data.rrule else ""
    return EventData(**{**data.__dict__, "rrule": rule})


# --- scheduling -------------------------------------------------------------------


def _default_invitees(institution_ids: Iterable[int]) -> list[Membership]:
    """Whom an invited institution's invitation goes to: its coordinators, or
    its administrators where it has no coordinator."""
    members = list(
        Membership.objects.filter(
            institution_id__in=list(institution_ids),
            is_active=True,
            role__in=[Role.COORDINATOR, Role.INSTITUTION_ADMIN],
        ).select_related("user")
    )
    with_coordinator = {m.institution_id for m in members if m.role == Role.COORDINATOR}
    return [
        m for m in members if m.role == Role.COORDINATOR or m.institution_id not in with_coordinator
    ]


def _invite(
    event: Event, people: dict[int, int], *, invited_by: User, accepted: Iterable[int] = ()
) -> list[Invitee]:
    """Create invitations for {user id: institution id} not invited yet."""
    existing = set(event.invitees.values_list("user_id", flat=True))
    accepted = set(accepted)
    now = timezone.now()
    new = [
        Invitee(
            event=event,
            user_id=user_id,
            institution_id=institution_id,
            invited_by=invited_by,
            response=Response.ACCEPTED if user_id in accepted else Response.PENDING,
            responded_at=now if user_id in accepted else None,
        )
        for user_id, institution_id in people.items()
        if user_id not in existing
    ]
    return Invitee.objects.bulk_create(new)


@transaction.atomic
def event_schedule(
    *,
    acting_user: User,
    data: EventData,
    institutions: Sequence[Institution] = (),
    people: Sequence[User] = (),
    confirm_overlap: bool = False,
    allow_past: bool = False,
) -> Event:
    """Schedule an event or a series, invite institutions and people, e-mail them.

    `allow_past` lets an import or the demo record a meeting already held;
    the forms never pass it.
    """
    membership = _acting_membership(acting_user)
    if not may_schedule(acting_user, data.kind):
        raise PermissionDenied(_("Your role may schedule case conferences only."))
    organiser = membership.institution
    now = timezone.now()
    tz = recurrence.zone(DEFAULT_TIMEZONE)
    errors = _check_fields(
        data,
        organiser=organiser,
        acting_user=acting_user,
        now=now,
        start_changed=True,
        allow_past=allow_past,
    )
    institutions = [i for i in institutions if i.pk != organiser.pk]
    if not errors:
        errors |= _check_institutions(data, organiser, institutions)
    people_errors, people_institutions = _check_people(
        people, {organiser.pk, *(i.pk for i in institutions)}
    )
    errors |= people_errors
    if errors:
        raise ValidationError(errors)
    data = _validated_rule(data, tz)
    spans = _spans(data, tz, now)
    if data.room and not confirm_overlap:
        clashes = room_clashes(data.room, [(s, e) for _o, s, e in spans], now=now)
        if clashes:
            _raise_overlap(data.room, clashes)
    event = Event(
        organiser=organiser,
        created_by=acting_user,
        timezone=DEFAULT_TIMEZONE,
        **{**data.__dict__, "title": data.title.strip(), "location": data.location.strip()},
    )
    event.full_clean()
    event.save()
    EventInstitution.objects.bulk_create(
        [EventInstitution(event=event, institution=organiser, is_organiser=True)]
        + [EventInstitution(event=event, institution=i) for i in institutions]
    )
    invited = {m.user_id: m.institution_id for m in _default_invitees(i.pk for i in institutions)}
    invited |= {p.pk: people_institutions[p.pk] for p in people}
    invited[acting_user.pk] = organiser.pk
    _invite(event, invited, invited_by=acting_user, accepted=[acting_user.pk])
    occurrences_sync(event, now=now)
    audit(actor=acting_user, action=AuditAction.CREATE, obj=event, institution=organiser)
    _on_commit_notify(event, [u for u in invited if u != acting_user.pk], "invitation")
    return event


def _past_rule_dates(event: Event, now: dt.datetime) -> set[dt.datetime]:
    return set(
        event.occurrences.filter(original_start__lt=now).values_list("original_start", flat=True)
    )


@transaction.atomic
def event_update(
    *,
    event: Event,
    acting_user: User,
    data: EventData,
    institutions: Sequence[Institution],
    people: Sequence[User] = (),
    confirm_overlap: bool = False,
) -> Event:
    """Change an event (every date of a series), its invited institutions, and
    invite more people. Everyone invited hears of a change to time or place."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _require_organiser(acting_user, event)
    _require_scheduled(event)
    if data.kind != event.kind:
        raise ValidationError({"kind": _("The kind of an event cannot change.")})
    organiser = event.organiser
    now = timezone.now()
    tz = recurrence.zone(event.timezone)
    # A series that has begun has its first date in the past: whether its
    # dates may change is the history check's question, not "is it past".
    begun = event.occurrences.filter(original_start__lt=now).exists()
    errors = _check_fields(
        data,
        organiser=organiser,
        acting_user=acting_user,
        now=now,
        start_changed=data.starts_at != event.starts_at and not begun,
        allow_past=False,
    )
    institutions = [i for i in institutions if i.pk != organiser.pk]
    current = set(
        event.institution_links.filter(is_organiser=False).values_list("institution_id", flat=True)
    )
    wanted = {i.pk for i in institutions}
    new_institutions = [i for i in institutions if i.pk not in current]
    if not errors:
        # Institutions already taking part keep their place even if their
        # agreement has since ended; only newly invited ones are checked.
        errors |= _check_institutions(data, organiser, new_institutions)
        if data.client is not None and data.client.pk != event.client_id:
            errors |= _check_institutions(
                data, organiser, [i for i in institutions if i.pk in current]
            )
    errors |= _removal_errors(event, current - wanted)
    people_errors, people_institutions = _check_people(people, {organiser.pk, *wanted})
    errors |= people_errors
    if errors:
        raise ValidationError(errors)
    data = _validated_rule(data, tz)
    timing_changed = (data.starts_at, data.ends_at, data.rrule) != (
        event.starts_at,
        event.ends_at,
        event.rrule,
    )
    if timing_changed:
        _check_series_history(event, data, tz, now)
    if data.room and not confirm_overlap:
        spans = [(s, e) for _o, s, e in _spans(data, tz, now)]
        clashes = room_clashes(data.room, spans, exclude_event=event, now=now)
        if clashes:
            _raise_overlap(data.room, clashes)
    changed = [name for name, value in data.__dict__.items() if getattr(event, name) != value]
    place_changed = {"room", "location", "online_url"} & set(changed)
    for name in changed:
        setattr(event, name, getattr(data, name))
    if timing_changed or place_changed:
        event.sequence += 1
    event.full_clean()
    event.save()
    removed = current - wanted
    if removed:
        event.invitees.filter(institution_id__in=removed).delete()
        event.institution_links.filter(institution_id__in=removed).delete()
    EventInstitution.objects.bulk_create(
        [EventInstitution(event=event, institution=i) for i in new_institutions]
    )
    invited = {
        m.user_id: m.institution_id for m in _default_invitees(i.pk for i in new_institutions)
    }
    invited |= {p.pk: people_institutions[p.pk] for p in people}
    created = _invite(event, invited, invited_by=acting_user)
    if timing_changed:
        occurrences_sync(event, now=now)
    if "capacity" in changed:
        _promote_waitlisted(event)
    if changed or removed or created:
        audit(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=event,
            fields=changed + (["institutions"] if removed or new_institutions else []),
        )
    newly = {i.user_id for i in created}
    if timing_changed or place_changed:
        others = (
            event.invitees.exclude(response=Response.DECLINED)
            .exclude(user_id__in=newly | {acting_user.pk})
            .values_list("user_id", flat=True)
        )
        _on_commit_notify(event, list(others), "changed")
    _on_commit_notify(event, newly - {acting_user.pk}, "invitation")
    return event


def _removal_errors(event: Event, removed: set[int]) -> dict[str, list[str]]:
    if not removed:
        return {}
    took_part = (
        Attendance.objects.filter(occurrence__event=event, institution_id__in=removed).exists()
        or ActionItem.objects.filter(
            minutes__occurrence__event=event, institution_id__in=removed
        ).exists()
    )
    if took_part:
        return {
            "institutions": [
                _(
                    "An institution that has attended or owns an action item cannot be removed from the event."
                )
            ]
        }
    return {}


def _check_series_history(event: Event, data: EventData, tz, now: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    """A series that has begun may change only how long it runs: its past dates stay."""
    past = _past_rule_dates(event, now)
    if not past:
        return
    before = set(
        recurrence.expand(data.rrule, data.starts_at, tz, until=now - dt.timedelta(microseconds=1))
    )
    if before == past:
        return
    if event.rrule:
        raise ValidationError(
            {
                "repeat": _(
                    "This series has already begun, so only its end can change. To change its day or time, end it and schedule a new series."
                )
            }
        )
    raise ValidationError(
        {"starts_at": _("This event has already taken place; its date cannot change.")}
    )


def occurrences_sync(event: Event, *, now: dt.datetime | None = None) -> int:
    """Make the event's Occurrence rows match its rule up to the horizon.

    Guarantees: one row per date the rule gives from the first date to
    `now + HORIZON_DAYS`; a moved or cancelled date keeps what was done to
    it while its rule date remains; past dates are never touched; future
    dates the rule no longer gives are removed. Returns how many were added.
    """
    now = now or timezone.now()
    tz = recurrence.zone(event.timezone)
    duration = event.ends_at - event.starts_at
    existing = {o.original_start: o for o in event.occurrences.all()}
    if not event.rrule:
        # A single event: its one date follows the event.
        occurrence = next(iter(existing.values()), None)
        if occurrence is None:
            Occurrence.objects.create(
                event=event,
                original_start=event.starts_at,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
            )
            return 1
        occurrence.original_start = occurrence.starts_at = event.starts_at
        occurrence.ends_at = event.ends_at
        occurrence.is_moved = False
        occurrence.save(update_fields=["original_start", "starts_at", "ends_at", "is_moved"])
        return 0
    horizon = max(now, event.starts_at) + dt.timedelta(days=recurrence.HORIZON_DAYS)
    wanted = recurrence.expand(event.rrule, event.starts_at, tz, until=horizon)
    wanted_set = set(wanted)
    stale = [
        o.pk
        for start, o in existing.items()
        if start not in wanted_set and start >= now and o.starts_at >= now
    ]
    Occurrence.objects.filter(pk__in=stale, minutes__isnull=True, attendance__isnull=True).delete()
    refreshed = []
    for start, o in existing.items():
        if start in wanted_set and not o.is_moved and start >= now:
            o.starts_at, o.ends_at = start, start + duration
            refreshed.append(o)
    Occurrence.objects.bulk_update(refreshed, ["starts_at", "ends_at"])
    new = [
        Occurrence(event=event, original_start=s, starts_at=s, ends_at=s + duration)
        for s in wanted
        if s not in existing
    ]
    Occurrence.objects.bulk_create(new)
    return len(new)


def occurrences_extend_all(*, now: dt.datetime | None = None) -> int:
    """Daily: extend every scheduled series up to the horizon. Idempotent."""
    now = now or timezone.now()
    added = 0
    series = Event.objects.filter(status=EventStatus.SCHEDULED).exclude(rrule="")
    for pk in series.values_list("pk", flat=True):
        with transaction.atomic():
            event = Event.objects.select_for_update().get(pk=pk)
            added += occurrences_sync(event, now=now)
    return added


@transaction.atomic
def event_cancel(*, event: Event, acting_user: User, reason: str) -> Event:
    """Cancel an event, or every future date of a series; the invited are told."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _require_organiser(acting_user, event)
    _require_scheduled(event)
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason.strip()
    event.sequence += 1
    event.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    event.occurrences.filter(starts_at__gte=timezone.now(), cancelled=False).update(
        cancelled=True, cancel_reason=reason.strip()
    )
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=event, fields=["status"])
    people = event.invitees.exclude(response=Response.DECLINED).exclude(user=acting_user)
    _on_commit_notify(event, list(people.values_list("user_id", flat=True)), "event_cancelled")
    return event


def _require_future(occurrence: Occurrence) -> None:
    if occurrence.cancelled:
        raise ValidationError(_("This date is already cancelled."))
    if occurrence.starts_at <= timezone.now():
        raise ValidationError(_("This date has already begun; it cannot be changed."))


@transaction.atomic
def occurrence_move(
    *,
    occurrence: Occurrence,
    acting_user: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    confirm_overlap: bool = False,
) -> Occurrence:
    """Move one date of an event; the rest of the series stays where it is."""
    occurrence = (
        Occurrence.objects.select_for_update().select_related("event").get(pk=occurrence.pk)
    )
    event = occurrence.event
    _require_organiser(acting_user, event)
    _require_scheduled(event)
    _require_future(occurrence)
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The end is before the start.")]
    elif ends_at - starts_at > MAX_DURATION:
        errors["ends_at"] = [_("An event can last at most 14 days.")]
    if starts_at < timezone.now():
        errors["starts_at"] = [_("The start is in the past. Choose a date from today on.")]
    if errors:
        raise ValidationError(errors)
    if event.room and not confirm_overlap:
        clashes = room_clashes(event.room, [(starts_at, ends_at)], exclude_occurrence=occurrence)
        if clashes:
            _raise_overlap(event.room, clashes)
    occurrence.starts_at, occurrence.ends_at = starts_at, ends_at
    occurrence.is_moved = (starts_at, ends_at) != (
        occurrence.original_start,
        occurrence.original_start + event.duration,
    )
    occurrence.full_clean()
    occurrence.save()
    Event.objects.filter(pk=event.pk).update(sequence=event.sequence + 1)
    event.sequence += 1
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=occurrence, fields=["starts_at"])
    people = event.invitees.exclude(response=Response.DECLINED).exclude(user=acting_user)
    _on_commit_notify(event, list(people.values_list("user_id", flat=True)), "moved", occurrence)
    return occurrence


@transaction.atomic
def occurrence_cancel(*, occurrence: Occurrence, acting_user: User, reason: str) -> Occurrence:
    """Cancel one date of an event; the rest of the series stays."""
    occurrence = (
        Occurrence.objects.select_for_update().select_related("event").get(pk=occurrence.pk)
    )
    event = occurrence.event
    _require_organiser(acting_user, event)
    _require_scheduled(event)
    _require_future(occurrence)
    occurrence.cancelled = True
    occurrence.cancel_reason = reason.strip()
    occurrence.save(update_fields=["cancelled", "cancel_reason"])
    Event.objects.filter(pk=event.pk).update(sequence=event.sequence + 1)
    event.sequence += 1
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=occurrence, fields=["cancelled"])
    people = event.invitees.exclude(response=Response.DECLINED).exclude(user=acting_user)
    _on_commit_notify(
        event, list(people.values_list("user_id", flat=True)), "cancelled", occurrence
    )
    return occurrence


# --- answers and the waiting list ---------------------------------------------------


def _promote_waitlisted(event: Event) -> list[Invitee]:
    """Move people up from the waiting list while places are free, first come first served."""
    promoted = []
    accepted = seats_taken(event)
    waiting = event.invitees.filter(response=Response.WAITLISTED).order_by("waitlisted_at", "pk")
    for invitee in waiting:
        if event.capacity is not None and accepted >= event.capacity:
            break
        invitee.response = Response.ACCEPTED
        invitee.waitlisted_at = None
        invitee.save(update_fields=["response", "waitlisted_at"])
        accepted += 1
        promoted.append(invitee)
    _on_commit_notify(event, [i.user_id for i in promoted], "promoted")
    return promoted


@transaction.atomic
def invitation_respond(*, event: Event, acting_user: User, response: str) -> Invitee:
    """The acting person answers for themselves: accept, maybe or decline.

    Someone of a participating institution who was not invited by name
    signs up this way. Accepting a full training puts them on the waiting
    list; leaving an accepted place gives it to the first one waiting.
    """
    if response not in (Response.ACCEPTED, Response.MAYBE, Response.DECLINED):
        raise ValidationError(_("Choose accept, maybe or decline."))
    event = Event.objects.select_for_update().get(pk=event_get_for_user(acting_user, event.pk).pk)
    _require_scheduled(event)
    if not event.occurrences.filter(ends_at__gt=timezone.now(), cancelled=False).exists():
        raise ValidationError(_("This event is over; there is nothing left to answer."))
    membership = _acting_membership(acting_user)
    invitee = Invitee.objects.select_for_update().filter(event=event, user=acting_user).first()
    if invitee is None:
        invitee = Invitee(event=event, user=acting_user, institution=membership.institution)
    before = invitee.response if invitee.pk else Response.PENDING
    now = timezone.now()
    if response == Response.ACCEPTED and before in (Response.ACCEPTED, Response.WAITLISTED):
        return invitee
    full = event.capacity is not None and seats_taken(event) >= event.capacity
    if response == Response.ACCEPTED and full and acting_user.pk != event.created_by_id:
        response = Response.WAITLISTED
        invitee.waitlisted_at = now
    if response != Response.WAITLISTED:
        invitee.waitlisted_at = None
    invitee.response = response
    invitee.responded_at = now
    invitee.save()
    if before == Response.ACCEPTED and response != Response.ACCEPTED:
        _promote_waitlisted(event)
    audit(
        actor=acting_user,
        action=AuditAction.UPDATE,
        obj=invitee,
        fields=["response"],
        reason=response,
    )
    return invitee


# --- attendance, minutes, action items ----------------------------------------------


def _require_records_open(occurrence: Occurrence) -> None:
    if occurrence.cancelled:
        raise ValidationError(_("This date is cancelled."))
    if timezone.now() < occurrence.starts_at - RECORDS_OPEN_BEFORE:
        raise ValidationError(
            _("Attendance and minutes can be recorded from an hour before the start.")
        )


@transaction.atomic
def attendance_record(*, occurrence: Occurrence, acting_user: User, present: Iterable[int]) -> int:
    """Record who of the invited came (everyone else: absent). Returns how many came."""
    event = occurrence.event
    _require_organiser(acting_user, event)
    _require_records_open(occurrence)
    present = set(present)
    invitees = {i.user_id: i for i in event.invitees.exclude(response=Response.DECLINED)}
    recorded = {a.user_id: a for a in occurrence.attendance.all()}
    people = {**{u: i.institution_id for u, i in invitees.items()}}
    people |= {u: a.institution_id for u, a in recorded.items()}
    unknown = present - set(people)
    if unknown:
        raise ValidationError(_("Only invited people can be marked present."))
    for user_id, institution_id in people.items():
        Attendance.objects.update_or_create(
            occurrence=occurrence,
            user_id=user_id,
            defaults={
                "present": user_id in present,
                "institution_id": institution_id,
                "recorded_by": acting_user,
            },
        )
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=occurrence, fields=["attendance"])
    return len(present)


def _participant_institutions(event: Event) -> set[int]:
    return set(event.institution_links.values_list("institution_id", flat=True))


@transaction.atomic
def minutes_save(
    *,
    occurrence: Occurrence,
    acting_user: User,
    notes: str,
    decisions: Sequence[str],
    action_items: Sequence[ActionItemData],
) -> Minutes:
    """Write or rewrite the minutes of one date: notes, decisions in order, action items.

    Guarantees: every action item's owner works at a participating
    institution, which becomes the item's institution; an item left out is
    removed; an item's done date is kept while it stays done; new owners are
    e-mailed.
    """
    event = occurrence.event
    _require_organiser(acting_user, event)
    _require_records_open(occurrence)
    participating = _participant_institutions(event)
    owners = {
        m.user_id: m.institution_id
        for m in Membership.objects.filter(user__in=[a.owner for a in action_items], is_active=True)
    }
    errors = []
    for index, item in enumerate(action_items, start=1):
        if owners.get(item.owner.pk) not in participating:
            errors.append(
                _("Action item %(n)s: its owner must work at an institution taking part.")
                % {"n": index}
            )
        if item.due_date < timezone.localtime(occurrence.starts_at).date():
            errors.append(
                _("Action item %(n)s: the due date is before the meeting.") % {"n": index}
            )
        if item.status not in ActionStatus.values:
            errors.append(_("Action item %(n)s: unknown status.") % {"n": index})
        if not item.description.strip():
            errors.append(_("Action item %(n)s: say what is to be done.") % {"n": index})
    if errors:
        raise ValidationError({"action_items": errors})
    minutes, created = Minutes.objects.get_or_create(
        occurrence=occurrence, defaults={"written_by": acting_user, "notes": notes.strip()}
    )
    if not created:
        minutes.notes = notes.strip()
        minutes.save(update_fields=["notes", "updated_at"])
    minutes.decisions.all().delete()
    Decision.objects.bulk_create(
        [
            Decision(minutes=minutes, text=text.strip(), position=n)
            for n, text in enumerate(decisions)
            if text.strip()
        ]
    )
    new_items = _save_action_items(minutes, action_items, owners)
    audit(
        actor=acting_user,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=minutes,
        fields=["notes", "decisions", "action_items"],
    )
    ids = [i.pk for i in new_items if i.owner_id != acting_user.pk]
    if ids:
        transaction.on_commit(lambda: notify_action_items.delay(ids))
    return minutes


def _save_action_items(
    minutes: Minutes, items: Sequence[ActionItemData], owners: dict[int, int]
) -> list[ActionItem]:
    existing = {i.pk: i for i in minutes.action_items.all()}
    kept, new = [], []
    now = timezone.now()
    for position, data in enumerate(items):
        item = existing.get(data.pk) if data.pk else None
        if data.pk and item is None:
            raise ValidationError(
                {"action_items": [_("This action item is not in these minutes.")]}
            )
        item = item or ActionItem(minutes=minutes)
        item.description = data.description.strip()
        item.owner = data.owner
        item.institution_id = owners[data.owner.pk]
        item.due_date = data.due_date
        if data.status == ActionStatus.DONE and item.status != ActionStatus.DONE:
            item.done_at = now
        elif data.status != ActionStatus.DONE:
            item.done_at = None
        item.status = data.status
        item.position = position
        item.full_clean(exclude=["minutes"])
        (kept if item.pk else new).append(item)
    minutes.action_items.exclude(pk__in=[i.pk for i in kept]).delete()
    for item in kept:
        item.save()
    return ActionItem.objects.bulk_create(new)


@transaction.atomic
def action_item_set_status(*, item: ActionItem, acting_user: User, status: str) -> ActionItem:
    """The owner (or the organiser) moves an action item on; done ones leave the home page."""
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    event = item.minutes.occurrence.event
    if item.owner_id != acting_user.pk and not may_organise(acting_user, event):
        raise PermissionDenied(_("Only the owner or the organiser may change this action item."))
    if status == item.status:
        return item
    item.status = status
    item.done_at = timezone.now() if status == ActionStatus.DONE else None
    item.save(update_fields=["status", "done_at"])
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=item, fields=["status"])
    return item


# --- materials -----------------------------------------------------------------------


def may_see_case_details(user: User, event: Event) -> bool:
    """A case conference's client and its files: only for people who may see the client."""
    if not event.is_case_conference:
        return True
    return visible(Client, user).filter(pk=event.client_id).exists()


@transaction.atomic
def material_add(*, event: Event, acting_user: User, title: str, file: UploadedFile) -> Material:
    """A participant shares a file with the other participants."""
    event = event_get_for_user(acting_user, event.pk)
    if not may_see_case_details(acting_user, event):
        raise PermissionDenied
    name = file.name.lower()
    if not name.endswith(MATERIAL_EXTENSIONS):
        raise ValidationError({"file": _("This kind of file cannot be added.")})
    if file.size > MATERIAL_MAX_MB * 1024 * 1024:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    material = Material(
        event=event, title=title.strip() or file.name, file=file, uploaded_by=acting_user
    )
    material.full_clean()
    material.save()
    audit(actor=acting_user, action=AuditAction.CREATE, obj=material)
    return material


@transaction.atomic
def material_remove(*, material: Material, acting_user: User) -> None:
    if material.uploaded_by_id != acting_user.pk and not may_organise(acting_user, material.event):
        raise PermissionDenied(_("Only who added the file or the organiser may remove it."))
    audit(actor=acting_user, action=AuditAction.DELETE, obj=material)
    material.file.delete(save=False)
    material.delete()


# --- the calendar feed ---------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_token_create(*, acting_user: User) -> str:
    """A new secret feed address for the user; the old one stops working.
    Returns the token, which is shown once and never stored."""
    token = secrets.token_urlsafe(32)
    feed, _created = FeedToken.objects.update_or_create(
        user=acting_user,
        defaults={"token_hash": _hash(token), "created_at": timezone.now(), "last_used_at": None},
    )
    audit(actor=acting_user, action=AuditAction.GRANT, obj=feed, reason="calendar feed")
    return token


@transaction.atomic
def feed_token_revoke(*, acting_user: User) -> bool:
    feed = FeedToken.objects.filter(user=acting_user).first()
    if feed is None:
        return False
    audit(actor=acting_user, action=AuditAction.REVOKE, obj=feed, reason="calendar feed")
    feed.delete()
    return True


def feed_user(token: str) -> User | None:
    """The person a feed token belongs to, if it is current and they still work somewhere."""
    if not token or len(token) > 100:
        return None
    feed = (
        FeedToken.objects.select_related("user")
        .filter(token_hash=_hash(token), user__is_active=True)
        .first()
    )
    if feed is None or membership_of(feed.user) is None:
        return None
    FeedToken.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user


# --- reminders -----------------------------------------------------------------------


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Daily: e-mail everyone who has not declined about tomorrow's dates. Idempotent:
    a date is reminded once. Returns how many dates were reminded."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(tomorrow, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    due = Occurrence.objects.filter(
        starts_at__gte=start,
        starts_at__lt=end,
        cancelled=False,
        event__status=EventStatus.SCHEDULED,
        reminder_sent_at__isnull=True,
    ).select_related("event")
    count = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            occurrence = (
                Occurrence.objects.select_for_update()
                .select_related("event")
                .filter(pk=pk, reminder_sent_at__isnull=True)
                .first()
            )
            if occurrence is None:
                continue
            occurrence.reminder_sent_at = now
            occurrence.save(update_fields=["reminder_sent_at"])
            people = occurrence.event.invitees.filter(
                Q(response__in=[Response.ACCEPTED, Response.MAYBE, Response.PENDING])
            ).values_list("user_id", flat=True)
            _on_commit_notify(occurrence.event, list(people), "reminder", occurrence)
            count += 1
    return count
