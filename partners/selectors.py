"""Permission-filtered reads: the directory of partner organisations and their
services, and the referrals each side may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise

from agreements.models import Scope
from agreements.scope import partners_covering
from agreements.selectors import network_institutions
from clients.models import Client
from cooperation import hooks
from cooperation.http import MemberRequest
from cooperation.models import Institution, User
from cooperation.permissions import VIEW, get_visible_or_404, institution_of, visible
from cooperation.roles import PARTNER_ORG_KINDS

from .models import (
    RUNNING_STATUSES,
    EventKind,
    Referral,
    ReferralEvent,
    ServiceDelivery,
    ServiceOffer,
    Status,
)

# --- directory -----------------------------------------------------------------


def directory_organisations(user: User) -> QuerySet[Institution]:
    """NGOs and social economy entities of the user's network (same county, or
    linked by an agreement). Nobody sees the directory of another county."""
    institution = institution_of(user)
    if institution is None:
        return Institution.objects.none()
    return network_institutions(institution).filter(kind__in=PARTNER_ORG_KINDS)


def directory_services(user: User) -> QuerySet[ServiceOffer]:
    """Published services of the network's partner organisations, provider joined."""
    organisations = directory_organisations(user)
    return (
        ServiceOffer.objects.filter(is_active=True, provider__in=organisations.values("pk"))
        .select_related("provider")
        .order_by("provider__name", "name", "pk")
    )


def organisation_get_for_user(user: User, pk: int) -> Institution:
    """One partner organisation of the user's network (404 for any other institution)."""
    organisation = directory_organisations(user).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def area_counties(user: User) -> dict[str, set[str]]:
    """Municipality → the counties it lies in, as the network knows them: from the
    institutions' seats and from the municipalities the services list."""
    institution = institution_of(user)
    if institution is None:
        return {}
    areas: dict[str, set[str]] = defaultdict(set)
    for municipality, county in network_institutions(institution).values_list(
        "municipality", "county"
    ):
        if municipality:
            areas[municipality].add(county)
    for names, county in (
        directory_services(user)
        .exclude(municipalities="")
        .values_list("municipalities", "provider__county")
    ):
        for name in names.split(","):
            if name.strip():
                areas[name.strip()].add(county)
    return dict(areas)


def services_in_area(
    qs: QuerySet[ServiceOffer], municipality: str, counties: set[str]
) -> QuerySet[ServiceOffer]:
    """Services taking residents of a municipality: county-wide ones of its county,
    and those that name it."""
    # The list is stored normalised ("A, B, C"), so a name matches whole, never a part of another.
    named = (
        Q(municipalities=municipality)
        | Q(municipalities__startswith=f"{municipality}, ")
        | Q(municipalities__endswith=f", {municipality}")
        | Q(municipalities__contains=f", {municipality}, ")
    )
    return qs.filter(
        Q(county_wide=True, provider__county__in=counties) | Q(named, county_wide=False)
    )


def services_with_free_places(qs: QuerySet[ServiceOffer]) -> QuerySet[ServiceOffer]:
    """Services that can take someone now: unlimited ones, and those with a free place."""
    return qs.filter(Q(capacity__isnull=True) | Q(free_places__gt=0))


def catalogue_of(institution: Institution) -> QuerySet[ServiceOffer]:
    """Every service of one organisation, published or not (its own catalogue page)."""
    return ServiceOffer.objects.filter(provider=institution).order_by("-is_active", "name")


def service_get_for_change(user: User, pk: int) -> ServiceOffer:
    """A service of the user's own organisation, for editing (404 otherwise; 403 without the role)."""
    return get_visible_or_404(
        ServiceOffer.objects.select_related("provider"), user, "change", pk=pk
    )


# --- referrals -----------------------------------------------------------------


def referrals_visible_to(user: User, action: str = VIEW) -> QuerySet[Referral]:
    """Referrals the user's institution sent, and those sent to it.

    The receiving organisation sees a referral only while its grant stands
    (revoked when the agreement stops covering referrals) and the consent it
    rests on is active: a withdrawal hides it at once, before the nightly pass
    revokes the grant.
    """
    institution = institution_of(user)
    if institution is None:
        return Referral.objects.none()
    today = timezone.localdate()
    consent_active = Q(
        consent__withdrawn_at__isnull=True,
        consent__lapsed=False,
        consent__valid_until__gte=today,
    )
    return (
        visible(Referral, user, action)
        .filter(Q(referrer=institution) | consent_active)
        .select_related("service", "partner", "referrer", "created_by")
    )


