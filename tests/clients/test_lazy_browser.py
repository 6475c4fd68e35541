"""In the browser: the client page and the home page load their lazy parts through
htmx (issue 18), the placeholders give way to the panels, and axe finds nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from agreements.models import Scope
from clients.services import client_share, consent_record, note_add
from cooperation.models import Role

from ..browser import axe_violations, describe, log_in, screenshot, wait_for_lazy_parts
from ..factories import ClientFactory, agreement_between, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_client_page_loads_its_lazy_panels_and_passes_axe(
    page, live_server, own, partner
) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.SEPI, Scope.REFERRALS])
    worker = member(own, Role.SOCIAL_WORKER, username="pracownica", first_name="Ewa")
    advisor = member(partner, Role.CLIENT_ADVISOR, username="doradca", first_name="Piotr")
    person = ClientFactory(owner=own, created_by=worker, last_name="Leniwa")
    today = timezone.localdate()
    consent = consent_record(
        client=person,
        acting_user=worker,
        partner=partner,
        basis="statutory",
        scopes=[Scope.CLIENT_RECORDS],
        given_on=today,
    )
    client_share(client=person, partner=partner, consent=consent, acting_user=worker)
    note_add(client=person, acting_user=worker, happened_on=today, text="Notatka", internal=False)

    for user, name in ((worker, "worker"), (advisor, "advisor")):
        log_in(page, live_server, user.username)
        wait_for_lazy_parts(page)
        assert page.locator("main .card").count() >= 1
        page.goto(f"{live_server.url}{person.get_absolute_url()}")
        assert page.locator("[data-lazy]").count() >= 1 or page.locator(".card").count() > 2
        wait_for_lazy_parts(page)
        if name == "worker":
            # The SEPI box came through htmx, and its form still works with htmx.
            assert page.locator("#sepi-panel").is_visible()
        assert page.locator("#panel-referrals, #meetings-panel-h").count() >= 1
        screenshot(page, f"client-lazy-{name}")
        violations = axe_violations(page)
        assert not violations, describe(violations)
        page.context.clear_cookies()
