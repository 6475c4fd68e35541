"""What SEPI adds to the rest of the app (see cooperation/hooks.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clients.panels import ClientPanel
from cooperation import hooks
from cooperation.navigation import HomeSection, NavItem
from cooperation.roles import CASEWORK_ORGANISERS

from .retention import SEPI_ANSWERS
from .selectors import home_my_lookups, lookup_timeline, panel_context
from .services import lookups_erase_for_client

hooks.register(
    "client_panels",
    ClientPanel(key="sepi", template="sepi/client_panel.html", context=panel_context, order=20),
)
hooks.register("client_timeline", lookup_timeline)
hooks.register(
    "nav_items",
    NavItem(_("SEPI"), "sepi:list", order=70, more=True, permission=("sepi.Lookup", "list")),
)
hooks.register(
    "home_sections",
    HomeSection(
        key="sepi_lookups",
        title=_("Your recent SEPI lookups"),
        template="sepi/home/lookups.html",
        items=home_my_lookups,
        roles=CASEWORK_ORGANISERS,
        order=40,
        empty=_("You have not asked SEPI about anyone recently."),
    ),
)
hooks.register("client_anonymised", lookups_erase_for_client)
hooks.register("retention_rules", SEPI_ANSWERS)
