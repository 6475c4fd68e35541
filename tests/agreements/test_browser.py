"""In the browser: two coordinators take an agreement from draft to active."""

from __future__ import annotations

import pytest

from agreements.models import Agreement, Status
from cooperation.models import Role

from ..browser import axe_violations, describe, log_in, log_out, screenshot
from ..factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_coordinators_take_an_agreement_from_draft_to_active(
    page, live_server, own, partner
) -> None:
    member(own, Role.COORDINATOR, username="koord-mops", first_name="Anna", last_name="Mazur")
    member(partner, Role.COORDINATOR, username="koord-pup", first_name="Piotr", last_name="Zając")

    log_in(page, live_server, "koord-mops")
    page.goto(f"{live_server.url}/agreements/new/")
    page.get_by_label("Tytuł").fill("Porozumienie o współpracy MOPS i PUP")
    page.get_by_label(partner.name).check()
    page.get_by_label("Udostępnianie danych klientów").check()
    page.get_by_label("Publikowanie ofert pracy").check()
    screenshot(page, "agreement-form")
    page.get_by_role("button", name="Zapisz projekt").click()
    page.wait_for_url("**/agreements/*/")
    page.get_by_role("link", name="Podpisz i wyślij").click()
    page.get_by_label("Imię i nazwisko osoby podpisującej", exact=False).fill("Anna Mazur")
    page.get_by_label("Funkcja").fill("Dyrektor")
    page.get_by_role("button", name="Podpisz i wyślij").click()
    page.wait_for_url("**/agreements/*/")
    assert page.get_by_text("przesłane do podpisu").first.is_visible()
    log_out(page)

    log_in(page, live_server, "koord-pup")
    assert page.get_by_text(
        "Porozumienie o współpracy MOPS i PUP"
    ).first.is_visible()  # waiting on the home page
    page.get_by_role("link", name=Agreement.objects.get().number).first.click()
    page.get_by_role("link", name="Zaakceptuj").click()
    page.get_by_label("Imię i nazwisko osoby podpisującej", exact=False).fill("Piotr Zając")
    page.get_by_label("Funkcja").fill("Dyrektor")
    page.get_by_role("button", name="Zaakceptuj").click()
    page.wait_for_url("**/agreements/*/")
    assert page.get_by_text("obowiązujące").first.is_visible()
    screenshot(page, "agreement-detail")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    assert Agreement.objects.get().status == Status.ACTIVE


@pytest.mark.parametrize(
    "path",
    ["/agreements/", "/agreements/network/", "/agreements/new/", "/agreements/coordinators/"],
)
def test_agreement_pages_pass_axe(page, live_server, own, partner, path) -> None:
    from ..factories import agreement_between

    agreement_between(own, partner)
    member(own, Role.COORDINATOR, username="koord")
    log_in(page, live_server, "koord")
    page.goto(f"{live_server.url}{path}")
    screenshot(page, "agreements" + path.strip("/").replace("/", "-").replace("agreements", ""))
    violations = axe_violations(page)
    assert not violations, describe(violations)
