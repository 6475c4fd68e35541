"""Demo plans (run by `manage.py seed_demo` after the clients): four clients of
MOPS Skarżysko at different stages. Where a client is shared with PUP Skarżysko
under joint plans, the PUP takes part and owns the vocational steps; otherwise
the MOPS does the whole plan alone.

Idempotent: the clients are picked in a fixed order and a client that already
has a plan is left alone. Everything goes through the services, then dates are
moved back so the plans look lived in (overdue steps, an overdue review).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clients.models import Client
from cooperation.models import Institution, User
from cooperation.permissions import can, visible
from cooperation.processing import SpecialCategoryGround

from . import services
from .models import (
    Area,
    Goal,
    NeedLevel,
    PlanChange,
    PlanOutcome,
    ReintegrationPlan,
    Step,
    StepStatus,
)

HOLDER = "mops-skarzysko"
PARTNER = "pup-skarzysko"


class Cast:
    """The people who work on the demo plans."""

    def __init__(self) -> None:
        self.holder = Institution.objects.get(short_name=HOLDER)
        self.partner = Institution.objects.get(short_name=PARTNER)
        self.worker = User.objects.get(username=f"worker.{HOLDER}")
        self.coordinator = User.objects.get(username=f"coordinator.{HOLDER}")
        self.advisor = User.objects.get(username=f"advisor.{PARTNER}")

    def shared(self, client: Client) -> bool:
        return visible(Client, self.advisor).filter(pk=client.pk).exists() and can(
            self.advisor, client, "plan"
        )


def _today() -> dt.date:
    return timezone.localdate()


def _days(n: int) -> dt.date:
    return _today() + dt.timedelta(days=n)


def _open(cast: Cast, client: Client, *, review_in: int) -> tuple[ReintegrationPlan, bool]:
    shared = cast.shared(client)
    plan = services.plan_create(
        acting_user=cast.worker,
        client=client,
        partners=[cast.partner] if shared else [],
        social_worker=cast.worker,
        client_advisor=cast.advisor if shared else None,
        coordinator=cast.coordinator,
        next_review_date=_days(review_in),
    )
    return plan, shared


def _assess(plan: ReintegrationPlan, user: User, levels: dict[str, tuple[str, str]]) -> None:
    # The demo's centres record health and addiction needs under the Social Assistance Act.
    services.needs_assess(
        plan=plan,
        acting_user=user,
        assessments=levels,
        special_category_ground=SpecialCategoryGround.SOCIAL_PROTECTION,
    )


def _vocational(cast: Cast, shared: bool) -> tuple[User, Institution]:
    """Who does the vocational steps: the PUP advisor if the PUP takes part."""
    return (cast.advisor, cast.partner) if shared else (cast.worker, cast.holder)


def _step(plan: ReintegrationPlan, user: User, goal, area: str, title: str, due: int, **kw) -> Step:
    institution = kw.pop("institution", None) or user.memberships.get(is_active=True).institution
    return services.step_add(
        plan=plan,
        acting_user=user,
        goal=goal,
        area=area,
        title=title,
        institution=institution,
        responsible=kw.pop("responsible", user),
        due_date=_days(due),
        **kw,
    )


def _age(plan: ReintegrationPlan, days: int) -> None:
    """Spread the plan's history over the last `days` days, keeping its order."""
    start = timezone.now() - dt.timedelta(days=days)
    ReintegrationPlan.objects.filter(pk=plan.pk).update(created_at=start)
    changes = list(PlanChange.objects.filter(plan=plan).order_by("at", "pk"))
    gap = dt.timedelta(days=days) / max(len(changes), 1)
    for i, change in enumerate(changes):
        at = start + gap * i
        PlanChange.objects.filter(pk=change.pk).update(at=at)
        # A step done or dropped by this change closed on the change's (moved) day.
        if change.step_id and any(
            c.get("field") == "status" and c.get("new") in (StepStatus.DONE, StepStatus.DROPPED)
            for c in change.changes
        ):
            Step.objects.filter(pk=change.step_id).update(closed_on=timezone.localdate(at))


def _late(step: Step, days: int) -> None:
    Step.objects.filter(pk=step.pk).update(due_date=_today() - dt.timedelta(days=days))


