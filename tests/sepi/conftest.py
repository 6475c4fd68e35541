"""SEPI test fixtures: the simulator on a real port, the app pointed at it
over HTTP, and a partner's client shared with `own` under an agreement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agreements.models import Scope
from clients.models import Client, LegalBasis
from clients.services import client_share, consent_record
from cooperation.models import Institution, Role, User
from cooperation.validators import make_pesel
from sepi import simulator
from sepi.breaker import CircuitBreaker
from sepi.simulator import SimulatorServer

from ..factories import ClientFactory, agreement_between, member

# The simulator's clock in tests, so answers never depend on the day the suite runs.
SIM_TODAY = dt.date(2026, 11, 20)


BREAKERS = ("sepi", "t", "t2")


@pytest.fixture(autouse=True)
def _closed_circuits(_own_cache_keys: None) -> Iterator[None]:
    """The circuit breakers live in the cache (Redis on CI): every test starts and
    ends closed (the root conftest already gives each test its own key prefix)."""

    def reset() -> None:
        for name in BREAKERS:
            CircuitBreaker(name, threshold=1, reset_seconds=1).reset()

    reset()
    yield
    reset()


@pytest.fixture
def sim() -> Iterator[SimulatorServer]:
    server = simulator.start(port=0)
    simulator.wait_until_up(server.url)
    server.state.configure({"today": SIM_TODAY.isoformat()})
    yield server
    simulator.stop(server)


@pytest.fixture
def sepi_http(settings, sim: SimulatorServer) -> SimulatorServer:
    """The app talks to the simulator over a real socket, with short timeouts."""
    settings.SEPI_BACKEND = "http"
    settings.SEPI_BASE_URL = sim.url
    settings.SEPI_CONNECT_TIMEOUT = 1.0
    settings.SEPI_READ_TIMEOUT = 0.5
    settings.SEPI_RETRIES = 2
    settings.SEPI_BACKOFF = 0.01
    settings.SEPI_BACKOFF_MAX = 0.05
    settings.SEPI_BREAKER_THRESHOLD = 3
    settings.SEPI_BREAKER_RESET_SECONDS = 1
    settings.SEPI_RATE_LIMIT_PER_HOUR = 30
    settings.SEPI_CACHE_SECONDS = 3600
    sim.state.configure({"timeout_seconds": 2.0})
    return sim


def pesel_where(predicate, *, start: int = 0) -> str:
    """The first valid PESEL (serials below 990: no simulator fault) whose data satisfy `predicate`."""
    for n in range(start, start + 5000):
        pesel = make_pesel(
            dt.date(1975 + n % 30, 1 + n % 12, 1 + n % 28), n % 900, female=n % 2 == 0
        )
        if predicate(pesel):
            return pesel
    raise AssertionError("no PESEL found")


def registered_pesel() -> str:
    return pesel_where(
        lambda p: (
            simulator.person_status(p, today=SIM_TODAY)
            .get("status", {})
            .get("code", "not_registered")
            != "not_registered"
        )
    )


def faulty_pesel(fault: str) -> str:
    code = next(k for k, v in simulator.PESEL_FAULTS.items() if v == fault)
    return make_pesel(dt.date(1980, 5, 17), int(code), female=True)


def scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("zgoda.pdf", b"%PDF-1.4 zgoda", content_type="application/pdf")


def share(client: Client, owner_user: User, partner: Institution, scopes: list[str]) -> None:
    consent = consent_record(
        client=client,
        acting_user=owner_user,
        partner=partner,
        basis=LegalBasis.CONSENT,
        scopes=scopes,
        given_on=timezone.localdate(),
        scan=scan(),
    )
    client_share(client=client, partner=partner, consent=consent, acting_user=owner_user)


@pytest.fixture
def pup_advisor(partner: Institution) -> User:
    return member(partner, Role.CLIENT_ADVISOR, username="doradca")


@pytest.fixture
def partners_client(own: Institution, partner: Institution, pup_advisor: User) -> Client:
    """A PUP client shared with `own` (MOPS) under an agreement covering client records and SEPI."""
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.SEPI])
    client = ClientFactory(owner=partner, created_by=pup_advisor, pesel=registered_pesel())
    share(client, pup_advisor, own, [Scope.CLIENT_RECORDS, Scope.SEPI])
    return client


@pytest.fixture(autouse=True)
def sepi_office(db, own: Institution, partner: Institution) -> object:  # type: ignore[no-untyped-def]
    """The MOPS's agreement in force with the PUP covering SEPI: without one, nobody
    at the MOPS may ask SEPI (issue 15, gate 1)."""
    return agreement_between(own, partner, [Scope.SEPI])


@pytest.fixture
def own_client(own: Institution, owner: User) -> Client:
    return ClientFactory(owner=own, created_by=owner, pesel=registered_pesel())
