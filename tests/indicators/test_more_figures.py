"""The indicators added after the first cut, hand-counted: reviews done on time,
offers published per noticeboard, attendance by institution. Per period
(including the period's last minute, local time) and per scope."""

from __future__ import annotations

import datetime as dt

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

from .data import at, build_world, meeting, plan_with_reviews, publication, shown

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    w = build_world()
    y = w.year
    d = dt.date
    # Reviews: (held on, due on). A: on time on the due day itself (31 March), then late.
    plan_with_reviews(w, w.own, [(d(y, 3, 31), d(y, 3, 31)), (d(y, 6, 10), d(y, 6, 1))])
    # B: no date set for the first review; the second on time.
    plan_with_reviews(w, w.own, [(d(y, 2, 1), None), (d(y, 3, 1), d(y, 3, 15))])
    # C: the PUP reviews own's client's plan, late.
    plan_with_reviews(w, w.pup, [(d(y, 3, 20), d(y, 3, 10))])
    # D: the neighbour's own plan (no agreement with own): in no scope of own's.
    plan_with_reviews(w, w.neighbour, [(d(y, 3, 5), d(y, 3, 1))], owner=w.neighbour)
    # The PUP's offers on noticeboards.
    publication(w, w.own, at(y, 3, 31, 23, 59))  # P1: Q1, the last minute
    publication(w, w.own, at(y, 2, 10))  # P2: Q1
    publication(w, w.own, at(y, 4, 1, 0, 0))  # P3: Q2, the first minute
    publication(w, w.neighbour, at(y, 1, 20))  # P4: Q1, the neighbour's board
    # Meetings: who was present (each also has one person absent, not counted).
    meeting(w, w.own, at(y, 3, 31, 23, 30), {w.own: 2, w.pup: 3})  # M1: Q1
    meeting(w, w.pup, at(y, 5, 10, 10), {w.own: 1, w.pup: 4})  # M2: Q2
    meeting(w, w.neighbour, at(y, 2, 2, 10), {w.neighbour: 5, w.own: 1})  # M3: Q1
    return w


def q(w, n: int) -> Period:  # type: ignore[no-untyped-def]
    return Period(QUARTER, w.year, n)


def reviews(f) -> tuple:  # type: ignore[no-untyped-def]
    return tuple(
        f[k] for k in ("reviews", "reviews_on_time", "reviews_late", "reviews_unscheduled")
    )


def test_reviews_on_time_late_and_without_a_date(world) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(world.own)
    # Q1: A1 on time (held on its due day), B1 no date, B2 on time, C1 late.
    assert reviews(figures_compute(own, q(world, 1))) == ((4, 0), (2, 0), (1, 0), (1, 0))
    # Q2: A2 late; Q1 beside it.
    assert reviews(figures_compute(own, q(world, 2))) == ((1, 4), (0, 2), (1, 1), (0, 1))
    year = figures_compute(own, Period(YEAR, world.year))
    assert reviews(year) == ((5, 0), (2, 0), (2, 0), (1, 0))


def test_reviews_per_scope(world) -> None:  # type: ignore[no-untyped-def]
    # The agreement with the PUP: only the PUP's review of own's client (C1).
    pup = figures_compute(scope_agreement(world.a_pup), q(world, 1))
    assert reviews(pup) == ((1, 0), (0, 0), (1, 0), (0, 0))
    assert figures_compute(scope_agreement(world.a_ngo), q(world, 1))["reviews"] == (0, 0)
    # The county: own's and the PUP's reviews; not the neighbour's (D1).
    county = figures_compute(scope_county(world.own), q(world, 1))
    assert reviews(county) == ((4, 0), (2, 0), (1, 0), (1, 0))
    assert shown(county, "reviews", "reviews_on_time") == {
        "reviews": ("<5", "<5"),
        "reviews_on_time": ("<5", "<5"),
    }
    # Q2: A2, late; the year: A1, A2, B1, B2, C1.
    assert reviews(figures_compute(scope_county(world.own), q(world, 2))) == (
        (1, 4),
        (0, 2),
        (1, 1),
        (0, 1),
    )
    year = figures_compute(scope_county(world.own), Period(YEAR, world.year))
    assert reviews(year) == ((5, 0), (2, 0), (2, 0), (1, 0))
    assert shown(year, "reviews") == {"reviews": ("5", "<5")}
    neighbour = figures_compute(scope_own(world.neighbour), q(world, 1))
    assert reviews(neighbour) == ((1, 0), (0, 0), (1, 0), (0, 0))


