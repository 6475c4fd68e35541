"""In the browser: a social worker proposes a client after a completed social
contract; a PUP advisor takes the case and closes it with "internship started";
the worker sees the progress on the client's timeline."""

from __future__ import annotations

import pytest

from agreements.models import Scope
from cooperation.models import Role
from promotion.models import CaseOutcome, CaseStatus, PromotionCase

from ..browser import axe_violations, describe, log_in, log_out, screenshot
from ..factories import ClientFactory, agreement_between, member
from .helpers import completed_programme, consent_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_propose_take_close_and_see_it(page, live_server, own, partner) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.PROMOTION])
    worker = member(own, Role.SOCIAL_WORKER, username="pracownica")
    member(partner, Role.CLIENT_ADVISOR, username="doradca")
    member(partner, Role.COORDINATOR, username="koordynatorka")
    person = ClientFactory(owner=own, created_by=worker, first_name="Bożena", last_name="Żak")
    consent_for(person, worker, partner)
    programme = completed_programme(person, worker)

    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/clients/{person.pk}/")
    page.locator(f"#propose-{programme.pk}").click()
    page.wait_for_url(f"**/promotion/programmes/{programme.pk}/propose/")
    page.locator("#id_target").select_option(str(partner.pk))
    page.locator("#id_skills").fill("Obsługa kasy, prawo jazdy kat. B")
    page.locator("#id_availability").fill("Od zaraz")
    page.locator("#id_preferred_work").fill("Handel")
    page.locator("#id_long_term_unemployed").check()
    page.locator("#submit").click()
    case = PromotionCase.objects.get(client=person)
    page.wait_for_url(f"**/promotion/{case.pk}/")
    log_out(page)

    log_in(page, live_server, "doradca")
    page.goto(f"{live_server.url}/promotion/")
    screenshot(page, "promotion-queue")
    _no_violations(page)
    page.locator(f"#case-{case.pk} a").click()
    page.wait_for_url(f"**/promotion/{case.pk}/")
    page.locator("#take").click()
    page.wait_for_url(f"**/promotion/{case.pk}/")
    page.locator("#close-case").click()
    page.wait_for_url(f"**/promotion/{case.pk}/close/")
    page.locator("#id_outcome").select_option(CaseOutcome.INTERNSHIP)
    page.locator("#id_note").fill("Staż w sklepie od poniedziałku")
    page.locator("#submit").click()
    page.wait_for_url(f"**/promotion/{case.pk}/")
    assert page.locator("#case-status .badge--ok").is_visible()
    screenshot(page, "promotion-case")
    _no_violations(page)
    log_out(page)
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, CaseOutcome.INTERNSHIP)

    log_in(page, live_server, "koordynatorka")
    page.goto(f"{live_server.url}/promotion/figures/")
    assert page.locator("#promotion-chart").is_visible()
    assert page.locator("#promotion-figures tbody tr").count() == 1
    screenshot(page, "promotion-figures")
    _no_violations(page)
    log_out(page)

    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/clients/{person.pk}/?tab=timeline")
    entries = page.locator(f".timeline a[href='/promotion/{case.pk}/']")
    assert entries.count() == 3  # proposed, taken, closed
    page.goto(f"{live_server.url}/promotion/{case.pk}/")
    assert page.locator("#case-status .badge--ok").is_visible()
