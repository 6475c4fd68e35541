"""Plans closed by outcome, hand-counted: per period (including the period's
last minute, local time) and per scope, and suppressed outside the owner."""

from __future__ import annotations

import pytest

from indicators.definitions import tables
from indicators.periods import QUARTER, YEAR, Period
from indicators.selectors import (
    figures_compute,
    scope_agreement,
    scope_county,
    scope_own,
    table_cells,
)
from reintegration.models import Participant, PlanOutcome, PlanStatus, ReintegrationPlan
from tests.factories import ClientFactory

from .data import at, build_world, shown

pytestmark = pytest.mark.django_db

OUTCOMES = [f"plans_ended_{v}" for v in PlanOutcome.values]


def closed_plan(w, owner, partners, closed_at, outcome):  # type: ignore[no-untyped-def]
    """A plan of a client of `owner`, with `partners` taking part, closed at `closed_at`."""
    plan = ReintegrationPlan.objects.create(client=ClientFactory(owner=owner), created_by=w.worker)
    for institution in (owner, *partners):
        Participant.objects.create(plan=plan, institution=institution, added_by=w.worker)
    if closed_at is not None:
        ReintegrationPlan.objects.filter(pk=plan.pk).update(
            status=PlanStatus.CLOSED,
            closed_at=closed_at,
            closed_by=w.worker,
            closing_outcome=outcome,
            closing_note="-",
        )
    return plan


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    w = build_world()
    y = w.year
    o = PlanOutcome
    closed_plan(w, w.own, [w.pup], at(y, 3, 31, 23, 59), o.GOALS_MET)  # P1: Q1, last minute
    closed_plan(w, w.own, [w.pup], at(y, 4, 1, 0, 0), o.WITHDREW)  # P2: Q2, first minute
    closed_plan(w, w.own, [], at(y, 2, 10), o.MOVED)  # P3: Q1, own alone
    closed_plan(w, w.own, [w.ngo], at(y, 1, 15), o.NOT_RECORDED)  # P4: Q1, closed before
    closed_plan(w, w.neighbour, [], at(y, 3, 1), o.GOALS_MET)  # P5: the neighbour's, Q1
    closed_plan(w, w.pup, [w.own], at(y, 3, 15), o.PARTLY_MET)  # P6: the PUP's client, Q1
    closed_plan(w, w.own, [w.pup], None, "")  # P7: still open
    closed_plan(w, w.own, [w.pup], at(y - 1, 12, 31, 23, 59), o.GOALS_MET)  # P8: Q4 of Y-1
    return w


def q(w, n: int) -> Period:  # type: ignore[no-untyped-def]
    return Period(QUARTER, w.year, n)


def outcomes(f) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """The total and the outcomes found (zero pairs left out)."""
    found = {k.removeprefix("plans_ended_"): f[k] for k in OUTCOMES if f[k] != (0, 0)}
    return {"total": f["plans_ended"], **found}


def test_own_institution_per_period(world) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(world.own)
    # Q1: P1 (its last minute), P3, P4, P6; beside it Q4 of the year before: P8.
    assert outcomes(figures_compute(own, q(world, 1))) == {
        "total": (4, 1),
        "goals_met": (1, 1),
        "partly_met": (1, 0),
        "moved": (1, 0),
        "not_recorded": (1, 0),
    }
    # Q2: P2 (its first minute); Q1 beside it.
    assert outcomes(figures_compute(own, q(world, 2))) == {
        "total": (1, 4),
        "goals_met": (0, 1),
        "partly_met": (0, 1),
        "withdrew": (1, 0),
        "moved": (0, 1),
        "not_recorded": (0, 1),
    }
    year = figures_compute(own, Period(YEAR, world.year))
    assert year["plans_ended"] == (5, 1)
    assert year["plans_ended_goals_met"] == (1, 1)
    # The plans table's own count agrees with the breakdown's total.
    assert year["plans_closed"] == year["plans_ended"]
    assert figures_compute(own, q(world, 3))["plans_ended"] == (0, 1)


def test_per_agreement_and_county(world) -> None:  # type: ignore[no-untyped-def]
    # With the PUP: own's client with the PUP taking part (P1), the PUP's with own (P6).
    pup = figures_compute(scope_agreement(world.a_pup), q(world, 1))
    assert outcomes(pup) == {"total": (2, 1), "goals_met": (1, 1), "partly_met": (1, 0)}
    assert outcomes(figures_compute(scope_agreement(world.a_pup), q(world, 2)))["withdrew"] == (
        1,
        0,
    )
    # With the NGO: P4 only (P3 had no partner).
    ngo = figures_compute(scope_agreement(world.a_ngo), q(world, 1))
    assert outcomes(ngo) == {"total": (1, 0), "not_recorded": (1, 0)}
    # The county: plans held by own and its partners; not the neighbour's P5.
    county = figures_compute(scope_county(world.own), q(world, 1))
    assert outcomes(county) == outcomes(figures_compute(scope_own(world.own), q(world, 1)))
    # The plans table's count of plans closed: P1, P3, P4, P6; P8.
    assert county["plans_closed"] == (4, 1)
    assert figures_compute(scope_county(world.own), q(world, 2))["plans_closed"] == (1, 4)  # P2
    year = figures_compute(scope_county(world.own), Period(YEAR, world.year))
    assert (year["plans_closed"], year["plans_ended"]) == ((5, 1), (5, 1))
    assert shown(year, "plans_closed", "plans_ended") == {
        "plans_closed": ("5", "<5"),
        "plans_ended": ("5", "<5"),
    }
    neighbour = figures_compute(scope_own(world.neighbour), q(world, 1))
    assert outcomes(neighbour) == {"total": (1, 0), "goals_met": (1, 0)}
    # Another county sees none of it.
    assert figures_compute(scope_own(world.foreign), q(world, 1))["plans_ended"] == (0, 0)


def test_suppressed_outside_the_owner_exact_inside(world) -> None:  # type: ignore[no-untyped-def]
    table = next(t for t in tables() if t.key == "outcomes")
    figures = figures_compute(scope_county(world.own), q(world, 1))
    shown = {r["key"]: r for r in table_cells(table, figures, exact=False)}
    assert shown["plans_ended"]["current"].text == "<5"
    assert shown["plans_ended_goals_met"]["current"].text == "<5"
    assert shown["plans_ended_withdrew"]["current"].text == "<5"  # a zero is small too
    exact = {r["key"]: r for r in table_cells(table, figures, exact=True)}
    assert exact["plans_ended"]["current"].text == "4"
    # Six of one outcome and two of another: the two is hidden, and never alone.
    big = {k: (0, 0) for k in OUTCOMES} | {
        "plans_ended": (8, 0),
        "plans_ended_goals_met": (6, 0),
        "plans_ended_moved": (2, 0),
    }
    cells = {r["key"]: r["current"].text for r in table_cells(table, big, exact=False)}
    assert cells["plans_ended"] == "8" and cells["plans_ended_moved"] == "<5"
    assert len([k for k in OUTCOMES if cells[k] in ("×", "<5")]) >= 2
