"""The dashboard, its CSV and who may see which figures."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.models import Role
from tests.factories import InstitutionFactory, agreement_between, member

from .data import (
    access_requests,
    at,
    build_world,
    meeting,
    publication,
    referral,
    seed_hand_counted,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    w = build_world()
    seed_hand_counted(w)
    return w


def test_it_shows_own_exact_figures_with_the_previous_period(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    page = client.get("/indicators/", {"p": f"{world.year}-Q1"})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="chart-referrals"' in body and 'id="table-referrals"' in body
    assert '<td class="num">3</td><td class="num">1</td>' in body  # referrals sent
    assert f"agreement-{world.a_ngo.pk}" in body  # the agreement is offered
    assert "scope=county" in body


def test_it_suppresses_the_agreement_and_county_views(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    for scope in (f"agreement-{world.a_ngo.pk}", "county"):
        body = client.get(
            "/indicators/", {"scope": scope, "p": f"{world.year}-Q1"}
        ).content.decode()
        assert "&lt;5" in body
        assert '<td class="num">3</td><td class="num">1</td>' not in body


def test_it_requires_a_coordinator(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.worker)
    assert client.get("/indicators/").status_code == 403


def test_another_county_sees_nothing_of_ours(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.outsider)
    assert client.get("/indicators/", {"scope": f"agreement-{world.a_ngo.pk}"}).status_code == 404
    assert (
        client.get("/indicators/export.csv", {"scope": f"agreement-{world.a_ngo.pk}"}).status_code
        == 404
    )
    body = client.get("/indicators/", {"scope": "county", "p": f"{world.year}-Q1"}).content.decode()
    assert world.own.name not in body and world.a_ngo.number not in body
    # The outsider's county holds only its own institution: none of our referrals.
    csv = client.get("/indicators/county.csv", {"p": str(world.year)}).content.decode("utf-8-sig")
    assert "Skarżysko" not in csv and "Suchedniów" not in csv


def test_a_party_not_to_the_agreement_gets_404(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.ngo_coordinator)
    assert client.get("/indicators/", {"scope": f"agreement-{world.a_pup.pk}"}).status_code == 404
    assert client.get("/indicators/", {"scope": f"agreement-{world.a_ngo.pk}"}).status_code == 200


def test_csv_of_one_table_and_of_all(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    one = client.get("/indicators/export.csv", {"p": f"{world.year}-Q1", "table": "referrals"})
    assert one["Content-Type"].startswith("text/csv")
    lines = one.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) > 5 and all(";" in line for line in lines)
    every = client.get("/indicators/export.csv", {"p": f"{world.year}-Q1"})
    assert len(every.content.decode("utf-8-sig").splitlines()) > len(lines)


def test_county_planning_csv_is_by_gmina_and_kind_and_suppressed(client, world) -> None:  # type: ignore[no-untyped-def]
    access_requests(world, at(world.year, 6, 1), "granted", 7)
    client.force_login(world.coordinator)
    text = client.get("/indicators/county.csv", {"p": str(world.year)}).content.decode("utf-8-sig")
    assert "Skarżysko-Kamienna" in text
    assert "MOPS W" not in text  # no institution names
    assert ";7;" in text  # access requests: at least 5, shown
    assert ";<5;" in text
    assert "Bliżyn" not in text  # the neighbour has no agreement with us


def test_query_count_does_not_grow_with_rows_or_agreements(client, world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.INDICATORS_CACHE_SECONDS = 0  # count the computing queries, not a cache hit
    client.force_login(world.coordinator)
    params = {"scope": "county", "p": str(world.year)}
    client.get("/indicators/", params)  # the first request of a session does more
    with CaptureQueriesContext(connection) as before:
        client.get("/indicators/", params)
    for n in range(3):
        other = InstitutionFactory(short_name=f"ngo-more-{n}", kind="ngo")
        agreement_between(world.own, other, ["referrals"])
        member(other, Role.COORDINATOR)
    for n in range(10):
        referral(world, world.own, at(world.year, 5, 1 + n))
    access_requests(world, at(world.year, 6, 1), "granted", 12)
    # More noticeboards and institutions at meetings: more rows in the breakdowns.
    for inst in (world.own, world.ngo, world.pup):
        publication(world, inst, at(world.year, 7, 1))
    meeting(world, world.own, at(world.year, 8, 1, 10), {world.ngo: 2, world.pup: 1})
    with CaptureQueriesContext(connection) as after:
        client.get("/indicators/", params)
    assert len(after) == len(before)


def test_dashboard_query_budget(client, world, django_assert_max_num_queries, settings) -> None:  # type: ignore[no-untyped-def]
    settings.INDICATORS_CACHE_SECONDS = 0
    client.force_login(world.coordinator)
    with django_assert_max_num_queries(40):
        client.get("/indicators/", {"scope": f"agreement-{world.a_ngo.pk}"})


def test_the_nightly_figures_are_served_with_their_date(client, world, settings) -> None:  # type: ignore[no-untyped-def]
    from indicators.selectors import figures_precompute

    settings.INDICATORS_CACHE_SECONDS = 3600
    # Own, its county and its two agreements, two years.
    assert figures_precompute(institution_ids=[world.own.pk]) == 8
    client.force_login(world.coordinator)
    with CaptureQueriesContext(connection) as cached:
        body = client.get("/indicators/", {"scope": "county", "p": str(world.year)}).content
    assert 'id="as-of"' in body.decode()
    assert len(cached) < 15  # no figure computed: the nightly ones are shown
