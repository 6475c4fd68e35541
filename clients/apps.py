from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Shared client records")

    def ready(self) -> None:
        from agreements.models import Scope
        from agreements.scope import on_scope_lost
        from cooperation.models import Role
        from cooperation.navigation import HomeSection, NavItem, register_home_section, register_nav
        from cooperation.permissions import CHANGE, VIEW, Policy, register

        from .models import Client, ClientGroupObjectPermission
        from .selectors import home_my_recent_clients
        from .services import client_shares_revoke_between

        casework = frozenset({Role.SOCIAL_WORKER, Role.CLIENT_ADVISOR, Role.COORDINATOR})
        register(
            Policy(
                Client,
                owner="owner",
                group_permission_model=ClientGroupObjectPermission,
                roles={VIEW: casework, CHANGE: casework},
                shared_actions=frozenset({VIEW, CHANGE}),
            )
        )
        on_scope_lost(Scope.CLIENT_RECORDS, client_shares_revoke_between)
        register_nav(NavItem(_("Clients"), "clients:list", casework, order=10))
        register_home_section(
            HomeSection(
                key="my_recent_clients",
                title=_("Clients you registered recently"),
                template="clients/home/recent_clients.html",
                items=home_my_recent_clients,
                roles=frozenset({Role.SOCIAL_WORKER, Role.CLIENT_ADVISOR}),
                order=10,
                empty=_("You have not registered any clients yet."),
                more_url_name="clients:list",
            )
        )
