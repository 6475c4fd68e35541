"""Permission-filtered reads of events, their dates, minutes and action items.

An event is visible to the staff of its organiser and of every institution
it invites. A case conference's client is shown only to a person who may
see that client (`visible(Client, user)`), never merely because they may
see the conference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from agreements.models import Party
from agreements.scope import in_force
from clients.models import Client
from cooperation.http import MemberRequest
from cooperation.models import Institution, Membership, User
from cooperation.permissions import (
    VIEW,
    can,
    get_visible_or_404,
    institution_of,
    policy_for,
    require,
    visible,
)

from .models import (
    OPEN_ACTION_STATUSES,
    ActionItem,
    Event,
    EventInstitution,
    EventKind,
    Invitee,
    Minutes,
    Occurrence,
    Response,
)
from .permissions import ORGANISE, SCHEDULE

# Who may schedule what: coordinators and administrators anything; the


def partner_institutions(institution: Institution | int) -> QuerySet[Institution]:
    """Institutions linked to `institution` by an agreement in force today, of any scope."""
    pk = institution.pk if isinstance(institution, Institution) else institution
    agreements = in_force().filter(parties__institution_id=pk).values("pk")
    linked = Party.objects.filter(agreement__in=agreements).values("institution_id")
    return Institution.objects.filter(pk__in=linked, is_active=True).exclude(pk=pk)


def institutions_seeing_client(client: Client) -> set[int]:
    """Ids of the institutions that may see a client: its owner and those it is shared with."""
    policy = policy_for(Client)
    ids = {client.owner_id}
    if policy.group_permission_model is not None:
        ids |= set(
            policy.group_permission_model.objects.filter(  # type: ignore[attr-defined]
                content_object=client, permission__codename=policy.codename(VIEW)
            ).values_list("group__institution", flat=True)
        )
    return {i for i in ids if i is not None}


def events_visible_to(user: User) -> QuerySet[Event]:
    return visible(Event, user).select_related("organiser", "room")


def event_get_for_user(user: User, pk: int) -> Event:
    """One event the user's institution takes part in (404 otherwise)."""
    return get_visible_or_404(events_visible_to(user), user, VIEW, pk=pk)


def event_get_for_organiser(user: User, pk: int) -> Event:
    """One event the user may manage: 404 to outsiders, 403 to participants who may not."""
    event = event_get_for_user(user, pk)
    require(user, event, ORGANISE)
    return event


def occurrences_visible_to(user: User) -> QuerySet[Occurrence]:
    return visible(Occurrence, user).select_related("event", "event__organiser", "event__room")


def occurrence_get_for_user(user: User, pk: int) -> Occurrence:
    return get_visible_or_404(occurrences_visible_to(user), user, VIEW, pk=pk)


def occurrence_get_for_organiser(user: User, pk: int) -> Occurrence:
    occurrence = occurrence_get_for_user(user, pk)
    require(user, occurrence.event, ORGANISE)
    return occurrence


def calendar_occurrences(
    user: User,
    *,
    start: dt.datetime,
    end: dt.datetime,
    institution: Institution | None = None,
    kind: str = "",
) -> QuerySet[Occurrence]:
    """The dates the user may see that overlap [start, end), one query, by time."""
    qs = occurrences_visible_to(user).filter(starts_at__lt=end, ends_at__gt=start)
    if institution is not None:
        qs = qs.filter(
            Exists(
                EventInstitution.objects.filter(
                    event_id=OuterRef("event_id"), institution=institution
                )
            )
        )
    if kind:
        qs = qs.filter(event__kind=kind)
    return qs.order_by("starts_at", "pk")


def with_my_answer(qs: QuerySet[Occurrence], user: User) -> QuerySet[Occurrence]:
    """Attach `event.mine`: the user's own invitation (a list of 0 or 1), one extra query."""
    return qs.prefetch_related(
        Prefetch("event__invitees", queryset=Invitee.objects.filter(user=user), to_attr="mine")
    )


def clients_shown_to(user: User, client_ids: Iterable[int | None]) -> dict[int, Client]:
    """Of these clients, the ones the user may see, by id (one query)."""
    ids = {i for i in client_ids if i}
    if not ids:
        return {}
    return {c.pk: c for c in visible(Client, user).filter(pk__in=ids)}


def event_people(event: Event) -> list[Invitee]:
    return list(
        event.invitees.select_related("user", "institution").order_by(
            "institution__name", "user__last_name", "user__first_name"
        )
    )


def seats_taken(event: Event) -> int:
    """Places taken: those who accepted, apart from the organiser who scheduled it
    (they run the training; they do not sit in it)."""
    return (
        event.invitees.filter(response=Response.ACCEPTED)
        .exclude(user_id=event.created_by_id)
        .count()
    )


