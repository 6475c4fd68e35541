"""A SEPI lookup through a real Celery worker process on the Redis broker (not
eager), against the simulator on a real port: the request returns while SEPI
is still being asked, and the worker stores the answer — or the reason.

Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL); .ci/run's second pass
has them and sets REQUIRE_SERVICES=1, so there it fails instead of skipping."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sepi import simulator
from sepi.models import FailureReason, Lookup, LookupStatus, Purpose
from sepi.services import lookup_request
from sepi.simulator import SimulatorServer

from ..celery_worker import real_worker, require_services, worker_log
from ..factories import ClientFactory
from .conftest import SIM_TODAY, faulty_pesel, registered_pesel

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sim_and_worker(tmp_path: Path) -> Iterator[tuple[SimulatorServer, Path]]:
    require_services()  # before starting anything
    server = simulator.start(host="127.0.0.1", port=0)
    simulator.wait_until_up(server.url)
    server.state.configure({"today": SIM_TODAY.isoformat(), "latency_ms": 1500})
    env = {
        "SEPI_BACKEND": "http",
        "SEPI_BASE_URL": server.url,
        "SEPI_READ_TIMEOUT": "5",
        "SEPI_RETRIES": "1",
        "SEPI_BACKOFF": "0.05",
    }
    try:
        with real_worker(tmp_path, env=env) as path:
            yield server, path
    finally:
        simulator.stop(server)


def _wait_until_finished(lookup: Lookup, log_dir: Path) -> Lookup:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lookup.refresh_from_db()
        if lookup.status in (LookupStatus.DONE, LookupStatus.FAILED):
            return lookup
        time.sleep(0.2)
    raise AssertionError(f"the worker did not finish lookup {lookup.pk}:\n{worker_log(log_dir)}")


def test_a_real_worker_asks_sepi_while_the_page_goes_on(sim_and_worker, own, owner) -> None:
    server, log_dir = sim_and_worker
    good = ClientFactory(owner=own, created_by=owner, pesel=registered_pesel())
    broken = ClientFactory(owner=own, created_by=owner, pesel=faulty_pesel("malformed"))

    started = time.monotonic()
    lookup = lookup_request(client=good, acting_user=owner, purpose=Purpose.BENEFIT_ELIGIBILITY)
    failing = lookup_request(client=broken, acting_user=owner, purpose=Purpose.SOCIAL_CONTRACT)
    assert time.monotonic() - started < 1.5  # the simulator takes 1.5 s: nobody waited for it
    lookup.refresh_from_db()
    assert lookup.status in (LookupStatus.QUEUED, LookupStatus.RUNNING)

    lookup = _wait_until_finished(lookup, log_dir)
    assert lookup.status == LookupStatus.DONE, worker_log(log_dir)
    expected = simulator.person_status(good.pesel, today=SIM_TODAY)
    assert lookup.result["status"] == expected["status"]
    assert lookup.result["registrations"] == expected["registrations"]
    failing = _wait_until_finished(failing, log_dir)
    assert (failing.status, failing.failure_reason) == (
        LookupStatus.FAILED,
        FailureReason.MALFORMED,
    )
    sent = {r["request_id"]: r for r in server.state.requests}
    assert sent[lookup.request_key]["requested_by"] == "mops-test/owner"
    assert sent[failing.request_key]["purpose"] == Purpose.SOCIAL_CONTRACT
    assert "sepi.tasks.sepi_lookup" in worker_log(log_dir)
