from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = _("Cooperation: institutions and users")

    def ready(self) -> None:
        from . import hooks, signals  # noqa: F401 - signals connects the auth audit receivers
        from .celery import connect_signals
        from .models import MANAGING_ROLES, AuditEvent, Institution, Membership
        from .permissions import CHANGE, VIEW, Policy, register

        connect_signals()  # eager tasks marked after_response run after the response
        register(Policy(Institution, owner="pk", roles={CHANGE: MANAGING_ROLES}))
        register(Policy(Membership, roles={VIEW: MANAGING_ROLES, CHANGE: MANAGING_ROLES}))
        register(Policy(AuditEvent, roles={VIEW: MANAGING_ROLES}))
        # Every app's hooks.py (nav, home sections, client panels, timeline, retention...).
        hooks.autodiscover()
