"""The top menu stays on one row on the common laptop widths (it wrapped onto
two rows at 1024 px)."""

from __future__ import annotations

import pytest

from cooperation.models import Role

from ..browser import log_in, screenshot
from ..factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1024, 1280, 1366])
def test_the_menu_is_one_row_wide(page, live_server, own, width) -> None:
    member(own, Role.COORDINATOR, username="koordynator")
    page.set_viewport_size({"width": width, "height": 768})
    log_in(page, live_server, "koordynator")
    tops = page.eval_on_selector_all(
        ".mainnav__list > li", "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert len(tops) > 5 and len(set(tops)) == 1, tops
    screenshot(page, f"menu-{width}")


def test_the_page_links_a_favicon_the_browser_can_load(page, live_server, own) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    href = page.eval_on_selector("link[rel=icon]", "e => e.href")
    assert page.request.get(href).status == 200
    assert page.request.get(f"{live_server.url}/favicon.ico").status == 200
