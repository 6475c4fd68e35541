# ruff: noqa: F811 - the plan fixtures, imported, are parameters here
"""The notice list and the digest cost the same queries for 2 notices as for 25 about
25 different objects (promotion cases, joint plans, referrals): may the person still
open each target is asked once per model, not once per target. A notice whose access
ended shows no link and opens 404."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Scope
from cooperation.models import InstitutionKind, Role
from notifications import services
from notifications.models import Notice
from notifications.selectors import still_open

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member
from ..partners.conftest import consent_to, make_offer, refer
from ..reintegration.conftest import (  # noqa: F401 - fixtures
    joint_agreement,
    own_coordinator,
    plan,
    shared_client,
)

KINDS_BY_MODEL = {
    "promotioncase": "promotion.taken",
    "reintegrationplan": "reintegration.step_added",
    "referral": "referrals.accepted",
}


@pytest.fixture
def referral(own, owner):
    ngo = InstitutionFactory(kind=InstitutionKind.NGO, short_name="ngo-cost")
    offer = make_offer(member(ngo, Role.PARTNER_STAFF, username="cost-staff"))
    agreement_between(own, ngo, [Scope.REFERRALS])
    client = ClientFactory(owner=own, created_by=owner)
    consent_to(client, owner, ngo)
    return refer(owner, client, offer)


def _copies(obj, n: int, own, owner) -> list:  # type: ignore[no-untyped-def]
    """`n` rows like `obj`, each about a client of its own (one open case or plan per client)."""
    rows = [obj.__class__.objects.get(pk=obj.pk)]
    for _i in range(n - 1):
        obj.pk = None
        obj.client = ClientFactory(owner=own, created_by=owner)
        obj.save()
        rows.append(obj.__class__.objects.get(pk=obj.pk))
    return rows


def _notices(recipient, rows, *, digest: bool = False) -> list[Notice]:  # type: ignore[no-untyped-def]
    target_type = ContentType.objects.get_for_model(rows[0])
    kind = KINDS_BY_MODEL[target_type.model]
    return Notice.objects.bulk_create(
        [
            Notice(
                recipient=recipient,
                kind=kind,
                event_id=f"cost-{target_type.model}-{row.pk}",
                target_type=target_type,
                target_id=row.pk,
                text=f"about {row.pk}",
                in_digest=digest,
            )
            for row in rows
        ]
    )


def _page_queries(client) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("model", ["promotion", "plan", "referral"])
def test_a_page_of_25_costs_what_a_page_of_2_costs(
    model, request, client, own, owner, partner, django_assert_max_num_queries
) -> None:
    from ..promotion.helpers import propose

    if model == "promotion":
        ready = request.getfixturevalue("ready")
        request.getfixturevalue("advisor")
        base = propose(ready, owner, partner)
    else:
        base = request.getfixturevalue("plan" if model == "plan" else "referral")
    rows = _copies(base, 25, own, owner)
    client.force_login(owner)
    _notices(owner, rows[:2])
    few, _html = _page_queries(client)
    _notices(owner, rows[2:])
    many, html = _page_queries(client)
    assert html.count('class="notice__text" href=') == 25, "every target is still open"
    assert many <= few, f"2 notices: {few} queries, 25 notices: {many}"
    with django_assert_max_num_queries(few):
        client.get(reverse("notifications:list"))


def test_the_digest_costs_the_same_for_any_number_of_targets(
    request, own, owner, referral, django_assert_max_num_queries
) -> None:
    owner.email = "owner@example.org"
    owner.save()
    rows = _copies(referral, 25, own, owner)
    _notices(owner, rows[:2], digest=True)
    with CaptureQueriesContext(connection) as queries:
        assert services.digest_send(user_id=owner.pk) == 2
    _notices(owner, rows[2:], digest=True)
    with django_assert_max_num_queries(len(queries)):
        assert services.digest_send(user_id=owner.pk) == 23
    assert len(mail.outbox) == 2


def test_the_batched_answer_agrees_with_may_see(own, owner, colleague, plan, referral) -> None:
    """For each shared check, the one-query answer is `may_see`'s for every target."""
    from notifications.kinds import KINDS

    outsider = member(InstitutionFactory(kind=InstitutionKind.OPS), Role.SOCIAL_WORKER)
    for rows in (_copies(plan, 3, own, owner), _copies(referral, 3, own, owner)):
        notices = _notices(owner, rows)
        kind = KINDS[notices[0].kind]
        for person in (owner, colleague, outsider):
            expected = {row.pk for row in rows if kind.may_see(person, row)}
            assert kind.visible_among(person, rows) == expected
        assert still_open(owner, notices) == {n.pk for n in notices}
        assert still_open(outsider, notices) == set()


def test_a_notice_whose_access_ended_shows_no_link_and_opens_404(
    client, own, owner, referral
) -> None:
    rows = _copies(referral, 3, own, owner)
    notices = _notices(owner, rows)
    lost = notices[1]
    # One referral passes to another institution: its notice is no longer the worker's to open.
    rows[1].__class__.objects.filter(pk=rows[1].pk).update(
        referrer=InstitutionFactory(kind=InstitutionKind.OPS)
    )
    client.force_login(owner)
    html = client.get(reverse("notifications:list")).content.decode()
    assert html.count('class="notice__text" href=') == 2
    assert f'id="notice-{lost.pk}"' in html and f"about {rows[1].pk}" not in html
    assert f'href="{reverse("notifications:open", args=[lost.pk])}"' not in html
    assert client.get(reverse("notifications:open", args=[lost.pk])).status_code == 404
