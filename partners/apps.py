from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("NGO and social economy partners")

    def ready(self) -> None:
        from cooperation.permissions import CHANGE, VIEW, Policy, register

        from .models import (
            Referral,
            ReferralEvent,
            ReferralGroupObjectPermission,
            ServiceDelivery,
            ServiceOffer,
        )
        from .services import CATALOGUE_ROLES, REFERRAL_ROLES

        # The directory is read through its own selector (the network); this
        # policy says who changes a service: its own organisation's staff.
        register(Policy(ServiceOffer, owner="provider", roles={CHANGE: CATALOGUE_ROLES}))
        # A referral belongs to the referring institution; the partner organisation
        # gets an object permission on that referral alone, never on the client.
        register(
            Policy(
                Referral,
                owner="referrer",
                group_permission_model=ReferralGroupObjectPermission,
                roles={VIEW: REFERRAL_ROLES, CHANGE: REFERRAL_ROLES},
                shared_actions=frozenset({VIEW, CHANGE}),
            )
        )
        for model in (ReferralEvent, ServiceDelivery):
            register(Policy(model, owner=None, parent="referral", roles={VIEW: REFERRAL_ROLES}))
