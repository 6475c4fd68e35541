from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SepiConfig(AppConfig):
    name = "sepi"
    verbose_name = _("SEPI labour-market status")
