from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SepiConfig(AppConfig):
    name = "sepi"
    verbose_name = _("SEPI labour-market status")

    def ready(self) -> None:
        from cooperation.models import MANAGING_ROLES
        from cooperation.permissions import CHANGE, VIEW, Policy, register

        from .models import BatchCheck, Lookup
        from .services import BATCH_ROLES, LOOKUP_ROLES

        # A lookup is the asking institution's own record; it is never shared.
        register(
            Policy(
                Lookup,
                owner="institution",
                roles={VIEW: LOOKUP_ROLES | MANAGING_ROLES, CHANGE: LOOKUP_ROLES},
            )
        )
        register(
            Policy(
                BatchCheck, owner="institution", roles={VIEW: MANAGING_ROLES, CHANGE: BATCH_ROLES}
            )
        )
