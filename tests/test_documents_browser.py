"""In the browser: the new document links on the client's sharing tab, the
consent print page, the needs form's art. 9 error, and the institution's
controller and DPO fields — each checked with axe-core (WCAG 2.1 AA) and
photographed at 1366x768."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agreements.models import Scope
from cooperation.models import Role

from .browser import axe_violations, describe, log_in, log_out
from .factories import ClientFactory, agreement_between, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("DOCUMENT_SHOTS", "/work/wt/shots/documents"))


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _clean(page) -> None:  # type: ignore[no-untyped-def]
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_documents_pages(page, live_server, own, partner) -> None:  # type: ignore[no-untyped-def]
    from reintegration import services as plans

    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS])
    worker = member(own, Role.SOCIAL_WORKER, username="pracownica", first_name="Ewa")
    member(own, Role.COORDINATOR, username="koordynatorka", first_name="Ola")
    record = ClientFactory(owner=own, created_by=worker, first_name="Grażyna", last_name="Łukasik")
    plan = plans.plan_create(acting_user=worker, client=record, social_worker=worker)

    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/clients/{record.pk}/?tab=sharing")
    page.locator("#consent-print").scroll_into_view_if_needed()
    _shot(page, "client-sharing-links")
    _clean(page)
    page.locator("#consent-print").click()
    page.wait_for_url("**/consent-form/")
    assert page.locator("#consent-pdf").count() == 1
    _shot(page, "consent-print")
    _clean(page)
    page.get_by_role("link", name="Zarejestruj podpisaną zgodę").first.click()
    page.wait_for_url("**/consents/new/?*")
    assert page.locator("input[name=scopes][value=joint_plans]").is_checked()
    assert page.locator("#id_special_category_ground").input_value() == "9_2_a"

    page.goto(f"{live_server.url}/plans/{plan.pk}/needs/")
    page.locator("#id_level_health").select_option("critical")
    page.locator("#submit").click()
    page.wait_for_load_state()
    error = page.locator("#id_special_category_ground_error")
    assert "szczególnej kategorii" in error.inner_text()
    page.locator("#id_special_category_ground").scroll_into_view_if_needed()
    _shot(page, "needs-art9-error")
    _clean(page)
    log_out(page)

    log_in(page, live_server, "koordynatorka")
    page.goto(f"{live_server.url}/institution/")
    assert page.locator("#id_dpo_email").count() == 1
    _shot(page, "institution-settings")
    page.locator("#id_dpo_name").scroll_into_view_if_needed()
    _shot(page, "institution-settings-dpo")
    _clean(page)
