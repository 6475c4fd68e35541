"""A small dataset for hand-counted indicators, all dates relative to today.

Y is last year. Institutions: `own` (OPS), `ngo` and `pup` in the same county,
each with an agreement in force with `own` since 1 January of Y-1; `neighbour` (OPS, same county, no
agreement with `own`); `foreign` (OPS, another county).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from clients.models import AccessRequest, Client, ClientShare, Consent
from cooperation.models import Institution, InstitutionKind, Role, User
from indicators.periods import QUARTER, YEAR, Period
from partners.models import Category, Referral, ServiceOffer
from promotion.models import (
    CaseOutcome,
    CaseStatus,
    Programme,
    ProgrammeKind,
    ProgrammeOutcome,
    PromotionCase,
)
from tests.factories import ClientFactory, InstitutionFactory, agreement_between, member


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A local (Europe/Warsaw) moment."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


@dataclass
class World:
    year: int
    own: Institution
    ngo: Institution
    pup: Institution
    neighbour: Institution
    foreign: Institution
    coordinator: User
    ngo_coordinator: User
    pup_coordinator: User
    outsider: User
    a_ngo: Any
    a_pup: Any
    service: ServiceOffer
    worker: User


def build_world() -> World:
    y = timezone.localdate().year - 1
    own = InstitutionFactory(short_name="mops-w", name="MOPS W", kind=InstitutionKind.OPS)
    ngo = InstitutionFactory(
        short_name="ngo-w", name="Fundacja W", kind=InstitutionKind.NGO, municipality="Suchedniów"
    )
    pup = InstitutionFactory(short_name="pup-w", name="PUP W", kind=InstitutionKind.PUP)
    neighbour = InstitutionFactory(short_name="gops-n", name="GOPS N", municipality="Bliżyn")
    foreign = InstitutionFactory(
        short_name="mops-f", name="MOPS F", county="ostrowiecki", municipality="Ostrowiec"
    )
    # In force since the start of the year before last: in every period the tests count.
    since = dt.date(y - 1, 1, 1)
    a_ngo = agreement_between(own, ngo, ["client_records", "referrals"], valid_from=since)
    a_pup = agreement_between(own, pup, ["client_records", "promotion"], valid_from=since)
    coordinator = member(own, Role.COORDINATOR, username="coord-own")
    return World(
        year=y,
        own=own,
        ngo=ngo,
        pup=pup,
        neighbour=neighbour,
        foreign=foreign,
        coordinator=coordinator,
        ngo_coordinator=member(ngo, Role.COORDINATOR, username="coord-ngo"),
        pup_coordinator=member(pup, Role.COORDINATOR, username="coord-pup"),
        outsider=member(foreign, Role.COORDINATOR, username="coord-foreign"),
        a_ngo=a_ngo,
        a_pup=a_pup,
        service=ServiceOffer.objects.create(
            provider=ngo, name="Poradnictwo", category=Category.DEBT_ADVICE
        ),
        worker=member(own, Role.SOCIAL_WORKER, username="worker-own"),
    )


def consent(client: Client, partner: Institution, user: User, given_on: dt.date) -> Consent:
    return Consent.objects.create(
        client=client,
        partner=partner,
        given_on=given_on,
        valid_until=given_on + dt.timedelta(days=730),
        recorded_by=user,
    )


def referral(
    w: World,
    referrer: Institution,
    sent_at: dt.datetime,
    *,
    status: str = "sent",
    answered_at: dt.datetime | None = None,
    respond_by: dt.date | None = None,
    **fields: Any,
) -> Referral:
    user = w.worker if referrer == w.own else member(referrer, Role.SOCIAL_WORKER)
    client = ClientFactory(owner=referrer)
    return Referral.objects.create(
        client=client,
        referrer=referrer,
        partner=w.ngo,
        service=w.service,
        consent=consent(client, w.ngo, user, sent_at.date()),
        created_by=user,
        first_name="X",
        last_name="Y",
        status=status,
        sent_at=sent_at,
        respond_by=respond_by or (sent_at + dt.timedelta(days=2)).date(),
        answered_at=answered_at,
        **fields,
    )


def case(
    w: World, proposed_at: dt.datetime, *, taken_at: dt.datetime | None = None, **fields: Any
) -> PromotionCase:
    client = ClientFactory(owner=w.own)
    programme = Programme.objects.create(
        client=client,
        kind=ProgrammeKind.SOCIAL_CONTRACT,
        institution_name=w.own.name,
        started_on=proposed_at.date() - dt.timedelta(days=200),
        ended_on=proposed_at.date(),
        outcome=ProgrammeOutcome.COMPLETED,
        recorded_in=w.own,
        recorded_by=w.worker,
    )
    return PromotionCase.objects.create(
        client=client,
        programme=programme,
        proposer=w.own,
        target=w.pup,
        proposed_by=w.worker,
        proposed_at=proposed_at,
        taken_at=taken_at,
        first_name="X",
        last_name="Y",
        skills="-",
        availability="-",
        preferred_work="-",
        **fields,
    )


def share(w: World, created_at: dt.datetime, ended_at: dt.datetime | None = None) -> ClientShare:
    client = ClientFactory(owner=w.own)
    row = ClientShare.objects.create(
        client=client,
        partner=w.pup,
        consent=consent(client, w.pup, w.worker, created_at.date()),
        created_by=w.worker,
        ended_at=ended_at,
    )
    ClientShare.objects.filter(pk=row.pk).update(created_at=created_at)
    return row


def access_requests(w: World, created_at: dt.datetime, status: str, n: int) -> None:
    for _i in range(n):
        row = AccessRequest.objects.create(
            client=ClientFactory(owner=w.own),
            requester=w.pup,
            requested_by=w.pup_coordinator,
            reason="-",
            status=status,
        )
        AccessRequest.objects.filter(pk=row.pk).update(created_at=created_at)


def seed_hand_counted(w: World) -> None:
    """The rows the tests count by hand (see test_figures.py for the sums)."""
    y = w.year
    # Referrals own -> ngo.
    referral(
        w,
        w.own,
        at(y, 3, 31, 23, 59),
        status="accepted",
        answered_at=at(y, 4, 1, 10, 0),
        respond_by=dt.date(y, 4, 2),
    )  # r1: Q1 (local time), answered in time
    referral(
        w,
        w.own,
        at(y, 4, 1, 0, 0),
        status="declined",
        decline_reason="-",
        answered_at=at(y, 4, 10, 9, 0),
        respond_by=dt.date(y, 4, 3),
    )  # r2: Q2, answered late
    referral(
        w,
        w.own,
        at(y, 1, 15, 10, 0),
        status="completed",
        answered_at=at(y, 1, 16, 10, 0),
        respond_by=dt.date(y, 1, 17),
        completed_on=dt.date(y, 2, 20),
        outcome="achieved",
    )  # r3: Q1, answered in time (24 h), completed in Q1
    referral(w, w.own, at(y, 2, 1, 9, 0))  # r4: Q1, waiting
    referral(w, w.own, at(y - 1, 12, 31, 23, 30))  # r5: Q4 of the year before
    referral(w, w.neighbour, at(y, 2, 10, 9, 0))  # r6: no agreement with own
    referral(w, w.foreign, at(y, 2, 11, 9, 0))  # r7: another county
    # Promotion own -> pup.
    case(
        w,
        at(y, 3, 31, 23, 59),
        taken_at=at(y, 4, 2, 11, 59),
        status=CaseStatus.TAKEN,
        assigned_to=w.pup_coordinator,
    )  # c1: proposed Q1, taken Q2 after 1.5 days
    case(
        w,
        at(y, 2, 1, 12, 0),
        taken_at=at(y, 2, 3, 12, 0),
        status=CaseStatus.CLOSED,
        closed_at=at(y, 3, 1, 12, 0),
        outcome=CaseOutcome.JOB,
        assigned_to=w.pup_coordinator,
    )  # c2: proposed, taken (2 days) and closed with a job in Q1
    # Shares own -> pup.
    share(w, at(y, 3, 31, 23, 59))  # s1: Q1, still active
    share(w, at(y, 1, 10, 12, 0), ended_at=at(y, 2, 1, 12, 0))  # s2: Q1, ended within it


# -- plans, boards, meetings (the indicators added for issue 16's section 1) ------


def plan_with_reviews(
    w: World,
    holder: Institution,
    reviews: list[tuple[dt.date, dt.date | None]],
    *,
    owner: Institution | None = None,
) -> Any:
    """A plan of a client of `owner` (own by default); each review (held_on,
    due_on) recorded by `holder`."""
    from reintegration.models import ReintegrationPlan, Review

    user = w.worker if holder == w.own else member(holder, Role.SOCIAL_WORKER)
    client = ClientFactory(owner=owner or w.own)
    plan = ReintegrationPlan.objects.create(client=client, created_by=user)
    for held_on, due_on in reviews:
        Review.objects.create(
            plan=plan,
            held_on=held_on,
            due_on=due_on,
            progress="-",
            institution=holder,
            recorded_by=user,
        )
    return plan


def publication(w: World, board_of: Institution, published_at: dt.datetime) -> Any:
    """An offer of the PUP published on `board_of`'s noticeboard at that moment."""
    from joboffers.models import Board, JobOffer, Publication

    board, _new = Board.objects.get_or_create(institution=board_of)
    sequence = JobOffer.objects.filter(institution=w.pup).count() + 1
    offer = JobOffer.objects.create(
        institution=w.pup,
        year=published_at.year,
        sequence=sequence,
        number=f"OF/{sequence}",
        kind="job",
        position="Magazynier",
        workplace_municipality="Skarżysko-Kamienna",
        duties="-",
        valid_from=published_at.date(),
        valid_until=published_at.date() + dt.timedelta(days=30),
        contact_phone="41 000 00 00",
    )
    row = Publication.objects.create(offer=offer, board=board, published_by=w.pup_coordinator)
    Publication.objects.filter(pk=row.pk).update(published_at=published_at)
    return row