def advanced(cast: Cast, client: Client) -> None:
    """Basic needs addressed, vocational steps under way, a review held."""
    plan, shared = _open(cast, client, review_in=10)
    w = cast.worker
    _assess(
        plan,
        w,
        {
            Area.HOUSING: (NeedLevel.NONE, "Mieszka z matką, lokal komunalny."),
            Area.INCOME: (NeedLevel.CRITICAL, "Brak dochodu od 8 miesięcy."),
            Area.FOOD: (NeedLevel.MODERATE, "Korzysta z paczek żywnościowych."),
            Area.HEALTH: (NeedLevel.NONE, ""),
            Area.ADDICTION: (NeedLevel.NONE, ""),
            Area.FAMILY_CARE: (NeedLevel.NONE, ""),
            Area.DEBT: (NeedLevel.MODERATE, "Zaległości za energię ok. 1 200 zł."),
            Area.EDUCATION: (NeedLevel.MODERATE, "Wykształcenie zasadnicze zawodowe."),
            Area.QUALIFICATIONS: (NeedLevel.MODERATE, "Brak uprawnień na wózki widłowe."),
            Area.EXPERIENCE: (NeedLevel.MODERATE, "Ostatnia praca 3 lata temu, magazyn."),
            Area.AVAILABILITY: (NeedLevel.NONE, "Dyspozycyjna, bez osób zależnych."),
        },
    )
    income = services.goal_add(
        plan=plan, acting_user=w, title="Stały dochód na podstawowe potrzeby"
    )
    _step(plan, w, income, Area.INCOME, "Wniosek o zasiłek okresowy", 5)
    benefit = Step.objects.get(plan=plan, title="Wniosek o zasiłek okresowy")
    services.step_update(
        step=benefit,
        acting_user=w,
        goal=income,
        area=Area.INCOME,
        title=benefit.title,
        institution=cast.holder,
        responsible=w,
        due_date=benefit.due_date,
        status=StepStatus.DONE,
        outcome="Zasiłek przyznany decyzją na 6 miesięcy.",
    )
    _step(
        plan,
        w,
        income,
        Area.DEBT,
        "Porozumienie z dostawcą energii o ratach",
        21,
        status=StepStatus.IN_PROGRESS,
    )
    job = services.goal_add(plan=plan, acting_user=w, title="Zatrudnienie w magazynie do pół roku")
    user, where = _vocational(cast, shared)
    _step(
        plan,
        user,
        job,
        Area.QUALIFICATIONS,
        "Szkolenie: operator wózka widłowego (UDT)",
        30,
        institution=where,
        status=StepStatus.IN_PROGRESS,
    )
    _step(plan, user, job, Area.EXPERIENCE, "Staż w hurtowni spożywczej", 75, institution=where)
    _step(plan, w, job, Area.AVAILABILITY, "Warsztaty aktywnego poszukiwania pracy w KIS", 14)
    services.review_record(
        plan=plan,
        acting_user=user,
        held_on=_today() - dt.timedelta(days=20),
        progress="Dochód zabezpieczony zasiłkiem okresowym. Klientka rozpoczęła szkolenie, "
        "frekwencja pełna. Spłaca zaległość za energię zgodnie z porozumieniem.",
        next_review_date=_days(10),
    )
    _age(plan, 75)


def basic_needs_first(cast: Cast, client: Client) -> None:
    """Housing and debt critical; a vocational step scheduled early, with a justification;
    an overdue step and an overdue review on the home pages of the people responsible."""
    plan, shared = _open(cast, client, review_in=14)
    w = cast.worker
    _assess(
        plan,
        w,
        {
            Area.HOUSING: (
                NeedLevel.CRITICAL,
                "Wyrok eksmisyjny, termin opuszczenia lokalu za 2 miesiące.",
            ),
            Area.INCOME: (NeedLevel.MODERATE, "Prace dorywcze."),
            Area.DEBT: (NeedLevel.CRITICAL, "Zadłużenie czynszowe i komornik."),
            Area.HEALTH: (NeedLevel.MODERATE, "Leczenie kręgosłupa."),
            Area.EXPERIENCE: (NeedLevel.MODERATE, "Doświadczenie w budownictwie."),
            Area.QUALIFICATIONS: (NeedLevel.MODERATE, ""),
        },
    )
    home = services.goal_add(plan=plan, acting_user=w, title="Zachować dach nad głową")
    late = _step(plan, w, home, Area.HOUSING, "Wniosek o lokal socjalny do urzędu miasta", 7)
    _step(plan, w, home, Area.DEBT, "Skierowanie do poradni zadłużeniowej", 10)
    job = services.goal_add(plan=plan, acting_user=w, title="Legalne zatrudnienie")
    user, where = _vocational(cast, shared)
    _step(
        plan,
        user,
        job,
        Area.EXPERIENCE,
        "Prace interwencyjne przy remontach",
        40,
        institution=where,
        justification="Pracodawca zgłosił miejsce teraz; wynagrodzenie pozwoli spłacać zadłużenie "
        "i uratować mieszkanie.",
    )
    _late(late, 4)
    ReintegrationPlan.objects.filter(pk=plan.pk).update(
        next_review_date=_today() - dt.timedelta(days=2)
    )
    _age(plan, 40)


