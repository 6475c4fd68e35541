"""Permission-filtered reads of agreements and the cooperation network."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cooperation.http import MemberRequest
from cooperation.models import Institution, User
from cooperation.permissions import get_visible_or_404, institution_of, visible

from .models import Agreement, AgreementTerms, Coordinator, Party, Status


def network_institutions(institution: Institution) -> QuerySet[Institution]:
    """The institutions an institution works with: its county, and any institution
    it already has an agreement with. Agreements never reach further."""
    linked = Party.objects.filter(agreement__parties__institution=institution).values(
        "institution_id"
    )
    return Institution.objects.filter(
        Q(county=institution.county) | Q(pk__in=linked), is_active=True
    )


def agreements_visible_to(user: User) -> QuerySet[Agreement]:
    """Agreements the user's institution is a party to, with parties prefetched."""
    return (
        visible(Agreement, user)
        .select_related("initiator")
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.select_related("institution").order_by("pk"))
        )
    )


def agreement_get_for_user(user: User, pk: int, action: str = "view") -> Agreement:
    """One agreement the user's institution is a party to (404 otherwise; 403 to act without the role)."""
    return get_visible_or_404(agreements_visible_to(user), user, action, pk=pk)


def agreements_expiring(user: User, *, within_days: int = 30) -> QuerySet[Agreement]:
    today = timezone.localdate()
    limit = today + dt.timedelta(days=within_days)
    return (
        agreements_visible_to(user)
        .filter(status=Status.ACTIVE)
        .filter(Q(valid_until__lte=limit) | Q(termination_date__lte=limit))
    )


def terms_on(agreement: Agreement, day: dt.date) -> AgreementTerms | None:
    """The version of the terms in force on a day (None before it was signed or started)."""
    return (
        agreement.terms.filter(effective_from__lte=day).order_by("-effective_from", "-pk").first()
    )


def home_agreements_waiting(request: MemberRequest) -> list[Agreement]:
    """Agreements waiting for this institution's acceptance, drafts of its own,
    and accepted ones waiting for their signed copy."""
    institution = institution_of(request.user)
    waiting = agreements_visible_to(request.user).filter(
        Q(status=Status.SENT, parties__institution=institution, parties__accepted_at__isnull=True)
        | Q(status=Status.DRAFT, initiator=institution)
        | Q(status=Status.ACCEPTED, parties__institution=institution)
        | Q(annexes__applied=False, status__in=[Status.ACTIVE, Status.SIGNED])
    )
    return list(waiting.distinct().order_by("-pk")[:8])


def home_agreements_expiring(request) -> list[Agreement]:
    return list(agreements_expiring(request.user).order_by("valid_until")[:8])


def coordinators_of(institutions: QuerySet[Institution]) -> QuerySet[Coordinator]:
    return Coordinator.objects.filter(institution__in=institutions).select_related(
        "user", "institution"
    )


def network_view(institution: Institution) -> dict[str, object]:
    """The cooperation network seen from one institution: who is in it, who
    coordinates, and which agreements in force link whom and on what.

    Shows agreement numbers and scopes only; the text of an agreement stays
    visible to its parties alone.
    """
    from .scope import in_force

    institutions = list(network_institutions(institution).order_by("kind", "name"))
    ids = {i.pk for i in institutions}
    cards: dict[int, list[Coordinator]] = {}
    for card in coordinators_of(Institution.objects.filter(pk__in=ids)):
        cards.setdefault(card.institution_id, []).append(card)
    links = []
    agreements = (
        in_force()
        .filter(parties__institution__in=ids)
        .distinct()
        .prefetch_related(Prefetch("parties", queryset=Party.objects.select_related("institution")))
    )
    for agreement in agreements:
        parties = [p.institution for p in agreement.parties.all()]
        if all(p.pk in ids for p in parties):
            links.append(
                {"agreement": agreement, "parties": parties, "mine": institution in parties}
            )
    rows = [
        {
            "institution": i,
            "coordinators": cards.get(i.pk, []),
            "partners": sorted(
                {
                    p.name
                    for link in links
                    if i in link["parties"]  # type: ignore[operator]
                    for p in link["parties"]  # type: ignore[attr-defined]
                    if p != i
                }
            ),
        }
        for i in institutions
    ]
    return {"rows": rows, "links": links}


def signed_copy_view(agreement: Agreement) -> dict[str, object]:
    """The signed copy for the agreement's page: the signatures read from the
    file with their times parsed, and each party with whether an electronic
    signature in the file bears its signatory's name (None: nothing to compare)."""
    from .models import SignedCopy
    from .signatures import normalise_name

    copy = SignedCopy.objects.filter(agreement=agreement).select_related("attachment").first()
    signatures = copy.signatures if copy else []
    signers = {normalise_name(str(s["signer"])) for s in signatures}
    rows = []
    for s in signatures:
        time = dt.datetime.fromisoformat(s["signed_at"]) if s.get("signed_at") else None
        rows.append({**s, "time": timezone.localtime(time) if time and time.tzinfo else time})
    parties = list(agreement.parties.all())
    for party in parties:
        party.matches_signature = (  # type: ignore[attr-defined]
            normalise_name(party.signed_name) in signers if signers and party.signed_name else None
        )
    return {"signed_copy": copy, "signature_rows": rows, "party_rows": parties}
