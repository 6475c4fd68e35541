"""Shared pieces for browser tests: Debian's Chromium driven by Playwright,
and axe-core (from npm) injected to check WCAG 2.1 AA.

Without Chromium the browser tests are skipped, and the run ends with one loud
line saying how many and how to run them; with `CI=true` they fail instead, so
CI never passes without having run them."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


NO_CHROMIUM = f"Chromium not found at {CHROMIUM}"
HOW_TO_RUN = "install it (`apt-get install chromium`) or point CHROMIUM_PATH at a Chromium binary"
NO_AXE = "axe-core not found in node_modules"
HOW_TO_GET_AXE = "install npm and run `make test` (it runs `npm install`)"


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def chromium_missing() -> bool:
    return not Path(CHROMIUM).exists()


def pytest_collection_modifyitems(config, items) -> None:
    """Skip the browser tests when there is no Chromium (never on CI)."""
    if not chromium_missing() or on_ci():
        return
    skip = pytest.mark.skip(reason=NO_CHROMIUM)
    for item in items:
        if item.get_closest_marker("browser") or "page" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """One loud line at the end of the run (on the xdist controller too, which
    receives the workers' skip reports)."""
    reasons = [str(report.longrepr) for report in terminalreporter.stats.get("skipped", [])]
    for missing, how in ((NO_CHROMIUM, HOW_TO_RUN), (NO_AXE, HOW_TO_GET_AXE)):
        count = sum(missing in reason for reason in reasons)
        if count:
            terminalreporter.write_sep(
                "!",
                f"{count} browser tests SKIPPED: {missing}; to run them, {how}",
                yellow=True,
                bold=True,
            )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if chromium_missing():
        message = f"{NO_CHROMIUM}: {HOW_TO_RUN}"
        if on_ci():
            pytest.fail(f"{message} (CI=true: a missing browser is a failure)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    # bypass_csp only so axe-core can be injected; the app's own pages run under the CSP.
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="pl-PL", bypass_csp=True
    )
    # Generous: the first page of a live server on a loaded CI machine can take seconds.
    context.set_default_timeout(20000)
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core with the WCAG 2.1 A/AA rules; return the violations."""
    if not AXE.exists():
        message = f"{NO_AXE}: {HOW_TO_GET_AXE}"
        if on_ci():
            pytest.fail(f"{message} (CI=true: a missing checker is a failure)")
        pytest.skip(message)
    page.add_script_tag(path=str(AXE))
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]
    ]


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, indent=1, ensure_ascii=False)


def wait_for_lazy_parts(page) -> None:
    """Until htmx has filled every lazy part of the page (home boxes, client panels)."""
    page.wait_for_function("() => document.querySelectorAll('[data-lazy]').length === 0")


def log_in(page, live_server, username: str, password: str | None = None) -> None:
    """Log in through the real login form, as a user would, and land on the home page."""
    from .factories import PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nazwa użytkownika lub e-mail").fill(username)
    page.get_by_label("Hasło").fill(password or PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(re.compile(r"/(accounts/2fa/authenticate/)?$"))
    if page.url.endswith("/accounts/2fa/authenticate/"):
        # Coordinators and administrators: the authenticator app's code. A code
        # works once, so a second login within 30 s uses the next period's code
        # (MFA_TOTP_TOLERANCE accepts one period either side).
        from .factories import totp_code

        for offset in (0, 1, -1):
            page.locator("input[name=code]").fill(totp_code(offset))
            page.get_by_role("button", name="Zaloguj się").click()
            page.wait_for_load_state()
            if not page.url.endswith("/accounts/2fa/authenticate/"):
                break
    page.wait_for_url(f"{live_server.url}/")


def log_out(page) -> None:
    page.get_by_role("button", name="Wyloguj się").click()
    page.wait_for_url("**/accounts/login/")
