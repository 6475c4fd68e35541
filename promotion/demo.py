"""Demo promotion queue (run by `manage.py seed_demo` after clients, plans and offers).

MOPS Skarżysko proposes a dozen of the clients it shares with PUP Skarżysko,
each after a completed programme (social contract, CIS, KIS, PAI), at different
stages: waiting (one untouched for weeks), taken with actions (one overdue),
closed with each outcome. Dates are spread over the last three quarters so the
figures page has something to show. Through the real services; idempotent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from clients.models import Client
from cooperation.models import Institution, User
from joboffers.models import JobOffer, OfferStatus

from . import services
from .models import ActionKind, CaseOutcome, Programme, ProgrammeKind, ProgrammeOutcome
from .services import promotion_consent

MOPS, PUP, CIS = "mops-skarzysko", "pup-skarzysko", "cis-skarzysko"

# (programme kind, days ago proposed, priorities, stage, outcome, actions)
STAGES = [
    (ProgrammeKind.SOCIAL_CONTRACT, 3, ["long_term_unemployed"], "waiting", "", []),
    (ProgrammeKind.CIS, 9, ["disability"], "waiting", "", []),
    (ProgrammeKind.KIS, 24, ["single_parent"], "waiting", "", []),
    (ProgrammeKind.SOCIAL_CONTRACT, 30, ["long_term_unemployed", "over_50"], "taken", "", []),
    (ProgrammeKind.PAI, 12, [], "taken", "", [ActionKind.EMPLOYER_CONTACT]),
    (ProgrammeKind.CIS, 40, ["disability"], "taken", "", [ActionKind.TRAINING]),
    (
        ProgrammeKind.SOCIAL_CONTRACT,
        60,
        ["long_term_unemployed"],
        "closed",
        CaseOutcome.INTERNSHIP,
        [ActionKind.INTERNSHIP_REFERRAL],
    ),
    (ProgrammeKind.CIS, 95, ["single_parent"], "closed", CaseOutcome.JOB, [ActionKind.OFFER]),
    (ProgrammeKind.KIS, 120, [], "closed", CaseOutcome.TRAINING, [ActionKind.TRAINING]),
    (
        ProgrammeKind.SOCIAL_CONTRACT,
        150,
        ["under_30"],
        "closed",
        CaseOutcome.REFUSED,
        [ActionKind.OFFER],
    ),
    (ProgrammeKind.PAI, 200, [], "closed", CaseOutcome.NOT_REACHABLE, []),
    (
        ProgrammeKind.SOCIAL_CONTRACT,
        240,
        ["long_term_unemployed", "disability"],
        "closed",
        CaseOutcome.INTERNSHIP,
        [ActionKind.EMPLOYER_CONTACT, ActionKind.INTERNSHIP_REFERRAL],
    ),
]

READINESS = [
    ("Prawo jazdy kat. B, obsługa kasy fiskalnej", "Od zaraz, pełny etat", "Handel, magazyn"),
    ("Prace porządkowe, ogrodnictwo (praktyka w CIS)", "Pierwsza zmiana", "Utrzymanie zieleni"),
    ("Szycie, obsługa maszyn szwalniczych", "Pół etatu do 14:00", "Krawiectwo"),
    ("Murarz-tynkarz, 10 lat doświadczenia", "Od zaraz", "Budownictwo"),
]


def _at(days_ago: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def seed() -> None:
    if Institution.objects.filter(short_name__in=[MOPS, PUP]).count() != 2:
        return
    mops, pup = Institution.objects.get(short_name=MOPS), Institution.objects.get(short_name=PUP)
    if Programme.objects.filter(client__owner=mops).exists():
        return
    cast = Cast(
        worker=User.objects.get(username=f"worker.{MOPS}"),
        advisor=User.objects.get(username=f"advisor.{PUP}"),
        coordinator=User.objects.get(username=f"coordinator.{PUP}"),
        pup=pup,
        cis=Institution.objects.filter(short_name=CIS).first(),
        offer=JobOffer.objects.filter(institution=pup, status=OfferStatus.PUBLISHED).first(),
    )
    clients = [
        c
        for c in Client.objects.filter(
            owner=mops, shares__partner=pup, shares__ended_at__isnull=True
        )
        .order_by("pk")
        .distinct()
        if promotion_consent(c, pup) is not None
    ]
    for i, (client, stage) in enumerate(zip(clients, STAGES, strict=False)):
        _one(i, client, stage, cast)


@dataclass(frozen=True)
class Cast:
    worker: User
    advisor: User
    coordinator: User
    pup: Institution
    cis: Institution | None
    offer: JobOffer | None


def _one(i: int, client: Client, stage: tuple, cast: Cast) -> None:
    kind, days, priorities, state, outcome, actions = stage
    worker, advisor, cis = cast.worker, cast.advisor, cast.cis
    if cast.offer is None:  # the offers demo did not run: no offer to point at
        actions = [ActionKind.EMPLOYER_CONTACT if a == ActionKind.OFFER else a for a in actions]
    today = timezone.localdate()
    runs_at_cis = kind == ProgrammeKind.CIS and cis is not None
    programme = services.programme_record(
        client=client,
        acting_user=worker,
        kind=kind,
        institution_name=cis.name if runs_at_cis else "",  # type: ignore[union-attr]
        started_on=today - dt.timedelta(days=days + 180),
    )
    programme = services.programme_finish(
        programme=programme,
        acting_user=worker,
        outcome=ProgrammeOutcome.COMPLETED,
        ended_on=today - dt.timedelta(days=days + 1),
    )
    skills, availability, preferred = READINESS[i % len(READINESS)]
    case = services.case_propose(
        programme=programme,
        acting_user=worker,
        target=cast.pup,
        skills=skills,
        availability=availability,
        preferred_work=preferred,
        constraints="Opieka nad dzieckiem po 15:00" if "single_parent" in priorities else "",
        priorities=dict.fromkeys(priorities, True),
    )
    stamps = {"proposed_at": _at(days), "last_activity_at": _at(days)}
    if state != "waiting":
        services.case_take(case=case, acting_user=advisor)
        stamps.update(taken_at=_at(days - 1), last_activity_at=_at(days - 1))
        for n, action in enumerate(actions):
            services.case_action_add(
                case=case,
                acting_user=advisor,
                kind=action,
                happened_on=today - dt.timedelta(days=max(days - 3 - 5 * n, 0)),
                offer=cast.offer if action == ActionKind.OFFER else None,
            )
        if actions:
            stamps.update(first_action_at=_at(days - 3), last_activity_at=_at(days - 3))
    if state == "closed":
        services.case_close(
            case=case, acting_user=cast.coordinator if i % 2 else advisor, outcome=outcome
        )
        stamps.update(closed_at=_at(days / 2), last_activity_at=_at(days / 2))
    type(case).objects.filter(pk=case.pk).update(**stamps)
