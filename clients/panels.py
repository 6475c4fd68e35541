"""Boxes other apps add to the client's record page (SEPI status, matching offers,
referrals...), so the client page never needs to know which apps exist.

    register_client_panel(ClientPanel(key="sepi", template="sepi/client_panel.html",
                                      context=sepi_panel_context, order=20))

`context(request, client)` returns the template context, or None to hide the
panel for this user (e.g. no agreement scope). Keep it to a constant number
of queries; the client is already permission-checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Client


@dataclass(frozen=True)
class ClientPanel:
    key: str
    template: str
    context: Callable[[HttpRequest, Client], dict[str, Any] | None]
    order: int = 100


_panels: dict[str, ClientPanel] = {}


def register_client_panel(panel: ClientPanel) -> None:
    _panels[panel.key] = panel


def panels_for(request: HttpRequest, client: Client) -> list[tuple[ClientPanel, dict[str, Any]]]:
    rendered = []
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        context = panel.context(request, client)
        if context is not None:
            rendered.append((panel, context))
    return rendered
