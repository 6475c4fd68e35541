"""The simulator: repeatable data from the PESEL, a consistent timeline, fault
switches, and the management command serving over a real socket."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from sepi import schema, simulator

from .conftest import SIM_TODAY, pesel_where

ROOT = Path(__file__).resolve().parents[2]


def test_the_same_pesel_gives_the_same_answer() -> None:
    pesel = pesel_where(simulator.is_known)
    assert simulator.person_status(pesel, today=SIM_TODAY) == simulator.person_status(
        pesel, today=SIM_TODAY
    )


def test_people_are_registered_deregistered_or_unknown() -> None:
    seen: Counter[str] = Counter()
    for n in range(300):
        pesel = pesel_where(lambda _p: True, start=n)
        result = schema.parse(simulator.person_status(pesel, today=SIM_TODAY))
        if not result.found:
            seen["unknown"] += 1
        elif result.registered:
            seen[str(result.status)] += 1
        elif result.registrations:
            seen["deregistered"] += 1
    assert {"unknown", "deregistered", "unemployed", "long_term_unemployed", "job_seeker"} <= set(
        seen
    )
    assert 0.05 < seen["unknown"] / 300 < 0.3


def test_the_past_does_not_change_as_days_pass() -> None:
    pesel = pesel_where(
        lambda p: (
            len(
                simulator.status_changes_on(
                    p, between=(SIM_TODAY - dt.timedelta(days=400), SIM_TODAY)
                )
            )
            >= 2
        )
    )
    early = simulator.person_status(pesel, today=SIM_TODAY - dt.timedelta(days=400))
    late = simulator.person_status(pesel, today=SIM_TODAY)
    horizon = SIM_TODAY.replace(year=SIM_TODAY.year - simulator.HISTORY_YEARS).isoformat()
    closed = [r for r in early["registrations"] if r["to"] and r["from"] >= horizon]
    assert closed and all(r in late["registrations"] for r in closed)


def test_a_deregistration_shows_from_its_day_on() -> None:
    def deregisters(pesel: str) -> bool:
        return any(
            r["to"]
            and SIM_TODAY - dt.timedelta(days=300) < dt.date.fromisoformat(r["to"]) < SIM_TODAY
            for r in simulator.person_status(pesel, today=SIM_TODAY).get("registrations", [])
        )

    pesel = pesel_where(deregisters)
    period = next(
        r
        for r in simulator.person_status(pesel, today=SIM_TODAY)["registrations"]
        if r["to"] and dt.date.fromisoformat(r["to"]) > SIM_TODAY - dt.timedelta(days=300)
    )
    day = dt.date.fromisoformat(period["to"])
    before = simulator.person_status(pesel, today=day - dt.timedelta(days=1))
    on = simulator.person_status(pesel, today=day)
    assert before["status"]["code"] != "not_registered"
    assert before["registrations"][-1]["to"] is None  # the end was not known before it came
    assert on["status"] == {"code": "not_registered", "since": day.isoformat()}
    assert on["registrations"][-1]["deregistration_reason"] is not None


def test_nothing_after_today_is_revealed() -> None:
    for n in range(100):
        data = simulator.person_status(pesel_where(simulator.is_known, start=n), today=SIM_TODAY)
        dates = [
            v
            for key in ("registrations", "benefits", "activations", "health_insurance")
            for item in data[key]
            for v in (item["from"], item["to"])
            if v
        ]
        assert all(dt.date.fromisoformat(d) <= SIM_TODAY for d in dates)


def test_help_profiles_are_only_history() -> None:
    for n in range(200):
        data = simulator.person_status(pesel_where(simulator.is_known, start=n), today=SIM_TODAY)
        if data["help_profile"]:
            assert dt.date.fromisoformat(data["help_profile"]["assigned_on"]) < dt.date(2019, 6, 1)


def test_faults_by_pesel_serial() -> None:
    from .conftest import faulty_pesel

    for fault in simulator.FAULTS:
        assert simulator.pesel_fault(faulty_pesel(fault)) == fault
    assert simulator.pesel_fault(pesel_where(lambda _p: True)) is None


def test_the_control_endpoint_switches_faults_for_a_count(sim) -> None:
    state = simulator.control(sim.url, fault="error", count=2, latency_ms=10)
    assert (state["fault"], state["count"], state["latency_ms"]) == ("error", 2, 10)
    assert sim.state.take_fault() == "error"
    assert sim.state.take_fault() == "error"
    assert sim.state.take_fault() is None
    assert simulator.control(sim.url, reset=True)["latency_ms"] == 0
    with pytest.raises(urllib.error.HTTPError):
        simulator.control(sim.url, fault="earthquake")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_management_command_serves_the_contract() -> None:
    port = _free_port()
    env = {**os.environ, "DJANGO_ALLOW_ASYNC_UNSAFE": ""}
    proc = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "sepi_simulator",
            "--port",
            str(port),
            "--today",
            "2026-10-05",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        simulator.wait_until_up(url, timeout=20)
        pesel = pesel_where(simulator.is_known)
        request = urllib.request.Request(  # noqa: S310 - localhost
            f"{url}{simulator.STATUS_PATH}",
            data=json.dumps({"pesel": pesel, "purpose": "benefit_eligibility"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            data = json.loads(response.read())
        assert data == simulator.person_status(
            pesel, today=dt.date(2026, 10, 5), at=dt.datetime.fromisoformat(data["as_of"])
        )
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0].decode()
    assert f"SEPI simulator at {url}" in output
