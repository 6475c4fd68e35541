"""Lookups as services, against the simulator on a real port: who may ask,
purpose, rate limit, audit, cache, change detection, idempotency, and every
fault mode ending in a recorded outcome (no request left hanging)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from kombu.exceptions import OperationalError

from agreements.models import Scope
from clients.models import ClientShare
from clients.services import client_unshare
from cooperation.models import AuditAction, AuditEvent, Role
from cooperation.permissions import can
from sepi import simulator
from sepi.changes import describe
from sepi.models import FailureReason, Lookup, LookupStatus, Purpose
from sepi.permissions import SEPI_LOOKUP
from sepi.services import MAX_ATTEMPTS, lookup_request, lookup_run
from sepi.tasks import sepi_sweep_stale

from ..factories import ClientFactory, agreement_between, member
from .conftest import SIM_TODAY, faulty_pesel, pesel_where, registered_pesel, share

pytestmark = pytest.mark.django_db

PURPOSE = Purpose.BENEFIT_ELIGIBILITY


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Request a lookup and let the (eager) task run, as after a real commit."""

    def run(client, user, purpose=PURPOSE, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            lookup = lookup_request(client=client, acting_user=user, purpose=purpose, **kw)
        lookup.refresh_from_db()
        return lookup

    return run


def test_a_worker_asks_about_their_own_client(sepi_http, ask, own_client, owner) -> None:
    lookup = ask(own_client, owner)
    assert lookup.status == LookupStatus.DONE and not lookup.from_cache
    assert lookup.result["pesel"] == own_client.pesel
    assert (lookup.requested_by, lookup.institution, lookup.purpose) == (
        owner,
        owner.memberships.get().institution,
        PURPOSE,
    )
    assert lookup.fetched_at and lookup.finished_at and lookup.attempts == 1
    sent = sepi_http.state.requests[-1]
    assert sent["purpose"] == PURPOSE and sent["requested_by"] == "mops-test/owner"
    assert sent["request_id"] == lookup.request_key


def test_a_partners_client_may_be_asked_about_under_a_sepi_scope(
    sepi_http, ask, partners_client, owner
) -> None:
    assert can(owner, partners_client, SEPI_LOOKUP)
    assert ask(partners_client, owner).status == LookupStatus.DONE


def test_a_partners_client_without_the_sepi_scope_may_not(own, partner, owner, pup_advisor) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    client = ClientFactory(owner=partner, created_by=pup_advisor, pesel=registered_pesel())
    share(client, pup_advisor, own, [Scope.CLIENT_RECORDS])
    assert not can(owner, client, SEPI_LOOKUP)  # they see the client, but not its SEPI data
    with pytest.raises(PermissionDenied):
        lookup_request(client=client, acting_user=owner, purpose=PURPOSE)
    assert not Lookup.objects.exists()


def test_nobody_outside_may_ask(own_client, outsider, partner_user, own) -> None:
    ngo_staff = member(own, Role.PARTNER_STAFF)
    admin = member(own, Role.INSTITUTION_ADMIN)
    for user in (outsider, partner_user, ngo_staff, admin):
        assert not can(user, own_client, SEPI_LOOKUP)
        with pytest.raises(PermissionDenied):
            lookup_request(client=own_client, acting_user=user, purpose=PURPOSE)
    assert not Lookup.objects.exists()


def test_ending_the_share_ends_the_right_to_ask(  # type: ignore[no-untyped-def]
    partners_client, owner, pup_advisor
) -> None:
    assert can(owner, partners_client, SEPI_LOOKUP)
    share_row = ClientShare.objects.get(client=partners_client, ended_at__isnull=True)
    client_unshare(share=share_row, acting_user=pup_advisor, reason="koniec")
    assert not can(owner, partners_client, SEPI_LOOKUP)


@pytest.mark.parametrize("purpose", ["", "curiosity"])
def test_the_purpose_is_required_and_from_the_list(sepi_http, own_client, owner, purpose) -> None:
    with pytest.raises(ValidationError) as exc:
        lookup_request(client=own_client, acting_user=owner, purpose=purpose)
    assert "purpose" in exc.value.message_dict
    assert not Lookup.objects.exists() and sepi_http.state.received == 0


def test_a_person_without_a_pesel_cannot_be_asked_about(own, owner) -> None:
    client = ClientFactory(owner=own, pesel="", no_pesel_reason="cudzoziemiec")
    with pytest.raises(ValidationError):
        lookup_request(client=client, acting_user=owner, purpose=PURPOSE)


def test_the_rate_limit_stops_bulk_querying(
    settings, sepi_http, ask, own, owner, colleague
) -> None:
    settings.SEPI_RATE_LIMIT_PER_HOUR = 3
    clients = [ClientFactory(owner=own, pesel=pesel_where(bool, start=n * 7)) for n in range(4)]
    for client in clients[:3]:
        ask(client, owner)
    with pytest.raises(ValidationError) as exc:
        lookup_request(client=clients[3], acting_user=owner, purpose=PURPOSE)
    assert exc.value.error_list[0].code == "rate_limited"
    assert Lookup.objects.filter(requested_by=owner).count() == 3
    assert ask(clients[3], colleague).status == LookupStatus.DONE  # the limit is per person
    Lookup.objects.filter(requested_by=owner).update(
        requested_at=timezone.now() - dt.timedelta(minutes=61)
    )
    assert ask(clients[3], owner).pk  # an hour later they may ask again


def test_every_lookup_is_audited_without_the_data(sepi_http, ask, own_client, owner) -> None:
    lookup = ask(own_client, owner)
    event = AuditEvent.objects.get(action=AuditAction.VIEW, fields=["sepi"])
    assert (event.actor, event.institution, event.object_id) == (
        owner,
        lookup.institution,
        str(own_client.pk),
    )
    assert PURPOSE in event.reason and f"#{lookup.pk}" in event.reason
    text = f"{event.reason} {event.object_label} {event.fields}"
    assert own_client.pesel not in text and lookup.result["status"]["code"] not in text


def test_a_recent_answer_is_reused_and_recorded(
    settings, sepi_http, ask, own_client, owner, colleague
) -> None:
    first = ask(own_client, owner)
    second = ask(own_client, colleague, purpose=Purpose.SOCIAL_CONTRACT)
    assert sepi_http.state.served == 1
    assert second.from_cache and second.status == LookupStatus.DONE
    assert (second.result, second.fetched_at) == (first.result, first.fetched_at)
    assert second.requested_by == colleague and second.purpose == Purpose.SOCIAL_CONTRACT
    assert AuditEvent.objects.filter(fields=["sepi"], actor=colleague).exists()
    fresh = ask(own_client, owner, refresh=True)
    assert not fresh.from_cache and sepi_http.state.served == 2
    Lookup.objects.update(fetched_at=timezone.now() - dt.timedelta(seconds=3601))
    assert not ask(own_client, owner).from_cache  # too old: asked again
    assert sepi_http.state.served == 3


def test_the_labour_office_never_asks_through_the_app(
    sepi_http, ask, partners_client, owner, pup_advisor
) -> None:
    ask(partners_client, owner)
    # Not even about its own client, and not from the MOPS's cached answer (gate 1).
    with pytest.raises(PermissionDenied):
        ask(partners_client, pup_advisor)
    assert sepi_http.state.served == 1


def _deregistration_in(days: int) -> tuple[str, dt.date]:
    def deregisters(pesel: str) -> bool:
        return any(
            r["to"] and SIM_TODAY - dt.timedelta(days=days) < dt.date.fromisoformat(r["to"])
            for r in simulator.person_status(pesel, today=SIM_TODAY).get("registrations", [])
        )

    pesel = pesel_where(deregisters)
    data = simulator.person_status(pesel, today=SIM_TODAY)
    return pesel, dt.date.fromisoformat(data["registrations"][-1]["to"])


def test_a_deregistration_since_the_previous_lookup_is_highlighted(
    sepi_http, ask, own, owner
) -> None:
    pesel, day = _deregistration_in(200)
    client = ClientFactory(owner=own, pesel=pesel)
    simulator.control(sepi_http.url, today=(day - dt.timedelta(days=3)).isoformat())
    before = ask(client, owner)
    assert before.result["status"]["code"] != "not_registered" and before.changes == []
    simulator.control(sepi_http.url, today=(day + dt.timedelta(days=2)).isoformat())
    after = ask(client, owner, refresh=True)
    change = after.changes[0]
    assert change["kind"] == "deregistered" and change["since"] == day.isoformat()
    expected = gettext("Deregistered since %(date)s") % {"date": day.isoformat()}
    assert describe(change).startswith(expected)
    cached = ask(client, owner)
    assert cached.from_cache and cached.changes == after.changes  # still highlighted


def test_the_same_request_key_gives_the_same_lookup(sepi_http, ask, own_client, owner) -> None:
    first = ask(own_client, owner, request_key="k-123")
    again = ask(own_client, owner, request_key="k-123")
    assert first.pk == again.pk and Lookup.objects.count() == 1
    assert sepi_http.state.served == 1


def test_a_request_key_of_someone_else_is_refused(
    sepi_http, ask, own_client, owner, colleague
) -> None:
    ask(own_client, owner, request_key="k-1")
    with pytest.raises(ValidationError):
        lookup_request(client=own_client, acting_user=colleague, purpose=PURPOSE, request_key="k-1")


def test_a_redelivered_task_asks_sepi_once(sepi_http, ask, own_client, owner) -> None:
    lookup = ask(own_client, owner)
    assert lookup_run(lookup_id=lookup.pk) == "skipped"
    assert sepi_http.state.served == 1


def _queued(client, user) -> Lookup:
    # No on-commit callbacks captured: the task is not run, as if the message were in flight.
    return lookup_request(client=client, acting_user=user, purpose=PURPOSE)


def test_a_lookup_left_running_by_a_dead_worker_is_run_again(sepi_http, own_client, owner) -> None:
    lookup = _queued(own_client, owner)
    Lookup.objects.filter(pk=lookup.pk).update(
        status=LookupStatus.RUNNING, attempts=1, started_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert lookup_run(lookup_id=lookup.pk) == LookupStatus.DONE
    lookup.refresh_from_db()
    assert lookup.attempts == 2 and sepi_http.state.served == 1


def test_a_lookup_running_elsewhere_is_not_run_twice(sepi_http, own_client, owner) -> None:
    lookup = _queued(own_client, owner)
    Lookup.objects.filter(pk=lookup.pk).update(
        status=LookupStatus.RUNNING, attempts=1, started_at=timezone.now()
    )
    assert lookup_run(lookup_id=lookup.pk) == "skipped"
    assert sepi_http.state.received == 0


def test_a_lookup_that_keeps_killing_workers_is_failed(sepi_http, own_client, owner) -> None:
    lookup = _queued(own_client, owner)
    Lookup.objects.filter(pk=lookup.pk).update(
        status=LookupStatus.RUNNING,
        attempts=MAX_ATTEMPTS,
        started_at=timezone.now() - dt.timedelta(hours=1),
    )
    lookup_run(lookup_id=lookup.pk)
    lookup.refresh_from_db()
    assert (lookup.status, lookup.failure_reason) == (LookupStatus.FAILED, FailureReason.STALE)


def test_access_lost_before_the_run_stops_the_query(
    sepi_http, django_capture_on_commit_callbacks, partners_client, owner, pup_advisor
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        lookup = lookup_request(client=partners_client, acting_user=owner, purpose=PURPOSE)
    share_row = ClientShare.objects.get(client=partners_client, ended_at__isnull=True)
    client_unshare(share=share_row, acting_user=pup_advisor, reason="zgoda cofnięta")
    for callback in callbacks:
        callback()
    lookup.refresh_from_db()
    assert (lookup.status, lookup.failure_reason) == (LookupStatus.FAILED, FailureReason.NO_ACCESS)
    assert sepi_http.state.received == 0


def test_a_broker_failure_fails_the_lookup_at_once(monkeypatch, ask, own_client, owner) -> None:
    from sepi import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.sepi_lookup, "apply_async", broker_down)
    lookup = ask(own_client, owner)
    assert (lookup.status, lookup.failure_reason) == (LookupStatus.FAILED, FailureReason.QUEUE)


def test_stale_lookups_are_failed_by_the_sweeper(settings, own_client, owner) -> None:
    lookup = _queued(own_client, owner)
    assert sepi_sweep_stale.delay().get() == 0  # not stale yet
    Lookup.objects.filter(pk=lookup.pk).update(
        requested_at=timezone.now() - dt.timedelta(minutes=settings.SEPI_STALE_MINUTES + 1)
    )
    assert sepi_sweep_stale.delay().get() == 1
    lookup.refresh_from_db()
    assert (lookup.status, lookup.failure_reason) == (LookupStatus.FAILED, FailureReason.STALE)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("error", FailureReason.UNAVAILABLE),
        ("timeout", FailureReason.TIMEOUT),
        ("malformed", FailureReason.MALFORMED),
        ("schema", FailureReason.SCHEMA),
    ],
)
def test_each_fault_ends_in_a_failure_with_its_reason(
    sepi_http, ask, own, owner, fault, reason
) -> None:
    client = ClientFactory(owner=own, pesel=faulty_pesel(fault))
    lookup = ask(client, owner)
    assert (lookup.status, lookup.failure_reason) == (LookupStatus.FAILED, reason)
    assert lookup.result is None and lookup.finished_at is not None
    assert sepi_http.state.received >= 1  # the request did reach SEPI
    assert not Lookup.objects.filter(status__in=["queued", "running"]).exists()


