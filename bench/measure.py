"""Time pages in-process, per role, against the built dataset; compare with the floor."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Client
from cooperation.models import Institution, User
from cooperation.permissions import owned_by

from .build import World

TARGET_P95_MS = 50.0
TARGET_QUERIES = 12
TARGET_RATIO = 1.5
PDF_TARGETS_S = {
    "offer sheet": 0.5,
    "digest (50 offers)": 3.0,
    "plan PDF": 1.0,
    "agreement report PDF": 2.0,
}
# Issue 16: the county dashboard for a year answers within 300 ms at p95.
PAGE_TARGETS_P95_MS = {"indicators: county, year": 300.0, "indicators: own, year": 300.0}
# One query per source model and per median, whatever the number of rows (tested).
PAGE_TARGET_QUERIES = {"indicators: county, year": 40, "indicators: own, year": 40}
ORDER = ("last_name", "first_name", "pk")


@dataclass
class Role:
    key: str  # label in the table
    username: str
    institution: str


ROLES = [
    Role("ops worker", "ops-01-social_worker", "ops-01"),
    Role("ops coordinator", "ops-01-coordinator", "ops-01"),
    Role("pup advisor", "pup-01-client_advisor", "pup-01"),
]


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95_index = max(0, min(len(ordered) - 1, int(round(0.95 * len(ordered) + 0.5)) - 1))
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[p95_index] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


# A page far off target would keep a full run busy for hours at 50 requests:
# stop after this many seconds (but never before MIN_SAMPLES); `n` says how many ran.
BUDGET_S = {"seconds": 6.0}
MIN_SAMPLES = 5


def _time(fn: Callable[[], Any], n: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    samples: list[float] = []
    deadline = time.perf_counter() + BUDGET_S["seconds"]
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
        if len(samples) >= MIN_SAMPLES and started > deadline:
            break
    return samples


def _floor_clients_visible_to(user: User, *, query: str = ""):
    """The floor: the client list with no permission filtering, only the owner."""
    from clients.selectors import client_search
    from cooperation.permissions import institution_of

    return client_search(owned_by(Client, institution_of(user)).select_related("owner"), query)  # type: ignore[arg-type]


def _floor_client_list_rows(user: User, *, query: str = "", status: str = "", held: str = ""):
    """The floor of the list page: the same filters over the owner's own clients
    (its `(owner, last_name, first_name)` index), no sharing — "shared" is empty."""
    qs = _floor_clients_visible_to(user, query=query)
    if status:
        qs = qs.filter(status=status)
    if held == "shared":
        qs = qs.none()
    return qs.order_by(*ORDER)


def _pages(world: World, role: Role) -> list[tuple[str, str, bool]]:
    """(page label, url, has a floor) for one role."""
    inst = world.institution_ids[role.institution]
    own = world.clients_of.get(inst, [])
    shared = world.shared_with.get(inst, [])
    pool = shared if role.key.startswith("pup") else own
    with_plan = [c for c in pool if c in world.plan_of] or pool
    client_pk = with_plan[len(with_plan) // 2]
    sample_pesel = world.pesel_of[(own or pool)[len(own or pool) // 3]]
    sample_name = world.last_name_of[(own or pool)[len(own or pool) // 4]]
    # Each box of home that loads after the first paint (lazy), as the page of its own a
    # browser without JavaScript gets (htmx asks for the box alone: a little less).
    from cooperation.navigation import _for_role, _home

    role_name = role.username.removeprefix(f"{role.institution}-")
    boxes = [
        (f"home box: {section.key}", reverse("home_section", args=[section.key]), False)
        for section in sorted(_home().values(), key=lambda s: s.order)
        if section.lazy and _for_role(section.roles, role_name)
    ]
    pages = [
        ("home", reverse("home"), False),
        *boxes,
        ("clients: first page", reverse("clients:list"), True),
        ("clients: page 500", reverse("clients:list") + "?page=500", True),
        ("clients: filtered (status)", reverse("clients:list") + "?status=active", True),
        ("clients: filtered (shared)", reverse("clients:list") + "?held=shared", False),
        ("clients: PESEL search", reverse("clients:list") + f"?q={sample_pesel}", True),
        ("clients: name search", reverse("clients:list") + f"?q={sample_name}", True),
        ("client detail", reverse("clients:detail", args=[client_pk]), False),
    ]
    if client_pk in world.plan_of:
        pages.append(
            ("plan page", reverse("reintegration:detail", args=[world.plan_of[client_pk]]), False)
        )
    if inst in world.board_of:
        pages.append(("board page", reverse("joboffers:board", args=[world.board_of[inst]]), False))
    pages.append(("agreement list", reverse("agreements:list"), False))
    pages.append(("calendar month", reverse("meetings:calendar"), False))
    if role.key.endswith("coordinator"):
        # The builder gives this coordinator 10,000 notices (bench/build.py).
        pages.append(("notices: first page", reverse("notifications:list"), False))
        pages.append(("notices: unread", reverse("notifications:list") + "?unread=on", False))
        pages.append(("notices: page 200", reverse("notifications:list") + "?page=200", False))
        year = f"?p={_last_year()}"
        dashboard = reverse("indicators:dashboard")
        pages.append(("indicators: county, year", f"{dashboard}{year}&scope=county", False))
        pages.append(("indicators: own, year", f"{dashboard}{year}&scope=own", False))
    return pages


def _last_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year - 1


def _searched(http: HttpClient, url: str) -> str:
    """A search form posts; the results page's address holds a token, not the query."""
    path, _, query = url.partition("?")
    return http.post(path, dict(parse_qsl(query)))["Location"]


