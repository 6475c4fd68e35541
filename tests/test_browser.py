"""End to end in headless Chromium: log in, see the home page, log out; and
the main pages pass axe-core's WCAG 2.1 AA rules."""

from __future__ import annotations

import pytest

from cooperation.models import Role

from .browser import axe_violations, describe, log_in, screenshot
from .factories import ClientFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_logs_in_sees_their_home_page_and_logs_out(page, live_server, own) -> None:
    worker = member(own, Role.SOCIAL_WORKER, username="pracownik", first_name="Anna")
    ClientFactory(owner=own, created_by=worker, last_name="Wiśniewska")
    log_in(page, live_server, "pracownik")
    assert page.get_by_role("heading", name="Dzień dobry, Anna").is_visible()
    assert page.get_by_text("MOPS Testowo").first.is_visible()
    assert page.get_by_text("Wiśniewska").is_visible()
    screenshot(page, "home-social-worker")
    page.get_by_role("button", name="Wyloguj się").click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("heading", name="Zaloguj się").is_visible()


def test_a_wrong_password_is_announced_and_the_login_kept(page, live_server, own) -> None:
    member(own, Role.SOCIAL_WORKER, username="pracownik")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nazwa użytkownika lub e-mail").fill("pracownik")
    page.get_by_label("Hasło").fill("zle-haslo")
    page.get_by_role("button", name="Zaloguj się").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Nazwa użytkownika lub e-mail").input_value() == "pracownik"


def test_the_keyboard_reaches_the_skip_link_first(page, live_server, own) -> None:
    member(own, Role.SOCIAL_WORKER, username="pracownik")
    log_in(page, live_server, "pracownik")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Przejdź do treści głównej"


@pytest.mark.parametrize(
    ("role", "path", "shot"),
    [
        (None, "/accounts/login/", "login"),
        (Role.SOCIAL_WORKER, "/", None),
        (Role.COORDINATOR, "/", "home-coordinator"),
        (Role.COORDINATOR, "/people/", "people"),
        (Role.COORDINATOR, "/people/invite/", None),
        (Role.COORDINATOR, "/audit/", "audit"),
        (Role.SOCIAL_WORKER, "/clients/", "clients"),
        (Role.COORDINATOR, "/institution/", None),
    ],
)
def test_pages_pass_axe_wcag_21_aa(page, live_server, own, role, path, shot) -> None:
    if role is not None:
        user = member(own, role, username="osoba", first_name="Bożena")
        ClientFactory(owner=own, created_by=user)
        log_in(page, live_server, "osoba")
    page.goto(f"{live_server.url}{path}")
    if shot:
        screenshot(page, shot)
    violations = axe_violations(page)
    assert not violations, describe(violations)