def meeting(
    w: World, organiser: Institution, starts_at: dt.datetime, present: dict[Institution, int]
) -> Any:
    """A meeting organised by `organiser` with so many people present from each institution."""
    from meetings.models import Attendance, Event, EventKind, Occurrence

    creator = member(organiser, Role.COORDINATOR)
    event = Event.objects.create(
        kind=EventKind.MEETING,
        title="Spotkanie",
        organiser=organiser,
        created_by=creator,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
    )
    occurrence = Occurrence.objects.create(
        event=event,
        original_start=starts_at,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
    )
    for institution, n in present.items():
        for _i in range(n):
            Attendance.objects.create(
                occurrence=occurrence,
                user=member(institution, Role.SOCIAL_WORKER),
                institution=institution,
                present=True,
                recorded_by=creator,
            )
        Attendance.objects.create(  # one absent person each: not counted
            occurrence=occurrence,
            user=member(institution, Role.SOCIAL_WORKER),
            institution=institution,
            present=False,
            recorded_by=creator,
        )
    return occurrence


def q(w: World, n: int) -> Period:
    """Quarter `n` of the world's year."""
    return Period(QUARTER, w.year, n)


def year(w: World) -> Period:
    return Period(YEAR, w.year)


def pick(f, *keys: str) -> dict:  # type: ignore[no-untyped-def]
    """Only these figures of a computed set."""
    return {k: f[k] for k in keys}


def county(w: World, period: Period) -> Any:
    """The county view of own's coordinator: own and the institutions of its county
    with an agreement in force with it (the NGO, the PUP), by the rows they hold;
    not the neighbour (no agreement), not the other county."""
    from indicators.selectors import figures_compute, scope_county

    return figures_compute(scope_county(w.own), period)


def shown(f, *keys: str) -> dict:  # type: ignore[no-untyped-def]
    """These figures as a view outside the owner shows them (the county's, an
    agreement's): (this period, the one before) as text, a count below 5 "<5"."""
    from indicators.definitions import tables
    from indicators.selectors import table_cells

    texts = {
        row["key"]: (row["current"].text, row["previous"].text)
        for table in tables()
        for row in table_cells(table, f, exact=False)
    }
    return {k: texts[k] for k in keys}
