"""In the browser: a social worker refers a client to an NGO's service; the NGO
accepts and records a service delivered; the worker sees it on the client's
timeline and on the referral. Screenshots and axe checks of the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.models import Scope
from cooperation.models import InstitutionKind, Role
from partners.models import Referral, Status

from ..browser import axe_violations, describe, log_in, log_out, screenshot
from ..factories import ClientFactory, InstitutionFactory, agreement_between, member
from .conftest import consent_to, make_offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_axe_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.fixture
def scene(own):
    ngo = InstitutionFactory(
        short_name="ngo-razem",
        name="Stowarzyszenie „Razem dla Skarżyska”",
        kind=InstitutionKind.NGO,
    )
    agreement_between(own, ngo, [Scope.REFERRALS])
    worker = member(own, Role.SOCIAL_WORKER, username="pracownica", first_name="Ewa")
    staff = member(ngo, Role.PARTNER_STAFF, username="stowarzyszenie", first_name="Halina")
    offer = make_offer(staff)
    make_offer(
        staff,
        name="Świetlica dla dzieci",
        category="childcare",
        county_wide=False,
        municipalities="Skarżysko-Kamienna",
        capacity=20,
        free_places=0,
    )
    person = ClientFactory(
        owner=own, created_by=worker, first_name="Grażyna", last_name="Łękawa", phone="600 111 222"
    )
    consent_to(person, worker, ngo)
    return {"ngo": ngo, "offer": offer, "person": person}


def test_a_worker_refers_the_ngo_accepts_and_records_the_worker_sees_it(
    page, live_server, scene
) -> None:
    person, offer = scene["person"], scene["offer"]

    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/partners/")
    assert page.locator(".partner-offer").count() == 2
    page.locator("#id_free").check()
    page.locator("#directory-filters button[type=submit]").click()
    page.wait_for_url("**/partners/?*free=on*")
    assert page.locator(".partner-offer").count() == 1  # the full childcare drops out
    page.goto(f"{live_server.url}/partners/")
    screenshot(page, "partners-directory")
    _no_axe_violations(page)

    page.goto(f"{live_server.url}/partners/referrals/new/{person.pk}/")
    page.locator("#id_service").select_option(str(offer.pk))
    page.locator("#id_share_phone").check()
    page.locator("#id_needs").fill("Zadłużenie czynszowe, grozi eksmisja.")
    screenshot(page, "partners-referral-form")
    _no_axe_violations(page)
    page.locator("#referral-send").click()
    page.wait_for_url("**/partners/referrals/*/")
    referral = Referral.objects.get()
    assert page.url.endswith(f"/partners/referrals/{referral.pk}/")
    assert referral.shared_fields == ["first_name", "last_name", "phone", "needs"]
    log_out(page)

    log_in(page, live_server, "stowarzyszenie")
    screenshot(page, "partners-home-partner")
    link = page.locator(
        f"#section-referrals_to_answer ~ ul a[href$='/partners/referrals/{referral.pk}/']"
    )
    link.click()
    page.wait_for_url(f"**/partners/referrals/{referral.pk}/")
    snapshot = page.locator("#referral-snapshot").inner_text()
    assert "Grażyna Łękawa" in snapshot and "600 111 222" in snapshot
    screenshot(page, "partners-referral-partner")
    _no_axe_violations(page)

    page.locator("#referral-accept").click()
    page.wait_for_url("**/accept/")
    end = timezone.localdate() + dt.timedelta(days=30)
    page.locator("#id_end_date").fill(end.isoformat())
    page.locator("#id_note").fill("Zapraszamy we wtorek o 10:00, pokój 3.")
    _no_axe_violations(page)
    page.locator("#action-submit").click()
    page.wait_for_url(f"**/partners/referrals/{referral.pk}/")

    page.locator("#referral-delivery").click()
    page.wait_for_url("**/services/")
    page.locator("#id_kind").select_option("individual")
    page.locator("#id_hours").fill("1.5")
    page.locator("#id_note").fill("Rozmowa wstępna i plan spłaty")
    page.locator("#action-submit").click()
    page.wait_for_url(f"**/partners/referrals/{referral.pk}/")
    assert "Rozmowa wstępna i plan spłaty" in page.locator("#delivery-table").inner_text()
    screenshot(page, "partners-referral-partner-in-progress")
    referral.refresh_from_db()
    assert referral.status == Status.IN_PROGRESS
    log_out(page)

    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/clients/{person.pk}/?tab=timeline")
    entries = page.locator(f".timeline a[href$='/partners/referrals/{referral.pk}/']")
    assert entries.count() >= 3  # sent, accepted, started, delivered...
    assert "Rozmowa wstępna i plan spłaty" in page.locator(".timeline").inner_text()
    screenshot(page, "partners-client-timeline")
    entries.first.click()
    page.wait_for_url(f"**/partners/referrals/{referral.pk}/")
    assert "Rozmowa wstępna i plan spłaty" in page.locator("#delivery-table").inner_text()
    assert page.locator("#referral-cancel").count() == 1  # the referrer may still withdraw it
    assert page.locator("#referral-accept").count() == 0
    screenshot(page, "partners-referral-worker")
    _no_axe_violations(page)


@pytest.mark.parametrize(
    "path", ["/partners/referrals/", "/partners/catalogue/", "/partners/catalogue/new/", "ORG"]
)
def test_partner_pages_pass_axe(page, live_server, scene, path) -> None:
    log_in(page, live_server, "stowarzyszenie")
    page.goto(live_server.url + path.replace("ORG", f"/partners/organisations/{scene['ngo'].pk}/"))
    screenshot(page, "partners-" + path.strip("/").replace("/", "-").lower())
    _no_axe_violations(page)
