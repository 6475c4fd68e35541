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


def test_bench_tiny_writes_every_page(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
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
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())

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
