"""The HTTP backend against the simulator on a real port: every field parsed,
each fault mode, retries only where safe, and the circuit breaker."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from sepi import schema, simulator
from sepi.adapter import HttpBackend, breaker, get_adapter
from sepi.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker
from sepi.client import Transport, TransportConfig, backoff_delay
from sepi.types import (
    ActivationKind,
    ActivationOutcome,
    BenefitKind,
    ContactKind,
    DeregistrationReason,
    LabourStatus,
    ProposalAnswer,
    RegistrationKind,
    SepiCircuitOpen,
    SepiConnectionError,
    SepiMalformed,
    SepiRejected,
    SepiSchemaError,
    SepiTimeout,
    SepiUnavailable,
)

from .conftest import SIM_TODAY, faulty_pesel, pesel_where, registered_pesel

pytestmark = pytest.mark.django_db


def ask(pesel: str):
    return get_adapter().lookup_status(
        pesel, purpose="benefit_eligibility", requested_by="mops-test/owner", request_id="r-1"
    )


def rich(pesel: str) -> bool:
    """A person whose answer has something in every list and a help profile."""
    data = simulator.person_status(pesel, today=SIM_TODAY)
    lists = ["registrations", "action_plans", "benefits", "activations", "job_proposals"]
    return (
        data["found"]
        and all(data[k] for k in [*lists, "health_insurance"])
        and data["help_profile"] is not None
        and data["last_contact"] is not None
    )


def test_every_field_of_a_rich_answer_is_parsed(sepi_http) -> None:
    pesel = pesel_where(rich)
    result = ask(pesel)
    expected = simulator.person_status(pesel, today=SIM_TODAY)
    # Round trip: the typed result holds every field the simulator sent, unchanged.
    assert schema.dump(result) == expected
    assert result.found and result.pesel == pesel
    assert result.office == simulator.OFFICE
    assert result.status == LabourStatus(expected["status"]["code"])
    assert result.registrations[0].registered_from == dt.date.fromisoformat(
        expected["registrations"][0]["from"]
    )
    assert isinstance(result.registrations[0].kind, RegistrationKind)
    assert isinstance(result.benefits[0].kind, BenefitKind)
    assert isinstance(result.activations[0].kind, ActivationKind)
    assert isinstance(result.job_proposals[0].answer, ProposalAnswer)
    assert isinstance(result.last_contact.kind, ContactKind)
    assert result.help_profile.profile in ("I", "II", "III")
    assert result.help_profile.assigned_on < dt.date(2019, 6, 1)
    assert sepi_http.state.requests[-1] == {
        "pesel": pesel,
        "purpose": "benefit_eligibility",
        "requested_by": "mops-test/owner",
        "request_id": "r-1",
        "fault": None,
    }


def test_a_hand_written_answer_is_parsed_field_by_field() -> None:
    data = {
        "schema": "sepi-status/1",
        "pesel": "80051701234",
        "found": True,
        "as_of": "2026-10-05T09:30:00+02:00",
        "office": "PUP Skarżysko-Kamienna",
        "status": {"code": "not_registered", "since": "2026-10-01"},
        "registrations": [
            {
                "kind": "unemployed",
                "from": "2025-01-10",
                "to": "2026-10-01",
                "deregistration_reason": "employment",
            }
        ],
        "action_plans": [
            {"prepared_on": "2025-05-10", "next_review_on": None, "ended_on": "2026-10-01"}
        ],
        "last_contact": {"date": "2026-09-20", "kind": "visit"},
        "benefits": [
            {
                "kind": "unemployment_benefit",
                "from": "2025-01-17",
                "to": "2025-07-16",
                "monthly_amount": "1662.20",
            }
        ],
        "activations": [
            {
                "kind": "training",
                "name": "Kurs obsługi kas fiskalnych",
                "provider": "CKU",
                "from": "2025-03-01",
                "to": "2025-03-31",
                "outcome": "completed",
            }
        ],
        "job_proposals": [
            {
                "proposed_on": "2026-09-01",
                "position": "sprzedawca",
                "employer": "Piekarnia",
                "answer": "accepted",
                "answered_on": "2026-09-03",
            }
        ],
        "health_insurance": [{"from": "2025-01-10", "to": "2026-10-01"}],
        "help_profile": {"profile": "II", "assigned_on": "2016-04-01"},
    }
    r = schema.parse(data, expected_pesel="80051701234")
    assert (r.status, r.status_since) == (LabourStatus.NOT_REGISTERED, dt.date(2026, 10, 1))
    assert r.as_of == dt.datetime.fromisoformat("2026-10-05T09:30:00+02:00")
    reg = r.registrations[0]
    assert (reg.kind, reg.registered_from, reg.registered_until, reg.deregistration_reason) == (
        RegistrationKind.UNEMPLOYED,
        dt.date(2025, 1, 10),
        dt.date(2026, 10, 1),
        DeregistrationReason.EMPLOYMENT,
    )
    assert r.action_plans[0].prepared_on == dt.date(2025, 5, 10)
    assert r.action_plans[0].ended_on == dt.date(2026, 10, 1)
    assert r.current_action_plan is None
    assert (r.last_contact.date, r.last_contact.kind) == (dt.date(2026, 9, 20), ContactKind.VISIT)
    b = r.benefits[0]
    assert (b.kind, b.date_from, b.date_to, b.monthly_amount) == (
        BenefitKind.UNEMPLOYMENT_BENEFIT,
        dt.date(2025, 1, 17),
        dt.date(2025, 7, 16),
        "1662.20",
    )
    a = r.activations[0]
    assert (a.kind, a.name, a.provider, a.outcome) == (
        ActivationKind.TRAINING,
        "Kurs obsługi kas fiskalnych",
        "CKU",
        ActivationOutcome.COMPLETED,
    )
    j = r.job_proposals[0]
    assert (j.position, j.employer, j.answer, j.answered_on) == (
        "sprzedawca",
        "Piekarnia",
        ProposalAnswer.ACCEPTED,
        dt.date(2026, 9, 3),
    )
    assert r.health_insurance[0].date_to == dt.date(2026, 10, 1)
    assert (r.help_profile.profile, r.help_profile.assigned_on) == ("II", dt.date(2016, 4, 1))
    assert schema.dump(r) == data


@pytest.mark.parametrize(
    "broken",
    [
        {"found": "yes"},
        {"schema": "sepi-status/2"},
        {"status": {"code": "retired", "since": None}},
        {"registrations": [{"kind": "unemployed", "from": "10.01.2025", "to": None}]},
        {"benefits": "none"},
        {"as_of": "2026-10-05T09:30:00"},  # no time zone
        {"help_profile": {"profile": "IV", "assigned_on": "2016-04-01"}},
        {"pesel": "00000000000"},  # somebody else
    ],
)
def test_a_wrong_answer_is_refused_as_a_whole(broken) -> None:
    pesel = pesel_where(rich)
    data = {**simulator.person_status(pesel, today=SIM_TODAY), **broken}
    with pytest.raises(SepiSchemaError):
        schema.parse(data, expected_pesel=pesel)


def test_an_unknown_person_is_an_answer_not_an_error(sepi_http) -> None:
    pesel = pesel_where(lambda p: not simulator.is_known(p))
    result = ask(pesel)
    assert not result.found and not result.registered and result.registrations == ()


def test_a_5xx_is_retried_and_then_reported(sepi_http) -> None:
    with pytest.raises(SepiUnavailable):
        ask(faulty_pesel("error"))
    assert sepi_http.state.served == 3  # one try and SEPI_RETRIES=2 retries


def test_a_passing_5xx_is_cured_by_a_retry(sepi_http) -> None:
    simulator.control(sepi_http.url, fault="error", count=1)
    assert ask(registered_pesel()).found
    assert [r["fault"] for r in sepi_http.state.requests] == ["error", None]


def test_a_timeout_is_retried_and_then_reported(sepi_http) -> None:
    started = time.monotonic()
    with pytest.raises(SepiTimeout):
        ask(faulty_pesel("timeout"))
    assert sepi_http.state.served == 3
    assert time.monotonic() - started < 5  # read timeout 0.5 s per attempt, not the server's 2 s


@pytest.mark.parametrize(
    ("fault", "error"), [("malformed", SepiMalformed), ("schema", SepiSchemaError)]
)
def test_a_bad_answer_is_not_retried(sepi_http, fault, error) -> None:
    with pytest.raises(error):
        ask(faulty_pesel(fault))
    assert sepi_http.state.served == 1


def test_latency_within_the_timeout_still_answers(sepi_http, settings) -> None:
    settings.SEPI_READ_TIMEOUT = 3.0
    started = time.monotonic()
    assert ask(faulty_pesel("latency")).pesel == faulty_pesel("latency")
    assert time.monotonic() - started >= 1.4


def test_a_refused_query_is_not_retried(sepi_http) -> None:
    with pytest.raises(SepiRejected):
        ask("12345678901")  # wrong check digit: the simulator answers 400
    assert (sepi_http.state.received, sepi_http.state.served) == (1, 0)


def _post(url: str, payload: dict, headers: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 - the simulator on localhost
        url, data=json.dumps(payload).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_a_fault_header_applies_to_one_request(sepi_http) -> None:
    url = f"{sepi_http.url}{simulator.STATUS_PATH}"
    payload = {"pesel": registered_pesel(), "purpose": "x"}
    status, body = _post(url, payload, {simulator.FAULT_HEADER: "schema"})
    assert status == 200 and json.loads(body)["found"] == "tak"
    status, body = _post(url, payload, {simulator.FAULT_HEADER: "error"})
    assert status == 500
    status, body = _post(url, payload, {simulator.FAULT_HEADER: "malformed"})
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(body)
    status, body = _post(url, payload, {})
    assert status == 200 and json.loads(body)["found"] is True


def test_the_simulator_refuses_a_query_without_a_purpose(sepi_http) -> None:
    status, body = _post(
        f"{sepi_http.url}{simulator.STATUS_PATH}", {"pesel": registered_pesel()}, {}
    )
    assert (status, json.loads(body)) == (400, {"error": "purpose_required"})


def test_nobody_listening_is_a_connection_error(settings) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    transport = Transport(
        TransportConfig(base_url=f"http://127.0.0.1:{port}", retries=1, backoff=0.01),
        sleep=lambda _s: None,
    )
    with pytest.raises(SepiConnectionError):
        transport.post_json(simulator.STATUS_PATH, {"pesel": "x"})


def test_backoff_grows_with_jitter_and_a_cap() -> None:
    delays = [backoff_delay(n, base=0.5, cap=4.0) for n in range(6) for _ in range(20)]
    assert all(0 < d <= 4.0 for d in delays)
    first = [backoff_delay(0, base=0.5, cap=4.0) for _ in range(50)]
    assert all(0.25 <= d <= 0.5 for d in first)
    assert len({round(d, 6) for d in first}) > 10  # jittered, not one fixed delay
    assert min(backoff_delay(3, base=0.5, cap=4.0) for _ in range(50)) >= 2.0


def test_the_circuit_opens_after_repeated_failures_and_closes_after_a_good_trial(sepi_http) -> None:
    circuit = breaker()
    for _ in range(3):  # SEPI_BREAKER_THRESHOLD
        with pytest.raises(SepiUnavailable):
            ask(faulty_pesel("error"))
    assert circuit.state() == OPEN
    served = sepi_http.state.served
    with pytest.raises(SepiCircuitOpen):
        ask(registered_pesel())
    assert sepi_http.state.served == served  # no call was made while open
    time.sleep(1.1)  # SEPI_BREAKER_RESET_SECONDS
    assert circuit.state() == HALF_OPEN
    assert ask(registered_pesel()).found  # the trial call goes through and succeeds
    assert circuit.state() == CLOSED
    assert sepi_http.state.served == served + 1


def test_a_failed_trial_opens_the_circuit_again(sepi_http) -> None:
    for _ in range(3):
        with pytest.raises(SepiUnavailable):
            ask(faulty_pesel("error"))
    time.sleep(1.1)
    with pytest.raises(SepiMalformed):
        ask(faulty_pesel("malformed"))
    assert breaker().state() == OPEN
    with pytest.raises(SepiCircuitOpen):
        ask(registered_pesel())


def test_a_refused_query_does_not_open_the_circuit(sepi_http) -> None:
    for _ in range(5):
        with pytest.raises(SepiRejected):
            ask("12345678901")
    assert breaker().state() == CLOSED


def test_half_open_lets_exactly_one_trial_through() -> None:
    now = [1000.0]
    circuit = CircuitBreaker("t", threshold=2, reset_seconds=30, clock=lambda: now[0])
    circuit.record_failure()
    circuit.before_call()  # still closed after one failure
    circuit.record_failure()
    with pytest.raises(SepiCircuitOpen) as exc:
        circuit.before_call()
    assert exc.value.retry_after == pytest.approx(30)
    now[0] += 31
    circuit.before_call()  # the trial
    with pytest.raises(SepiCircuitOpen):
        circuit.before_call()  # a second caller meanwhile waits
    circuit.record_success()
    circuit.before_call()
    assert circuit.state() == CLOSED


def test_a_success_resets_the_count_of_failures_in_a_row() -> None:
    circuit = CircuitBreaker("t2", threshold=2, reset_seconds=30)
    circuit.record_failure()
    circuit.record_success()
    circuit.record_failure()
    assert circuit.state() == CLOSED


def test_the_breaker_state_is_shared_by_every_backend_instance(sepi_http) -> None:
    # Two adapters (think: two workers) see the same circuit through the cache.
    first, second = get_adapter(), get_adapter()
    assert isinstance(first, HttpBackend) and first is not second
    for _ in range(3):
        with pytest.raises(SepiUnavailable):
            first.lookup_status(faulty_pesel("error"), purpose="p", requested_by="u")
    with pytest.raises(SepiCircuitOpen):
        second.lookup_status(registered_pesel(), purpose="p", requested_by="u")


def test_the_simulator_backend_runs_in_process_with_the_same_contract(settings) -> None:
    settings.SEPI_BACKEND = "simulator"
    pesel = registered_pesel()
    result = get_adapter().lookup_status(pesel, purpose="p", requested_by="u")
    assert result.pesel == pesel and result.found
    with pytest.raises(SepiTimeout):
        get_adapter().lookup_status(faulty_pesel("timeout"), purpose="p", requested_by="u")
    with pytest.raises(SepiSchemaError):
        get_adapter().lookup_status(faulty_pesel("schema"), purpose="p", requested_by="u")
