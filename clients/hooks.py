"""What the client record adds to the rest of the app (see cooperation/hooks.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agreements.models import Scope
from agreements.scope import scope_lost_hook
from cooperation import hooks, processing
from cooperation.audit import AuditPerson
from cooperation.navigation import HomeSection, NavItem
from cooperation.roles import CASEWORK_ORGANISERS, CASEWORK_ROLES

from .models import AccessRequest, CaseNote, Client, ClientDocument, ClientShare, Consent
from .panels import ClientPanel
from .retention import CLIENT_RULES
from .selectors import (
    access_log_allowed,
    access_panel,
    home_access_requests,
    home_my_recent_clients,
)
from .services import client_shares_revoke_between
from .timeline_sources import client_record_entries

hooks.register(scope_lost_hook(Scope.CLIENT_RECORDS), client_shares_revoke_between)

# The audit log names the client to readers who may see them.
hooks.register("audit_persons", AuditPerson(Client))
for model in (CaseNote, ClientDocument, Consent, ClientShare, AccessRequest):
    hooks.register("audit_persons", AuditPerson(model, path="client"))

for rule in CLIENT_RULES:
    hooks.register("retention_rules", rule)
hooks.register("client_timeline", client_record_entries)
hooks.register(
    "client_panels",
    ClientPanel(
        key="access",
        template="clients/_access_panel.html",
        context=access_panel,
        order=90,
        lazy=True,
        shown=access_log_allowed,
        label=_("Who saw this client"),
    ),
)
hooks.register(
    "nav_items",
    NavItem(
        _("Clients"),
        "clients:list",
        CASEWORK_ROLES,
        order=10,
        permission=("clients.Client", "list"),
    ),
)
hooks.register(
    "home_sections",
    HomeSection(
        key="access_requests",
        title=_("Partners asking you to share a client"),
        template="clients/home/access_requests.html",
        items=home_access_requests,
        roles=CASEWORK_ROLES,
        order=5,
        empty=_("No requests are waiting."),
    ),
)
hooks.register(
    "home_sections",
    HomeSection(
        key="my_recent_clients",
        title=_("Clients you registered recently"),
        template="clients/home/recent_clients.html",
        items=home_my_recent_clients,
        roles=CASEWORK_ORGANISERS,
        order=10,
        empty=_("You have not registered any clients yet."),
        more_url_name="clients:list",
    ),
)


@hooks.register("processing_declarations", order=10)
def client_records_declaration() -> processing.Declaration:
    from .models import LegalBasis

    return processing.Declaration(
        "client_records",
        _("Shared client records"),
        (processing.CLIENTS,),
        (processing.IDENTITY, processing.CONTACT, processing.SITUATION),
        tuple(choice.label for choice in LegalBasis),
        processing.client_retention(),
        _("partners under an agreement in force covering shared records, with consent"),
    )
