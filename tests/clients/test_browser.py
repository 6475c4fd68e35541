"""In the browser: a social worker registers a client, records consent and shares
with the PUP; the advisor sees the client; after the consent is withdrawn the
advisor no longer does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from agreements.models import Scope
from clients.models import Client
from cooperation.models import Role
from cooperation.validators import make_pesel

from ..browser import axe_violations, describe, log_in, log_out, screenshot
from ..factories import ClientFactory, agreement_between, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_consent_share_and_withdraw(
    page, live_server, own, partner, tmp_path: Path
) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS])
    member(own, Role.SOCIAL_WORKER, username="pracownica", first_name="Ewa")
    member(partner, Role.CLIENT_ADVISOR, username="doradca", first_name="Piotr")
    pesel = make_pesel(dt.date(1988, 4, 12), 321, female=True)

    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/clients/new/")
    page.locator("#id_pesel").fill(pesel)
    page.locator("#id_first_name").fill("Grażyna")
    page.locator("#id_last_name").fill("Łukasik")
    page.locator("#id_city").fill("Skarżysko-Kamienna")
    page.locator("main form.form--wide button[type=submit]").click()
    page.wait_for_url("**/clients/*/?tab=sharing")
    client = Client.objects.get(pesel=pesel)

    page.goto(f"{live_server.url}/clients/{client.pk}/consents/new/")
    page.locator(f"input[name=partner][value='{partner.pk}']").check()
    # Only what the PUP's agreement covers can be ticked.
    assert page.locator("input[name=scopes][value=referrals]").is_disabled()
    page.locator("input[name=scopes][value=client_records]").check()
    page.locator("input[name=scopes][value=joint_plans]").check()
    screenshot(page, "consent-form")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    scan = tmp_path / "zgoda.pdf"
    scan.write_bytes(b"%PDF-1.4 zgoda klientki")
    page.locator("#id_scan").set_input_files(str(scan))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/clients/*/?tab=sharing")
    screenshot(page, "client-sharing")
    assert (
        page.locator("form[action$='/end/']").count() == 1
    )  # shared, with a "stop sharing" button
    log_out(page)

    log_in(page, live_server, "doradca")
    page.goto(f"{live_server.url}/clients/")
    assert page.get_by_role("link", name="Łukasik Grażyna").is_visible()
    page.get_by_role("link", name="Łukasik Grażyna").click()
    page.wait_for_url(f"**/clients/{client.pk}/")
    screenshot(page, "client-detail-partner")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    log_out(page)

    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/clients/{client.pk}/?tab=sharing")
    page.locator("a[href*='/consents/'][href$='/withdraw/']").click()
    page.wait_for_url("**/consents/*/withdraw/")
    page.locator("input[name=withdrawal_form][value=oral]").check()
    screenshot(page, "consent-withdraw")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.locator("#withdraw-form button[type=submit]").click()
    page.wait_for_url("**/clients/*/?tab=sharing")
    assert "ustnie" in page.locator("main").inner_text()
    screenshot(page, "consent-sharing-after-withdrawal")
    log_out(page)

    log_in(page, live_server, "doradca")
    page.goto(f"{live_server.url}/clients/")
    assert page.get_by_role("link", name="Łukasik Grażyna").count() == 0
    response = page.goto(f"{live_server.url}/clients/{client.pk}/")
    assert response.status == 404


@pytest.mark.parametrize(
    "path",
    [
        "/clients/",
        "/clients/new/",
        "CLIENT?tab=record",
        "CLIENT?tab=sharing",
        "CLIENT?tab=notes",
        "CLIENT?tab=timeline",
    ],
)
def test_client_pages_pass_axe(page, live_server, own, path) -> None:
    from ..factories import ClientFactory

    worker = member(own, Role.SOCIAL_WORKER, username="pracownica")
    client = ClientFactory(owner=own, created_by=worker, last_name="Wiśniewska")
    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}{path.replace('CLIENT', f'/clients/{client.pk}/')}")
    screenshot(
        page, "clients-" + path.replace("CLIENT?tab=", "detail-").strip("/").replace("/", "-")
    )
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_a_pesel_typed_into_the_search_never_reaches_the_address_bar(
    page, live_server, own, settings
) -> None:
    settings.PAGE_SIZE = 2
    member(own, Role.SOCIAL_WORKER, username="pracownica", first_name="Ewa")
    born = dt.date(1979, 6, 3)
    people = [
        ClientFactory(owner=own, birth_date=born, first_name="Łucja", last_name=f"Świątkowska{n}")
        for n in range(3)
    ]
    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/clients/")

    def search(text: str) -> None:
        page.get_by_label("PESEL lub imię i nazwisko").fill(text)
        page.locator("form[role=search] button[type=submit]").click()
        page.wait_for_url("**/clients/?search=*")

    search("swiatkowska2")  # no diacritics, lowercase
    assert page.get_by_role("link", name=f"{people[2].last_name} Łucja").is_visible()
    search(people[0].pesel[:6])  # the birth date: all three, on two pages
    page.get_by_role("link", name="Następna").click()
    page.wait_for_url("**/clients/?search=*&page=2")
    search(people[1].pesel)
    assert people[1].pesel not in page.url
    assert page.get_by_role("link", name=f"{people[1].last_name} Łucja").is_visible()
    assert people[1].pesel not in page.locator(".langswitch input[name=next]").input_value()
    screenshot(page, "client-search-by-pesel")
    assert axe_violations(page) == []
    page.locator("#language-select").select_option("en")
    page.locator(".langswitch button[type=submit]").click()
    page.wait_for_url("**/clients/?search=*")
    assert page.get_by_role("link", name=f"{people[1].last_name} Łucja").is_visible()
    assert page.get_by_role("link", name=f"{people[0].last_name} Łucja").count() == 0
