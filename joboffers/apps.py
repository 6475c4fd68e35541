from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JoboffersConfig(AppConfig):
    name = "joboffers"
    verbose_name = _("Job offers and noticeboards")
