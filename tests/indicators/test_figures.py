"""Every indicator against hand-counted expectations, per period and scope."""

from __future__ import annotations

import pytest

from indicators.periods import QUARTER, YEAR, Period, period_parse
from indicators.selectors import (
    figures_compute,
    scope_agreement,
    scope_county,
    scope_own,
)

from .data import access_requests, at, build_world, county, pick, referral, seed_hand_counted, shown

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    w = build_world()
    seed_hand_counted(w)
    return w


def q(w, n: int) -> Period:  # type: ignore[no-untyped-def]
    return Period(QUARTER, w.year, n)


def test_a_referral_at_2359_on_31_march_belongs_to_q1(world) -> None:  # type: ignore[no-untyped-def]
    first = figures_compute(scope_own(world.own), q(world, 1))
    second = figures_compute(scope_own(world.own), q(world, 2))
    # Q1: r1 (31 March 23:59), r3, r4; before it (Q4 of the year before): r5.
    assert first["referrals_sent"] == (3, 1)
    # Q2: r2 (1 April 00:00); before it, Q1's three.
    assert second["referrals_sent"] == (1, 3)


def test_referral_answers_statuses_and_outcomes(world) -> None:  # type: ignore[no-untyped-def]
    f = figures_compute(scope_own(world.own), q(world, 1))
    assert f["referrals_status_accepted"] == (1, 0)
    assert f["referrals_completed"] == (1, 0)
    assert f["referrals_status_completed"] == (1, 0)
    assert f["referrals_status_sent"] == (1, 1)  # r4 waits; r5 the quarter before
    assert f["referrals_completed_achieved"] == (1, 0)
    assert f["referrals_sent"] == (3, 1)
    assert f["referrals_answered_in_time"] == (2, 0)  # r1 and r3
    # r1 answered after 10 h 01 min, r3 after 24 h: the median is their mean.
    assert f["referrals_answer_hours"] == (17.0, None)
    f2 = figures_compute(scope_own(world.own), q(world, 2))
    assert f2["referrals_status_declined"] == (1, 0)
    assert f2["referrals_answered_in_time"] == (0, 2)  # r2 answered a week late


def test_year_with_the_year_before(world) -> None:  # type: ignore[no-untyped-def]
    f = figures_compute(scope_own(world.own), Period(YEAR, world.year))
    assert f["referrals_sent"] == (4, 1)
    assert f["cases_proposed"] == (2, 0)
    assert f["cases_taken"] == (2, 0)
    assert f["shares_new"] == (2, 0)
    assert f["shares_active"] == (1, 0)


def test_promotion_queue(world) -> None:  # type: ignore[no-untyped-def]
    f1 = figures_compute(scope_own(world.own), q(world, 1))
    assert f1["cases_proposed"] == (2, 0)  # c1 at 23:59 on 31 March, c2
    assert f1["cases_taken"] == (1, 0)
    assert f1["cases_closed"] == (1, 0)
    assert f1["cases_closed_job"] == (1, 0)
    assert f1["cases_wait_days"] == (2.0, None)
    f2 = figures_compute(scope_own(world.own), q(world, 2))
    assert f2["cases_taken"] == (1, 1)
    assert f2["cases_wait_days"] == (1.5, 2.0)
    assert f2["cases_wait_longest"] == (1.5, 2.0)


def test_shares_new_and_active_at_the_end(world) -> None:  # type: ignore[no-untyped-def]
    f = figures_compute(scope_own(world.own), q(world, 1))
    assert f["shares_new"] == (2, 0)
    assert f["shares_active"] == (1, 0)  # s2 ended in February
    assert f["consents_given"][0] >= 2  # the shares' consents (referrals add their own)


def test_the_partner_counts_what_it_received(world) -> None:  # type: ignore[no-untyped-def]
    # The NGO's own figures: referrals from own (r1, r3, r4), neighbour (r6), foreign (r7).
    f = figures_compute(scope_own(world.ngo), q(world, 1))
    assert f["referrals_sent"] == (5, 1)


def test_county_holds_only_institutions_under_agreement_with_the_viewer(world) -> None:  # type: ignore[no-untyped-def]
    scope = scope_county(world.own)
    assert scope.institutions == {world.own.pk, world.ngo.pk, world.pup.pk}
    f = figures_compute(scope, q(world, 1))
    assert f["referrals_sent"] == (3, 1)  # not r6 (neighbour) nor r7 (foreign)


def test_agreement_counts_the_joint_work_of_its_parties(world) -> None:  # type: ignore[no-untyped-def]
    f = figures_compute(scope_agreement(world.a_ngo), q(world, 1))
    assert f["referrals_sent"] == (3, 1)
    assert f["cases_proposed"] == (0, 0)  # the promotion cases went to the PUP
    g = figures_compute(scope_agreement(world.a_pup), q(world, 1))
    assert g["cases_proposed"] == (2, 0)
    assert g["referrals_sent"] == (0, 0)
    assert g["shares_new"] == (2, 0)


