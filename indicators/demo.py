"""A year of history for the indicators (run by `manage.py seed_demo`, after the other apps).

For each county's MOPS and PUP (their agreement is in force): access requests,
SEPI lookups and clients proposed to the promotion queue, spread over the last
twelve months relative to the day of seeding, so the dashboard has figures for
every period it offers and for the year before; and for each MOPS a plan worked
on for a year and closed, whose steps were done (some late) or dropped on known
days, so "steps overdue at the end of the period" is not nought for past
periods; and last year's annual report on each agreement (`_reports`). Idempotent.
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
    _reports()


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
    _steps(rng, ops, worker)


STEP_GOAL = "Samodzielność finansowa i powrót do pracy (rok wsparcia)"
STEP_TITLES = (
    ("income", "Wniosek o zasiłek okresowy"),
    ("debt", "Plan spłaty zadłużenia czynszowego"),
    ("housing", "Wniosek o dodatek mieszkaniowy"),
    ("food", "Pomoc żywnościowa z programu FEPŻ"),
    ("family_care", "Usługi opiekuńcze dla matki"),
    ("education", "Kurs kwalifikacyjny: magazynier"),
    ("qualifications", "Egzamin UDT na wózki widłowe"),
    ("experience", "Staż w hurtowni"),
    ("availability", "Warsztaty aktywnego poszukiwania pracy"),
)


def _steps(rng: random.Random, ops: Institution, worker: User) -> None:
    """A plan of a client with no plan yet, opened 14 months ago and closed 20 days
    ago, with steps due every few weeks: most done on time, some late (across the
    end of a quarter), a few dropped; each with the day it was done or dropped."""
    from reintegration.models import (
        Goal,
        Participant,
        PlanOutcome,
        PlanStatus,
        ReintegrationPlan,
        Step,
        StepStatus,
    )

    if Goal.objects.filter(title=STEP_GOAL, plan__client__owner=ops).exists():
        return
    from clients.models import Client

    client = (
        Client.objects.filter(owner=ops, reintegration_plans__isnull=True).order_by("-pk").first()
    )
    if client is None:
        return
    today = timezone.localdate()
    opened = _moment(rng, 430)
    plan = ReintegrationPlan.objects.create(
        client=client,
        created_by=worker,
        social_worker=worker,
        status=PlanStatus.CLOSED,
        closed_at=_moment(rng, 20),
        closed_by=worker,
        closing_outcome=PlanOutcome.PARTLY_MET,
        closing_note="Dochód zabezpieczony, zatrudnienie na okres próbny.",
    )
    ReintegrationPlan.objects.filter(pk=plan.pk).update(created_at=opened)
    Participant.objects.create(plan=plan, institution=ops, added_by=worker)
    goal = Goal.objects.create(plan=plan, title=STEP_GOAL, created_by=worker)
    rows = []
    for i in range(24):
        area, title = STEP_TITLES[i % len(STEP_TITLES)]
        due = today - dt.timedelta(days=400 - 16 * i)
        dropped = rng.random() < 0.12
        late = rng.random() < 0.35
        closed = due + dt.timedelta(days=rng.randint(5, 60) if late else -rng.randint(0, 10))
        rows.append(
            Step(
                plan=plan,
                goal=goal,
                area=area,
                title=title,
                institution=ops,
                responsible=worker,
                due_date=due,
                status=StepStatus.DROPPED if dropped else StepStatus.DONE,
                outcome="Zrezygnowano po ocenie." if dropped else "Zrealizowano.",
                closed_on=min(closed, today - dt.timedelta(days=20)),
                created_by=worker,
            )
        )
    Step.objects.bulk_create(rows)
    Step.objects.filter(plan=plan).update(created_at=opened)


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


# Last year's report on each county's MOPS–PUP agreement: in Skarżysko approved by both
# and kept as a file; in Ostrowiec drafted and approved by the MOPS, waiting for the PUP
# (its coordinator sees it on the home page).
REPORT_ANSWERS = {
    "mops-skarzysko": (
        {"information": 4, "plans": 4, "meetings": 5, "referrals": 3, "sepi": 5,
         "job_offers": 3, "promotion": 4},
        "Wspólne plany dla rodzin z zadłużeniem; szybkie sprawdzanie statusu w SEPI.",
        "Więcej ofert pracy dla osób po kontrakcie socjalnym; krótszy czas odpowiedzi.",
    ),
    "pup-skarzysko": (
        {"information": 4, "plans": 3, "meetings": 4, "referrals": 3, "sepi": 4,
         "job_offers": 4, "promotion": 4},
        "Kolejka promocji zatrudnienia: klienci zgłaszani z opisem i zgodą.",
        "Wspólne szkolenie z Indywidualnego Planu Działania w pierwszym kwartale.",
    ),
    "mops-ostrowiec": (
        {"information": 3, "plans": 3, "meetings": 4, "referrals": 2, "sepi": 4,
         "job_offers": 3, "promotion": 3},
        "Comiesięczne spotkania koordynatorów.",
        "Skierowania do organizacji: odpowiedź w ciągu 2 dni roboczych.",
    ),
}  # fmt: skip


def _reports() -> None:
    from agreements.scope import in_force

    from .models import AnnualReport
    from .services import assessment_save, report_approve, report_draft, report_years

    year = timezone.localdate().year - 1
    for ops_short, pup_short in PAIRS:
        agreement = (
            in_force()
            .filter(parties__institution__short_name=ops_short)
            .filter(parties__institution__short_name=pup_short)
            .order_by("pk")
            .first()
        )
        if agreement is None or year not in report_years(agreement):
            continue
        if AnnualReport.objects.filter(agreement=agreement, year=year).exists():
            continue
        ops_coordinator = User.objects.get(username=f"coordinator.{ops_short}")
        report = report_draft(agreement=agreement, year=year, acting_user=ops_coordinator)
        answering = [ops_short] + ([pup_short] if pup_short in REPORT_ANSWERS else [])
        for short in answering:
            scores, worked, change = REPORT_ANSWERS[short]
            assessment_save(
                report=report,
                acting_user=User.objects.get(username=f"coordinator.{short}"),
                answers={topic: {"score": n, "comment": ""} for topic, n in scores.items()},
                what_worked=worked,
                what_to_change=change,
            )
        for short in answering:
            report_approve(
                report=report, acting_user=User.objects.get(username=f"coordinator.{short}")
            )
