"""Consents, plans and steps, hand-counted (issue 16): per period (a quarter,
the one after it, the year) and per scope (own institution, an agreement, the county),
including a period's last day or minute, local time, and the first one after.

Y is last year (see data.py). Every row is numbered in the fixture; each
assertion names the rows it counts. A figure is (this period, the one before).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from clients.models import Consent
from indicators.selectors import figures_compute, scope_agreement, scope_own
from reintegration.models import Area, Goal, Participant, ReintegrationPlan, Step, StepStatus
from tests.factories import ClientFactory

from ..conftest import shifted_now
from ..reintegration.helpers import set_status
from .data import at, build_world, county, pick, q, shown, year

pytestmark = pytest.mark.django_db

d = dt.date


# -- consents -------------------------------------------------------------------


def consent(w, owner, partner, given_on, valid_until, withdrawn_on=None):  # type: ignore[no-untyped-def]
    return Consent.objects.create(
        client=ClientFactory(owner=owner),
        partner=partner,
        given_on=given_on,
        valid_until=valid_until,
        withdrawn_on=withdrawn_on,
        withdrawn_at=at(withdrawn_on.year, withdrawn_on.month, withdrawn_on.day)
        if withdrawn_on
        else None,
        recorded_by=w.worker,
    )


@pytest.fixture
def consents():  # type: ignore[no-untyped-def]
    w = build_world()
    y = w.year
    far = d(y + 3, 1, 1)
    consent(w, w.own, w.pup, d(y, 3, 31), far)  # C1: given on Q1's last day
    consent(w, w.own, w.ngo, d(y, 4, 1), far)  # C2: given on Q2's first day
    consent(w, w.own, w.pup, d(y - 1, 12, 31), far, d(y, 3, 31))  # C3: given Q4 Y-1, withdrawn Q1
    # Valid on its last day, a consent lapses the day after (clients.services marks it so).
    consent(w, w.own, w.ngo, d(y - 2, 4, 1), d(y, 3, 30))  # C4: lapses on 31 March, Q1
    consent(w, w.own, w.pup, d(y - 2, 4, 2), d(y, 3, 31))  # C5: lapses on 1 April, Q2
    # C6: would lapse in Q1 but was withdrawn before: withdrawn, not lapsed.
    consent(w, w.own, w.ngo, d(y - 1, 3, 1), d(y, 2, 15), d(y, 1, 10))
    consent(w, w.neighbour, w.foreign, d(y, 2, 1), d(y, 3, 1))  # C7: not own's, lapses 2 March
    consent(w, w.pup, w.own, d(y, 2, 10), far)  # C8: the PUP's client, own the partner
    consent(w, w.pup, w.ngo, d(y, 3, 15), far)  # C9: the PUP's client, the NGO the partner
    return w


CONSENTS = ("consents_given", "consents_withdrawn", "consents_lapsed")


def test_consents_given_withdrawn_lapsed_own(consents) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(consents.own)
    # Q1: given C1 (31 March), C8; before it C3. Withdrawn C3, C6. Lapsed C4 (not C6).
    assert pick(figures_compute(own, q(consents, 1)), *CONSENTS) == {
        "consents_given": (2, 1),
        "consents_withdrawn": (2, 0),
        "consents_lapsed": (1, 0),
    }
    # Q2: given C2 (1 April); lapsed C5 (valid until 31 March, so lapsed on 1 April).
    assert pick(figures_compute(own, q(consents, 2)), *CONSENTS) == {
        "consents_given": (1, 2),
        "consents_withdrawn": (0, 2),
        "consents_lapsed": (1, 1),
    }
    # The year: C1, C2, C8 given (C3, C6 the year before); C3, C6 withdrawn; C4, C5 lapsed.
    assert pick(figures_compute(own, year(consents)), *CONSENTS) == {
        "consents_given": (3, 2),
        "consents_withdrawn": (2, 0),
        "consents_lapsed": (2, 0),
    }


def test_a_consent_lapses_only_once_its_last_day_has_passed(consents) -> None:  # type: ignore[no-untyped-def]
    """In the current period, a consent valid until a later day has not lapsed yet."""
    y = consents.year
    own = scope_own(consents.own)
    with time_machine.travel(shifted_now(f"{y}-03-30T12:00"), tick=False):
        # 30 March: C4 is valid today (lapses tomorrow); only C6's was due, and it was withdrawn.
        assert figures_compute(own, q(consents, 1))["consents_lapsed"] == (0, 0)
    with time_machine.travel(shifted_now(f"{y}-03-31T00:01"), tick=False):
        assert figures_compute(own, q(consents, 1))["consents_lapsed"] == (1, 0)  # C4


def test_consents_per_agreement(consents) -> None:  # type: ignore[no-untyped-def]
    # With the PUP: C1, C3, C5 (own's clients, the PUP the partner) and C8 (the other way).
    pup = scope_agreement(consents.a_pup)
    assert pick(figures_compute(pup, q(consents, 1)), *CONSENTS) == {
        "consents_given": (2, 1),
        "consents_withdrawn": (1, 0),
        "consents_lapsed": (0, 0),
    }
    assert figures_compute(pup, q(consents, 2))["consents_lapsed"] == (1, 0)
    # With the NGO: C2, C4, C6.
    ngo = scope_agreement(consents.a_ngo)
    assert pick(figures_compute(ngo, q(consents, 1)), *CONSENTS) == {
        "consents_given": (0, 0),
        "consents_withdrawn": (1, 0),
        "consents_lapsed": (1, 0),
    }
    assert figures_compute(ngo, q(consents, 2))["consents_given"] == (1, 0)
    # The neighbour sees only C7.
    neighbour = figures_compute(scope_own(consents.neighbour), q(consents, 1))
    assert pick(neighbour, *CONSENTS) == {
        "consents_given": (1, 0),
        "consents_withdrawn": (0, 0),
        "consents_lapsed": (1, 0),
    }


def test_consents_per_county(consents) -> None:  # type: ignore[no-untyped-def]
    """The county holds the consents of clients of own, the NGO and the PUP: C1-C6,
    C8 and C9 (the PUP's and the NGO's, own not in it); not C7 (the neighbour's)."""
    w = consents
    q1 = county(w, q(w, 1))
    assert pick(q1, *CONSENTS) == {
        "consents_given": (3, 1),  # C1, C8, C9; C3
        "consents_withdrawn": (2, 0),  # C3, C6
        "consents_lapsed": (1, 0),  # C4
    }
    # Outside the owner every one of them is small.
    assert shown(q1, *CONSENTS) == {k: ("<5", "<5") for k in CONSENTS}
    assert pick(county(w, q(w, 2)), *CONSENTS) == {
        "consents_given": (1, 3),  # C2
        "consents_withdrawn": (0, 2),
        "consents_lapsed": (1, 1),  # C5
    }
    assert pick(county(w, year(w)), *CONSENTS) == {
        "consents_given": (4, 2),
        "consents_withdrawn": (2, 0),
        "consents_lapsed": (2, 0),
    }


# -- plans and steps ----------------------------------------------------------------


def plan(w, owner, partners, created_at):  # type: ignore[no-untyped-def]
    """A plan of a client of `owner`, `partners` taking part, opened at `created_at`."""
    row = ReintegrationPlan.objects.create(client=ClientFactory(owner=owner), created_by=w.worker)
    for institution in (owner, *partners):
        Participant.objects.create(plan=row, institution=institution, added_by=w.worker)
    ReintegrationPlan.objects.filter(pk=row.pk).update(created_at=created_at)
    return row


def step(w, on_plan, institution, area, due, status, created_at, justification="", closed_on=None):  # type: ignore[no-untyped-def]
    goal = Goal.objects.filter(plan=on_plan).first() or Goal.objects.create(
        plan=on_plan, title="Cel", created_by=w.worker
    )
    row = Step.objects.create(
        plan=on_plan,
        goal=goal,
        area=area,
        title="Krok",
        institution=institution,
        responsible=w.worker,
        due_date=due,
        status=status,
        justification=justification,
        closed_on=closed_on,
        created_by=w.worker,
    )
    Step.objects.filter(pk=row.pk).update(created_at=created_at)
    return row


@pytest.fixture
def plans():  # type: ignore[no-untyped-def]
    w = build_world()
    y = w.year
    p1 = plan(w, w.own, [w.pup], at(y, 3, 31, 23, 59))  # P1: Q1, its last minute
    plan(w, w.own, [w.pup], at(y, 4, 1, 0, 0))  # P2: Q2, its first minute
    plan(w, w.own, [w.ngo, w.pup], at(y, 2, 10))  # P3: Q1, two partners (counted once)
    p4 = plan(w, w.pup, [w.own], at(y - 1, 12, 31, 23, 59))  # P4: the PUP's client, Q4 Y-1
    p5 = plan(w, w.neighbour, [], at(y, 2, 1))  # P5: the neighbour's, alone
    p6 = plan(w, w.ngo, [w.pup], at(y, 2, 20))  # P6: the NGO's client, the PUP in it, not own
    s = StepStatus
    step(w, p1, w.own, "housing", d(y, 3, 31), s.PLANNED, at(y, 3, 31, 23, 59))  # S1
    step(
        w, p1, w.pup, "qualifications", d(y, 4, 1), s.DONE, at(y, 4, 1, 0, 0), "pilne", d(y, 4, 1)
    )  # S2: vocational, justified, Q2's first minute, done on its due day
    step(w, p1, w.ngo, "education", d(y, 2, 15), s.IN_PROGRESS, at(y, 1, 10))  # S3: no reason
    step(
        w, p4, w.own, "experience", d(y, 3, 20), s.DROPPED, at(y - 1, 12, 20), "oferta", d(y, 3, 1)
    )  # S4: own's step on the PUP's client's plan, added in Q4 Y-1, dropped before due
    step(w, p5, w.neighbour, "housing", d(y, 2, 1), s.PLANNED, at(y, 2, 1))  # S5: not own's
    step(w, p1, w.own, "debt", d(y - 1, 12, 10), s.PLANNED, at(y - 1, 11, 5))  # S6: long overdue
    step(
        w, p6, w.pup, "availability", d(y, 3, 1), s.PLANNED, at(y, 2, 20), "praca sezonowa"
    )  # S7: the PUP's on the NGO's client's plan: the county's, neither own's nor an agreement's
    return w


def test_plans_opened(plans) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(plans.own)
    assert figures_compute(own, q(plans, 1))["plans_opened"] == (2, 1)  # P1, P3; P4
    assert figures_compute(own, q(plans, 2))["plans_opened"] == (1, 2)  # P2
    assert figures_compute(own, year(plans))["plans_opened"] == (3, 1)
    pup = scope_agreement(plans.a_pup)
    assert figures_compute(pup, q(plans, 1))["plans_opened"] == (2, 1)  # P1, P3; P4
    ngo = scope_agreement(plans.a_ngo)
    assert figures_compute(ngo, q(plans, 1))["plans_opened"] == (1, 0)  # P3
    assert figures_compute(ngo, q(plans, 2))["plans_opened"] == (0, 1)
    assert figures_compute(scope_own(plans.neighbour), q(plans, 1))["plans_opened"] == (1, 0)


def test_plans_opened_and_closed_per_county(plans) -> None:  # type: ignore[no-untyped-def]
    """The county: plans of clients of own, the NGO and the PUP (P1-P4, P6), not P5."""
    assert county(plans, q(plans, 1))["plans_opened"] == (3, 1)  # P1, P3, P6; P4
    assert county(plans, q(plans, 2))["plans_opened"] == (1, 3)  # P2
    f = county(plans, year(plans))
    assert pick(f, "plans_opened", "plans_closed") == {
        "plans_opened": (4, 1),
        "plans_closed": (0, 0),  # none closed (see test_plan_outcomes.py)
    }
    assert shown(f, "plans_opened") == {"plans_opened": ("<5", "<5")}


def areas(f) -> dict:  # type: ignore[no-untyped-def]
    """The steps added and the areas found (zero pairs left out)."""
    found = {a: f[f"steps_area_{a}"] for a in Area.values if f[f"steps_area_{a}"] != (0, 0)}
    return {"total": f["steps_added"], **found}


def test_steps_by_need_area(plans) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(plans.own)
    # Q1: S1 (31 March 23:59), S3; before it S4, S6.
    assert areas(figures_compute(own, q(plans, 1))) == {
        "total": (2, 2),
        "housing": (1, 0),
        "education": (1, 0),
        "experience": (0, 1),
        "debt": (0, 1),
    }
    # Q2: S2 (1 April 00:00).
    assert areas(figures_compute(own, q(plans, 2))) == {
        "total": (1, 2),
        "housing": (0, 1),
        "education": (0, 1),
        "qualifications": (1, 0),
    }
    assert figures_compute(own, year(plans))["steps_added"] == (3, 2)
    pup = scope_agreement(plans.a_pup)  # S2 (the PUP's on own's client), S4 (the other way)
    assert areas(figures_compute(pup, q(plans, 2))) == {"total": (1, 0), "qualifications": (1, 0)}
    assert areas(figures_compute(pup, q(plans, 1))) == {"total": (0, 1), "experience": (0, 1)}
    ngo = scope_agreement(plans.a_ngo)  # S3
    assert areas(figures_compute(ngo, q(plans, 1))) == {"total": (1, 0), "education": (1, 0)}
    # The county: steps owned by own, the NGO and the PUP (S7 too), not S5.
    assert areas(county(plans, q(plans, 1))) == {
        "total": (3, 2),
        "housing": (1, 0),
        "education": (1, 0),
        "availability": (1, 0),
        "experience": (0, 1),
        "debt": (0, 1),
    }
    assert areas(county(plans, q(plans, 2)))["total"] == (1, 3)  # S2
    assert county(plans, year(plans))["steps_added"] == (4, 2)
    assert shown(county(plans, q(plans, 1)), "steps_added", "steps_area_housing") == {
        "steps_added": ("<5", "<5"),
        "steps_area_housing": ("<5", "<5"),
    }


STATUSES = [f"steps_due_{v}" for v in StepStatus.values]


def due(f) -> dict:  # type: ignore[no-untyped-def]
    found = {k.removeprefix("steps_due_"): f[k] for k in STATUSES if f[k] != (0, 0)}
    return {"total": f["steps_due"], **found}


def test_steps_due_by_status(plans) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(plans.own)
    # Q1: S1 (due 31 March), S3, S4; before it S6.
    assert due(figures_compute(own, q(plans, 1))) == {
        "total": (3, 1),
        "planned": (1, 1),
        "in_progress": (1, 0),
        "dropped": (1, 0),
    }
    # Q2: S2 (due 1 April).
    assert due(figures_compute(own, q(plans, 2))) == {
        "total": (1, 3),
        "planned": (0, 1),
        "in_progress": (0, 1),
        "done": (1, 0),
        "dropped": (0, 1),
    }
    assert due(figures_compute(own, year(plans)))["total"] == (4, 1)
    pup = scope_agreement(plans.a_pup)
    assert due(figures_compute(pup, q(plans, 1))) == {"total": (1, 0), "dropped": (1, 0)}
    ngo = scope_agreement(plans.a_ngo)
    assert due(figures_compute(ngo, q(plans, 1))) == {"total": (1, 0), "in_progress": (1, 0)}
    # The county: S1, S3, S4 and S7 (the PUP's, due 1 March); before it S6.
    assert due(county(plans, q(plans, 1))) == {
        "total": (4, 1),
        "planned": (2, 1),
        "in_progress": (1, 0),
        "dropped": (1, 0),
    }
    assert due(county(plans, q(plans, 2))) == {
        "total": (1, 4),
        "planned": (0, 2),
        "in_progress": (0, 1),
        "done": (1, 0),
        "dropped": (0, 1),
    }
    assert shown(county(plans, q(plans, 1)), "steps_due", "steps_due_planned") == {
        "steps_due": ("<5", "<5"),
        "steps_due_planned": ("<5", "<5"),
    }


def test_steps_overdue_at_the_end_of_the_period(plans) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(plans.own)
    # At the end of Q1: S1 (due 31 March, still planned), S3, S6; at the end of Q4 Y-1: S6.
    assert figures_compute(own, q(plans, 1))["steps_overdue"] == (3, 1)
    # S2 (due 1 April) is done: nothing more at the end of Q2.
    assert figures_compute(own, q(plans, 2))["steps_overdue"] == (3, 3)
    assert figures_compute(own, year(plans))["steps_overdue"] == (3, 1)
    assert figures_compute(scope_agreement(plans.a_pup), q(plans, 1))["steps_overdue"] == (0, 0)
    assert figures_compute(scope_agreement(plans.a_ngo), q(plans, 1))["steps_overdue"] == (1, 0)
    assert figures_compute(scope_own(plans.neighbour), q(plans, 1))["steps_overdue"] == (1, 0)
    # The county: S1, S3, S6 and S7 (the PUP's, due 1 March); S4 dropped before its end.
    assert county(plans, q(plans, 1))["steps_overdue"] == (4, 1)
    assert county(plans, q(plans, 2))["steps_overdue"] == (4, 4)  # S2 done on its due day
    assert county(plans, year(plans))["steps_overdue"] == (4, 1)
    assert shown(county(plans, q(plans, 1)), "steps_overdue") == {"steps_overdue": ("<5", "<5")}


def test_a_step_due_later_in_the_current_period_is_not_overdue_yet(plans) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(plans.own)
    with time_machine.travel(shifted_now(f"{plans.year}-03-31T12:00"), tick=False):
        # 31 March: S1 is due today, not overdue yet; S3 and S6 are.
        assert figures_compute(own, q(plans, 1))["steps_overdue"] == (2, 1)
    with time_machine.travel(shifted_now(f"{plans.year}-04-01T00:01"), tick=False):
        assert figures_compute(own, q(plans, 1))["steps_overdue"] == (3, 1)


def test_a_step_done_late_was_overdue_at_the_end_of_its_quarter(plans) -> None:  # type: ignore[no-untyped-def]
    y = plans.year
    late = ReintegrationPlan.objects.filter(client__owner=plans.own).first()
    # Due 15 March, done on 10 April: at the end of Q1 it was overdue.
    step(
        plans, late, plans.own, "income", d(y, 3, 15), StepStatus.DONE, at(y, 1, 5), "", d(y, 4, 10)
    )
    assert figures_compute(scope_own(plans.own), q(plans, 1))["steps_overdue"] == (4, 1)
    # At the end of Q2 it was done: S1, S3, S6 only.
    assert figures_compute(scope_own(plans.own), q(plans, 2))["steps_overdue"] == (3, 4)


@pytest.fixture
def done_steps():  # type: ignore[no-untyped-def]
    """Steps of one plan of own's client (the PUP taking part), each closed on a
    known day, to count "overdue at the end of the period" by hand."""
    w = build_world()
    y = w.year
    p = plan(w, w.own, [w.pup], at(y - 1, 10, 1))
    s = StepStatus
    step(w, p, w.own, "income", d(y, 3, 15), s.DONE, at(y, 1, 5), "", d(y, 3, 10))  # T1: on time
    step(w, p, w.own, "debt", d(y, 2, 10), s.DONE, at(y, 1, 5), "", d(y, 3, 5))  # T2: late, in Q1
    step(w, p, w.own, "housing", d(y, 3, 15), s.DONE, at(y, 1, 5), "", d(y, 4, 10))  # T3: in Q2
    step(w, p, w.own, "health", d(y, 3, 31), s.DONE, at(y, 1, 5), "", d(y, 4, 1))  # T4: Q1's end
    # T5: done on 10 March, reopened on 5 April and still open (its done day cleared).
    step(w, p, w.own, "food", d(y, 3, 1), s.IN_PROGRESS, at(y, 1, 5))
    # T6: the PUP's step, due in Q4 Y-1, dropped in Q2.
    step(w, p, w.pup, "experience", d(y - 1, 12, 1), s.DROPPED, at(y - 1, 11, 1), "-", d(y, 5, 2))
    # T7: added on 5 May as done (due 1 March): it did not exist at the end of Q1.
    step(w, p, w.own, "addiction", d(y, 3, 1), s.DONE, at(y, 5, 5), "", d(y, 5, 5))
    return w


def test_overdue_at_the_end_of_a_period_by_the_day_a_step_was_done(done_steps) -> None:  # type: ignore[no-untyped-def]
    w = done_steps
    own = scope_own(w.own)
    # End of Q4 Y-1: T6 (due 1 December, dropped in May). End of Q1: T3 (done 10 April),
    # T4 (due 31 March, done 1 April), T5 (reopened: open since), T6. T1 was on time,
    # T2 done late but within Q1, T7 not added yet.
    assert figures_compute(own, q(w, 1))["steps_overdue"] == (4, 1)
    # End of Q2: T5 only (T6 dropped on 2 May, T7 done).
    assert figures_compute(own, q(w, 2))["steps_overdue"] == (1, 4)
    assert figures_compute(own, year(w))["steps_overdue"] == (1, 1)
    # The agreement with the PUP: T6 is the PUP's step on own's client's plan.
    pup = scope_agreement(w.a_pup)
    assert figures_compute(pup, q(w, 1))["steps_overdue"] == (1, 1)
    assert figures_compute(pup, q(w, 2))["steps_overdue"] == (0, 1)
    assert figures_compute(scope_agreement(w.a_ngo), q(w, 1))["steps_overdue"] == (0, 0)
    # The PUP's own view: its T6 (a step it owns), own's steps on own's client are not its.
    assert figures_compute(scope_own(w.pup), q(w, 1))["steps_overdue"] == (1, 1)
    # The county: own's steps and the PUP's T6, as own sees them; suppressed outside own.
    assert county(w, q(w, 1))["steps_overdue"] == (4, 1)
    assert county(w, q(w, 2))["steps_overdue"] == (1, 4)
    assert county(w, year(w))["steps_overdue"] == (1, 1)
    assert shown(county(w, q(w, 1)), "steps_overdue") == {"steps_overdue": ("<5", "<5")}


def test_the_services_keep_the_day_a_step_closed(plans) -> None:  # type: ignore[no-untyped-def]
    """Done: today; done to dropped: the same day; reopened: none; added done: today."""

    y = plans.year
    s = Step.objects.get(area="housing", institution=plans.own)  # S1

    def update(status, when):  # type: ignore[no-untyped-def]
        with time_machine.travel(shifted_now(when), tick=False):
            return set_status(s, plans.worker, status)

    assert update(StepStatus.DONE, f"{y + 1}-01-05T23:30").closed_on == d(y + 1, 1, 5)
    assert update(StepStatus.DROPPED, f"{y + 1}-01-07T10:00").closed_on == d(y + 1, 1, 5)
    assert update(StepStatus.PLANNED, f"{y + 1}-01-08T10:00").closed_on is None
    assert Step.objects.get(pk=s.pk).closed_on is None


def test_vocational_steps_before_basic_needs(plans) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(plans.own)
    # Justified vocational steps: S2 (Q2's first minute), S4 (Q4 Y-1); S3 has no reason.
    assert figures_compute(own, q(plans, 1))["steps_vocational_first"] == (0, 1)
    assert figures_compute(own, q(plans, 2))["steps_vocational_first"] == (1, 0)
    assert figures_compute(own, year(plans))["steps_vocational_first"] == (1, 1)
    pup = scope_agreement(plans.a_pup)
    assert figures_compute(pup, q(plans, 2))["steps_vocational_first"] == (1, 0)
    assert figures_compute(pup, q(plans, 1))["steps_vocational_first"] == (0, 1)
    ngo = scope_agreement(plans.a_ngo)
    assert figures_compute(ngo, year(plans))["steps_vocational_first"] == (0, 0)
    # The county: S7 too (the PUP's, justified, added in Q1).
    assert county(plans, q(plans, 1))["steps_vocational_first"] == (1, 1)  # S7; S4
    assert county(plans, q(plans, 2))["steps_vocational_first"] == (1, 1)  # S2; S7
    assert county(plans, year(plans))["steps_vocational_first"] == (2, 1)
    assert shown(county(plans, year(plans)), "steps_vocational_first") == {
        "steps_vocational_first": ("<5", "<5")
    }
