"""A year of history for the indicators (run by `manage.py seed_demo`, after the other apps).

For each county's MOPS and PUP (their agreement is in force): access requests,
SEPI lookups and clients proposed to the promotion queue, spread over the last
twelve months relative to the day of seeding, so the dashboard has figures for
every period it offers and for the year before. Idempotent.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from cooperation.models import Institution, User

PAIRS = (("mops-skarzysko", "pup-skarzysko"), ("mops-ostrowiec", "pup-ostrowiec"))
MARK = "[demo: historia wskaźników]"


def _moment(rng: random.Random, days_ago: int) -> dt.datetime:
    hour = rng.randint(8, 15)
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59))))


def seed() -> None:
    from clients.models import AccessRequest, Client

    for ops_short, pup_short in PAIRS:
        institutions = Institution.objects.filter(short_name__in=[ops_short, pup_short])
        if (
            institutions.count() != 2
            or AccessRequest.objects.filter(reason=MARK)
            .filter(requester__short_name=pup_short)
            .exists()
        ):
            continue
        ops, pup = (institutions.get(short_name=s) for s in (ops_short, pup_short))
        clients = list(Client.objects.filter(owner=ops).order_by("pk")[:40])
        if not clients:
            continue
        rng = random.Random(ops_short)  # the same history on every seeding
        _history(rng, ops, pup, clients)


def _history(rng: random.Random, ops: Institution, pup: Institution, clients: list) -> None:
    from clients.models import AccessRequest, AccessRequestStatus

    worker = User.objects.get(username=f"worker.{ops.short_name}")
    advisor = User.objects.get(username=f"advisor.{pup.short_name}")
    for i in range(rng.randint(40, 60)):
        days = rng.randint(1, 540)
        status = rng.choice([AccessRequestStatus.GRANTED] * 6 + [AccessRequestStatus.DECLINED] * 2)
        row = AccessRequest.objects.create(
            client=clients[i % len(clients)],
            requester=pup,
            requested_by=advisor,
            reason=MARK,
            status=status,
            answered_at=_moment(rng, max(days - 2, 0)),
            answered_by=worker,
        )
        AccessRequest.objects.filter(pk=row.pk).update(created_at=_moment(rng, days))
    _lookups(rng, ops, worker, clients)
    _promotion(rng, ops, pup, worker, advisor, clients)


def _lookups(rng: random.Random, ops: Institution, worker: User, clients: list) -> None:
    import uuid

    from sepi import schema, simulator
    from sepi.models import Lookup, LookupStatus, Purpose

    asked = [c for c in clients if c.pesel]  # SEPI is only asked about a person with a PESEL
    if not asked:
        return
    rows = []
    for i in range(rng.randint(80, 120)):
        client = asked[i % len(asked)]
        failed = rng.random() < 0.08
        at = _moment(rng, rng.randint(1, 540))
        # A real `sepi-status/1` answer (the simulator's, as of that day, checked by the
        # schema): the client page parses the newest one, so a placeholder would break it.
        answer = (
            None
            if failed
            else schema.dump(schema.parse(simulator.person_status(client.pesel, today=at.date())))
        )
        rows.append(
            Lookup(
                client=client,
                institution=ops,
                requested_by=worker,
                pesel=client.pesel,
                purpose=Purpose.BENEFIT_ELIGIBILITY,
                status=LookupStatus.FAILED if failed else LookupStatus.DONE,
                request_key=f"demo-history-{uuid.uuid4().hex}",
                requested_at=at,
                finished_at=at + dt.timedelta(seconds=3),
                fetched_at=None if failed else at + dt.timedelta(seconds=3),
                result=answer,
            )
        )
    Lookup.objects.bulk_create(rows)


def _promotion(  # noqa: PLR0913 - the cast of one history
    rng: random.Random,
    ops: Institution,
    pup: Institution,
    worker: User,
    advisor: User,
    clients: list,
) -> None:
    from promotion.models import (
        CaseOutcome,
        CaseStatus,
        Programme,
        ProgrammeKind,
        ProgrammeOutcome,
        PromotionCase,
    )

    for i in range(rng.randint(18, 26)):
        client = clients[-1 - (i % len(clients))]
        days = rng.randint(20, 540)
        proposed = _moment(rng, days)
        programme = Programme.objects.create(
            client=client,
            kind=ProgrammeKind.SOCIAL_CONTRACT,
            institution_name=ops.name,
            started_on=proposed.date() - dt.timedelta(days=180),
            ended_on=proposed.date(),
            outcome=ProgrammeOutcome.COMPLETED,
            note=MARK,
            recorded_in=ops,
            recorded_by=worker,
        )
        taken = proposed + dt.timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 6))
        closed = taken + dt.timedelta(days=rng.randint(10, 40))
        is_closed = closed < timezone.now()
        PromotionCase.objects.create(
            client=client,
            programme=programme,
            proposer=ops,
            target=pup,
            proposed_by=worker,
            proposed_at=proposed,
            first_name=client.first_name,
            last_name=client.last_name,
            skills="Prace porządkowe, obsługa magazynu",
            availability="Od zaraz",
            preferred_work="Magazyn, handel",
            status=CaseStatus.CLOSED if is_closed else CaseStatus.TAKEN,
            assigned_to=advisor,
            taken_at=taken,
            first_action_at=taken,
            last_activity_at=closed if is_closed else taken,
            closed_at=closed if is_closed else None,
            outcome=rng.choice(
                [CaseOutcome.INTERNSHIP, CaseOutcome.JOB, CaseOutcome.TRAINING, CaseOutcome.REFUSED]
            )
            if is_closed
            else "",
        )