def participant_institutions(event: Event) -> QuerySet[Institution]:
    return Institution.objects.filter(
        pk__in=EventInstitution.objects.filter(event=event).values("institution_id")
    ).order_by("name")


def participant_members(event: Event) -> QuerySet[Membership]:
    """Active members of the participating institutions: who may own an action item."""
    return (
        Membership.objects.filter(
            is_active=True,
            institution__in=EventInstitution.objects.filter(event=event).values("institution_id"),
        )
        .select_related("user", "institution")
        .order_by("institution__name", "user__last_name", "user__first_name")
    )


def people_to_invite(institution: Institution) -> QuerySet[Membership]:
    """Whom an organiser may invite by name: its own staff and its partners' staff."""
    ids = [institution.pk, *partner_institutions(institution).values_list("pk", flat=True)]
    return (
        Membership.objects.filter(is_active=True, institution_id__in=ids)
        .select_related("user", "institution")
        .order_by("institution__name", "user__last_name", "user__first_name")
    )


def minutes_of(occurrence: Occurrence) -> Minutes | None:
    return (
        Minutes.objects.filter(occurrence=occurrence)
        .select_related("written_by")
        .prefetch_related(
            "decisions",
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related("owner", "institution"),
            ),
        )
        .first()
    )


def action_items_visible_to(user: User) -> QuerySet[ActionItem]:
    return visible(ActionItem, user).select_related(
        "owner", "institution", "minutes__occurrence__event"
    )


def action_item_get_for_user(user: User, pk: int) -> ActionItem:
    return get_visible_or_404(action_items_visible_to(user), user, VIEW, pk=pk)


def open_action_items_of(user: User) -> QuerySet[ActionItem]:
    return (
        action_items_visible_to(user)
        .filter(owner=user, status__in=OPEN_ACTION_STATUSES)
        .order_by("due_date", "pk")
    )


def home_open_action_items(request: MemberRequest) -> list[ActionItem]:
    """The user's own open action items, soonest due first (one query)."""
    return list(open_action_items_of(request.user)[:10])


def home_upcoming(request: MemberRequest) -> list[Occurrence]:
    """The next two weeks' dates of events the user is invited to or their institution runs."""
    user = request.user
    institution = institution_of(user)
    now = timezone.now()
    invited = Invitee.objects.filter(user=user).exclude(response=Response.DECLINED)
    qs = (
        occurrences_visible_to(user)
        .filter(starts_at__gte=now, starts_at__lt=now + dt.timedelta(days=14), cancelled=False)
        .filter(Q(event_id__in=invited.values("event_id")) | Q(event__organiser=institution))
        .order_by("starts_at", "pk")
    )
    return list(with_my_answer(qs, user)[:8])


def feed_occurrence_window() -> tuple[dt.datetime, dt.datetime]:
    now = timezone.now()
    return now - dt.timedelta(days=180), now + dt.timedelta(days=400)


def feed_events_of(user: User) -> QuerySet[Event]:
    """Events for a person's calendar feed: those they are invited to and have not
    declined, with a date in the feed's window; their dates prefetched."""
    start, end = feed_occurrence_window()
    invited = Invitee.objects.filter(user=user).exclude(response=Response.DECLINED)
    return (
        events_visible_to(user)
        .filter(pk__in=invited.values("event_id"))
        .filter(
            pk__in=Occurrence.objects.filter(starts_at__gte=start, starts_at__lt=end).values(
                "event_id"
            )
        )
        .prefetch_related(
            Prefetch("occurrences", queryset=Occurrence.objects.order_by("starts_at"))
        )
    )


def series_stats(event: Event) -> dict[str, int]:
    return event.invitees.aggregate(
        accepted=Count("pk", filter=Q(response=Response.ACCEPTED)),
        waitlisted=Count("pk", filter=Q(response=Response.WAITLISTED)),
        maybe=Count("pk", filter=Q(response=Response.MAYBE)),
        declined=Count("pk", filter=Q(response=Response.DECLINED)),
        pending=Count("pk", filter=Q(response=Response.PENDING)),
    )


def client_panel(request: MemberRequest, client: Client) -> dict[str, object] | None:
    """The case conferences about a client, for the client's page (one query):
    only those the user's institution takes part in, and a link to schedule one."""
    dates = list(
        occurrences_visible_to(request.user)
        .filter(event__client=client, event__kind=EventKind.CASE_CONFERENCE)
        .order_by("-starts_at")[:6]
    )
    can_schedule = can(request.user, Event, SCHEDULE)
    if not dates and not can_schedule:
        return None
    return {"dates": dates, "can_schedule": can_schedule, "now": timezone.now()}
