"""What meetings add to the rest of the app (see cooperation/hooks.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clients.panels import ClientPanel
from cooperation import hooks, processing
from cooperation.navigation import HomeSection, NavItem

from .selectors import client_panel, home_open_action_items, home_upcoming
from .services import case_conferences_anonymise
from .timeline_sources import case_conference_entries

hooks.register("client_timeline", case_conference_entries)
hooks.register(
    "client_panels",
    ClientPanel(
        key="case_conferences",
        template="meetings/client_panel.html",
        context=client_panel,
        order=50,
        lazy=True,
        label=_("Case conferences"),
    ),
)
hooks.register("client_anonymised", case_conferences_anonymise)
hooks.register("nav_items", NavItem(_("Meetings"), "meetings:calendar", order=40))
hooks.register(
    "home_sections",
    HomeSection(
        key="meetings_action_items",
        title=_("Your open action items"),
        template="meetings/home/action_items.html",
        items=home_open_action_items,
        order=15,
        empty=_("No open action items. Well done."),
        more_url_name="meetings:action_items",
        lazy=True,  # more than one indexed lookup: loaded after the first paint
    ),
)
hooks.register(
    "home_sections",
    HomeSection(
        key="meetings_upcoming",
        title=_("Your meetings in the next two weeks"),
        template="meetings/home/upcoming.html",
        items=home_upcoming,
        order=16,
        empty=_("Nothing in the next two weeks."),
        more_url_name="meetings:agenda",
        lazy=True,
    ),
)


@hooks.register("processing_declarations", order=60)
def meetings_declaration() -> processing.Declaration:
    from clients.models import LegalBasis

    return processing.Declaration(
        "meetings",
        _("Joint meetings, trainings and case conferences"),
        (processing.STAFF, processing.CLIENTS),
        (processing.STAFF_DATA, processing.IDENTITY),
        (LegalBasis.STATUTORY_TASK.label,),
        _("minutes and attendance: as the institution's records schedule requires"),
        _("institutions invited to the meeting"),
    )
