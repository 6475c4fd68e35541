"""Permission-filtered reads of offers, boards, prints, imports and proposals."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone

from agreements.models import Scope
from agreements.scope import partners_covering
from clients.models import Client
from cooperation.http import MemberRequest
from cooperation.models import Institution, User
from cooperation.permissions import get_visible_or_404, institution_of, visible
from cooperation.roles import SOCIAL_ASSISTANCE_KINDS, is_labour_office

from .models import (
    FILLED_SHOWN_DAYS,
    Board,
    BoardPrint,
    ImportRun,
    JobOffer,
    OfferProposal,
    OfferStatus,
    Publication,
)

BOARD_KINDS = SOCIAL_ASSISTANCE_KINDS  # job boards hang in the social assistance centres


def offers_visible_to(user: User) -> QuerySet[JobOffer]:
    """Offers the user may see: their labour office's own, and those published on their board."""
    return visible(JobOffer, user).select_related("institution")


def offer_get_for_user(user: User, pk: int, action: str = "view") -> JobOffer:
    """One offer (404 to anyone who may not see it; 403 to act on another office's offer)."""
    return get_visible_or_404(offers_visible_to(user), user, action, pk=pk)


def current_q(today: dt.date, prefix: str = "") -> Q:
    """Published and within its dates: what a worker may still propose to a client."""
    return Q(
        **{
            f"{prefix}status": OfferStatus.PUBLISHED,
            f"{prefix}valid_from__lte": today,
            f"{prefix}valid_until__gte": today,
        }
    )


def on_board_q(now: dt.datetime) -> Q:
    """What a board shows: current offers, and filled ones for a week after filling."""
    today = timezone.localdate(now)
    filled_recently = Q(
        status=OfferStatus.FILLED, filled_at__gte=now - dt.timedelta(days=FILLED_SHOWN_DAYS)
    )
    return current_q(today) | filled_recently


def board_of(user: User) -> Board | None:
    """The user's own institution's board, if it has one yet."""
    institution = institution_of(user)
    if institution is None or institution.kind not in BOARD_KINDS:
        return None
    return Board.objects.select_related("institution").filter(institution=institution).first()


def board_get_for_user(user: User, pk: int) -> Board:
    return get_visible_or_404(Board.objects.select_related("institution"), user, pk=pk)


def partner_institutions(institution: Institution | int) -> QuerySet[Institution]:
    """OPS/PCPR whose agreement in force with a labour office covers job-offer publishing."""
    ids = partners_covering(institution, Scope.JOB_OFFERS)
    return Institution.objects.filter(pk__in=ids, kind__in=BOARD_KINDS, is_active=True).order_by(
        "name"
    )


def board_offers(board: Board, user: User, *, now: dt.datetime | None = None) -> QuerySet[JobOffer]:
    """The offers on a board now, for a user who may see the board.

    Both the active publication and the user's permission on the offer are
    required, so a board never shows an offer its institution lost access to.
    """
    now = now or timezone.now()
    on_board = Publication.objects.filter(offer=OuterRef("pk"), board=board, ended_at__isnull=True)
    return (
        visible(JobOffer, user)
        .filter(Exists(on_board))
        .filter(on_board_q(now))
        .select_related("institution")
        # Current offers first; filled ones, still shown for a week, at the end.
        .order_by(
            Case(When(status=OfferStatus.FILLED, then=1), default=0),
            "-published_at",
            "-pk",
        )
    )


def prints_of(board: Board, *, weeks: int = 4) -> list[BoardPrint]:
    return list(board.prints.order_by("-week_start", "kind")[: weeks * 2])


def print_get_for_user(user: User, pk: int) -> BoardPrint:
    return get_visible_or_404(BoardPrint.objects.select_related("board"), user, pk=pk)


def publications_of(offer: JobOffer) -> list[Publication]:
    return list(
        offer.publications.select_related("board__institution", "published_by").order_by(
            "ended_at", "board__institution__name"
        )
    )


def office_offers(user: User) -> QuerySet[JobOffer]:
    """A labour office's own offers, with their boards, for its list page."""
    institution = institution_of(user)
    active = Publication.objects.filter(ended_at__isnull=True).select_related("board__institution")
    return (
        offers_visible_to(user)
        .filter(institution=institution)
        .prefetch_related(Prefetch("publications", queryset=active, to_attr="active_publications"))
    )


def imports_visible_to(user: User) -> QuerySet[ImportRun]:
    return visible(ImportRun, user).select_related("triggered_by")


def import_get_for_user(user: User, pk: int) -> ImportRun:
    return get_visible_or_404(imports_visible_to(user), user, pk=pk)


def proposals_of(client: Client) -> list[OfferProposal]:
    """A client's proposals (the client is already visible to the caller)."""
    return list(
        client.offer_proposals.select_related("offer", "institution", "proposed_by").order_by(
            "-proposed_on", "-pk"
        )
    )


def proposal_get_for_user(user: User, pk: int, action: str = "view") -> OfferProposal:
    return get_visible_or_404(
        OfferProposal.objects.select_related("client", "offer", "institution"),
        user,
        action,
        pk=pk,
    )


def current_offers_for(user: User, today: dt.date | None = None) -> QuerySet[JobOffer]:
    """Offers the user may propose today: visible to them, published, within their dates."""
    today = today or timezone.localdate()
    return offers_visible_to(user).filter(current_q(today))


def municipalities_of(offers: QuerySet[JobOffer]) -> list[str]:
    """The places of work among some offers, for a filter's choices (one query)."""
    values = offers.order_by().values_list("workplace_municipality", flat=True).distinct()
    return sorted(set(values), key=str.casefold)


def home_new_on_my_board(request: MemberRequest) -> list[JobOffer]:
    """Offers that arrived on the user's board in the last seven days."""
    board = board_of(request.user)
    if board is None:
        return []
    since = timezone.now() - dt.timedelta(days=7)
    recent = Publication.objects.filter(
        offer=OuterRef("pk"), board=board, ended_at__isnull=True, published_at__gte=since
    )
    return list(
        board_offers(board, request.user).filter(Exists(recent)).order_by("-published_at")[:8]
    )


def home_offers_ending(request: MemberRequest) -> list[JobOffer]:
    """The labour office's published offers that end within seven days."""
    institution = institution_of(request.user)
    if institution is None or not is_labour_office(institution):
        return []
    today = timezone.localdate()
    return list(
        offers_visible_to(request.user)
        .filter(institution=institution, status=OfferStatus.PUBLISHED)
        .filter(valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=7))
        .order_by("valid_until")[:8]
    )