def referral_get_for_user(user: User, pk: int, action: str = VIEW) -> Referral:
    """One referral the user's institution sent or received (404 otherwise; 403 to act without the role)."""
    return get_visible_or_404(referrals_visible_to(user, VIEW), user, action, pk=pk)


def referral_history(referral: Referral) -> dict[str, object]:
    return {
        "events": list(referral.events.select_related("actor", "institution")),
        "deliveries": list(referral.deliveries.select_related("recorded_by")),
    }


@dataclass(frozen=True)
class ReferralLink:
    """A button another app adds to a referral's page (hook `referral_links`:
    fn(referral, user) -> ReferralLink | None, None when this user may not)."""

    id: str
    url: str
    label: str | Promise


def referral_links(referral: Referral, user: User) -> list[ReferralLink]:
    found = (link(referral, user) for link in hooks.get_hooks("referral_links"))
    return [link for link in found if link is not None]


def referral_services_for(user: User) -> QuerySet[ServiceOffer]:
    """Services the user's institution may refer to: of partners an agreement in
    force links to it for referrals. The client's consent is checked on sending."""
    institution = institution_of(user)
    if institution is None:
        return ServiceOffer.objects.none()
    covered = partners_covering(institution, Scope.REFERRALS)
    return directory_services(user).filter(provider_id__in=covered)


def referral_consented_partners(client: Client) -> set[int]:
    """Partners the client has an active consent (or other basis) for referrals to."""
    today = timezone.localdate()
    consents = client.consents.filter(
        withdrawn_at__isnull=True, lapsed=False, given_on__lte=today, valid_until__gte=today
    ).only("partner_id", "scopes")
    # Scopes are a JSON list; checked here so the rule reads the same on every database.
    return {c.partner_id for c in consents if Scope.REFERRALS in c.scopes}


def client_referrals(user: User, client: Client) -> list[Referral]:
    """A client's referrals made by the user's institution (the referring side only)."""
    institution = institution_of(user)
    return list(client.referrals.filter(referrer=institution).select_related("service", "partner"))


def client_referral_events(user: User, client: Client) -> list[ReferralEvent]:
    institution = institution_of(user)
    return list(
        ReferralEvent.objects.filter(referral__client=client, referral__referrer=institution)
        # Deliveries have their own entries (with their date and note); prints are noise.
        .exclude(kind__in=[EventKind.PRINTED, EventKind.DELIVERED])
        .select_related("referral__service", "referral__partner", "institution")
    )


def client_deliveries(user: User, client: Client) -> list[ServiceDelivery]:
    institution = institution_of(user)
    return list(
        ServiceDelivery.objects.filter(
            referral__client=client, referral__referrer=institution
        ).select_related("referral__service", "referral__partner")
    )


def home_waiting_for_answer(request: MemberRequest) -> list[Referral]:
    """Referrals sent to the user's organisation that nobody has answered yet, oldest deadline first."""
    institution = institution_of(request.user)
    return list(
        referrals_visible_to(request.user)
        .filter(partner=institution, status=Status.SENT)
        .order_by("respond_by", "pk")[:8]
    )


def home_referrals_to_watch(request: MemberRequest) -> list[Referral]:
    """The user's own referrals that wait for an answer, or whose outcome is overdue.

    The institution's own (sent) referrals: of `referrals_visible_to`'s rule only the
    policy applies — the consent arm is the receiver's — so it is left out, and with
    it a join of every consent (a hash join of the whole table at voivodeship scale).
    The index `referral_open_by_creator` gives the answer-by order."""
    today = timezone.localdate()
    return list(
        visible(Referral, request.user, VIEW)
        .filter(referrer=institution_of(request.user), created_by=request.user)
        .filter(status__in=(Status.SENT, *RUNNING_STATUSES))  # the index's condition
        .filter(Q(status=Status.SENT) | Q(end_date__lt=today))
        .select_related("service", "partner", "referrer", "created_by")
        .order_by("respond_by", "pk")[:8]
    )
