"""In the browser, with nothing seeded but the institutions, their agreement, the
people and the NGO's catalogue: a worker registers a client, records the client's
consent to referrals to the NGO, refers; the NGO accepts and records a service;
the worker sees it (R8 for a client registered today)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from agreements.models import Scope
from clients.models import Client, Consent
from cooperation.models import InstitutionKind, Role
from cooperation.validators import make_pesel
from partners.models import Referral, Status

from ..browser import axe_violations, describe, log_in, log_out, screenshot
from ..factories import InstitutionFactory, agreement_between, member
from .conftest import make_offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_axe_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_register_consent_refer_accept_record_and_see_it(
    page, live_server, own, partner, tmp_path: Path
) -> None:
    ngo = InstitutionFactory(
        short_name="ngo-razem",
        name="Stowarzyszenie „Razem dla Skarżyska”",
        kind=InstitutionKind.NGO,
    )
    agreement_between(own, ngo, [Scope.REFERRALS])
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.SEPI])
    member(own, Role.SOCIAL_WORKER, username="pracownica", first_name="Ewa")
    offer = make_offer(member(ngo, Role.PARTNER_STAFF, username="stowarzyszenie"))
    pesel = make_pesel(dt.date(1991, 3, 8), 517, female=True)

    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/clients/new/")
    page.locator("#id_pesel").fill(pesel)
    page.locator("#id_first_name").fill("Jolanta")
    page.locator("#id_last_name").fill("Świątkowska")
    page.locator("main form.form--wide button[type=submit]").click()
    page.wait_for_url("**/clients/*/?tab=sharing")
    person = Client.objects.get(pesel=pesel)

    # The referral form says the NGO needs the client's consent first, and links to it.
    page.goto(f"{live_server.url}/partners/referrals/new/{person.pk}/")
    assert page.locator(f"#id_service option[value='{offer.pk}']").is_disabled()
    screenshot(page, "consent-referral-form-needs-consent")
    _no_axe_violations(page)
    page.locator("#needs-consent a").click()
    page.wait_for_url(re.compile(r"/consents/new/\?partner="))
    # The NGO is offered with referrals, ticked; what it does not cover cannot be ticked.
    assert page.locator(f"input[name=partner][value='{ngo.pk}']").is_checked()
    assert page.locator("input[name=scopes][value=referrals]").is_checked()
    assert page.locator("input[name=scopes][value=client_records]").is_disabled()
    scan = tmp_path / "zgoda.pdf"
    scan.write_bytes(b"%PDF-1.4 zgoda na skierowanie")
    page.locator("#id_scan").set_input_files(str(scan))
    screenshot(page, "consent-form-ngo")
    page.locator("#consent-form button[type=submit]").click()
    page.wait_for_url("**/clients/*/?tab=sharing")
    consent = Consent.objects.get(client=person)
    assert (consent.partner, consent.scopes) == (ngo, ["referrals"])

    page.goto(f"{live_server.url}/partners/referrals/new/{person.pk}/")
    assert page.locator("#needs-consent").count() == 0
    page.locator("#id_service").select_option(str(offer.pk))
    screenshot(page, "consent-referral-form-ready")
    page.locator("#referral-send").click()
    page.wait_for_url("**/partners/referrals/*/")
    referral = Referral.objects.get(client=person)
    log_out(page)

    log_in(page, live_server, "stowarzyszenie")
    page.goto(f"{live_server.url}/partners/referrals/{referral.pk}/")
    page.locator("#referral-accept").click()
    page.wait_for_url("**/accept/")
    end = timezone.localdate() + dt.timedelta(days=30)
    page.locator("#id_end_date").fill(end.isoformat())
    page.locator("#action-submit").click()
    page.wait_for_url(f"**/partners/referrals/{referral.pk}/")
    page.locator("#referral-delivery").click()
    page.wait_for_url("**/services/")
    page.locator("#id_kind").select_option("individual")
    page.locator("#id_hours").fill("2")
    page.locator("#id_note").fill("Pierwsza rozmowa doradcza")
    page.locator("#action-submit").click()
    page.wait_for_url(f"**/partners/referrals/{referral.pk}/")
    referral.refresh_from_db()
    assert referral.status == Status.IN_PROGRESS
    log_out(page)

    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/clients/{person.pk}/?tab=timeline")
    assert "Pierwsza rozmowa doradcza" in page.locator(".timeline").inner_text()
