"""`manage.py bench` keeps working: the tiny scale runs end to end and writes its JSON.

Run in a subprocess on a throw-away SQLite file, with no DATABASE_URL, so the
command's own database never meets pytest-django's test database. Asserts the
structure of the results, never the speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home",
    "clients: first page",
    "clients: page 500",
    "clients: filtered (status)",
    "clients: filtered (shared)",
    "clients: PESEL search",
    "clients: name search",
    "client detail",
    "plan page",
    "board page",
    "agreement list",
    "calendar month",
}


def _bench(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "cooperation.settings"
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "bench",
            "--scale",
            "tiny",
            "--sqlite-path",
            str(tmp_path / "bench.sqlite3"),
            *args,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_bench_tiny_writes_every_page(tmp_path: Path) -> None:
    """Built once (--build-only), then timed on the database it left (--reuse): the
    two halves a national-scale run is split into."""
    out = tmp_path / "bench.json"
    built = _bench(tmp_path, "--build-only")
    assert "Time it with the same options and --reuse" in built.stdout
    assert not out.exists()
    done = _bench(tmp_path, "--reuse", "--json", str(out))
    result = json.loads(out.read_text())
    assert result["meta"]["reused"] is True
    assert result["meta"]["database_mb"] > 0

    assert result["meta"]["scale"] == "tiny"
    assert result["meta"]["rows"]["Client"] == 200
    pages = result["pages"]
    assert {p["page"] for p in pages} >= PAGES
    for page in pages:
        if page["role"] == "pup advisor" and page["page"] == "board page":
            continue  # a labour office has no board
        assert page["status"] == 200, page
        for key in ("p50_ms", "p95_ms", "max_ms", "queries", "queries_at_10", "queries_at_100"):
            assert isinstance(page[key], (int, float)), (page["page"], key)
    floors = [p for p in pages if "floor_p50_ms" in p]
    assert floors and all(isinstance(p["ratio_p50"], float) for p in floors)
    assert {p["pdf"] for p in result["pdfs"]} == {
        "offer sheet",
        "digest (50 offers)",
        "plan PDF",
        "agreement report PDF",
    }
    assert all(p["p50_s"] > 0 for p in result["pdfs"])
    assert result["selectors"] and result["meta"]["peak_rss_mb"] > 0
    assert "p50 ms" in done.stdout  # the printed table


def test_a_scale_by_its_number_of_clients_keeps_the_proportions() -> None:
    from bench.build import SCALES, scale_for

    assert scale_for("national") is SCALES["national"]
    quarter = scale_for("national", 500_000)
    assert (quarter.clients, quarter.institutions, quarter.audit) == (500_000, 825, 5_000_000)
    assert (quarter.plans, quarter.offers, quarter.events) == (50_000, 25_000, 5_000)
    assert quarter.institutions % 5 == 0  # five kinds in every county


def test_people_are_the_same_client_however_often_asked() -> None:
    """The build streams each table in its own pass: a client's owner, partner and
    columns are a function of its key, so every pass agrees."""
    from bench.build import KINDS, People, scale_for

    scale = scale_for("tiny")
    insts = [
        {"id": c * 5 + k + 1, "kind": kind, "county": c}
        for c in range(scale.institutions // 5)
        for k, kind in enumerate(KINDS)
    ]
    kind_in_county = {(i["county"], i["kind"]): i["id"] for i in insts}
    people = People(scale, insts, 1, kind_in_county)
    by_id = {i["id"]: i for i in insts}
    assert sum(people.owner(pk) == 1 for pk in people.ids()) == scale.clients * 15 // 100
    for pk in people.ids():
        row = people.row(pk)
        assert row == people.row(pk) and row["owner_id"] == people.owner(pk)
        partner = people.partner(pk)
        assert (partner is not None) == (pk in people.shared_ids())
        if partner:
            assert by_id[partner]["county"] == by_id[row["owner_id"]]["county"]
            assert partner != row["owner_id"]
    plans = list(people.plan_candidates())
    assert len(plans) == len(set(plans))
    assert all(not people.closed(pk) for pk in plans)
    shared = [pk for pk in plans if pk % 3 == 0]
    assert plans[: len(shared)] == shared  # joint plans first
