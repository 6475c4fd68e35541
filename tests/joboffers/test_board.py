"""The board page: what a worker shows a client on the screen."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from cooperation.models import InstitutionKind, Role
from joboffers.models import Board
from joboffers.selectors import home_new_on_my_board, home_offers_ending
from joboffers.services import board_ensure, offer_fill

from ..factories import InstitutionFactory, member
from ..lazy import get_loaded


def _cards(body: str, offers) -> set[str]:
    return {o.position for o in offers if f'id="offer-{o.pk}-title"' in body}


@pytest.fixture
def board_offers(own, office, covered, make_offer):
    return [
        make_offer(publish=True, position="Sprzedawca", workplace_municipality="Suchedniów"),
        make_offer(publish=True, position="Staż w biurze", kind="internship"),
        make_offer(publish=True, position="Pakowacz", places=3, places_disabled=2),
        make_offer(position="Szkic, nieopublikowany"),
    ]


def test_the_board_shows_published_offers_and_filters_them(
    client, own, owner, board_offers
) -> None:
    board = Board.objects.get(institution=own)
    url = reverse("joboffers:board", args=[board.pk])
    client.force_login(owner)
    assert _cards(client.get(url).content.decode(), board_offers) == {
        "Sprzedawca",
        "Staż w biurze",
        "Pakowacz",
    }
    assert _cards(client.get(url, {"kind": "internship"}).content.decode(), board_offers) == {
        "Staż w biurze"
    }
    assert _cards(
        client.get(url, {"municipality": "Suchedniów"}).content.decode(), board_offers
    ) == {"Sprzedawca"}
    assert _cards(client.get(url, {"disabled": "on"}).content.decode(), board_offers) == {
        "Pakowacz"
    }
    assert _cards(client.get(url, {"q": "pakow"}).content.decode(), board_offers) == {"Pakowacz"}


def test_a_filled_offer_is_marked_and_listed_last(client, own, owner, board_offers) -> None:
    offer_fill(offer=board_offers[0], acting_user=board_offers[0].created_by)
    board = Board.objects.get(institution=own)
    client.force_login(owner)
    body = client.get(reverse("joboffers:board", args=[board.pk])).content.decode()
    assert "offer-card--filled" in body
    assert body.index(f'id="offer-{board_offers[0].pk}-title"') > body.index(
        f'id="offer-{board_offers[2].pk}-title"'
    )


def test_the_large_view_for_showing_a_client(client, own, owner, board_offers) -> None:
    board = Board.objects.get(institution=own)
    client.force_login(owner)
    body = client.get(
        reverse("joboffers:board", args=[board.pk]), {"view": "large"}
    ).content.decode()
    assert "offer-grid--large" in body and 'id="view-normal"' in body
    assert _cards(body, board_offers) == {"Sprzedawca", "Staż w biurze", "Pakowacz"}


@pytest.mark.parametrize("count", [3, 40])
def test_the_board_costs_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, own, owner, office, covered, make_offer, count
) -> None:
    for i in range(count):
        make_offer(publish=True, position=f"Oferta {i}", workplace_municipality=f"Gmina {i % 7}")
    board = Board.objects.get(institution=own)
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("joboffers:board", args=[board.pk]), {"kind": "job"})
    assert response.status_code == 200
    assert response.content.decode().count('class="offer-card"') == min(count, 25)


@pytest.mark.parametrize("count", [3, 40])
def test_the_office_list_costs_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, advisor, covered, make_offer, count
) -> None:
    for i in range(count):
        make_offer(publish=i % 2 == 0, position=f"Oferta {i}")
    client.force_login(advisor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("joboffers:offers"))
    assert response.status_code == 200


def test_the_office_list_shows_its_offers_and_their_boards(
    client, own, advisor, board_offers, partner
) -> None:
    client.force_login(advisor)
    body = client.get(reverse("joboffers:offers")).content.decode()
    assert all(o.position in body for o in board_offers) and own.name in body
    drafts = client.get(reverse("joboffers:offers"), {"status": "draft"}).content.decode()
    assert "Szkic, nieopublikowany" in drafts and "Pakowacz" not in drafts


def test_a_centre_without_agreement_has_an_empty_board(client, board_offers) -> None:
    gops = InstitutionFactory(short_name="gops-test", kind=InstitutionKind.OPS)
    worker = member(gops, Role.SOCIAL_WORKER)
    client.force_login(worker)
    response = client.get(reverse("joboffers:home"))
    body = client.get(response["Location"]).content.decode()
    assert _cards(body, board_offers) == set()


def test_a_board_is_for_social_assistance_centres_only(office) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        board_ensure(office)


def test_home_sections(own, owner, advisor, board_offers) -> None:
    request = RequestFactory().get("/")
    request.user = owner
    assert {o.position for o in home_new_on_my_board(request)} == {
        "Sprzedawca",
        "Staż w biurze",
        "Pakowacz",
    }
    request.user = advisor
    assert home_new_on_my_board(request) == []
    assert home_offers_ending(request) == []  # all end in a month


def test_the_home_page_shows_new_offers_to_a_worker(client, owner, board_offers) -> None:
    client.force_login(owner)
    body = get_loaded(client, reverse("home"))
    assert "Pakowacz" in body and reverse("joboffers:home") in body
