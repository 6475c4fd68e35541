from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cooperation.roles import CASEWORK_ORGANISERS


class SepiConfig(AppConfig):
    name = "sepi"
    verbose_name = _("SEPI labour-market status")

    def ready(self) -> None:
        from clients.panels import ClientPanel, register_client_panel
        from clients.services import register_anonymiser
        from clients.timeline import register_timeline_source
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav

        from .selectors import home_my_lookups, lookup_timeline, panel_context

        register_client_panel(
            ClientPanel(
                key="sepi", template="sepi/client_panel.html", context=panel_context, order=20
            )
        )
        register_timeline_source(lookup_timeline)
        register_nav(
            NavItem(_("SEPI"), "sepi:list", order=70, more=True, permission=("sepi.Lookup", "list"))
        )
        register_home_section(
            HomeSection(
                key="sepi_lookups",
                title=_("Your recent SEPI lookups"),
                template="sepi/home/lookups.html",
                items=home_my_lookups,
                roles=CASEWORK_ORGANISERS,
                order=40,
                empty=_("You have not asked SEPI about anyone recently."),
            )
        )

        from .services import lookups_erase_for_client

        register_anonymiser(lookups_erase_for_client)

        from clients.retention import register_retention_rule

        from .retention import SEPI_ANSWERS

        register_retention_rule(SEPI_ANSWERS)
