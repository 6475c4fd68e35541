"""In the browser: the MOPS worker writes in a shared client's thread and asks the PUP
for information (a past date first, refused next to the field); the advisor sees the
request on the home page, answers it, and reads the announcements; axe passes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.models import Scope
from cooperation.models import InstitutionKind, Role
from messaging.models import InformationRequest, RequestStatus
from messaging.services import announcement_post

from ..browser import axe_violations, describe, log_in, log_out, screenshot, wait_for_lazy_parts
from ..factories import ClientFactory, InstitutionFactory, agreement_between, member
from .conftest import share

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_violations(page) -> None:  # type: ignore[no-untyped-def]
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_thread_request_and_announcements(page, live_server) -> None:  # type: ignore[no-untyped-def]
    mops = InstitutionFactory(kind=InstitutionKind.OPS, name="MOPS Przeglądarkowy")
    pup = InstitutionFactory(
        kind=InstitutionKind.PUP, name="PUP Przeglądarkowy", county=mops.county
    )
    agreement_between(mops, pup, [Scope.CLIENT_RECORDS])
    worker = member(mops, Role.SOCIAL_WORKER, username="worker-b")
    advisor = member(pup, Role.CLIENT_ADVISOR, username="advisor-b")
    person = ClientFactory(owner=mops, created_by=worker, first_name="Ewa", last_name="Wątek")
    share(person, worker, pup)
    today = timezone.localdate()
    announcement_post(
        acting_user=member(mops, Role.COORDINATOR),
        title="Targi pracy w hali",
        text="Zapraszamy",
        shown_from=today,
        shown_until=today + dt.timedelta(days=7),
        recipients=[pup],
        for_clients=True,
    )
    page.set_viewport_size({"width": 1366, "height": 768})

    log_in(page, live_server, worker.username)
    page.goto(f"{live_server.url}/clients/{person.pk}/?tab=messages")
    page.get_by_label("Wiadomość").fill("Klientka szuka pracy na pół etatu.")
    page.get_by_role("button", name="Wyślij wiadomość").click()
    page.wait_for_url(f"**/clients/{person.pk}/?tab=messages*")
    assert "Klientka szuka pracy" in page.content()
    _no_violations(page)
    page.get_by_role("link", name="Poproś partnera o informację").click()
    page.get_by_label("O co pytasz").fill("Czy jest zarejestrowana?")
    page.get_by_label("Do czego potrzebujesz tej informacji").fill("Do planu")
    page.get_by_label("Termin odpowiedzi").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Wyślij prośbę").click()
    assert (
        page.locator("#id_due_on_error").inner_text().strip() == "Data nie może być z przeszłości."
    )
    assert page.get_by_label("O co pytasz").input_value() == "Czy jest zarejestrowana?"
    screenshot(page, "messaging-request-error")
    _no_violations(page)
    page.get_by_label("Termin odpowiedzi").fill((today + dt.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Wyślij prośbę").click()
    page.wait_for_url("**/messages/requests/*/")
    log_out(page)

    log_in(page, live_server, advisor.username)
    wait_for_lazy_parts(page)
    assert "Czy jest zarejestrowana?" in page.content()
    page.locator("#home-announcements").wait_for()
    assert "Targi pracy w hali" in page.locator("#home-announcements").inner_text()
    _no_violations(page)
    page.get_by_role("link", name="Czy jest zarejestrowana?").click()
    page.locator("#id_answer").fill("Tak, od maja.")
    page.get_by_role("button", name="Wyślij odpowiedź").click()
    page.wait_for_load_state()
    assert InformationRequest.objects.get().status == RequestStatus.ANSWERED
    _no_violations(page)
    page.goto(f"{live_server.url}/messages/announcements/")
    _no_violations(page)
