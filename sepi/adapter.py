"""The SEPI adapter: `lookup_status(pesel, *, purpose, requested_by)` returns a
typed `StatusResult` or raises a `SepiError` whose `code` is the failure
reason shown to the worker.

Two backends, chosen by `SEPI_BACKEND`:

- `http`: our JSON contract over HTTPS (`sepi/client.py`) behind a circuit
  breaker — real SEPI through a county gateway, or `manage.py sepi_simulator`;
- `simulator`: the simulator's data function called in-process, so the demo
  needs no second process. Its answers still go through the same JSON
  decoding and schema check as real ones.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from . import schema, simulator
from .breaker import CircuitBreaker
from .client import Transport, TransportConfig
from .types import (
    SepiError,
    SepiMalformed,
    SepiNotConfigured,
    SepiTimeout,
    SepiUnavailable,
    StatusResult,
)


class SepiAdapter(Protocol):
    def lookup_status(
        self, pesel: str, *, purpose: str, requested_by: str, request_id: str = ""
    ) -> StatusResult: ...


def breaker() -> CircuitBreaker:
    return CircuitBreaker(
        "sepi",
        threshold=settings.SEPI_BREAKER_THRESHOLD,
        reset_seconds=settings.SEPI_BREAKER_RESET_SECONDS,
    )


class HttpBackend:
    def __init__(self, transport: Transport, circuit: CircuitBreaker) -> None:
        self.transport = transport
        self.circuit = circuit

    def lookup_status(
        self, pesel: str, *, purpose: str, requested_by: str, request_id: str = ""
    ) -> StatusResult:
        self.circuit.before_call()
        try:
            data = self.transport.post_json(
                simulator.STATUS_PATH,
                {"pesel": pesel, "purpose": purpose, "requested_by": requested_by},
                request_id=request_id,
            )
            result = schema.parse(data, expected_pesel=pesel)
        except SepiError as exc:
            if exc.counts_for_breaker:
                self.circuit.record_failure()
            else:
                # A refused query says SEPI is up: it answered.
                self.circuit.record_success()
            raise
        self.circuit.record_success()
        return result


class SimulatorBackend:
    """In-process simulator; its per-person faults (PESEL serial 990–994) still apply."""

    latency_seconds = 1.0

    def __init__(self, today: dt.date | None = None) -> None:
        self.today = today

    def lookup_status(
        self, pesel: str, *, purpose: str, requested_by: str, request_id: str = ""
    ) -> StatusResult:
        fault = simulator.pesel_fault(pesel)
        if fault == "timeout":
            raise SepiTimeout("simulated timeout")
        if fault == "latency":
            time.sleep(self.latency_seconds)
        status, body = simulator.answer(
            pesel, today=self.today or timezone.localdate(), fault=fault
        )
        if status >= 500:
            raise SepiUnavailable(f"HTTP {status}")
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise SepiMalformed(str(exc)) from exc
        return schema.parse(data, expected_pesel=pesel)


def get_adapter() -> SepiAdapter:
    if settings.SEPI_BACKEND == "simulator":
        return SimulatorBackend()
    if not settings.SEPI_BASE_URL:
        raise SepiNotConfigured("SEPI_BASE_URL is not set")
    config = TransportConfig(
        base_url=settings.SEPI_BASE_URL,
        connect_timeout=settings.SEPI_CONNECT_TIMEOUT,
        read_timeout=settings.SEPI_READ_TIMEOUT,
        retries=settings.SEPI_RETRIES,
        backoff=settings.SEPI_BACKOFF,
        backoff_max=settings.SEPI_BACKOFF_MAX,
        client_cert=settings.SEPI_CLIENT_CERT,
        client_key=settings.SEPI_CLIENT_KEY,
        ca_bundle=settings.SEPI_CA_BUNDLE,
    )
    if config not in _transports:  # one connection pool per configuration, reused
        _transports[config] = Transport(config)
    return HttpBackend(_transports[config], breaker())


_transports: dict[TransportConfig, Transport] = {}
