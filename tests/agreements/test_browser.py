"""In the browser: two coordinators take an agreement from draft through
acceptance and the recorded signed copy to active."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

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
    # Accepted is not signed: the page says nothing flows until the signed copy is recorded.
    assert page.get_by_text("czeka na podpisany egzemplarz").first.is_visible()
    assert Agreement.objects.get().status == Status.ACCEPTED
    screenshot(page, "agreement-accepted")
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_role("link", name="Zarejestruj podpisany egzemplarz").click()
    page.locator("#id_file").set_input_files(
        files=[{"name": "porozumienie.pdf", "mimeType": "application/pdf", "buffer": SCAN}]
    )
    page.get_by_role("button", name="Zarejestruj podpisany egzemplarz").click()
    # Nothing but the file filled in: each missing field says so next to it.
    assert page.get_by_text("Podaj podstawę jej umocowania do podpisu.").first.is_visible()
    screenshot(page, "agreement-signed-copy-form-errors")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.locator("#id_file").set_input_files(
        files=[{"name": "porozumienie.pdf", "mimeType": "application/pdf", "buffer": SCAN}]
    )
    page.get_by_label("Data podpisania").fill(timezone.localdate().isoformat())
    authorities = page.locator("input[id$='_authority']")
    authorities.nth(0).fill("na podstawie statutu")
    authorities.nth(1).fill("z upoważnienia Starosty Skarżyskiego")
    screenshot(page, "agreement-signed-copy-form")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("button", name="Zarejestruj podpisany egzemplarz").click()
    page.wait_for_url("**/agreements/*/")
    assert page.get_by_text("obowiązujące").first.is_visible()
    assert page.get_by_text("z upoważnienia Starosty Skarżyskiego").first.is_visible()
    screenshot(page, "agreement-detail")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    assert Agreement.objects.get().status == Status.ACTIVE


SCAN = b"%PDF-1.4 skan podpisanego porozumienia"


def test_a_pades_signed_copy_shows_its_signatures(page, live_server, own, partner) -> None:  # type: ignore[no-untyped-def]
    from ..factories import agreement_between, record_signed_copy
    from .pades import plain_pdf, sign_pdf

    agreement = agreement_between(own, partner, status=Status.ACCEPTED)
    coordinator = member(own, Role.COORDINATOR, username="koord")
    # pyHanko signs with asyncio.run, which cannot run inside Playwright's loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(sign_pdf, plain_pdf(), "Anna Nowak", "Jan Kowalski").result()
    record_signed_copy(
        agreement,
        coordinator,
        file=SimpleUploadedFile("podpisane.pdf", signed),
        signed_on=None,
    )
    log_in(page, live_server, "koord")
    page.goto(f"{live_server.url}/agreements/{agreement.pk}/")
    assert page.get_by_text("Podpisy elektroniczne w pliku").is_visible()
    screenshot(page, "agreement-signed-pades")
    violations = axe_violations(page)
    assert not violations, describe(violations)


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
