"""What messages, information requests and announcements add to the rest of the app
(see cooperation/hooks.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from clients.panels import ClientPanel, ClientTab
from cooperation import hooks, processing
from cooperation.audit import AuditPerson
from cooperation.http import MemberRequest
from cooperation.navigation import HomeSection, NavItem
from cooperation.roles import CASEWORK_ROLES

from .forms import MessageForm
from .models import InformationRequest, Message
from .selectors import (
    home_requests,
    may_ask,
    may_write,
    requests_about,
    thread_of,
)
from .services import messaging_anonymise, requests_on_share_ended

if TYPE_CHECKING:
    from clients.models import Client


def home_announcements_lazy(request: MemberRequest) -> list[str]:
    return ["lazy"]  # one placeholder: the template asks for the list itself


def thread_panel(request: MemberRequest, client: Client) -> dict[str, Any] | None:
    """The messages tab: the thread (newest last), its form, and the information
    requests about the client between the user's institution and another. A constant
    number of queries, on its own tab, so the record tab's budget does not change."""
    if not may_write(request.user, client):
        return None
    everything = request.GET.get("all") == "1"
    return {
        **thread_of(request.user, client, everything=everything),
        "form": getattr(request, "message_form", None) or MessageForm(),
        "requests": requests_about(request.user, client),
        "may_ask": may_ask(request.user, client),
    }


for model in (Message, InformationRequest):
    hooks.register("audit_persons", AuditPerson(model, path="client"))
hooks.register("client_anonymised", messaging_anonymise)
# The thread needs nothing when a share ends (it follows the client's visibility);
# open requests with the partner are withdrawn.
hooks.register("client_share_ended", requests_on_share_ended)
hooks.register("client_tabs", ClientTab("messages", _("Messages"), order=35))
hooks.register(
    "client_panels",
    ClientPanel(
        key="messages",
        template="messaging/_thread_panel.html",
        context=thread_panel,
        tab="messages",
    ),
)
hooks.register(
    "nav_items",
    NavItem(_("Information requests"), "messaging:requests", CASEWORK_ROLES, order=85, more=True),
)
hooks.register(
    "nav_items", NavItem(_("Announcements"), "messaging:announcements", order=86, more=True)
)
hooks.register(
    "home_sections",
    HomeSection(
        key="messaging_requests",
        title=_("Information requests"),
        template="messaging/home/requests.html",
        items=home_requests,
        roles=CASEWORK_ROLES,
        order=7,
        empty=_("No request is waiting for your answer or overdue."),
        more_url_name="messaging:requests",
        lazy=True,  # more than one indexed lookup: loaded after the first paint
    ),
)
hooks.register(
    "home_sections",
    HomeSection(
        key="messaging_announcements",
        title=_("Announcements from partners"),
        template="messaging/home/announcements.html",
        # Loaded by htmx after the page (home_announcements_lazy), so the home page's
        # query budget does not grow; without script, the list page is a link away.
        items=home_announcements_lazy,
        order=3,
        more_url_name="messaging:announcements",
    ),
)


@hooks.register("processing_declarations", order=45)
def messages_declaration() -> processing.Declaration:
    """Messages about a shared client and information requests are personal data about
    the client: they reach exactly the partners the record is shared with (the
    client-records scope, hence its key and recipients), and are erased with the record."""
    from clients.models import LegalBasis

    return processing.Declaration(
        "client_records",
        _("Messages and information requests about a shared client"),
        (processing.CLIENTS, processing.STAFF),
        (processing.IDENTITY, processing.SITUATION, processing.STAFF_DATA),
        tuple(choice.label for choice in LegalBasis),
        processing.client_retention(),
        _("the partners the client's record is shared with, under an agreement in force"),
    )