def test_latency_is_only_slower(settings, sepi_http, ask, own, owner) -> None:
    settings.SEPI_READ_TIMEOUT = 3.0
    client = ClientFactory(owner=own, pesel=faulty_pesel("latency"))
    assert ask(client, owner).status == LookupStatus.DONE


def test_an_open_circuit_fails_fast_without_calling_sepi(sepi_http, ask, own, owner) -> None:
    broken = ClientFactory(owner=own, pesel=faulty_pesel("error"))
    for _ in range(3):
        ask(broken, owner, refresh=True)
    healthy = ClientFactory(owner=own, pesel=registered_pesel())
    received = sepi_http.state.received
    lookup = ask(healthy, owner)
    assert (lookup.status, lookup.failure_reason) == (
        LookupStatus.FAILED,
        FailureReason.CIRCUIT_OPEN,
    )
    assert sepi_http.state.received == received


def test_http_backend_without_an_address_says_it_is_not_configured(
    settings, ask, own_client, owner
) -> None:
    settings.SEPI_BACKEND, settings.SEPI_BASE_URL = "http", ""
    lookup = ask(own_client, owner)
    assert lookup.failure_reason == FailureReason.NOT_CONFIGURED


def test_the_in_process_simulator_answers_for_the_demo(settings, ask, own_client, owner) -> None:
    settings.SEPI_BACKEND = "simulator"
    lookup = ask(own_client, owner)
    assert lookup.status == LookupStatus.DONE and lookup.result["pesel"] == own_client.pesel


def test_erasing_a_clients_data_keeps_only_the_evidence(sepi_http, ask, own_client, owner) -> None:
    from sepi.services import lookups_erase_for_client

    done = ask(own_client, owner)
    queued = lookup_request(client=own_client, acting_user=owner, purpose=PURPOSE, refresh=True)
    assert lookups_erase_for_client(client=own_client, acting_user=owner) == 2
    done.refresh_from_db()
    assert (done.pesel, done.result, done.changes) == ("", None, [])
    assert (done.requested_by, done.purpose, done.status) == (owner, PURPOSE, LookupStatus.DONE)
    queued.refresh_from_db()
    assert queued.status == LookupStatus.FAILED
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, fields=["sepi"]).exists()
