"""Services delivered, job offers, meetings and SEPI, hand-counted (issue 16):
per period (a quarter, the one after it, the year) and per scope (own
institution, an agreement, the county), including a period's last day or minute, local
time, and the first one after.

Y is last year (see data.py). Every row is numbered in the fixture; each
assertion names the rows it counts. A figure is (this period, the one before).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from cooperation.models import Role
from indicators.selectors import figures_compute, scope_agreement, scope_own
from joboffers.models import Board, BoardPrint, OfferProposal
from meetings.models import (
    ActionItem,
    ActionStatus,
    Event,
    EventInstitution,
    EventKind,
    EventStatus,
    Minutes,
    Occurrence,
)
from partners.models import ServiceDelivery
from sepi.models import BatchCheck, Lookup, LookupStatus
from tests.factories import ClientFactory, member

from ..conftest import shifted_now
from .data import at, build_world, county, pick, publication, q, referral, shown, year

pytestmark = pytest.mark.django_db

d = dt.date


# -- services delivered ------------------------------------------------------------


@pytest.fixture
def deliveries():  # type: ignore[no-untyped-def]
    w = build_world()
    y = w.year
    mine = referral(w, w.own, at(y - 1, 11, 2))  # own -> the NGO
    theirs = referral(w, w.neighbour, at(y - 1, 11, 2))  # the neighbour -> the NGO
    pups = referral(w, w.pup, at(y - 1, 11, 2))  # the PUP -> the NGO
    for ref, day, hours in (
        (mine, d(y, 3, 31), "1.5"),  # D1: Q1's last day
        (mine, d(y, 4, 1), "2.0"),  # D2: Q2's first day
        (mine, d(y, 1, 10), "3.0"),  # D3: Q1
        (theirs, d(y, 2, 10), "4.0"),  # D4: not own's
        (mine, d(y - 1, 12, 20), "0.5"),  # D5: Q4 Y-1
        (pups, d(y, 2, 20), "2.5"),  # D6: the PUP's referral, own not in it
    ):
        ServiceDelivery.objects.create(
            referral=ref,
            delivered_on=day,
            kind="individual",
            hours=Decimal(hours),
            recorded_by=w.worker,
        )
    return w


def test_hours_of_service_delivered(deliveries) -> None:  # type: ignore[no-untyped-def]
    keys = ("deliveries", "delivery_hours")
    own = scope_own(deliveries.own)
    assert pick(figures_compute(own, q(deliveries, 1)), *keys) == {
        "deliveries": (2, 1),  # D1, D3; D5
        "delivery_hours": (Decimal("4.5"), Decimal("0.5")),
    }
    assert pick(figures_compute(own, q(deliveries, 2)), *keys) == {
        "deliveries": (1, 2),  # D2
        "delivery_hours": (Decimal("2.0"), Decimal("4.5")),
    }
    assert pick(figures_compute(own, year(deliveries)), *keys) == {
        "deliveries": (3, 1),
        "delivery_hours": (Decimal("6.5"), Decimal("0.5")),
    }
    ngo = scope_agreement(deliveries.a_ngo)
    assert figures_compute(ngo, q(deliveries, 1))["delivery_hours"] == (
        Decimal("4.5"),
        Decimal("0.5"),
    )
    pup = scope_agreement(deliveries.a_pup)
    assert pick(figures_compute(pup, q(deliveries, 1)), *keys) == {
        "deliveries": (0, 0),
        "delivery_hours": (0, 0),
    }
    # The NGO's own view: its services to own (D1, D3), the neighbour (D4) and the PUP (D6).
    assert figures_compute(scope_own(deliveries.ngo), q(deliveries, 1))["delivery_hours"] == (
        Decimal("11.0"),
        Decimal("0.5"),
    )
    # The county: referrals of own, the NGO and the PUP (D1-D3, D5, D6), not the neighbour's D4.
    w = deliveries
    assert pick(county(w, q(w, 1)), *keys) == {
        "deliveries": (3, 1),  # D1, D3, D6; D5
        "delivery_hours": (Decimal("7.0"), Decimal("0.5")),
    }
    assert pick(county(w, q(w, 2)), *keys) == {
        "deliveries": (1, 3),  # D2
        "delivery_hours": (Decimal("2.0"), Decimal("7.0")),
    }
    assert pick(county(w, year(w)), *keys) == {
        "deliveries": (4, 1),
        "delivery_hours": (Decimal("9.0"), Decimal("0.5")),
    }
    # Hours describe the deliveries: hidden with their small count.
    assert shown(county(w, q(w, 1)), *keys) == {
        "deliveries": ("<5", "<5"),
        "delivery_hours": ("×", "×"),
    }


# -- job offers: published, printed, proposed ----------------------------------------


def board_print(board, kind, week_start):  # type: ignore[no-untyped-def]
    return BoardPrint.objects.create(
        board=board,
        kind=kind,
        week_start=week_start,
        file=f"prints/{board.pk}-{kind}-{week_start}.pdf",
    )


def proposal(w, institution, offer, proposed_on):  # type: ignore[no-untyped-def]
    user = w.worker if institution == w.own else member(institution, Role.SOCIAL_WORKER)
    return OfferProposal.objects.create(
        client=ClientFactory(owner=institution),
        offer=offer,
        institution=institution,
        proposed_by=user,
        proposed_on=proposed_on,
        answer="interested",
    )


@pytest.fixture
def offers():  # type: ignore[no-untyped-def]
    w = build_world()
    y = w.year
    # The PUP's offers published on noticeboards.
    pub1 = publication(w, w.own, at(y, 3, 31, 23, 59))  # Pub1: own's board, Q1's last minute
    publication(w, w.own, at(y, 4, 1, 0, 0))  # Pub2: own's board, Q2's first minute
    publication(w, w.pup, at(y, 2, 10))  # Pub3: the PUP's own board
    publication(w, w.neighbour, at(y, 1, 20))  # Pub4: the neighbour's board
    publication(w, w.own, at(y - 1, 12, 31, 23, 59))  # Pub5: own's board, Q4 Y-1
    # Sheets printed (both kinds count).
    mine, pups = Board.objects.get(institution=w.own), Board.objects.get(institution=w.pup)
    board_print(mine, "sheets", d(y, 3, 31))  # BP1: Q1's last day
    board_print(mine, "digest", d(y, 3, 31))  # BP2: Q1's last day, the digest
    board_print(mine, "sheets", d(y, 4, 1))  # BP3: Q2's first day
    board_print(pups, "sheets", d(y, 2, 10))  # BP4: the PUP's
    board_print(mine, "sheets", d(y - 1, 12, 29))  # BP5: Q4 Y-1
    # Offers proposed to clients (all the PUP's offers).
    offer = pub1.offer
    proposal(w, w.own, offer, d(y, 3, 31))  # PR1: Q1's last day
    proposal(w, w.own, offer, d(y, 4, 1))  # PR2: Q2's first day
    proposal(w, w.pup, offer, d(y, 2, 10))  # PR3: the PUP to its own client
    proposal(w, w.ngo, offer, d(y, 1, 15))  # PR4: the NGO (no agreement with the PUP)
    proposal(w, w.own, offer, d(y - 1, 12, 31))  # PR5: Q4 Y-1
    return w


def test_offers_published_to_boards(offers) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(offers.own)
    assert figures_compute(own, q(offers, 1))["publications"] == (1, 1)  # Pub1; Pub5
    assert figures_compute(own, q(offers, 2))["publications"] == (1, 1)  # Pub2; Pub1
    assert figures_compute(own, year(offers))["publications"] == (2, 1)
    pup = scope_agreement(offers.a_pup)
    assert figures_compute(pup, q(offers, 1))["publications"] == (1, 1)
    assert figures_compute(scope_agreement(offers.a_ngo), q(offers, 1))["publications"] == (0, 0)
    # The PUP's own view: Pub1, Pub3, Pub4; Pub5.
    assert figures_compute(scope_own(offers.pup), q(offers, 1))["publications"] == (3, 1)
    # The county holds the PUP's offers, on whichever board: the same.
    assert county(offers, q(offers, 1))["publications"] == (3, 1)
    assert county(offers, q(offers, 2))["publications"] == (1, 3)  # Pub2
    assert county(offers, year(offers))["publications"] == (4, 1)
    assert shown(county(offers, q(offers, 1)), "publications") == {"publications": ("<5", "<5")}


def test_sheets_printed(offers) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(offers.own)
    assert figures_compute(own, q(offers, 1))["prints"] == (2, 1)  # BP1, BP2; BP5
    assert figures_compute(own, q(offers, 2))["prints"] == (1, 2)  # BP3
    assert figures_compute(own, year(offers))["prints"] == (3, 1)
    # A print has no other party: an agreement counts each party's prints.
    assert figures_compute(scope_agreement(offers.a_pup), q(offers, 1))["prints"] == (3, 1)
    assert figures_compute(scope_agreement(offers.a_ngo), q(offers, 1))["prints"] == (2, 1)
    assert figures_compute(scope_own(offers.pup), q(offers, 1))["prints"] == (1, 0)
    # The county: own's board and the PUP's (BP1, BP2, BP4; BP5).
    assert county(offers, q(offers, 1))["prints"] == (3, 1)
    assert county(offers, q(offers, 2))["prints"] == (1, 3)  # BP3
    assert county(offers, year(offers))["prints"] == (4, 1)
    assert shown(county(offers, q(offers, 1)), "prints") == {"prints": ("<5", "<5")}


def test_offers_proposed_to_clients(offers) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(offers.own)
    assert figures_compute(own, q(offers, 1))["proposals"] == (1, 1)  # PR1; PR5
    assert figures_compute(own, q(offers, 2))["proposals"] == (1, 1)  # PR2; PR1
    assert figures_compute(own, year(offers))["proposals"] == (2, 1)
    assert figures_compute(scope_agreement(offers.a_pup), q(offers, 1))["proposals"] == (1, 1)
    assert figures_compute(scope_agreement(offers.a_ngo), q(offers, 1))["proposals"] == (0, 0)
    # The PUP's own view: PR1, PR3, PR4 (its offer); PR5.
    assert figures_compute(scope_own(offers.pup), q(offers, 1))["proposals"] == (3, 1)
    # The county: proposals by own, the PUP and the NGO (PR1, PR3, PR4; PR5).
    assert county(offers, q(offers, 1))["proposals"] == (3, 1)
    assert county(offers, q(offers, 2))["proposals"] == (1, 3)  # PR2
    assert county(offers, year(offers))["proposals"] == (4, 1)
    assert shown(county(offers, q(offers, 1)), "proposals") == {"proposals": ("<5", "<5")}


# -- meetings, trainings and action items -------------------------------------------


def event(
    w, organiser, kind, starts_at, invited=(), *, cancelled=False, status=EventStatus.SCHEDULED
):  # type: ignore[no-untyped-def]
    creator = member(organiser, Role.COORDINATOR)
    row = Event.objects.create(
        kind=kind,
        title="Spotkanie",
        organiser=organiser,
        created_by=creator,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        status=status,
    )
    EventInstitution.objects.create(event=row, institution=organiser, is_organiser=True)
    for institution in invited:
        EventInstitution.objects.create(event=row, institution=institution)
    return Occurrence.objects.create(
        event=row,
        original_start=starts_at,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        cancelled=cancelled,
    )


def action(w, occurrence, institution, due, status=ActionStatus.OPEN, done_at=None):  # type: ignore[no-untyped-def]
    minutes, _new = Minutes.objects.get_or_create(
        occurrence=occurrence, defaults={"written_by": occurrence.event.created_by}
    )
    return ActionItem.objects.create(
        minutes=minutes,
        description="-",
        owner=member(institution, Role.SOCIAL_WORKER),
        institution=institution,
        due_date=due,
        status=status,
        done_at=done_at,
    )


@pytest.fixture
def meetings():  # type: ignore[no-untyped-def]
    w = build_world()
    y = w.year
    k = EventKind
    o1 = event(w, w.own, k.MEETING, at(y, 3, 31, 23, 30), [w.pup])  # O1: Q1's last half hour
    event(w, w.own, k.TRAINING, at(y, 4, 1, 0, 0))  # O2: a training, Q2's first minute
    event(w, w.own, k.TRAINING, at(y, 2, 10))  # O3: a training, Q1
    event(w, w.own, k.MEETING, at(y, 2, 12), cancelled=True)  # O4: this date cancelled
    event(w, w.own, k.MEETING, at(y, 3, 3), status=EventStatus.CANCELLED)  # O5: event cancelled
    o6 = event(w, w.pup, k.MEETING, at(y, 1, 20), [w.own, w.ngo])  # O6: the PUP's, two invited
    event(w, w.neighbour, k.MEETING, at(y, 2, 5))  # O7: the neighbour's
    event(w, w.own, k.CASE_CONFERENCE, at(y - 1, 12, 31, 23, 59))  # O8: Q4 Y-1, a meeting
    event(w, w.ngo, k.MEETING, at(y, 3, 10))  # O9: the NGO's, own not invited
    done = ActionStatus.DONE
    action(w, o1, w.own, d(y, 3, 31), done, at(y, 3, 31, 23, 59))  # A1: on time, at the last minute
    action(w, o1, w.own, d(y, 3, 31), done, at(y, 4, 1, 0, 30))  # A2: 30 minutes late (local)
    action(w, o1, w.pup, d(y, 4, 1), done, at(y, 4, 1, 10))  # A3: the PUP's at own's meeting, Q2
    action(w, o6, w.ngo, d(y, 2, 15))  # A4: the NGO's at the PUP's meeting, open
    action(w, o6, w.own, d(y, 3, 20), ActionStatus.IN_PROGRESS)  # A5: own's at the PUP's meeting
    action(w, o1, w.own, d(y - 1, 12, 20), done, at(y - 1, 12, 19))  # A6: Q4 Y-1, on time
    return w


HELD = ("meetings_held", "trainings_held")


def test_meetings_and_trainings_held(meetings) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(meetings.own)
    # Q1: O1 (23:30 on 31 March), O6 (counted once); training O3. Before it: O8.
    assert pick(figures_compute(own, q(meetings, 1)), *HELD) == {
        "meetings_held": (2, 1),
        "trainings_held": (1, 0),
    }
    assert pick(figures_compute(own, q(meetings, 2)), *HELD) == {
        "meetings_held": (0, 2),
        "trainings_held": (1, 1),  # O2 at 00:00 on 1 April
    }
    assert pick(figures_compute(own, year(meetings)), *HELD) == {
        "meetings_held": (2, 1),
        "trainings_held": (2, 0),
    }
    pup = scope_agreement(meetings.a_pup)  # O1 (the PUP invited), O6 (own invited)
    assert pick(figures_compute(pup, q(meetings, 1)), *HELD) == {
        "meetings_held": (2, 0),
        "trainings_held": (0, 0),
    }
    ngo = scope_agreement(meetings.a_ngo)  # O6 is the PUP's: not joint work of own and the NGO
    assert figures_compute(ngo, q(meetings, 1))["meetings_held"] == (0, 0)
    assert figures_compute(scope_own(meetings.neighbour), q(meetings, 1))["meetings_held"] == (1, 0)
    # The county: organised by own, the NGO (O9) or the PUP (O6); not the neighbour's O7.
    w = meetings
    assert pick(county(w, q(w, 1)), *HELD) == {
        "meetings_held": (3, 1),  # O1, O6, O9; O8
        "trainings_held": (1, 0),  # O3
    }
    assert pick(county(w, q(w, 2)), *HELD) == {"meetings_held": (0, 3), "trainings_held": (1, 1)}
    assert pick(county(w, year(w)), *HELD) == {"meetings_held": (3, 1), "trainings_held": (2, 0)}
    assert shown(county(w, q(w, 1)), *HELD) == {k: ("<5", "<5") for k in HELD}


def test_a_meeting_later_in_the_current_period_is_not_held_yet(meetings) -> None:  # type: ignore[no-untyped-def]
    y = meetings.year
    own = scope_own(meetings.own)
    with time_machine.travel(shifted_now(f"{y}-03-31T23:29"), tick=False):
        # A minute before O1 starts: O6 held, O1 not yet; the training O3 held.
        assert pick(figures_compute(own, q(meetings, 1)), *HELD) == {
            "meetings_held": (1, 1),
            "trainings_held": (1, 0),
        }
    with time_machine.travel(shifted_now(f"{y}-03-31T23:31"), tick=False):
        assert figures_compute(own, q(meetings, 1))["meetings_held"] == (2, 1)


ACTIONS = ("actions_due", "actions_on_time")


def test_action_items_done_on_time(meetings) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(meetings.own)
    # Due in Q1: A1, A2, A5; on time A1 only (A2 done at 00:30 local on 1 April). Before: A6.
    assert pick(figures_compute(own, q(meetings, 1)), *ACTIONS) == {
        "actions_due": (3, 1),
        "actions_on_time": (1, 1),
    }
    assert pick(figures_compute(own, q(meetings, 2)), *ACTIONS) == {
        "actions_due": (1, 3),  # A3
        "actions_on_time": (1, 1),
    }
    assert pick(figures_compute(own, year(meetings)), *ACTIONS) == {
        "actions_due": (4, 1),
        "actions_on_time": (2, 1),
    }
    pup = scope_agreement(meetings.a_pup)  # A5 (own's at the PUP's), A3 (the PUP's at own's)
    assert pick(figures_compute(pup, q(meetings, 1)), *ACTIONS) == {
        "actions_due": (1, 0),
        "actions_on_time": (0, 0),
    }
    assert pick(figures_compute(pup, q(meetings, 2)), *ACTIONS) == {
        "actions_due": (1, 1),
        "actions_on_time": (1, 0),
    }
    assert figures_compute(scope_agreement(meetings.a_ngo), q(meetings, 1))["actions_due"] == (0, 0)
    # The county: items owned by own, the NGO and the PUP, A4 (the NGO's) too.
    w = meetings
    assert pick(county(w, q(w, 1)), *ACTIONS) == {
        "actions_due": (4, 1),  # A1, A2, A4, A5; A6
        "actions_on_time": (1, 1),
    }
    assert pick(county(w, q(w, 2)), *ACTIONS) == {"actions_due": (1, 4), "actions_on_time": (1, 1)}
    assert pick(county(w, year(w)), *ACTIONS) == {"actions_due": (5, 1), "actions_on_time": (2, 1)}
    assert shown(county(w, year(w)), *ACTIONS) == {
        "actions_due": ("5", "<5"),
        "actions_on_time": ("<5", "<5"),
    }


# -- SEPI ------------------------------------------------------------------------------


def lookup(w, institution, owner, requested_at, status, *, batch=None, changes=()):  # type: ignore[no-untyped-def]
    user = w.worker if institution == w.own else member(institution, Role.SOCIAL_WORKER)
    client = ClientFactory(owner=owner)
    return Lookup.objects.create(
        client=client,
        institution=institution,
        requested_by=user,
        pesel="90010112345",
        purpose="benefit_eligibility",
        status=status,
        failure_reason="timeout" if status == LookupStatus.FAILED else "",
        request_key=f"k-{Lookup.objects.count()}",
        requested_at=requested_at,
        result={} if status == LookupStatus.DONE else None,
        changes=list(changes),
        batch=batch,
    )


@pytest.fixture
def lookups():  # type: ignore[no-untyped-def]
    w = build_world()
    y = w.year
    batch = BatchCheck.objects.create(
        institution=w.own, requested_by=w.worker, purpose="benefit_eligibility"
    )
    done, failed = LookupStatus.DONE, LookupStatus.FAILED
    change = [{"field": "address", "before": "a", "after": "b"}]
    lookup(w, w.own, w.own, at(y, 3, 31, 23, 59), done, batch=batch, changes=change)  # L1
    lookup(w, w.own, w.own, at(y, 4, 1, 0, 0), failed)  # L2: Q2's first minute, failed
    lookup(w, w.own, w.own, at(y, 2, 10), done, batch=batch)  # L3: a batch, nothing changed
    lookup(w, w.own, w.own, at(y, 2, 11), done, changes=change)  # L4: changes, not a batch
    lookup(w, w.pup, w.own, at(y, 3, 5), failed)  # L5: the PUP about own's client
    lookup(w, w.neighbour, w.neighbour, at(y, 2, 1), done)  # L6: the neighbour's
    lookup(w, w.own, w.own, at(y - 1, 12, 31, 23, 59), done, batch=batch, changes=change)  # L7
    lookup(w, w.ngo, w.ngo, at(y, 2, 20), done)  # L8: the NGO about its own client
    return w


SEPI = ("lookups", "lookups_failed", "lookups_changes")


def test_sepi_lookups_failures_and_changes(lookups) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(lookups.own)
    # Q1: L1 (31 March 23:59), L3, L4, L5; failed L5; batch changes L1. Before it: L7.
    assert pick(figures_compute(own, q(lookups, 1)), *SEPI) == {
        "lookups": (4, 1),
        "lookups_failed": (1, 0),
        "lookups_changes": (1, 1),
    }
    assert pick(figures_compute(own, q(lookups, 2)), *SEPI) == {
        "lookups": (1, 4),  # L2 (1 April 00:00)
        "lookups_failed": (1, 1),
        "lookups_changes": (0, 1),
    }
    assert pick(figures_compute(own, year(lookups)), *SEPI) == {
        "lookups": (5, 1),
        "lookups_failed": (2, 0),
        "lookups_changes": (1, 1),
    }
    pup = scope_agreement(lookups.a_pup)  # L5
    assert pick(figures_compute(pup, q(lookups, 1)), *SEPI) == {
        "lookups": (1, 0),
        "lookups_failed": (1, 0),
        "lookups_changes": (0, 0),
    }
    assert figures_compute(scope_agreement(lookups.a_ngo), q(lookups, 1))["lookups"] == (0, 0)
    # The county: lookups by own, the PUP (L5) and the NGO (L8); not the neighbour's L6.
    w = lookups
    q1 = county(w, q(w, 1))
    assert pick(q1, *SEPI) == {
        "lookups": (5, 1),  # L1, L3, L4, L5, L8; L7
        "lookups_failed": (1, 0),
        "lookups_changes": (1, 1),
    }
    assert shown(q1, *SEPI) == {
        "lookups": ("5", "<5"),  # five is not small
        "lookups_failed": ("<5", "<5"),
        "lookups_changes": ("<5", "<5"),
    }
    assert pick(county(w, q(w, 2)), *SEPI) == {
        "lookups": (1, 5),  # L2
        "lookups_failed": (1, 1),
        "lookups_changes": (0, 1),
    }
    assert pick(county(w, year(w)), *SEPI) == {
        "lookups": (6, 1),
        "lookups_failed": (2, 0),
        "lookups_changes": (1, 1),
    }
