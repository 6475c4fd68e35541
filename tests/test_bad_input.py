"""The bodies the fuzz (tests/test_fuzz.py) found breaking a page, kept as plain
cases: each was a 500 on SQLite, on PostgreSQL, or both."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cooperation.models import Role

from . import isolation as iso
from .factories import member
from .formpages import _office_offer

TOO_BIG = "9223372036854775808"  # one past the largest bigint


@pytest.mark.parametrize("target", ["0", "pages", "/\r\nX-Injected: 1", "/ok\x00"])
def test_a_next_that_is_not_a_path_of_the_site_falls_back(client, own, owner, target) -> None:
    # redirect() took a bare word for a view name; a line break ends the header.
    built = iso._meeting(with_minutes=True)(own, owner)
    client.force_login(owner)
    url = reverse("meetings:action_status", args=[built.kwargs["item"]])
    response = client.post(url, {"status": "done", "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:occurrence", args=[built.kwargs["occurrence"]])


@pytest.mark.parametrize("board", [":", "²", "1" + "0" * 30])
def test_taking_an_offer_off_a_board_that_is_not_a_number(client, own, owner, board) -> None:
    built = _office_offer(published=True)(own, owner)
    client.force_login(member(own, Role.CLIENT_ADVISOR))
    response = client.post(
        reverse("joboffers:unpublish", args=[built.kwargs["pk"]]), {"board": board}
    )
    assert response.status_code == 302


def test_an_id_past_the_database_range_is_an_invalid_choice(client, own, owner) -> None:
    built = iso._meeting()(own, owner)
    client.force_login(member(own, Role.COORDINATOR))
    url = reverse("meetings:event_edit", args=[built.kwargs["event"]])
    response = client.post(url, {"title": "Spotkanie", "institutions": [TOO_BIG]})
    assert response.status_code == 200
    assert "institutions" in response.context["form"].errors


def test_a_search_for_a_nul_finds_nothing_rather_than_failing(client, own, owner) -> None:
    # PostgreSQL refuses a NUL in a query.
    client.force_login(owner)
    response = client.get(reverse("joboffers:client_search"), {"q": "Nowak\x00"})
    assert response.status_code == 200
