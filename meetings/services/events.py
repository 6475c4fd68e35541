"""Scheduling events and series, changing and cancelling them, their dates (materialised from the RRULE), moving or cancelling one date, and room clashes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clients.models import Client
from cooperation.audit import audit
from cooperation.models import AuditAction, Institution, Membership, User
from cooperation.permissions import require, visible
from cooperation.roles import COORDINATOR_ROLES, MANAGING_ROLES
from cooperation.services import model_update

from .. import recurrence
from ..models import (
    DEFAULT_TIMEZONE,
    ActionItem,
    Attendance,
    Event,
    EventInstitution,
    EventKind,
    EventStatus,
    Invitee,
    Occurrence,
    Response,
    Room,
)
from ..permissions import ORGANISE, SCHEDULE, SCHEDULE_ANY
from ..selectors import institutions_seeing_client, partner_institutions
from .answers import _promote_waitlisted
from .common import (
    MAX_DURATION,
    EventData,
    RoomOverlap,
    _acting_membership,
    _on_commit_notify,
    _require_scheduled,
)

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
) -> list[tuple[dt.datetime, dt.datetime, dt.datetime]]:
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
        "more": ngettext(" (and %(n)s more date)", " (and %(n)s more dates)", len(clashes) - 1)
        % {"n": len(clashes) - 1}
        if len(clashes) > 1
        else "",
    }
    raise RoomOverlap({"room": [message]})


def _validated_rule(data: EventData, tz) -> EventData:
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
            role__in=MANAGING_ROLES,
        ).select_related("user")
    )
    with_coordinator = {m.institution_id for m in members if m.role in COORDINATOR_ROLES}
    return [
        m
        for m in members
        if m.role in COORDINATOR_ROLES or m.institution_id not in with_coordinator
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
    require(acting_user, Event, SCHEDULE)
    if data.kind != EventKind.CASE_CONFERENCE:
        require(acting_user, Event, SCHEDULE_ANY)
    membership = _acting_membership(acting_user)
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
    require(acting_user, event, ORGANISE)
    event = Event.objects.select_for_update().get(pk=event.pk)
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
    if timing_changed or place_changed:
        event.sequence += 1
    # Saved even when only the invitees change; audited below with the institutions.
    model_update(
        instance=event,
        fields=changed,
        data=data.__dict__,
        acting_user=acting_user,
        audit_change=False,
    )
    if not changed:
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


def _check_series_history(event: Event, data: EventData, tz, now: dt.datetime) -> None:
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
    require(acting_user, event, ORGANISE)
    event = Event.objects.select_for_update().get(pk=event.pk)
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
    require(acting_user, occurrence.event, ORGANISE)
    occurrence = (
        Occurrence.objects.select_for_update().select_related("event").get(pk=occurrence.pk)
    )
    event = occurrence.event
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
    require(acting_user, occurrence.event, ORGANISE)
    occurrence = (
        Occurrence.objects.select_for_update().select_related("event").get(pk=occurrence.pk)
    )
    event = occurrence.event
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
