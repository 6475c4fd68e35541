"""Figures for coordinators: per quarter, cases proposed, taken, closed by outcome,
median days to the first action and to the outcome; a table and an SVG chart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from promotion import services
from promotion.models import ActionKind, CaseOutcome, PromotionCase
from promotion.selectors import figures_by_quarter

from ..factories import ClientFactory
from .helpers import TODAY, completed_programme, consent_for, propose

pytestmark = pytest.mark.django_db

Q1 = timezone.make_aware(dt.datetime(2026, 1, 10, 9, 0))
Q2 = timezone.make_aware(dt.datetime(2026, 4, 2, 9, 0))


def _case(own, owner, partner, proposed_at):
    person = ClientFactory(owner=own, created_by=owner)
    consent_for(person, owner, partner)
    case = propose(completed_programme(person, owner), owner, partner)
    PromotionCase.objects.filter(pk=case.pk).update(proposed_at=proposed_at)
    return case


def _set(case, **fields):
    PromotionCase.objects.filter(pk=case.pk).update(**fields)


def test_figures_per_quarter(own, owner, partner, advisor, promo_agreement) -> None:
    a, b, c = (_case(own, owner, partner, Q1) for _ in range(3))
    d = _case(own, owner, partner, Q2)
    for case in (a, b):
        services.case_take(case=case, acting_user=advisor)
        services.case_action_add(
            case=case, acting_user=advisor, kind=ActionKind.TRAINING, happened_on=TODAY
        )
    services.case_close(case=a, acting_user=advisor, outcome=CaseOutcome.INTERNSHIP)
    services.case_close(case=b, acting_user=advisor, outcome=CaseOutcome.REFUSED)
    _set(a, first_action_at=Q1 + dt.timedelta(days=2), closed_at=Q1 + dt.timedelta(days=10))
    _set(b, first_action_at=Q1 + dt.timedelta(days=4), closed_at=Q1 + dt.timedelta(days=30))
    table = figures_by_quarter(advisor)
    assert [r["quarter"] for r in table] == ["2026 Q1", "2026 Q2"]
    q1, q2 = table
    assert (q1["proposed"], q1["taken"], q1["closed"]) == (3, 2, 2)
    outcomes = dict(q1["outcomes"])
    assert outcomes["internship started"] == 1 and outcomes["refused"] == 1
    assert outcomes["job started"] == 0
    assert q1["median_to_action"] == 3.0 and q1["median_to_outcome"] == 20.0
    assert (q2["proposed"], q2["taken"], q2["closed"], q2["median_to_outcome"]) == (1, 0, 0, None)
    assert figures_by_quarter(owner) == table  # the proposer counts the same cases
    assert c and d


def test_the_figures_of_others_are_not_counted(
    own, owner, partner, outsider, promo_agreement
) -> None:
    _case(own, owner, partner, Q1)
    assert figures_by_quarter(outsider) == []


def test_the_figures_page_has_a_table_a_chart_and_constant_queries(
    client, django_assert_max_num_queries, own, owner, partner, pup_coordinator, promo_agreement
) -> None:
    client.force_login(pup_coordinator)
    client.get("/promotion/figures/")  # the first request of a session does its own bookkeeping
    counts = []
    for n in (2, 20):
        for i in range(n):
            _case(own, owner, partner, Q1 if i % 2 else Q2)
        with django_assert_max_num_queries(8) as captured:
            response = client.get("/promotion/figures/")
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    body = response.content.decode()
    assert response.status_code == 200
    assert '<svg id="promotion-chart"' in body and body.count("<title>2026 Q") == 6
    assert "style=" not in body and "<style" not in body
    assert "2026 Q1" in body and "2026 Q2" in body


def test_only_coordinators_open_the_figures(client, advisor) -> None:
    client.force_login(advisor)
    assert client.get("/promotion/figures/").status_code == 403