def fresh(cast: Cast, client: Client) -> None:
    """Just opened: some needs assessed, one goal, no steps yet."""
    plan, _shared = _open(cast, client, review_in=21)
    _assess(
        plan,
        cast.worker,
        {
            Area.FAMILY_CARE: (
                NeedLevel.MODERATE,
                "Opieka nad matką, potrzebne wsparcie opiekuńcze.",
            ),
            Area.AVAILABILITY: (NeedLevel.MODERATE, "Dostępna 4 godziny dziennie."),
        },
    )
    services.goal_add(plan=plan, acting_user=cast.worker, title="Usługi opiekuńcze dla matki")
    _age(plan, 3)


def closed(cast: Cast, client: Client) -> None:
    """A finished plan, kept as history."""
    plan, shared = _open(cast, client, review_in=30)
    w = cast.worker
    _assess(
        plan, w, {Area.INCOME: (NeedLevel.MODERATE, ""), Area.EXPERIENCE: (NeedLevel.MODERATE, "")}
    )
    goal = services.goal_add(plan=plan, acting_user=w, title="Powrót do pracy")
    user, where = _vocational(cast, shared)
    step = _step(
        plan, user, goal, Area.EXPERIENCE, "Pośrednictwo pracy: sprzedawca", 20, institution=where
    )
    services.step_update(
        step=step,
        acting_user=user,
        goal=goal,
        area=step.area,
        title=step.title,
        institution=where,
        responsible=user,
        due_date=step.due_date,
        status=StepStatus.DONE,
        outcome="Umowa o pracę na czas określony, 12 miesięcy.",
    )
    services.plan_close(
        plan=plan,
        acting_user=w,
        outcome=PlanOutcome.GOALS_MET,
        note="Cel osiągnięty: klient podjął zatrudnienie.",
    )
    ReintegrationPlan.objects.filter(pk=plan.pk).update(
        closed_at=F("closed_at") - dt.timedelta(days=30)
    )
    _age(plan, 200)


# Each stage: the goal that marks it as done (a stage whose goal exists is not run
# again), whether it wants a client shared with the PUP, and what it builds.
STAGES: list[tuple[str, bool, Callable[[Cast, Client], None]]] = [
    ("Zatrudnienie w magazynie do pół roku", True, advanced),
    ("Zachować dach nad głową", True, basic_needs_first),
    ("Usługi opiekuńcze dla matki", False, fresh),
    ("Powrót do pracy", False, closed),
]


@transaction.atomic
def seed() -> None:
    """Four plans for four clients of MOPS Skarżysko, each at a different stage.

    Joint stages take clients shared with the PUP where there are any; clients
    that already have a plan (demo or not) are never touched.
    """
    if not Institution.objects.filter(short_name=HOLDER).exists():
        return
    cast = Cast()
    done = set(Goal.objects.filter(plan__client__owner=cast.holder).values_list("title", flat=True))
    todo = [(wants_shared, stage) for marker, wants_shared, stage in STAGES if marker not in done]
    if not todo:
        return
    free = list(
        Client.objects.filter(owner=cast.holder)
        .exclude(reintegration_plans__isnull=False)
        .order_by("pk")[:40]
    )
    shared = [c for c in free if cast.shared(c)]
    pools = {True: shared, False: [c for c in free if c not in shared]}
    for wants_shared, stage in todo:
        pool = pools[wants_shared] or pools[not wants_shared]
        if not pool:
            return
        stage(cast, pool.pop(0))
