"""The demo runs tasks eagerly (no worker). A SEPI lookup must not hold the page:
the POST answers at once with "Trwa zapytanie do SEPI…", the lookup runs after
the response (cooperation/celery.py), and the polled fragment shows the answer,
or a clear Polish message when SEPI does not answer in time.

Transactional tests: the task is handed over when the lookup's transaction
commits, inside the request, as on the demo's server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cooperation import celery as celery_module
from sepi.models import FailureReason, Lookup, LookupStatus
from sepi.services import lookup_request

from ..factories import ClientFactory
from .conftest import faulty_pesel, registered_pesel
from .test_pages import HX, PURPOSE, start, status_of

pytestmark = pytest.mark.django_db(transaction=True)

ASKING = "Trwa zapytanie do SEPI…"
LIVE_ASKING = f'<div id="sepi-live" hx-swap-oob="innerHTML">{ASKING}</div>'
LIVE_DONE = '<div id="sepi-live" hx-swap-oob="innerHTML">Odpowiedź SEPI jest gotowa.</div>'


@pytest.fixture
def after_response(settings, monkeypatch) -> list[Callable[[], Any]]:
    """The demo's mode, with the background pool replaced by a list the test runs."""
    settings.EAGER_TASKS_AFTER_RESPONSE = True
    handed_over: list[Callable[[], Any]] = []
    monkeypatch.setattr(celery_module, "_submit", handed_over.append)
    return handed_over


def test_the_post_answers_at_once_and_the_lookup_runs_after_it(
    client, after_response, sepi_http, own, owner
) -> None:
    target = ClientFactory(owner=own, created_by=owner, pesel=registered_pesel())
    client.force_login(owner)
    response = start(client, target.pk)
    body = response.content.decode()
    assert status_of(response) == "queued"
    assert ASKING in body and LIVE_ASKING in body  # shown and announced at once
    assert "W kolejce" not in body  # nothing waits for a worker here
    lookup = Lookup.objects.get()
    assert lookup.status == LookupStatus.QUEUED  # not run inside the request
    assert len(after_response) == 1  # handed over once the response was finished

    poll = reverse("sepi:lookup_state", args=[lookup.pk])
    waiting = client.get(poll, **HX).content.decode()
    assert ASKING in waiting and 'hx-trigger="every 1s"' in waiting
    assert "sepi-live" not in waiting  # no second announcement while waiting

    after_response.pop()()  # the background thread's turn
    response = client.get(poll, **HX)
    body = response.content.decode()
    assert status_of(response) == "done"
    assert 'id="sepi-status-value"' in body and LIVE_DONE in body
    assert "hx-trigger" not in body


def test_a_timeout_shows_a_clear_polish_message(
    client, after_response, sepi_http, own, owner
) -> None:
    target = ClientFactory(owner=own, created_by=owner, pesel=faulty_pesel("timeout"))
    client.force_login(owner)
    assert status_of(start(client, target.pk)) == "queued"
    after_response.pop()()
    lookup = Lookup.objects.get()
    assert lookup.failure_reason == FailureReason.TIMEOUT
    body = client.get(reverse("sepi:lookup_state", args=[lookup.pk]), **HX).content.decode()
    assert 'role="alert"' in body
    assert "SEPI nie odpowiedział w wyznaczonym czasie. Spróbuj ponownie." in body
    assert 'id="sepi-retry"' in body


def test_the_background_thread_really_answers(client, settings, sepi_http, own, owner) -> None:
    settings.EAGER_TASKS_AFTER_RESPONSE = True
    target = ClientFactory(owner=own, created_by=owner, pesel=registered_pesel())
    client.force_login(owner)
    assert status_of(start(client, target.pk)) == "queued"
    celery_module.wait_idle(timeout=20)
    assert Lookup.objects.get().status == LookupStatus.DONE


def test_without_javascript_the_page_shows_the_pending_state(
    client, after_response, sepi_http, own, owner
) -> None:
    target = ClientFactory(owner=own, created_by=owner, pesel=registered_pesel())
    client.force_login(owner)
    response = client.post(
        reverse("sepi:lookup_start", args=[target.pk]),
        {"sepi-purpose": PURPOSE, "sepi-request_key": "nojs"},
        follow=True,
    )
    body = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("/panel/sepi/")
    assert ASKING in body and "Odśwież, aby zobaczyć odpowiedź" in body


def test_a_lookup_long_in_the_queue_says_it_waits(
    client, after_response, sepi_http, own, owner
) -> None:
    target = ClientFactory(owner=own, created_by=owner, pesel=registered_pesel())
    client.force_login(owner)
    start(client, target.pk)
    lookup = Lookup.objects.get()
    Lookup.objects.filter(pk=lookup.pk).update(
        requested_at=timezone.now() - dt.timedelta(seconds=30)
    )
    body = client.get(reverse("sepi:lookup_state", args=[lookup.pk]), **HX).content.decode()
    assert ASKING in body and "W kolejce: zapytanie czeka na swoją kolej…" in body


def test_outside_a_request_the_task_runs_at_once(settings, sepi_http, own, owner) -> None:
    """A command (the seed) has no response to wait for: the lookup is done when it returns."""
    settings.EAGER_TASKS_AFTER_RESPONSE = True
    target = ClientFactory(owner=own, created_by=owner, pesel=registered_pesel())
    lookup = lookup_request(client=target, acting_user=owner, purpose=PURPOSE)
    lookup.refresh_from_db()
    assert lookup.status == LookupStatus.DONE
