from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JoboffersConfig(AppConfig):
    name = "joboffers"
    verbose_name = _("Job offers and noticeboards")

    def ready(self) -> None:
        from cooperation.permissions import CHANGE, VIEW, Policy, register

        from .models import (
            Board,
            BoardPrint,
            ImportRun,
            JobOffer,
            JobOfferGroupObjectPermission,
            OfferProposal,
        )
        from .services import CASEWORK_ROLES, OFFICE_ROLES

        # An offer: its labour office sees and acts; a board's institution sees it
        # while it is published there (a grant given and taken with the publication).
        register(
            Policy(
                JobOffer,
                group_permission_model=JobOfferGroupObjectPermission,
                roles={CHANGE: OFFICE_ROLES},
            )
        )
        register(Policy(Board))
        register(Policy(BoardPrint, owner=None, parent="board"))
        register(Policy(ImportRun, roles={VIEW: OFFICE_ROLES, CHANGE: OFFICE_ROLES}))
        # A proposal is part of the client's record and follows the client's visibility.
        register(
            Policy(
                OfferProposal,
                owner=None,
                parent="client",
                roles={VIEW: CASEWORK_ROLES, CHANGE: CASEWORK_ROLES},
            )
        )
