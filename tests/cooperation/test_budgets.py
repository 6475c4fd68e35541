"""Query budgets of the two pages everyone opens most: home and the client's record.

Issue 18: at most 12 queries for every role, the same with 2 rows or 30 (the
bench measures the same at voivodeship scale). What a page need not show at
first paint loads lazily (`HomeSection(lazy=True)`, `ClientPanel(lazy=True)`)
from its own URL, which has a budget of its own here; so the pages keep their
budgets as apps add sections and panels.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.models import Scope
from clients.models import AccessRequest, Client
from clients.panels import ClientPanel
from clients.services import client_share, consent_record, note_add
from cooperation import hooks
from cooperation.models import InstitutionKind, Role, User
from cooperation.navigation import HomeSection

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member
from ..lazy import lazy_urls

PAGE_BUDGET = 12
FRAGMENT_BUDGET = 8
TODAY = timezone.localdate()
ROLES = ("worker", "coordinator", "advisor", "ngo_coordinator")


def _share(client: Client, owner: User, partner, scopes) -> None:
    consent = consent_record(
        client=client,
        acting_user=owner,
        partner=partner,
        basis="statutory",
        scopes=scopes,
        given_on=TODAY,
    )
    client_share(client=client, partner=partner, consent=consent, acting_user=owner)


@pytest.fixture
def world(own, owner, coordinator, partner):
    """A MOPS and its worker and coordinator; a PUP's advisor and an NGO's coordinator
    it shares its clients with under agreements covering several scopes."""
    ngo = InstitutionFactory(short_name="ngo-b", name="NGO Budżet", kind=InstitutionKind.NGO)
    agreement_between(
        own,
        partner,
        [
            Scope.CLIENT_RECORDS,
            Scope.JOINT_PLANS,
            Scope.REFERRALS,
            Scope.PROMOTION,
            Scope.JOB_OFFERS,
            Scope.SEPI,
        ],
    )
    agreement_between(own, ngo, [Scope.CLIENT_RECORDS, Scope.REFERRALS])
    return {
        "worker": owner,
        "coordinator": coordinator,
        "advisor": member(partner, Role.CLIENT_ADVISOR),
        "ngo_coordinator": member(ngo, Role.COORDINATOR),
        "own": own,
        "partner": partner,
        "ngo": ngo,
    }


def _fill(world, rows: int) -> Client:
    """`rows` clients of the MOPS, each shared with the PUP and the NGO, with a note,
    an access request and a view in the audit log; returns the last one."""
    owner = world["worker"]
    last = None
    for i in range(rows):
        last = ClientFactory(owner=world["own"], created_by=owner)
        _share(last, owner, world["partner"], [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS])
        _share(last, owner, world["ngo"], [Scope.CLIENT_RECORDS])
        note_add(client=last, acting_user=owner, happened_on=TODAY, text=f"n{i}", internal=False)
        other = ClientFactory(owner=world["own"], created_by=owner)
        AccessRequest.objects.create(
            client=other, requester=world["partner"], requested_by=world["advisor"], reason="r"
        )
    return last


def _count(http, url: str, **headers) -> tuple[int, str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), response.content.decode(), [q["sql"] for q in captured]


def _measure(client, world, rows: int) -> dict[tuple[str, str], int]:
    person = _fill(world, rows)
    counts = {}
    for role in ROLES:
        client.force_login(world[role])
        client.get(reverse("home"))  # the session's first request does its bookkeeping
        for page, url in (("home", reverse("home")), ("client", person.get_absolute_url())):
            n, body, sql = _count(client, url)
            assert n <= PAGE_BUDGET, f"{role} {page}: {n} queries\n" + "\n".join(sql)
            counts[(role, page)] = n
            for fragment in lazy_urls(body):
                n, _, sql = _count(client, fragment, **{"HX-Request": "true"})
                assert n <= FRAGMENT_BUDGET, f"{role} {fragment}: {n} queries\n" + "\n".join(sql)
    return counts


def test_home_and_the_client_page_cost_at_most_12_queries_for_every_role_at_any_size(
    client, world
) -> None:
    small = _measure(client, world, 2)
    large = _measure(client, world, 28)
    assert small == large  # constant in rows


def test_the_budgets_hold_because_secondary_parts_are_lazy(client, world) -> None:
    """The page shows a placeholder for each lazy part, and its URL answers."""
    person = _fill(world, 1)
    client.force_login(world["coordinator"])
    home = client.get(reverse("home")).content.decode()
    record = client.get(person.get_absolute_url()).content.decode()
    assert reverse("home_section", args=["recent_audit"]) in lazy_urls(home)
    assert reverse("clients:panel", args=[person.pk, "access"]) in lazy_urls(record)
    sections: list[HomeSection] = hooks.get_hooks("home_sections")
    panels: list[ClientPanel] = hooks.get_hooks("client_panels")
    assert any(s.lazy for s in sections) and any(p.lazy for p in panels)


@pytest.mark.parametrize("role", ROLES)
def test_each_lazy_fragment_has_a_budget_of_its_own(client, world, role) -> None:
    """Every lazy home section and client panel, asked directly (with htmx's header,
    and without it as a browser without JavaScript does) by each role."""
    person = _fill(world, 3)
    client.force_login(world[role])
    client.get(reverse("home"))
    role_name = world[role].memberships.get().role
    urls = [
        reverse("home_section", args=[s.key])
        for s in hooks.get_hooks("home_sections")
        if s.lazy and (not s.roles or role_name in s.roles)
    ]
    urls += [
        reverse("clients:panel", args=[person.pk, p.key])
        for p in hooks.get_hooks("client_panels")
        if p.lazy
    ]
    assert urls
    for url in urls:
        for headers in ({"HX-Request": "true"}, {}):
            n, _, sql = _count(client, url, **headers)
            limit = FRAGMENT_BUDGET if headers else PAGE_BUDGET
            assert n <= limit, f"{role} {url} {headers}: {n} queries\n" + "\n".join(sql)