def boards(f) -> dict:  # type: ignore[no-untyped-def]
    return {label: f[key] for key, label in f["board_publications__rows"]}


def test_offers_per_board_own_and_the_labour_office(world) -> None:  # type: ignore[no-untyped-def]
    f1 = figures_compute(scope_own(world.own), q(world, 1))
    assert f1["board_publications"] == (2, 0)  # P1 (31 March, 23:59) and P2
    assert boards(f1) == {"MOPS W": (2, 0)}
    f2 = figures_compute(scope_own(world.own), q(world, 2))
    assert f2["board_publications"] == (1, 2)  # P3 (1 April, 00:00)
    office = figures_compute(scope_own(world.pup), q(world, 1))
    assert office["board_publications"] == (3, 0)
    assert list(boards(office)) == ["GOPS N", "MOPS W"]  # by name
    assert boards(office) == {"GOPS N": (1, 0), "MOPS W": (2, 0)}
    year = figures_compute(scope_own(world.pup), Period(YEAR, world.year))
    assert boards(year) == {"GOPS N": (1, 0), "MOPS W": (3, 0)}


def test_offers_per_board_per_agreement_and_county(world) -> None:  # type: ignore[no-untyped-def]
    joint = figures_compute(scope_agreement(world.a_pup), q(world, 1))
    assert boards(joint) == {"MOPS W": (2, 0)}  # not P4 on the neighbour's board
    assert figures_compute(scope_agreement(world.a_ngo), q(world, 1))["board_publications"] == (
        0,
        0,
    )
    # The county holds the PUP's rows (it has an agreement with own), P4 too.
    county = figures_compute(scope_county(world.own), q(world, 1))
    assert county["board_publications"] == (3, 0)
    assert boards(county) == {"GOPS N": (1, 0), "MOPS W": (2, 0)}
    assert shown(county, "board_publications") == {"board_publications": ("<5", "<5")}
    q2 = figures_compute(scope_county(world.own), q(world, 2))
    assert q2["board_publications"] == (1, 3)  # P3 (1 April, 00:00)


def attendance(f) -> dict:  # type: ignore[no-untyped-def]
    return {label: f[key] for key, label in f["attendance_by__rows"]}


def test_attendance_by_institution(world) -> None:  # type: ignore[no-untyped-def]
    own = figures_compute(scope_own(world.own), q(world, 1))
    # M1 (31 March, 23:30): own 2 and PUP 3 at own's meeting; M3: own 1 at the neighbour's.
    assert own["attendance_by"] == (6, 0)
    assert attendance(own) == {"MOPS W": (3, 0), "PUP W": (3, 0)}
    q2 = figures_compute(scope_own(world.own), q(world, 2))
    assert attendance(q2) == {"MOPS W": (1, 3), "PUP W": (0, 3)}  # M2: own's 1
    joint = figures_compute(scope_agreement(world.a_pup), q(world, 1))
    assert attendance(joint) == {"PUP W": (3, 0)}  # the PUP at own's meeting
    county = figures_compute(scope_county(world.own), q(world, 1))
    assert county["attendance_by"] == (6, 0)  # the neighbour's 5 are not in it
    assert "GOPS N" not in attendance(county)
    assert attendance(county) == {"MOPS W": (3, 0), "PUP W": (3, 0)}  # M1, own's 1 at M3
    q2 = figures_compute(scope_county(world.own), q(world, 2))
    assert q2["attendance_by"] == (5, 6)  # M2: own's 1 and the PUP's 4
    assert shown(q2, "attendance_by") == {"attendance_by": ("5", "6")}
    year = figures_compute(scope_county(world.own), Period(YEAR, world.year))
    assert year["attendance_by"] == (11, 0)


def test_a_breakdown_hides_a_second_row_beside_a_small_one(world) -> None:  # type: ignore[no-untyped-def]
    table = next(t for t in tables() if t.key == "attendance")
    figures = {
        "attendance_by": (7, 12),
        "attendance_by_1": (5, 6),
        "attendance_by_2": (2, 6),
        "attendance_by__rows": (("attendance_by_1", "MOPS"), ("attendance_by_2", "PUP")),
    }
    rows = {r["label"]: r for r in table_cells(table, figures, exact=False)}
    assert [rows[k]["current"].text for k in ("MOPS", "PUP")] == ["×", "<5"]
    assert [rows[k]["previous"].text for k in ("MOPS", "PUP")] == ["6", "6"]
    exact = {r["label"]: r for r in table_cells(table, figures, exact=True)}
    assert exact["PUP"]["current"].text == "2"
