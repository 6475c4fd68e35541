"""The state an agreement must be in for an action, one small function each:
`(agreement) -> reason in Polish, or None when allowed`. Who may act is the
policy's question (agreements/permissions.py, asked with `require`); these say
whether the agreement is ready for it, and the services show them as form errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .models import Status

if TYPE_CHECKING:
    from .models import Agreement


def record_signed_copy(agreement: Agreement) -> str | None:
    """The signed document is recorded once all parties accepted the text; an
    agreement signed before the rule may get its copy recorded later."""
    legacy = getattr(getattr(agreement, "signed_copy", None), "is_legacy", False)
    if agreement.status != Status.ACCEPTED and not legacy:
        return _("The signed copy is recorded once all parties have accepted the text.")
    return None


def terminate(agreement: Agreement) -> str | None:
    """Notice is given of an agreement that is signed or in force, once."""
    if agreement.status not in (Status.SIGNED, Status.ACTIVE):
        return _("This cannot be done while the agreement is %(status)s.") % {
            "status": agreement.get_status_display()
        }
    if agreement.termination_date:
        return _("Notice of termination has already been given.")
    return None
