from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Shared client records")

    def ready(self) -> None:
        from cooperation.permissions import CHANGE, VIEW, Policy, register

        from .models import (
            AccessRequest,
            CaseNote,
            Client,
            ClientDocument,
            ClientGroupObjectPermission,
            ClientShare,
            Consent,
        )
        from .services import CASEWORK_ROLES

        casework = CASEWORK_ROLES
        register(
            Policy(
                Client,
                owner="owner",
                group_permission_model=ClientGroupObjectPermission,
                roles={VIEW: casework, CHANGE: casework},
                shared_actions=frozenset({VIEW, CHANGE}),
            )
        )
        # Children of a client follow its visibility; no permission row per child.
        register(
            Policy(CaseNote, owner=None, parent="client", roles={VIEW: casework, CHANGE: casework})
        )
        register(
            Policy(
                ClientDocument,
                owner=None,
                parent="client",
                roles={VIEW: casework, CHANGE: casework},
            )
        )
        # Consents, shares and access requests are the owner's business alone.
        for model in (Consent, ClientShare, AccessRequest):
            register(Policy(model, owner="client__owner", roles={VIEW: casework, CHANGE: casework}))
