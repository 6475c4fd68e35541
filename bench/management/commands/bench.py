"""`python manage.py bench`: build a synthetic dataset in a separate database and time the pages.

Never touches the main database: on PostgreSQL it drops and creates
`<NAME>_bench` (through the `postgres` maintenance database) and migrates
into it; on SQLite it uses a fresh `bench.sqlite3` (or `--sqlite-path`).
Prints a table and, with `--json FILE`, writes the numbers for comparison.
It asserts nothing: the targets are shown next to the numbers.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections, transaction


class Command(BaseCommand):
    help = "Build a synthetic voivodeship-wide dataset in a separate database and time the pages."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        from bench.build import SCALES

        parser.add_argument("--scale", choices=sorted(SCALES), default="full")
        parser.add_argument(
            "--clients",
            type=int,
            default=0,
            help="Build the scale at this many clients instead (the rest in proportion).",
        )
        parser.add_argument(
            "--build-only",
            action="store_true",
            help="Build (and vacuum) the database, keep it, time nothing.",
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Time the pages on the database an earlier --build-only left (same options).",
        )
        parser.add_argument("--json", dest="json_path", default="", help="Write results here.")
        parser.add_argument("--requests", type=int, default=0, help="Timed requests per page.")
        parser.add_argument(
            "--sqlite-path", default="", help="SQLite file (default bench.sqlite3)."
        )
        parser.add_argument(
            "--page-budget",
            type=float,
            default=6.0,
            help="Stop timing a page after this many seconds (at least 5 requests run).",
        )
        parser.add_argument(
            "--pg-jit",
            choices=["default", "off"],
            default="default",
            help="Run the bench connection with PostgreSQL JIT as configured, or off.",
        )
        parser.add_argument(
            "--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query of misses."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from bench.build import scale_for

        scale = scale_for(options["scale"], options["clients"])
        requests = options["requests"] or scale.requests
        self._configure()
        from bench import measure

        measure.BUDGET_S["seconds"] = options["page_budget"]
        db = self._fresh_database(
            options["sqlite_path"], jit=options["pg_jit"], reuse=options["reuse"]
        )
        self.stdout.write(f"Benchmark database: {db} ({connections['default'].vendor})")

        from bench.build import World, build
        from bench.measure import (
            PAGE_TARGET_QUERIES,
            PAGE_TARGETS_P95_MS,
            TARGET_P95_MS,
            TARGET_QUERIES,
            TARGET_RATIO,
            explain,
            measure_pages,
            measure_pdfs,
            measure_selectors,
        )

        migrate_s = 0.0
        if options["reuse"]:
            world = World.from_database(scale)
            self.stdout.write(f"Reusing {db} (scale {scale.name!r}, as built earlier)")
        else:
            started = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            migrate_s = round(time.perf_counter() - started, 1)
            self.stdout.write(
                f"Migrated in {migrate_s}s; building scale {scale.name!r} "
                f"({scale.institutions} institutions, {scale.clients} clients, "
                f"{scale.audit} audit rows)…"
            )
            build_started = time.perf_counter()
            with transaction.atomic():
                world = build(scale, log=self.stdout.write)
            world.build_seconds = round(time.perf_counter() - build_started, 1)  # with COMMIT
            if connections["default"].vendor == "postgresql":
                # A database in service is vacuumed (autovacuum); without it every
                # index-only scan — the floor's and the access table's — reads the heap too.
                vacuum_started = time.perf_counter()
                with connections["default"].cursor() as cursor:
                    cursor.execute("VACUUM (ANALYZE)")
                world.vacuum_seconds = round(time.perf_counter() - vacuum_started, 1)
        rss_after_build = _peak_rss_mb()
        size_mb = _db_size_mb()
        if options["build_only"]:
            self.stdout.write(
                f"Built in {world.build_seconds}s (migrate {migrate_s}s, VACUUM ANALYZE "
                f"{world.vacuum_seconds}s); database {size_mb} MB; peak RSS {rss_after_build} MB. "
                f"Time it with the same options and --reuse."
            )
            return
        self.stdout.write(
            f"Built in {world.build_seconds}s. Measuring ({requests} requests a page)…"
        )
        load_before = os.getloadavg()
        pages = measure_pages(world, requests=requests, log=self.stdout.write)
        selectors = measure_selectors(world, requests=requests)
        pdfs = measure_pdfs(world, repeats=scale.pdf_repeats)

        for row in pages:
            misses = []
            p95_target = PAGE_TARGETS_P95_MS.get(row["page"], TARGET_P95_MS)
            query_target = PAGE_TARGET_QUERIES.get(row["page"], TARGET_QUERIES)
            if row["p95_ms"] is not None and row["p95_ms"] > p95_target:
                misses.append("p95")
            if row["queries"] is not None and row["queries"] > query_target:
                misses.append("queries")
            if row.get("queries_at_10") != row.get("queries_at_100"):
                misses.append("queries 10≠100")
            if row.get("ratio_p50") is not None and row["ratio_p50"] > TARGET_RATIO:
                misses.append("ratio")
            row["misses"] = misses
            if misses and options["explain"] and row.get("slowest_query"):
                try:
                    row["explain"] = explain(row["slowest_query"])
                except Exception as exc:  # an EXPLAIN failing must not lose the run
                    row["explain"] = f"EXPLAIN failed: {exc}"

        result = {
            "meta": {
                "scale": scale.name,
                "database": connections["default"].vendor,
                "database_version": _db_version(),
                "python": sys.version.split()[0],
                "django": __import__("django").get_version(),
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "requests_per_page": requests,
                "page_budget_seconds": options["page_budget"],
                "pg_jit": options["pg_jit"],
                "page_size": settings.PAGE_SIZE,
                "migrate_seconds": migrate_s,
                "build_seconds": world.build_seconds,
                "vacuum_seconds": world.vacuum_seconds,
                "rows": world.counts,
                "insert_seconds": world.seconds,
                "peak_rss_mb_after_build": rss_after_build,
                "database_mb": size_mb,
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
                "reused": options["reuse"],
                "scale_sizes": {
                    "institutions": scale.institutions,
                    "clients": scale.clients,
                    "plans": scale.plans,
                    "audit": scale.audit,
                    "offers": scale.offers,
                    "events": scale.events,
                },
                "peak_rss_mb": _peak_rss_mb(),
                "targets": {
                    "p95_ms": TARGET_P95_MS,
                    "queries": TARGET_QUERIES,
                    "ratio_to_floor": TARGET_RATIO,
                },
            },
            "pages": pages,
            "selectors": selectors,
            "pdfs": pdfs,
        }
        self._print(result)
        if options["json_path"]:
            Path(options["json_path"]).write_text(json.dumps(result, indent=2, default=str))
            self.stdout.write(f"Written to {options['json_path']}")

    # -- setup ---------------------------------------------------------------------------

    def _configure(self) -> None:
        settings.DEBUG = False  # no query log in the timed requests
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        settings.CELERY_TASK_ALWAYS_EAGER = True
        settings.MEDIA_ROOT = str(Path(settings.BASE_DIR) / "media" / "bench")
        from cooperation.celery import app

        app.conf.task_always_eager = True
        import logging
        import warnings

        for name in ("weasyprint", "fontTools"):
            logging.getLogger(name).setLevel(logging.WARNING)
        warnings.filterwarnings("ignore", message="No directory at")

    def _fresh_database(
        self, sqlite_path: str, *, jit: str = "default", reuse: bool = False
    ) -> str:
        """Point the default connection at a new, empty database before any query
        (with `reuse`, at the one an earlier run left)."""
        conn = connections["default"]
        conn.close()
        cfg = settings.DATABASES["default"]
        if "postgresql" in cfg["ENGINE"]:
            import psycopg

            name = f"{cfg['NAME']}_bench"
            params = {
                "dbname": "postgres",
                "host": cfg.get("HOST") or None,
                "port": cfg.get("PORT") or None,
                "user": cfg.get("USER") or None,
                "password": cfg.get("PASSWORD") or None,
            }
            with psycopg.connect(
                **{k: v for k, v in params.items() if v},  # type: ignore[arg-type]
                autocommit=True,
            ) as admin:
                if not reuse:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    admin.execute(f'CREATE DATABASE "{name}"')
            cfg["NAME"] = name
            if jit == "off":
                options = dict(cfg.get("OPTIONS") or {})
                options["options"] = f"{options.get('options', '')} -c jit=off".strip()
                cfg["OPTIONS"] = options
                conn.settings_dict["OPTIONS"] = options
        else:
            path = Path(sqlite_path or Path(settings.BASE_DIR) / "bench.sqlite3")
            for suffix in ("", "-wal", "-shm", "-journal") if not reuse else ():
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            cfg["NAME"] = str(path)
            # A throw-away file: no fsync per statement (the build is one transaction anyway).
            options = dict(cfg.get("OPTIONS") or {})
            options["init_command"] = "PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY"
            cfg["OPTIONS"] = options
            conn.settings_dict["OPTIONS"] = options
            name = str(path)
        conn.settings_dict["NAME"] = cfg["NAME"]
        return name

    # -- output --------------------------------------------------------------------------

    def _print(self, result: dict[str, Any]) -> None:
        w = self.stdout.write
        meta = result["meta"]
        w("")
        w(
            f"Scale {meta['scale']} on {meta['database']} {meta['database_version']}, "
            f"Python {meta['python']}, {meta['cpus']} CPUs; built in {meta['build_seconds']}s; "
            f"database {meta['database_mb']} MB; peak RSS {meta['peak_rss_mb']} MB"
        )
        w("")
        w(
            f"{'role':16} {'page':28} {'n':>3} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'q':>3} "
            f"{'q@10':>4} {'q@100':>5} {'floor p50':>9} {'×floor':>6}  misses"
        )
        for r in result["pages"]:
            if r["p50_ms"] is None:
                w(f"{r['role']:16} {r['page']:28} HTTP {r['status']}")
                continue
            floor = f"{r['floor_p50_ms']:9.1f}" if "floor_p50_ms" in r else f"{'—':>9}"
            ratio = f"{r['ratio_p50']:6.2f}" if "ratio_p50" in r else f"{'—':>6}"
            w(
                f"{r['role']:16} {r['page']:28} {r['n']:3} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} "
                f"{r['max_ms']:8.1f} {r['queries']:3} {r['queries_at_10']:4} "
                f"{r['queries_at_100']:5} {floor} {ratio}  {', '.join(r.get('misses', [])) or 'ok'}"
            )
        w("")
        w(f"{'role':16} {'selector':14} {'visible p50':>11} {'floor p50':>9} {'×floor':>6}")
        for s in result["selectors"]:
            w(
                f"{s['role']:16} {s['selector']:14} {s['visible_p50_ms']:11.2f} "
                f"{s['floor_p50_ms']:9.2f} {s['ratio_p50']:6.2f}"
            )
        w("")
        w(f"{'PDF':20} {'p50 s':>7} {'max s':>7} {'target':>7}")
        for p in result["pdfs"]:
            ok = "ok" if p["max_s"] <= p["target_s"] else "MISS"
            w(f"{p['pdf']:20} {p['p50_s']:7.3f} {p['max_s']:7.3f} {p['target_s']:7.1f}  {ok}")
        for r in result["pages"]:
            if r.get("explain"):
                w("")
                w(f"EXPLAIN — {r['role']} / {r['page']} ({r.get('slowest_query_ms')} ms):")
                w(r["slowest_query"][:2000])
                w(r["explain"])


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _db_size_mb() -> float:
    conn = connections["default"]
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return round(cursor.fetchone()[0] / 2**20, 1)
    return round(Path(conn.settings_dict["NAME"]).stat().st_size / 2**20, 1)


def _db_version() -> str:
    conn = connections["default"]
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    import sqlite3

    return sqlite3.sqlite_version
