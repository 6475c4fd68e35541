"""The summary table the nightly task fills (`IndicatorSnapshot`): the dashboard,
its CSV and the report read it before computing anything, with the cache in
front of it or without one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.definitions import tables
from indicators.models import IndicatorSnapshot
from indicators.periods import YEAR, Period, period_containing
from indicators.selectors import (
    _decode,
    _encode,
    _scope_key,
    figures_cached,
    figures_compute,
    figures_precompute,
    scope_at,
    scope_county,
    scope_own,
)
from tests.factories import agreement_between

from .data import build_world, seed_hand_counted

pytestmark = pytest.mark.django_db

# Redis away: nothing listens on port 1, so every cache call fails open.
REDIS_AWAY = {
    "default": {
        "BACKEND": "cooperation.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/7",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def world(settings):  # type: ignore[no-untyped-def]
    settings.INDICATORS_CACHE_SECONDS = 3600
    settings.INDICATORS_ENDED_SECONDS = 26 * 3600
    cache.clear()
    w = build_world()
    seed_hand_counted(w)
    return w


def source_tables() -> set[str]:
    """The tables the figures are computed from."""
    found = set()
    for table in tables():
        sources = list(table.sources) + ([table.breakdown.source] if table.breakdown else [])
        found |= {apps.get_model(s.model)._meta.db_table for s in sources}
    return found


def computed_in(queries: CaptureQueriesContext) -> list[str]:
    """The queries that read a source table: a figure being computed."""
    names = source_tables()
    return [q["sql"] for q in queries.captured_queries if any(f'"{n}"' in q["sql"] for n in names)]


def last_year(w) -> Period:  # type: ignore[no-untyped-def]
    return Period(YEAR, w.year)


def test_the_nightly_task_fills_the_table_once_per_key(world) -> None:  # type: ignore[no-untyped-def]
    # Own, its county and its two agreements, for this year and the last.
    assert figures_precompute(institution_ids=[world.own.pk]) == 8
    rows = IndicatorSnapshot.objects.all()
    assert rows.count() == 8
    assert {r.scope_kind for r in rows} == {"own", "county", "agreement"}
    assert {r.period_start for r in rows} == {
        dt.date(world.year, 1, 1),
        dt.date(world.year + 1, 1, 1),
    }
    first = dict(rows.values_list("pk", "computed_at"))
    # Run again (or by a second worker): the same rows, replaced.
    assert figures_precompute(institution_ids=[world.own.pk]) == 8
    again = dict(IndicatorSnapshot.objects.values_list("pk", "computed_at"))
    assert set(again) == set(first) and all(again[k] >= first[k] for k in first)
    own = IndicatorSnapshot.objects.get(scope_kind="own", period_start=dt.date(world.year, 1, 1))
    expected = figures_compute(scope_own(world.own), last_year(world))
    assert _decode(own.figures) == expected
    assert own.figures["referrals_sent"] == [4, 1]


def test_figures_keep_their_types_through_the_table() -> None:
    figures = {
        "delivery_hours": (Decimal("4.5"), Decimal("0.5")),
        "referrals_answer_hours": (17.0, None),
        "referrals_sent": (3, 1),
        "attendance_by__rows": (("attendance_by_1", "MOPS"), ("attendance_by_2", "PUP")),
    }
    assert _decode(_encode(figures)) == figures
    assert isinstance(_decode(_encode(figures))["delivery_hours"][0], Decimal)


def test_after_the_nightly_run_the_dashboard_computes_nothing(client, world) -> None:  # type: ignore[no-untyped-def]
    figures_precompute(institution_ids=[world.own.pk])
    cache.clear()  # the table alone, not the cache the run also filled
    client.force_login(world.coordinator)
    for scope in ("own", "county", f"agreement-{world.a_ngo.pk}"):
        params = {"scope": scope, "p": str(world.year)}
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/indicators/", params)
        assert page.status_code == 200
        assert computed_in(queries) == [], scope
        with CaptureQueriesContext(connection) as queries:
            csv = client.get("/indicators/export.csv", params)
        assert csv.status_code == 200 and computed_in(queries) == [], scope
    stored = IndicatorSnapshot.objects.get(scope_kind="own", period_start=dt.date(world.year, 1, 1))
    page = client.get("/indicators/", {"p": str(world.year)}).content.decode()
    as_of = timezone.localtime(stored.computed_at).strftime("%H:%M")
    assert 'id="as-of"' in page and as_of in page


def _mark(scope_kind: str, figures_key: str, value: tuple[int, int], **filters) -> None:  # type: ignore[no-untyped-def]
    """Change one stored figure, to tell the stored figures from computed ones."""
    row = IndicatorSnapshot.objects.get(scope_kind=scope_kind, **filters)
    row.figures[figures_key] = list(value)
    row.save(update_fields=["figures"])


def test_with_the_cache_away_the_page_serves_the_stored_figures(client, world) -> None:  # type: ignore[no-untyped-def]
    figures_precompute(institution_ids=[world.own.pk])
    _mark("own", "referrals_sent", (77, 66), period_start=dt.date(world.year, 1, 1))
    client.force_login(world.coordinator)
    with override_settings(CACHES=REDIS_AWAY):
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/indicators/", {"p": str(world.year)}).content.decode()
        assert '<td class="num">77</td><td class="num">66</td>' in body
        assert computed_in(queries) == []
        # A key the night did not compute: computed once, then served from the table.
        quarter = {"p": f"{world.year}-Q1"}
        client.get("/indicators/", quarter)
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/indicators/", quarter).content.decode()
        assert '<td class="num">3</td><td class="num">1</td>' in body  # referrals sent
        assert computed_in(queries) == []


def test_a_snapshot_of_one_institution_is_never_served_to_another(client, world) -> None:  # type: ignore[no-untyped-def]
    # The NGO and the PUP work together too: the NGO's county has own's members.
    agreement_between(world.ngo, world.pup, ["referrals"], valid_from=dt.date(world.year - 1, 1, 1))
    figures_precompute(institution_ids=[world.own.pk])
    period = {"period_start": dt.date(world.year, 1, 1)}
    _mark("own", "referrals_sent", (77, 66), **period)
    _mark("county", "referrals_sent", (88, 55), **period)
    cache.clear()
    # The NGO's coordinator: its own figures and its county (own is in it) are its own keys.
    client.force_login(world.ngo_coordinator)
    for scope in ("own", "county"):
        body = client.get("/indicators/", {"scope": scope, "p": str(world.year)}).content.decode()
        assert ">77<" not in body and ">88<" not in body, scope
    ngo_county = scope_at(scope_county(world.ngo), last_year(world))
    own_county = scope_at(scope_county(world.own), last_year(world))
    assert ngo_county.members == own_county.members  # the same members,
    assert _scope_key(ngo_county) != _scope_key(own_county)  # yet not the same snapshot
    # The outsider of another county.
    client.force_login(world.outsider)
    body = client.get("/indicators/", {"scope": "county", "p": str(world.year)}).content.decode()
    assert ">77<" not in body and ">88<" not in body
    # Own's coordinator does get them (the marks are where they were stored).
    client.force_login(world.coordinator)
    body = client.get("/indicators/", {"scope": "county", "p": str(world.year)}).content.decode()
    assert ">88<" in body


def test_figures_of_a_period_not_ended_are_not_served_stale(world, settings) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    this_year = period_containing(timezone.localdate(), YEAR)
    own = scope_own(world.own)
    figures_cached(own, this_year)
    figures_cached(own, last_year(world))
    cache.clear()
    row = IndicatorSnapshot.objects.get(period_start=this_year.start, scope_kind="own")
    old = IndicatorSnapshot.objects.get(period_start=last_year(world).start, scope_kind="own")
    # Two hours old: past the hour a period not yet ended is served for...
    IndicatorSnapshot.objects.filter(pk=row.pk).update(computed_at=now - dt.timedelta(hours=2))
    assert figures_cached(own, this_year)[1] > now - dt.timedelta(minutes=1)  # computed again
    # ...while last year's, computed after it ended, is served for a day.
    IndicatorSnapshot.objects.filter(pk=old.pk).update(computed_at=now - dt.timedelta(hours=20))
    assert figures_cached(own, last_year(world))[1] == now - dt.timedelta(hours=20)
    cache.clear()
    # Computed before last year ended (on its last evening): the short rule held.
    evening = last_year(world).end_at - dt.timedelta(hours=1)
    IndicatorSnapshot.objects.filter(pk=old.pk).update(computed_at=evening)
    assert figures_cached(own, last_year(world))[1] > now - dt.timedelta(minutes=1)
    assert IndicatorSnapshot.objects.filter(scope_kind="own").count() == 2  # replaced


def test_no_cache_seconds_computes_on_every_request(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.INDICATORS_CACHE_SECONDS = 0
    figures_cached(scope_own(world.own), last_year(world))
    assert not IndicatorSnapshot.objects.exists()


def test_old_snapshots_are_deleted_by_the_nightly_run(world) -> None:  # type: ignore[no-untyped-def]
    # A county whose members have changed since, and a month nobody asked for again.
    stale = [
        IndicatorSnapshot(
            scope_kind="county",
            scope_key=f"{world.own.pk}:{world.own.pk}/{world.own.pk}",
            period_kind="month",
            period_start=dt.date(world.year, m, 1),
            figures={},
            computed_at=timezone.now() - dt.timedelta(days=3),
        )
        for m in (1, 2)
    ]
    IndicatorSnapshot.objects.bulk_create(stale)
    figures_precompute(institution_ids=[world.own.pk])
    assert IndicatorSnapshot.objects.count() == 8
    assert not IndicatorSnapshot.objects.filter(period_kind="month").exists()


def test_figures_kept_before_an_indicator_was_added_are_computed_again(world) -> None:  # type: ignore[no-untyped-def]
    own = scope_own(world.own)
    figures_cached(own, last_year(world))
    cache.clear()
    row = IndicatorSnapshot.objects.get()
    del row.figures["steps_overdue"]  # as kept by the code before it counted them
    row.save(update_fields=["figures"])
    figures, _at = figures_cached(own, last_year(world))
    assert "steps_overdue" in figures
    assert "steps_overdue" in IndicatorSnapshot.objects.get().figures


def test_a_draft_report_reads_the_nightly_figures(client, world) -> None:  # type: ignore[no-untyped-def]
    from indicators.services import report_draft

    figures_precompute(institution_ids=[world.own.pk])
    cache.clear()
    report = report_draft(agreement=world.a_ngo, year=world.year, acting_user=world.coordinator)
    client.force_login(world.coordinator)
    # The report lists the meetings held itself; no indicator is computed.
    counted = source_tables() - {"meetings_occurrence"}
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/indicators/reports/{report.pk}/").status_code == 200
    assert [
        q["sql"] for q in queries.captured_queries if any(f'"{n}"' in q["sql"] for n in counted)
    ] == []
