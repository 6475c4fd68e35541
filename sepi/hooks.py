"""What SEPI adds to the rest of the app (see cooperation/hooks.py)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clients.panels import ClientPanel
from cooperation import hooks, processing
from cooperation.navigation import HomeSection, NavItem
from cooperation.roles import CASEWORK_ORGANISERS

from .retention import SEPI_ANSWERS
from .selectors import home_my_lookups, lookup_timeline, panel_context, panel_shown
from .services import lookups_erase_for_client

hooks.register(
    "client_panels",
    ClientPanel(
        key="sepi",
        template="sepi/client_panel.html",
        context=panel_context,
        order=20,
        lazy=True,
        shown=panel_shown,
        label=_("Labour-market status (SEPI)"),
    ),
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
        lazy=True,
    ),
)
hooks.register("client_anonymised", lookups_erase_for_client)
hooks.register("retention_rules", SEPI_ANSWERS)


@hooks.register("processing_declarations", order=30)
def sepi_declaration() -> processing.Declaration:
    from .models import Purpose

    months = settings.RETENTION["sepi_answers_months"]
    return processing.Declaration(
        "sepi",
        _("SEPI lookups of a client's labour-market status"),
        (processing.CLIENTS,),
        (processing.IDENTITY, processing.LABOUR),
        tuple(choice.label for choice in Purpose),
        _("answers: %(period)s") % {"period": processing.months_text(months)},
        _("the labour office answering through SEPI"),
    )