def _request(http: HttpClient, url: str) -> int:
    try:
        response = http.get(url)
    except Exception as exc:  # a broken page is reported, not fatal to the run
        _request.errors[url] = f"{type(exc).__name__}: {exc}"  # type: ignore[attr-defined]
        return 500
    return response.status_code


_request.errors = {}  # type: ignore[attr-defined]


def _count_queries(
    http: HttpClient, url: str, page_size: int | None = None
) -> tuple[int, list[dict]]:
    ctx = mock.patch.object(settings, "PAGE_SIZE", page_size) if page_size else nullcontext()
    with ctx, CaptureQueriesContext(connection) as captured:
        http.get(url)
    return len(captured), list(captured.captured_queries)


def measure_pages(
    world: World, *, requests: int, log: Callable[[str], None]
) -> list[dict[str, Any]]:
    results = []
    for role in ROLES:
        user = User.objects.get(username=role.username)
        http = HttpClient()
        http.force_login(user)
        for label, url, has_floor in _pages(world, role):
            if "?q=" in url:
                url = _searched(http, url)
            status = _request(http, url)
            row: dict[str, Any] = {"role": role.key, "page": label, "url": url, "status": status}
            if status != 200:
                row["error"] = _request.errors.get(url, "")  # type: ignore[attr-defined]
                row.update(
                    {"n": 0, "p50_ms": None, "p95_ms": None, "max_ms": None, "queries": None}
                )
                results.append(row)
                log(f"  {role.key:16} {label:28} HTTP {status} (skipped)")
                continue
            get = partial(_request, http, url)
            row |= _stats(_time(get, requests))
            row["queries"], captured = _count_queries(http, url)
            row["queries_at_10"], _ = _count_queries(http, url, 10)
            row["queries_at_100"], _ = _count_queries(http, url, 100)
            slow = max(captured, key=lambda q: float(q.get("time") or 0), default=None)
            if slow:
                row["slowest_query_ms"] = round(float(slow["time"]) * 1000, 2)
                row["slowest_query"] = slow["sql"]
            if has_floor:
                with mock.patch("clients.views.client_list_rows", _floor_client_list_rows):
                    floor = _stats(_time(get, requests))
                row["floor_p50_ms"] = floor["p50_ms"]
                row["floor_p95_ms"] = floor["p95_ms"]
                row["ratio_p50"] = round(row["p50_ms"] / floor["p50_ms"], 2)
                row["ratio_p95"] = round(row["p95_ms"] / floor["p95_ms"], 2)
            results.append(row)
            log(
                f"  {role.key:16} {label:28} p50 {row['p50_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f} ms"
                f"  q {row['queries']:3}"
                + (f"  ×{row['ratio_p50']:.2f} floor" if has_floor else "")
            )
    return results