def test_a_month_and_its_predecessor(world) -> None:  # type: ignore[no-untyped-def]
    march = period_parse(f"{world.year}-03")
    f = figures_compute(scope_own(world.own), march)
    assert f["referrals_sent"] == (1, 1)  # r1 in March; r4 in February
    assert f["cases_closed_job"] == (1, 0)


def test_periods_parse_and_step_back() -> None:
    p = period_parse("2020-Q1")
    assert (p.start.month, p.end.month, p.previous().code) == (1, 4, "2019-Q4")
    assert period_parse("2020-01").previous().code == "2019-12"
    assert period_parse("nonsense").kind == YEAR
    assert period_parse("2999").kind == YEAR and period_parse("2999").year < 2999


def test_county_members_are_those_under_agreement_during_the_period(world) -> None:  # type: ignore[no-untyped-def]
    """An agreement that ended last year counts for last year's period, not this year's."""
    import datetime as dt

    from tests.factories import InstitutionFactory, agreement_between

    y = world.year
    gone = InstitutionFactory(short_name="ngo-gone", name="Fundacja G", kind="ngo")
    agreement_between(
        world.own,
        gone,
        ["referrals"],
        valid_from=dt.date(y - 1, 1, 1),
        valid_until=dt.date(y, 6, 30),
    )
    referral(world, gone, at(y, 6, 30, 23, 59))  # the agreement's last day, its last minute
    referral(world, gone, at(y, 7, 1, 0, 0))  # the day after: no longer a member
    referral(world, gone, at(y + 1, 1, 2, 10, 0))  # this year
    scope = scope_county(world.own)
    assert gone.pk not in scope.institutions  # today's county
    last_year = figures_compute(scope, Period(YEAR, y))
    # Own's r1-r4 and both of the gone NGO's referrals of last year: it was a member then.
    assert last_year["referrals_sent"] == (6, 1)
    this_year = figures_compute(scope, Period(YEAR, y + 1))
    # This year it is no member: its January referral is not counted, while the
    # column of last year beside it still counts its two.
    assert this_year["referrals_sent"] == (0, 6)
    q3 = figures_compute(scope, Period(QUARTER, y, 3))
    assert q3["referrals_sent"] == (0, 2)  # Q3: not a member; Q2 beside it: r2 and 30 June's


def test_referrals_promotion_and_shares_per_county(world) -> None:  # type: ignore[no-untyped-def]
    """The county of own: referrals, promotion cases and shares held by own, the NGO
    and the PUP — r1-r5 and r8 (the PUP's), not r6 (the neighbour's) nor r7 (the other
    county's) — each figure hand-counted, and shown suppressed outside own."""
    y = world.year
    referral(world, world.pup, at(y, 2, 5, 9, 0))  # r8: the PUP -> the NGO, waiting
    f1 = county(world, q(world, 1))
    assert pick(
        f1,
        "referrals_sent",
        "referrals_status_sent",
        "referrals_status_accepted",
        "referrals_status_declined",
        "referrals_status_completed",
        "referrals_answered_in_time",
        "referrals_completed",
        "referrals_completed_achieved",
        "referrals_answer_hours",
    ) == {
        "referrals_sent": (4, 1),  # r1, r3, r4, r8; r5
        "referrals_status_sent": (2, 1),  # r4, r8; r5
        "referrals_status_accepted": (1, 0),  # r1
        "referrals_status_declined": (0, 0),
        "referrals_status_completed": (1, 0),  # r3
        "referrals_answered_in_time": (2, 0),  # r1, r3
        "referrals_completed": (1, 0),  # r3
        "referrals_completed_achieved": (1, 0),
        "referrals_answer_hours": (17.0, None),  # r1's 10 h and r3's 24 h
    }
    # Every status and outcome part (the zero ones left out).
    assert parts(f1, "referrals_status_") == {
        "sent": (2, 1),
        "accepted": (1, 0),
        "completed": (1, 0),
    }
    assert parts(f1, "referrals_completed_") == {"achieved": (1, 0)}
    assert parts(f1, "cases_closed_") == {"job": (1, 0)}
    # A median describes its count: hidden with it.
    assert shown(f1, "referrals_sent", "referrals_answer_hours") == {
        "referrals_sent": ("<5", "<5"),
        "referrals_answer_hours": ("×", "×"),
    }
    f2 = county(world, q(world, 2))
    assert pick(
        f2, "referrals_sent", "referrals_status_declined", "referrals_answered_in_time"
    ) == {
        "referrals_sent": (1, 4),  # r2 (1 April, 00:00)
        "referrals_status_declined": (1, 0),
        "referrals_answered_in_time": (0, 2),
    }
    assert county(world, Period(YEAR, y))["referrals_sent"] == (5, 1)
    # Promotion: own's cases to the PUP (c1, c2), both in the county.
    assert pick(
        f1,
        "cases_proposed",
        "cases_taken",
        "cases_closed",
        "cases_closed_job",
        "cases_wait_days",
        "cases_wait_longest",
    ) == {
        "cases_proposed": (2, 0),
        "cases_taken": (1, 0),  # c2
        "cases_closed": (1, 0),
        "cases_closed_job": (1, 0),
        "cases_wait_days": (2.0, None),
        "cases_wait_longest": (2.0, None),
    }
    assert pick(f2, "cases_taken", "cases_wait_days", "cases_wait_longest") == {
        "cases_taken": (1, 1),  # c1 after 1.5 days
        "cases_wait_days": (1.5, 2.0),
        "cases_wait_longest": (1.5, 2.0),
    }
    assert shown(f1, "cases_proposed", "cases_wait_days") == {
        "cases_proposed": ("<5", "<5"),
        "cases_wait_days": ("×", "×"),
    }
    # Shares own -> the PUP: s1 (31 March, 23:59), s2 (ended in February).
    assert pick(f1, "shares_new", "shares_active") == {
        "shares_new": (2, 0),
        "shares_active": (1, 0),
    }
    assert pick(county(world, Period(YEAR, y)), "shares_new", "shares_active") == {
        "shares_new": (2, 0),
        "shares_active": (1, 0),
    }
    assert shown(f1, "shares_new") == {"shares_new": ("<5", "<5")}


