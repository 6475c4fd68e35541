"""Boxes other apps add to the client's record page (SEPI status, matching offers,
referrals...), and tabs they add to it (the plan), so the client page never
needs to know which apps exist. In the app's `hooks.py`:

    hooks.register("client_panels", ClientPanel(key="sepi", template="sepi/client_panel.html",
                                                context=sepi_panel_context, order=20))
    hooks.register("client_tabs", ClientTab(key="plan", label=_("Plan"), order=20))

`context(request, client)` returns the template context, or None to hide the
panel for this user (e.g. no agreement scope). Keep it to a constant number
of queries; the client is already permission-checked. A panel shows on the
tab named by its `tab` ("record" unless said).

`lazy=True`: the page shows a placeholder and htmx loads the panel from
`/clients/<id>/panel/<key>/` (`clients:panel`), which looks the client up
through the policy as the page does (404 to outsiders), so the panel's queries
are not paid by the page's first paint. A lazy panel's `shown(request, client)`
(no query: role, institution kind, owner) says whether to put the placeholder on
the page at all; a `context` returning None then removes the placeholder. `label`
names the panel in the placeholder's link (what a browser without JavaScript
follows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cooperation import hooks
from cooperation.http import MemberRequest

if TYPE_CHECKING:
    from .models import Client


@dataclass(frozen=True)
class ClientPanel:
    key: str
    template: str
    context: Callable[[MemberRequest, Client], dict[str, Any] | None]
    order: int = 100
    tab: str = "record"
    lazy: bool = False
    shown: Callable[[MemberRequest, Client], bool] | None = None
    label: str | Promise = ""


@dataclass(frozen=True)
class ClientTab:
    key: str  # the `?tab=` value
    label: str | Promise
    order: int = 100
    owner_only: bool = False  # shown only to the institution that registered the client


# The client app's own tabs; the record is first, the rest fall in by order.
OWN_TABS = (
    ClientTab("record", _("Record"), order=0),
    ClientTab("timeline", _("Timeline"), order=30),
    ClientTab("notes", _("Notes"), order=40),
    ClientTab("documents", _("Documents"), order=50),
    ClientTab("sharing", _("Sharing"), order=60, owner_only=True),
)


def tabs(*, is_owner: bool) -> list[ClientTab]:
    """The tabs of the client page, in order, for its owner or for a partner."""
    found = {tab.key: tab for tab in (*OWN_TABS, *hooks.get_hooks("client_tabs"))}
    shown = (tab for tab in found.values() if is_owner or not tab.owner_only)
    return sorted(shown, key=lambda tab: tab.order)


@dataclass(frozen=True)
class RenderedPanel:
    panel: ClientPanel
    context: dict[str, Any] | None  # None while a lazy panel waits for htmx

    @property
    def pending(self) -> bool:
        return self.context is None


def _registered() -> dict[str, ClientPanel]:
    return {panel.key: panel for panel in hooks.get_hooks("client_panels")}


def panels_for(
    request: MemberRequest, client: Client, *, tab: str = "record"
) -> list[RenderedPanel]:
    """The panels of one tab, in order: eager ones rendered, lazy ones pending."""
    rendered = []
    for panel in sorted(_registered().values(), key=lambda p: p.order):
        if panel.tab != tab:
            continue
        if panel.lazy:
            if panel.shown is None or panel.shown(request, client):
                rendered.append(RenderedPanel(panel, None))
            continue
        context = panel.context(request, client)
        if context is not None:
            rendered.append(RenderedPanel(panel, context))
    return rendered


def panel_named(key: str) -> ClientPanel | None:
    return _registered().get(key)