def measure_selectors(world: World, *, requests: int) -> list[dict[str, Any]]:
    """The client list at the selector level: the list's selector (the access table)
    vs `owned_by()` (the owner's own rows), same page."""
    from clients.selectors import client_list_rows

    out = []
    for role in (r for r in ROLES if r.key != "ops coordinator"):
        user = User.objects.get(username=role.username)
        inst = Institution.objects.get(short_name=role.institution)
        own = world.clients_of.get(inst.pk, [])
        variants = [
            ("first page", "", 1),
            ("page 500", "", 500),
            ("PESEL search", world.pesel_of[own[len(own) // 3]], 1),
            ("name search", world.last_name_of[own[len(own) // 4]], 1),
        ]
        for label, query, page in variants:

            def run(
                selector: Callable[..., Any],
                user: User = user,
                query: str = query,
                page: int = page,
            ) -> Callable[[], None]:
                def go() -> None:
                    user.__dict__.pop("_active_membership", None)
                    rows = selector(user, query=query)
                    list(Paginator(rows, settings.PAGE_SIZE).get_page(page).object_list)

                return go

            vis = _stats(_time(run(client_list_rows), requests))
            flo = _stats(_time(run(_floor_client_list_rows), requests))
            out.append(
                {
                    "role": role.key,
                    "selector": label,
                    "visible_p50_ms": vis["p50_ms"],
                    "visible_p95_ms": vis["p95_ms"],
                    "floor_p50_ms": flo["p50_ms"],
                    "floor_p95_ms": flo["p95_ms"],
                    "ratio_p50": round(vis["p50_ms"] / flo["p50_ms"], 2),
                }
            )
    return out


def measure_pdfs(world: World, *, repeats: int) -> list[dict[str, Any]]:
    from joboffers import printing
    from joboffers.models import Board, JobOffer

    out = []
    worker = User.objects.get(username="ops-01-social_worker")
    http = HttpClient()
    http.force_login(worker)
    ops = world.institution_ids["ops-01"]
    board_pk = world.board_of[ops]
    offer_pk = world.offers_on_board[board_pk][0]
    client_pk = next(c for c in world.clients_of[ops] if c in world.plan_of)

    def sheet() -> None:
        r = http.get(reverse("joboffers:sheet", args=[offer_pk]))
        assert r.status_code == 200, r.status_code

    board = Board.objects.select_related("institution").get(pk=board_pk)
    offers = list(
        JobOffer.objects.filter(pk__in=world.offers_on_board[board_pk][:50]).select_related(
            "institution"
        )
    )

    def digest() -> None:
        printing.digest_pdf(offers, board=board)

    def plan() -> None:
        r = http.get(reverse("reintegration:pdf", args=[world.plan_of[client_pk]]))
        assert r.status_code == 200, r.status_code

    report_url = _report_url(ops)

    def report() -> None:
        coordinator = HttpClient()
        coordinator.force_login(User.objects.get(username="ops-01-coordinator"))
        r = coordinator.get(report_url)
        assert r.status_code == 200, r.status_code

    for label, fn in (
        ("offer sheet", sheet),
        ("digest (50 offers)", digest),
        ("plan PDF", plan),
        ("agreement report PDF", report),
    ):
        samples = _time(fn, repeats, warmup=1)
        stats = _stats(samples)
        out.append(
            {
                "pdf": label,
                "n": stats["n"],
                "p50_s": round(stats["p50_ms"] / 1000, 3),
                "max_s": round(stats["max_ms"] / 1000, 3),
                "target_s": PDF_TARGETS_S[label],
                "offers": len(offers) if "digest" in label else None,
            }
        )
    return out


def _report_url(ops: int) -> str:
    """A draft annual report on the big OPS's agreement in force (rendered on each request)."""
    from agreements.models import Agreement
    from indicators.models import AnnualReport

    agreement = Agreement.objects.filter(status="active", parties__institution_id=ops).first()
    report, _created = AnnualReport.objects.get_or_create(
        agreement=agreement,
        year=_last_year(),
        defaults={
            "drafted_by": User.objects.get(username="ops-01-coordinator"),
            "drafted_in_id": ops,
        },
    )
    return reverse("indicators:pdf", args=[report.pk])


def explain(sql: str) -> str:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(str(r) for r in cursor.fetchall())
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(r[0] for r in cursor.fetchall())