def parts(f, prefix: str) -> dict:  # type: ignore[no-untyped-def]
    """The non-zero parts of a total, by what follows the prefix."""
    return {k.removeprefix(prefix): v for k, v in f.items() if k.startswith(prefix) and v != (0, 0)}


REQUESTS = ("requests", "requests_granted", "requests_declined", "requests_pending")


def test_access_requests_per_scope() -> None:
    """Access requests and their answers, hand-counted for own, the agreement with
    the PUP and the county, including Q1's last minute and Q2's first."""
    from clients.models import AccessRequest
    from tests.factories import ClientFactory

    w = build_world()
    y = w.year
    access_requests(w, at(y, 3, 31, 23, 59), "granted", 3)  # R1-R3: own's clients, the PUP asks
    access_requests(w, at(y, 2, 1), "declined", 2)  # R4, R5
    access_requests(w, at(y, 4, 1, 0, 0), "pending", 1)  # R6: Q2's first minute
    access_requests(w, at(y - 1, 12, 31, 23, 59), "granted", 1)  # R9: Q4 Y-1
    for owner, requester, by, status, when in (
        (w.ngo, w.pup, w.pup_coordinator, "granted", at(y, 2, 10)),  # R7: the NGO's client
        (w.neighbour, w.own, w.coordinator, "declined", at(y, 2, 12)),  # R8: own asks
    ):
        row = AccessRequest.objects.create(
            client=ClientFactory(owner=owner),
            requester=requester,
            requested_by=by,
            reason="-",
            status=status,
        )
        AccessRequest.objects.filter(pk=row.pk).update(created_at=when)
    # Own: its clients' requests (R1-R6, R9) and its own request (R8).
    assert pick(figures_compute(scope_own(w.own), q(w, 1)), *REQUESTS) == {
        "requests": (6, 1),
        "requests_granted": (3, 1),
        "requests_declined": (3, 0),
        "requests_pending": (0, 0),
    }
    assert figures_compute(scope_own(w.own), q(w, 2))["requests"] == (1, 6)
    # The agreement with the PUP: R1-R6, R9.
    assert pick(figures_compute(scope_agreement(w.a_pup), q(w, 1)), *REQUESTS) == {
        "requests": (5, 1),
        "requests_granted": (3, 1),
        "requests_declined": (2, 0),
        "requests_pending": (0, 0),
    }
    assert figures_compute(scope_agreement(w.a_ngo), q(w, 1))["requests"] == (0, 0)
    # The county: requests about clients of own, the NGO and the PUP (R7, not R8).
    q1 = county(w, q(w, 1))
    assert pick(q1, *REQUESTS) == {
        "requests": (6, 1),
        "requests_granted": (4, 1),
        "requests_declined": (2, 0),
        "requests_pending": (0, 0),
    }
    assert shown(q1, *REQUESTS) == {
        "requests": ("6", "<5"),
        "requests_granted": ("<5", "<5"),
        "requests_declined": ("<5", "<5"),
        "requests_pending": ("<5", "<5"),
    }
    assert pick(county(w, q(w, 2)), "requests", "requests_pending") == {
        "requests": (1, 6),
        "requests_pending": (1, 0),
    }
    assert pick(county(w, Period(YEAR, y)), *REQUESTS) == {
        "requests": (7, 1),
        "requests_granted": (4, 1),
        "requests_declined": (2, 0),
        "requests_pending": (1, 0),
    }
