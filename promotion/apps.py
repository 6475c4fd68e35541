from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionConfig(AppConfig):
    name = "promotion"
    verbose_name = _("Promotion of clients by the labour office")

    def ready(self) -> None:
        from clients.services import CASEWORK_ROLES
        from cooperation.models import Role
        from cooperation.permissions import CHANGE, VIEW, Policy, register

        from .models import CaseAction, Programme, PromotionCase, PromotionCaseGroupObjectPermission

        roles = {VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES}
        # A programme is part of the client's record and follows its visibility.
        register(Policy(Programme, owner=None, parent="client", roles=roles))  # type: ignore[arg-type]
        # A case belongs to the proposing institution; the target office gets a grant.
        register(
            Policy(
                PromotionCase,
                owner="proposer",
                group_permission_model=PromotionCaseGroupObjectPermission,
                # CIS/KIS staff follow the cases their organisation proposed.
                roles={**roles, VIEW: CASEWORK_ROLES | {Role.PARTNER_STAFF}},
                shared_actions=frozenset({VIEW, CHANGE}),
            )
        )
        register(
            Policy(
                CaseAction,
                owner=None,
                parent="case",
                roles={**roles, VIEW: CASEWORK_ROLES | {Role.PARTNER_STAFF}},
            )
        )
