from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Cooperation agreements and coordinators")

    def ready(self) -> None:
        from cooperation.models import MANAGING_ROLES
        from cooperation.permissions import CHANGE, Policy, register

        from .models import Agreement, Annex, Attachment, Coordinator

        # Visible to every party's staff (workers read); only coordinators and admins act.
        register(Policy(Agreement, owner="parties__institution", roles={CHANGE: MANAGING_ROLES}))
        register(Policy(Attachment, owner=None, parent="agreement", roles={CHANGE: MANAGING_ROLES}))
        register(Policy(Annex, owner=None, parent="agreement", roles={CHANGE: MANAGING_ROLES}))
        register(Policy(Coordinator, roles={CHANGE: MANAGING_ROLES}))
