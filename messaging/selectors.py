"""Permission-filtered reads of messages, information requests and announcements,
and who works on a client on each side (the people a notice goes to)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from clients.models import Client, ClientShare
from cooperation.http import MemberRequest
from cooperation.models import Institution, Membership, User
from cooperation.permissions import can, get_visible_or_404, visible
from cooperation.roles import CASEWORK_ROLES, COORDINATOR_ROLES

from .models import Announcement, InformationRequest, Message, RequestStatus
from .permissions import ASK, MESSAGE, partners_in_force_query

THREAD_SHOWN = 100  # the newest messages shown in the tab; older ones behind a link


def thread_of(user: User, client: Client, *, everything: bool = False) -> dict[str, Any]:
    """The client's messages the user may see, newest last (the last THREAD_SHOWN
    unless `everything`), with their total. Two queries, whatever the length."""
    rows = visible(Message.objects.filter(client=client), user).select_related(
        "author", "institution"
    )
    total = rows.count()
    shown = rows.order_by("-created_at", "-pk")
    messages = list(shown if everything else shown[:THREAD_SHOWN])
    messages.reverse()
    return {"messages": messages, "total": total, "hidden": total - len(messages)}


def requests_about(user: User, client: Client) -> list[InformationRequest]:
    """The information requests about a client between the user's institution and another."""
    return list(
        visible(InformationRequest.objects.filter(client=client), user).select_related(
            "asker", "asked", "asked_by", "answered_by"
        )
    )


def request_get_for_user(user: User, pk: int, action: str = "view") -> InformationRequest:
    return get_visible_or_404(
        InformationRequest.objects.select_related(
            "client", "asker", "asked", "asked_by", "answered_by"
        ),
        user,
        action,
        pk=pk,
    )


def requests_visible_to(user: User) -> QuerySet[InformationRequest]:
    return visible(InformationRequest, user).select_related("client", "asker", "asked", "asked_by")


def sharing_institutions(client: Client) -> list[int]:
    """The institutions that see the client now: its owner and the partners it is shared with."""
    partners = ClientShare.objects.filter(client=client, ended_at__isnull=True).values_list(
        "partner_id", flat=True
    )
    return [client.owner_id, *[pk for pk in partners if pk != client.owner_id]]


def request_partners(client: Client, institution: Institution) -> QuerySet[Institution]:
    """Whom an institution may ask about a client: the others that share it."""
    ids = [pk for pk in sharing_institutions(client) if pk != institution.pk]
    return Institution.objects.filter(pk__in=ids, is_active=True).order_by("name")


def client_workers(client: Client, institution_ids: Iterable[int]) -> list[User]:
    """The people of these institutions who work on the client: the owner's worker who
    registered them, and whoever wrote in the thread or sent or answered a request about
    them; an institution where nobody has yet is represented by its coordinators.
    Only active caseworkers of those institutions, each once."""
    ids = list(institution_ids)
    took_part = {client.created_by_id} if client.created_by_id else set()
    took_part |= set(Message.objects.filter(client=client).values_list("author_id", flat=True))
    for asked_by, answered_by in InformationRequest.objects.filter(client=client).values_list(
        "asked_by_id", "answered_by_id"
    ):
        took_part |= {asked_by, answered_by} - {None}
    people = _workers(ids, CASEWORK_ROLES, users=took_part)
    rest = [pk for pk in ids if pk not in {m.institution_id for m in people}]
    coordinators = _workers(rest, COORDINATOR_ROLES) if rest else []
    return list({m.user_id: m.user for m in [*people, *coordinators]}.values())


def _workers(
    ids: list[int], roles: Iterable[str], *, users: set[int] | None = None
) -> list[Membership]:
    rows = Membership.objects.filter(
        is_active=True, user__is_active=True, institution_id__in=ids, role__in=list(roles)
    ).select_related("user")
    if users is not None:
        rows = rows.filter(user_id__in=users)
    return list(rows.order_by("pk"))


def may_see(user: User, obj: Any) -> bool:
    return obj is not None and can(user, obj, "view")


def may_write(user: User, client: Client) -> bool:
    return can(user, client, MESSAGE)


def may_ask(user: User, client: Client) -> bool:
    return can(user, client, ASK)


# --- the home page -----------------------------------------------------------------


def home_requests(request: MemberRequest) -> list[InformationRequest]:
    """Open requests waiting for the user's institution's answer, and open ones past
    their date on either side (so an overdue request shows on both home pages),
    the oldest date first. One query."""
    today = timezone.localdate()
    return list(
        visible(InformationRequest, request.user)
        .filter(Q(asked=request.institution.pk) | Q(due_on__lt=today), status=RequestStatus.OPEN)
        .select_related("client", "asker", "asked")
        .order_by("due_on", "pk")[:8]
    )


def announcements_visible_to(user: User) -> QuerySet[Announcement]:
    return visible(Announcement, user).select_related("institution")


def current_announcements(user: User) -> QuerySet[Announcement]:
    today = timezone.localdate()
    return announcements_visible_to(user).filter(shown_from__lte=today, shown_until__gte=today)


def home_announcements(request: MemberRequest) -> list[Announcement]:
    return list(current_announcements(request.user).order_by("-shown_from", "-pk")[:5])


def announcement_get_for_user(user: User, pk: int) -> Announcement:
    return get_visible_or_404(
        Announcement.objects.select_related("institution", "author"), user, pk=pk
    )


def announcement_partners(institution: Institution) -> QuerySet[Institution]:
    """The institutions an announcement may go to: an agreement in force links them."""
    return Institution.objects.filter(
        pk__in=partners_in_force_query(institution.pk), is_active=True
    ).order_by("name")
