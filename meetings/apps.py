from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Joint meetings and trainings")

    def ready(self) -> None:
        from clients.panels import ClientPanel, register_client_panel
        from clients.services import register_anonymiser
        from clients.timeline import register_timeline_source
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav

        from .selectors import client_panel, home_open_action_items, home_upcoming
        from .services import case_conferences_anonymise
        from .timeline_sources import case_conference_entries

        register_timeline_source(case_conference_entries)
        register_client_panel(
            ClientPanel(
                key="case_conferences",
                template="meetings/client_panel.html",
                context=client_panel,
                order=50,
            )
        )
        register_anonymiser(case_conferences_anonymise)
        register_nav(NavItem(_("Meetings"), "meetings:calendar", order=40))
        register_home_section(
            HomeSection(
                key="meetings_action_items",
                title=_("Your open action items"),
                template="meetings/home/action_items.html",
                items=home_open_action_items,
                order=15,
                empty=_("No open action items. Well done."),
                more_url_name="meetings:action_items",
            )
        )
        register_home_section(
            HomeSection(
                key="meetings_upcoming",
                title=_("Your meetings in the next two weeks"),
                template="meetings/home/upcoming.html",
                items=home_upcoming,
                order=16,
                empty=_("Nothing in the next two weeks."),
                more_url_name="meetings:agenda",
            )
        )
