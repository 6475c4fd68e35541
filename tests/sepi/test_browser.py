"""In the browser: a social worker asks SEPI about a client shared by the PUP;
the panel shows the lookup queued, and the answer appears without reloading
the page once a worker has asked the simulator (over a real socket). The
coordinator's page with a batch check. Screenshots and axe on both."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from cooperation.celery import app
from cooperation.models import Role
from sepi import simulator
from sepi.models import Lookup, LookupStatus, Purpose
from sepi.services import lookup_run

from ..browser import axe_violations, describe, log_in, screenshot
from ..factories import ClientFactory, member
from .conftest import SIM_TODAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queued_not_run() -> Iterator[None]:
    """Tasks go to a queue nobody reads, so the test plays the worker and the page
    shows the real 'queued' state first (eager tasks would answer in the request)."""
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = f"browser-{uuid.uuid4().hex[:8]}"
    yield
    app.conf.task_always_eager, app.conf.task_default_queue = previous


def test_a_worker_sees_the_sepi_answer_appear_without_reloading(
    page, live_server, sepi_http, queued_not_run, own, partners_client
) -> None:
    member(own, Role.SOCIAL_WORKER, username="pracownica", first_name="Ewa")
    log_in(page, live_server, "pracownica")
    url = f"{live_server.url}{partners_client.get_absolute_url()}"
    page.goto(url)
    panel = page.locator("#sepi-panel")
    expect(panel.locator("#sepi-none")).to_be_visible()
    page.evaluate("window.sepiNoReload = true")  # gone if the page reloads

    panel.locator("#id_sepi-purpose").select_option(Purpose.BENEFIT_ELIGIBILITY)
    panel.locator("#sepi-ask").click()
    expect(panel.locator("#sepi-state")).to_have_attribute("data-status", "queued")
    expect(panel.locator("#sepi-progress")).to_be_visible()

    lookup = Lookup.objects.get(client=partners_client)
    assert lookup.status == LookupStatus.QUEUED
    assert lookup_run(lookup_id=lookup.pk) == LookupStatus.DONE  # what the Celery worker does

    expect(panel.locator("#sepi-state")).to_have_attribute("data-status", "done", timeout=8000)
    since = simulator.person_status(partners_client.pesel, today=SIM_TODAY)["status"]["since"]
    expect(panel.locator("#sepi-status-value")).to_contain_text(since)
    expect(panel.locator("#sepi-age")).to_be_visible()
    assert page.evaluate("window.sepiNoReload") is True
    assert page.url == url
    panel.locator("summary").first.click()  # open the registration periods
    screenshot(page, "sepi-client-panel")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_a_failed_lookup_offers_a_retry_in_the_panel(
    page, live_server, sepi_http, own, partners_client
) -> None:
    member(own, Role.SOCIAL_WORKER, username="pracownica")
    simulator.control(sepi_http.url, fault="error", count=3)  # one try and two retries
    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}{partners_client.get_absolute_url()}")
    page.locator("#id_sepi-purpose").select_option(Purpose.SOCIAL_CONTRACT)
    page.locator("#sepi-ask").click()
    expect(page.locator("#sepi-state")).to_have_attribute("data-status", "failed")
    expect(
        page.get_by_role("alert").filter(has=page.locator("#sepi-failure-reason"))
    ).to_be_visible()
    screenshot(page, "sepi-client-panel-failed")
    page.locator("#sepi-retry").click()
    expect(page.locator("#sepi-state")).to_have_attribute("data-status", "done")
    assert Lookup.objects.filter(status=LookupStatus.FAILED).count() == 1
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_coordinators_page_runs_a_batch_check(
    page, live_server, sepi_http, own, partners_client
) -> None:
    member(own, Role.COORDINATOR, username="koordynatorka", first_name="Anna")
    log_in(page, live_server, "koordynatorka")
    page.goto(f"{live_server.url}/sepi/")
    page.locator("#id_batch-purpose").select_option(Purpose.PERIODIC_REVIEW)
    page.locator("#sepi-batch-start").click()
    page.wait_for_url(f"{live_server.url}/sepi/")
    expect(page.locator("#sepi-batch")).to_have_attribute("data-status", "done")
    expect(page.locator("#sepi-batch-bar")).to_have_attribute("value", "1")
    expect(page.locator("#sepi-lookups tbody tr")).to_have_count(1)
    screenshot(page, "sepi-coordinator")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_in_the_demo_the_panel_says_asking_at_once_and_the_answer_follows(
    page, live_server, settings, monkeypatch, own
) -> None:
    """Eager tasks (the demo): the lookup runs after the response, in a background
    thread; SEPI takes three seconds, the page says so at once and updates itself."""
    from sepi.adapter import SimulatorBackend

    from .conftest import faulty_pesel

    settings.EAGER_TASKS_AFTER_RESPONSE = True
    settings.SEPI_BACKEND = "simulator"
    monkeypatch.setattr(SimulatorBackend, "latency_seconds", 3.0)
    member(own, Role.SOCIAL_WORKER, username="pracownica")
    target = ClientFactory(owner=own, pesel=faulty_pesel("latency"))
    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}{target.get_absolute_url()}")
    panel = page.locator("#sepi-panel")
    panel.locator("#id_sepi-purpose").select_option(Purpose.BENEFIT_ELIGIBILITY)
    panel.locator("#sepi-ask").click()
    expect(panel.locator("#sepi-progress")).to_contain_text("Trwa zapytanie do SEPI…", timeout=2000)
    expect(panel.locator("#sepi-live")).to_have_text("Trwa zapytanie do SEPI…")
    screenshot(page, "sepi-demo-pending")
    violations = axe_violations(page)
    assert not violations, describe(violations)

    expect(panel.locator("#sepi-state")).to_have_attribute("data-status", "done", timeout=20000)
    expect(panel.locator("#sepi-live")).to_have_text("Odpowiedź SEPI jest gotowa.")
    expect(panel.locator("#sepi-status-value")).to_be_visible()
    screenshot(page, "sepi-demo-answered")
