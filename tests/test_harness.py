"""The suite's own machinery, run in a child pytest: `--now` / `TEST_NOW` move the
clock for the whole run (in xdist workers too), and a missing Chromium skips the
browser tests with one loud line at the end, except with `CI=true`, where it fails."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[1]
PROBE = "TEST_HARNESS_PROBE"


def _pytest(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"CI", "TEST_NOW", "CHROMIUM_PATH"}}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.skipif(PROBE not in os.environ, reason="run by the tests below, in a child pytest")
def test_probe_the_clock() -> None:
    expected = dt.datetime.fromisoformat(os.environ[PROBE]).replace(
        tzinfo=timezone.get_default_timezone()
    )
    assert dt.timedelta(0) <= timezone.now() - expected < dt.timedelta(minutes=20)
    assert timezone.localdate() == expected.date()


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--now=2028-02-29T23:30", "-n", "1"], {}),
        ([], {"TEST_NOW": "2028-02-29T23:30"}),
    ],
    ids=["option-in-an-xdist-worker", "env"],
)
def test_the_whole_run_can_be_moved_to_another_day(args: list[str], env: dict[str, str]) -> None:
    run = _pytest(
        *args,
        f"{__file__}::test_probe_the_clock",
        env={**env, PROBE: "2028-02-29T23:30"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


BROWSER_MODULE = "tests/agreements/test_browser.py"


def test_without_chromium_the_browser_tests_are_skipped_with_one_loud_line() -> None:
    run = _pytest("-n", "2", BROWSER_MODULE, env={"CHROMIUM_PATH": "/nonexistent/chromium"})
    assert run.returncode == 0, run.stdout + run.stderr
    loud = [line for line in run.stdout.splitlines() if "browser tests SKIPPED" in line]
    assert len(loud) == 1, run.stdout
    count = re.search(
        r"(\d+) browser tests SKIPPED: Chromium not found at /nonexistent/chromium", loud[0]
    )
    assert count and f"{count[1]} skipped" in run.stdout.splitlines()[-1], run.stdout
    assert "apt-get install chromium" in loud[0] and "CHROMIUM_PATH" in loud[0]


def test_on_ci_a_missing_chromium_fails_the_browser_tests() -> None:
    run = _pytest(BROWSER_MODULE, env={"CHROMIUM_PATH": "/nonexistent/chromium", "CI": "true"})
    assert run.returncode == 1, run.stdout + run.stderr
    assert "CI=true: a missing browser is a failure" in run.stdout
    assert "browser tests SKIPPED" not in run.stdout
    assert re.search(r"\d+ errors? in", run.stdout) and "passed" not in run.stdout


def test_the_client_factory_holds_for_a_worker_that_builds_thousands_of_clients() -> None:
    """CI once ran a worker past its 1,300th client: a birth year of 2303 broke the PESEL."""
    from cooperation.validators import validate_pesel
    from tests.factories import ClientFactory

    seen: set[str] = set()
    try:
        for n in (0, 164, 165, 1293, 4999, 15_999):
            ClientFactory.reset_sequence(n)
            client = ClientFactory.build()
            validate_pesel(client.pesel)
            assert dt.date(1960, 1, 1) <= client.birth_date <= dt.date(2004, 1, 1)
            seen.add(client.pesel)
    finally:
        ClientFactory.reset_sequence(0)
    assert len(seen) == 6
