"""The home page lists the user's own work, per role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cooperation.models import Role

from ..factories import ClientFactory, member
from ..lazy import get_loaded


def test_a_social_worker_sees_the_clients_they_registered(client, own, owner, colleague) -> None:
    mine = ClientFactory(owner=own, created_by=owner, last_name="Mojszy")
    ClientFactory(owner=own, created_by=colleague, last_name="Cudzy")
    client.force_login(owner)
    body = client.get(reverse("home")).content.decode()
    assert mine.last_name in body and "Cudzy" not in body
    assert mine.pesel not in body  # masked in lists
    assert mine.masked_pesel in body


def test_a_coordinator_sees_pending_invitations_and_recent_audit(client, own, coordinator) -> None:
    invited = member(own, Role.SOCIAL_WORKER, first_name="Zaproszona", last_name="Osoba")
    invited.set_unusable_password()
    invited.save()
    client.force_login(coordinator)
    body = get_loaded(client, reverse("home"))
    assert "Zaproszona" in body
    assert reverse("cooperation:audit") in body


def test_navigation_follows_the_role(client, owner, coordinator) -> None:
    client.force_login(owner)
    assert reverse("cooperation:people") not in client.get(reverse("home")).content.decode()
    client.force_login(coordinator)
    assert reverse("cooperation:people") in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("rows", [2, 25])
def test_the_home_page_costs_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, own, owner, rows
) -> None:
    for _ in range(rows):
        ClientFactory(owner=own, created_by=owner)
    client.force_login(owner)
    # The first request after login writes the session's `last_seen` (at most once a
    # minute, three statements); the page's own cost is measured on the next one.
    client.get(reverse("home"))
    # Session, user and membership and one query per eager home section (the bell's
    # count was read at login); the lazy sections load from their own URLs
    # (see test_budgets.py).
    with django_assert_max_num_queries(12):
        assert client.get(reverse("home")).status_code == 200


def test_the_main_bar_keeps_rare_pages_under_more(client, coordinator, owner) -> None:
    """Coordinators have 14 pages: the less frequent ones sit in a "More" menu so
    the bar is one row at 1366 px; each link is still in the page for keyboards."""
    from django.urls import reverse
    from django.utils.translation import gettext

    client.force_login(coordinator)
    body = client.get(reverse("home")).content.decode()
    more = body.split("data-nav-more", 1)[1].split("</details>", 1)[0]
    assert gettext("More") in more
    for name in ("cooperation:people", "cooperation:audit", "cooperation:institution"):
        assert f'href="{reverse(name)}"' in more
    assert f'href="{reverse("clients:list")}"' not in more

    # A single "more" item stays on the bar: no menu of one.
    from cooperation.navigation import nav_split

    for role in ("social_worker", "client_advisor", "partner_staff", "coordinator"):
        bar, menu = nav_split(role)
        assert menu == [] or len(menu) >= 2
