"""Shared pieces for browser tests: Debian's Chromium driven by Playwright,
and axe-core (from npm) injected to check WCAG 2.1 AA."""

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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    # bypass_csp only so axe-core can be injected; the app's own pages run under the CSP.
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="pl-PL", bypass_csp=True
    )
    # Generous: the first page of a live server on a loaded CI machine can take seconds.
    context.set_default_timeout(20000)
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Run axe-core with the WCAG 2.1 A/AA rules; return the violations."""
    if not AXE.exists():
        pytest.fail("axe-core missing: run `npm install` (make test does it)")
    page.add_script_tag(path=str(AXE))
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]
    ]


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, indent=1, ensure_ascii=False)


def log_in(page, live_server, username: str, password: str | None = None) -> None:  # type: ignore[no-untyped-def]
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


def log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Wyloguj się").click()
    page.wait_for_url("**/accounts/login/")
