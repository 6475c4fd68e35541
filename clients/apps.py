from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cooperation.roles import CASEWORK_ORGANISERS, CASEWORK_ROLES


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Shared client records")

    def ready(self) -> None:
        from agreements.models import Scope
        from agreements.scope import on_scope_lost
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav

        from .models import (
            AccessRequest,
            CaseNote,
            Client,
            ClientDocument,
            ClientShare,
            Consent,
        )
        from .panels import ClientPanel, register_client_panel
        from .retention import CLIENT_RULES, register_retention_rule
        from .selectors import access_panel, home_access_requests, home_my_recent_clients
        from .services import client_shares_revoke_between
        from .timeline import register_timeline_source
        from .timeline_sources import client_record_entries

        on_scope_lost(Scope.CLIENT_RECORDS, client_shares_revoke_between)

        # The audit log names the client to readers who may see them.
        from cooperation.audit import register_audit_person

        register_audit_person(Client)
        for model in (CaseNote, ClientDocument, Consent, ClientShare, AccessRequest):
            register_audit_person(model, path="client")
        for rule in CLIENT_RULES:
            register_retention_rule(rule)
        register_timeline_source(client_record_entries)
        register_client_panel(
            ClientPanel(
                key="access", template="clients/_access_panel.html", context=access_panel, order=90
            )
        )
        register_nav(
            NavItem(
                _("Clients"),
                "clients:list",
                CASEWORK_ROLES,
                order=10,
                permission=("clients.Client", "list"),
            )
        )
        register_home_section(
            HomeSection(
                key="access_requests",
                title=_("Partners asking you to share a client"),
                template="clients/home/access_requests.html",
                items=home_access_requests,
                roles=CASEWORK_ROLES,
                order=5,
                empty=_("No requests are waiting."),
            )
        )
        register_home_section(
            HomeSection(
                key="my_recent_clients",
                title=_("Clients you registered recently"),
                template="clients/home/recent_clients.html",
                items=home_my_recent_clients,
                roles=CASEWORK_ORGANISERS,
                order=10,
                empty=_("You have not registered any clients yet."),
                more_url_name="clients:list",
            )
        )
