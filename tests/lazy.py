"""Pages as a browser shows them once htmx has loaded their lazy parts.

A lazy home section or client panel (`lazy=True`) is a placeholder on the page;
`loaded(client, response)` fetches each placeholder's URL as htmx does (with the
HX-Request header) and puts the answer in its place, so a test can assert what
the person finally sees.
"""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = re.compile(
    r'<div class="lazy[^"]*" hx-get="(?P<url>[^"]+)"[^>]*>.*?</div>', re.DOTALL
)


def lazy_urls(body: str) -> list[str]:
    return [m.group("url") for m in PLACEHOLDER.finditer(body)]


def loaded(client: Any, response: Any) -> str:
    """The response's HTML with every lazy placeholder replaced by its fragment."""
    return fill_lazy(client, response.content.decode())


def fill_lazy(client: Any, body: str) -> str:
    """`body` with every lazy placeholder replaced by its fragment."""

    def fill(match: re.Match[str]) -> str:
        fragment = client.get(match.group("url"), headers={"HX-Request": "true"})
        assert fragment.status_code == 200, (match.group("url"), fragment.status_code)
        return fragment.content.decode()

    return PLACEHOLDER.sub(fill, body)


def get_loaded(client: Any, url: str, data: Any = None) -> str:
    """GET a page and load its lazy parts."""
    response = client.get(url, data)
    assert response.status_code == 200, (url, response.status_code)
    return loaded(client, response)
