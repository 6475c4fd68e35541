"""Small numbers: hidden outside the owner, with their complement; exact inside."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation

from indicators.definitions import tables
from indicators.periods import YEAR, Period
from indicators.selectors import figures_compute, scope_agreement, scope_own, table_cells
from indicators.suppression import HIDDEN_TEXT, SMALL_TEXT, suppress

from .data import access_requests, at, build_world

pytestmark = pytest.mark.django_db


def test_every_indicator_has_its_own_key() -> None:
    keys = [
        k
        for t in tables()
        for s in t.sources
        for k in [*(m.key for m in s.metrics), *(m.key for m in s.medians)]
    ]
    assert len(keys) == len(set(keys))


def test_a_lone_small_cell_takes_the_smallest_other_part_with_it() -> None:
    cells = suppress(
        {"total": 14, "a": 6, "b": 2, "c": 6},
        counts=["total", "a", "b", "c"],
        groups=[("total", ["a", "b", "c"])],
    )
    assert [cells[k].text for k in ("total", "a", "b", "c")] == ["14", HIDDEN_TEXT, SMALL_TEXT, "6"]
    assert cells["a"].value is None and cells["b"].value is None  # nothing left to leak


def test_the_owner_sees_exact_counts() -> None:
    cells = suppress({"total": 3, "a": 1}, counts=["total", "a"], exact=True)
    assert (cells["total"].text, cells["a"].text) == ("3", "1")


def test_a_median_follows_its_hidden_count() -> None:
    cells = suppress({"n": 3, "median": 12.5}, counts=["n"], dependents={"median": "n"})
    assert (cells["n"].text, cells["median"].text) == (SMALL_TEXT, HIDDEN_TEXT)


def _solve(rows: dict[str, str], total: str, parts: list[str]) -> dict[str, int]:
    """What an attacker recovers from a group: a hidden part is known only when
    it is the single unknown of its identity."""
    unknown = [k for k in [total, *parts] if not rows[k].isdigit()]
    if len(unknown) != 1:
        return {}
    known = {k: int(rows[k]) for k in [total, *parts] if k not in unknown}
    if unknown[0] == total:
        return {total: sum(known.values())}
    return {unknown[0]: known[total] - sum(v for k, v in known.items() if k != total)}


def test_a_suppressed_cell_cannot_be_recovered_from_the_csv(client) -> None:  # type: ignore[no-untyped-def]
    w = build_world()
    y = w.year
    access_requests(w, at(y, 5, 1), "granted", 6)
    access_requests(w, at(y, 5, 2), "declined", 2)
    access_requests(w, at(y, 5, 3), "pending", 6)
    client.force_login(w.pup_coordinator)
    response = client.get(
        "/indicators/export.csv", {"scope": f"agreement-{w.a_pup.pk}", "p": str(y)}
    )
    assert response.status_code == 200
    reader = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    rows = list(reader)[1:]
    with translation.override("pl"):  # the CSV speaks the user's language
        labels = {(str(t.title), r["label"]): r["key"] for t in tables() for r in _rows_of(t)}
    by_key = {labels[(r[0], r[1])]: r[2] for r in rows}
    assert by_key["requests"] == "14"
    assert by_key["requests_declined"] == SMALL_TEXT  # the small one
    assert by_key["requests_granted"] == HIDDEN_TEXT  # its complement
    for table in tables():
        for total, parts in table.groups:
            if total in by_key:
                assert _solve(by_key, total, list(parts)) == {}, (total, by_key)


def _rows_of(table):  # type: ignore[no-untyped-def]
    zero = {m.key: (0, 0) for s in table.sources for m in (*s.metrics, *s.medians)}
    zero |= {m.longest_key: (0, 0) for s in table.sources for m in s.medians if m.longest_key}
    if table.breakdown:  # its total; its rows are the institutions found
        zero |= {table.breakdown.key: (0, 0), table.breakdown.rows_key: ()}
    return table_cells(table, zero, exact=True)


def test_the_same_figures_are_exact_for_the_owner_and_suppressed_for_the_agreement() -> None:
    w = build_world()
    access_requests(w, at(w.year, 5, 2), "declined", 2)
    year = Period(YEAR, w.year)
    clients_table = tables()[0]
    own = {
        r["key"]: r
        for r in table_cells(clients_table, figures_compute(scope_own(w.own), year), exact=True)
    }
    joint_scope = scope_agreement(w.a_pup)
    joint = {
        r["key"]: r
        for r in table_cells(
            clients_table, figures_compute(joint_scope, year), exact=joint_scope.exact
        )
    }
    assert own["requests_declined"]["current"].text == "2"
    assert joint["requests_declined"]["current"].text == SMALL_TEXT


def test_a_total_with_no_parts_is_left_alone() -> None:
    """An empty breakdown (no board, no institution in the period) is a total of 0
    with no rows: it is shown as "<5" and the suppression ends."""
    from indicators.suppression import suppress

    cells = suppress({"t": 0}, counts=["t"], groups=[("t", ())])
    assert cells["t"].text == "<5"


def test_a_suppressed_breakdown_row_cannot_be_recovered_from_either_csv(client) -> None:  # type: ignore[no-untyped-def]
    """The per-noticeboard rows in the dashboard's CSV (by board) and in the county
    planning CSV (by the board's kind and gmina, within the holder's): the small row
    hidden with its complement, the total kept, nothing solvable."""
    from .data import publication

    w = build_world()
    y = w.year
    for day in range(1, 7):  # six of the PUP's offers on own's board (OPS, Skarżysko)
        publication(w, w.own, at(y, 5, day))
    for day in range(1, 3):  # two on the NGO's (Suchedniów)
        publication(w, w.ngo, at(y, 6, day))
    access_requests(w, at(y, 5, 1), "granted", 6)
    access_requests(w, at(y, 5, 2), "declined", 2)
    client.force_login(w.coordinator)
    with translation.override("pl"):
        boards = str(next(t for t in tables() if t.key == "boards").title)
        clients_title = str(tables()[0].title)

    # The dashboard's CSV of the county: a row per board, by name.
    response = client.get("/indicators/export.csv", {"scope": "county", "p": str(y)})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    shown = {r[1]: r[2] for r in rows[1:] if r[0] == boards}
    assert shown[w.ngo.name] == SMALL_TEXT and shown[w.own.name] == HIDDEN_TEXT
    total = next(k for k in shown if k not in (w.ngo.name, w.own.name))
    assert shown[total] == "8"
    assert _solve(shown, total, [w.ngo.name, w.own.name]) == {}

    # The county planning CSV: within the PUP's (gmina, kind), a row per the
    # boards' kind and gmina; no institution named.
    response = client.get("/indicators/county.csv", {"p": str(y)})
    text = response.content.decode("utf-8-sig")
    assert w.own.name not in text and w.ngo.name not in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    cells: dict[tuple[str, str, str], dict[str, str]] = {}
    for gmina, kind, table, label, current, _previous in rows[1:]:
        cells.setdefault((gmina, kind, table), {})[label] = current
    pup_boards = next(v for (g, k, t), v in cells.items() if t == boards)
    assert sorted(pup_boards.values()) == sorted(["8", SMALL_TEXT, HIDDEN_TEXT]), pup_boards
    small = next(label for label, v in pup_boards.items() if v == SMALL_TEXT)
    assert "Suchedniów" in small
    for (_g, _k, table_title), table_cells_shown in cells.items():
        labels = list(table_cells_shown)
        if table_title == boards:  # the total first, then its rows
            assert _solve(table_cells_shown, labels[0], labels[1:]) == {}, table_cells_shown
    with translation.override("pl"):  # the other tables' identities too
        keyed = {str(r["key"]): r["label"] for r in _rows_of(tables()[0])}
    requests = next(v for (g, k, t), v in cells.items() if t == clients_title)
    assert requests[keyed["requests_declined"]] == SMALL_TEXT
    parts = [keyed[p] for p in tables()[0].groups[0][1]]
    assert _solve(requests, keyed["requests"], parts) == {}
