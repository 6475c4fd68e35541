from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = _("Cooperation: institutions and users")

    def ready(self) -> None:
        from . import hooks, signals  # noqa: F401 - signals connects the auth audit receivers
        from .celery import connect_signals

        connect_signals()  # eager tasks marked after_response run after the response
        # Each app's policies live in its permissions.py (the core's in this app's own),
        autodiscover_modules("permissions")
        # and its contributions (nav, home sections, client panels, timeline...) in hooks.py.
        hooks.autodiscover()
