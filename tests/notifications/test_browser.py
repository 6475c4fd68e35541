"""In the browser: the worker proposes a client for promotion; the advisor sees the
bell's count, opens the notice and takes the case; the worker's bell shows it."""

from __future__ import annotations

import pytest

from agreements.models import Scope
from cooperation.models import Role
from promotion.models import PromotionCase

from ..browser import axe_violations, describe, log_in, log_out, screenshot
from ..factories import ClientFactory, agreement_between, member
from ..promotion.helpers import completed_programme, consent_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_violations(page) -> None:  # type: ignore[no-untyped-def]
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_bell_tells_both_sides(page, live_server, own, partner) -> None:  # type: ignore[no-untyped-def]
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.PROMOTION])
    worker = member(own, Role.SOCIAL_WORKER, username="pracownica")
    member(partner, Role.CLIENT_ADVISOR, username="doradca")
    person = ClientFactory(owner=own, created_by=worker, first_name="Bożena", last_name="Żak")
    consent_for(person, worker, partner)
    programme = completed_programme(person, worker)

    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/promotion/programmes/{programme.pk}/propose/")
    page.locator("#id_target").select_option(str(partner.pk))
    page.locator("#id_skills").fill("Obsługa kasy")
    page.locator("#id_availability").fill("Od zaraz")
    page.locator("#id_preferred_work").fill("Handel")
    page.locator("#submit").click()
    case = PromotionCase.objects.get(client=person)
    page.wait_for_url(f"**/promotion/{case.pk}/")
    assert page.locator("#bell .bell__badge").count() == 0  # the actor is not told
    log_out(page)

    log_in(page, live_server, "doradca")
    page.goto(f"{live_server.url}/")
    bell = page.locator("#bell")
    assert bell.locator(".bell__badge").inner_text() == "1"
    assert "Powiadomienia (1 nieprzeczytane)" in bell.inner_text()
    screenshot(page, "notifications-bell")
    bell.click()
    page.wait_for_url("**/notifications/")
    _no_violations(page)
    page.locator("#notices a.notice__text").first.click()
    page.wait_for_url(f"**/promotion/{case.pk}/")
    assert page.locator("#bell .bell__badge").count() == 0  # opened: read
    page.locator("#take").click()
    page.wait_for_url(f"**/promotion/{case.pk}/")
    log_out(page)

    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/")
    assert page.locator("#bell .bell__badge").inner_text() == "1"
    page.locator("#bell").click()
    page.wait_for_url("**/notifications/")
    assert "Żak" in page.locator("#notices").inner_text()
    _no_violations(page)
    page.goto(f"{live_server.url}/notifications/settings/")
    _no_violations(page)
