"""In the browser: the board a worker shows a client, and the office's pages,
pass axe-core's WCAG 2.1 AA rules. Elements are found by id, role and URL."""

from __future__ import annotations

import pytest

from cooperation.models import Role
from joboffers.models import Board

from ..browser import axe_violations, describe, log_in, screenshot
from ..factories import ClientFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.fixture
def published(own, office, covered, make_offer):
    offers = [
        make_offer(publish=True, position="Sprzedawca-kasjer", workplace_municipality="Suchedniów"),
        make_offer(publish=True, position="Magazynier – operator wózka widłowego"),
        make_offer(publish=True, kind="internship", position="Pracownik biurowy – staż"),
        make_offer(publish=True, position="Pakowacz", places=3, places_disabled=2),
        make_offer(publish=True, kind="training", position="Szkolenie: kasjer-sprzedawca"),
    ]
    offers[2].pay_min = offers[2].pay_max = None
    return offers


def test_a_worker_opens_the_board_filters_it_and_shows_it_large(
    page, live_server, own, published
) -> None:
    member(own, Role.SOCIAL_WORKER, username="pracownica", first_name="Ewa")
    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/joboffers/")
    board = Board.objects.get(institution=own)
    page.wait_for_url(f"**/joboffers/boards/{board.pk}/")
    assert page.locator(".offer-card").count() == 5
    screenshot(page, "joboffers-board")
    _assert_accessible(page)

    page.select_option("#id_kind", "internship")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**kind=internship**")
    assert page.locator(".offer-card").count() == 1

    page.click("#view-large")
    page.wait_for_url("**view=large**")
    assert page.locator(".offer-grid--large .offer-card").count() == 1
    page.click("#view-normal")
    page.click(f"a[href='/joboffers/boards/{board.pk}/']")  # clear the filters
    page.click("#view-large")
    page.wait_for_url("**view=large**")
    assert page.locator(".offer-grid--large .offer-card").count() == 5
    screenshot(page, "joboffers-board-large")
    _assert_accessible(page)


def test_an_advisor_publishes_in_one_click_and_the_offer_pages_pass_axe(
    page, live_server, own, office, covered, make_offer
) -> None:
    member(office, Role.CLIENT_ADVISOR, username="doradczyni")
    offer = make_offer(position="Kucharz")
    log_in(page, live_server, "doradczyni")
    page.goto(f"{live_server.url}/joboffers/offers/{offer.pk}/")
    _assert_accessible(page)
    page.locator("button[name=all]").click()
    page.wait_for_url(f"**/joboffers/offers/{offer.pk}/")
    assert page.locator("button[name=all]").count() == 1  # still offered for new partners
    assert offer.publications.filter(board__institution=own).exists()
    screenshot(page, "joboffers-offer-detail")
    for path in ("/joboffers/offers/", "/joboffers/offers/new/", "/joboffers/imports/"):
        page.goto(f"{live_server.url}{path}")
        _assert_accessible(page)
    screenshot(page, "joboffers-imports")


def test_the_offers_for_a_client_page_passes_axe(page, live_server, own, published) -> None:
    worker = member(own, Role.SOCIAL_WORKER, username="pracownik")
    person = ClientFactory(
        owner=own,
        created_by=worker,
        municipality="Suchedniów",
        city="Suchedniów",
        occupation="magazynier",
    )
    log_in(page, live_server, "pracownik")
    page.goto(f"{live_server.url}/joboffers/clients/?q={person.last_name}")
    _assert_accessible(page)
    page.click(f"a[href='/joboffers/clients/{person.pk}/offers/']")
    page.wait_for_url(f"**/joboffers/clients/{person.pk}/offers/")
    assert page.locator(".match").count() == 2
    page.select_option("#id_offer", str(published[1].pk))
    page.select_option("#id_answer", "interested")
    page.locator("#propose-h ~ form button[type=submit]").click()
    page.wait_for_url(f"**/joboffers/clients/{person.pk}/offers/")
    assert page.locator("#proposals li").count() == 1
    screenshot(page, "joboffers-client-offers")
    _assert_accessible(page)
