"""The rules of the agreement gates, one small function per action:
`(membership, agreement) -> reason in Polish, or None when allowed`.

Shaped for the policy layer (Policy.require/can): a rule says *why not*, the
caller decides whether that is a 403 (who) or a form error (state).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from cooperation.models import MANAGING_ROLES

from .models import Status

if TYPE_CHECKING:
    from cooperation.models import Membership

    from .models import Agreement


def acts_for_a_party(membership: Membership | None, agreement: Agreement) -> str | None:
    """A coordinator or administrator of one of the parties."""
    if membership is None or membership.role not in MANAGING_ROLES:
        return _("Only a cooperation coordinator or an institution administrator may do this.")
    if not agreement.parties.filter(institution_id=membership.institution_id).exists():
        return _("Your institution is not a party to this agreement.")
    return None


def record_signed_copy(membership: Membership | None, agreement: Agreement) -> str | None:
    """Any party records the signed document once all parties accepted the text;
    an agreement signed before the rule may get its copy recorded later."""
    if reason := acts_for_a_party(membership, agreement):
        return reason
    legacy = getattr(getattr(agreement, "signed_copy", None), "is_legacy", False)
    if agreement.status != Status.ACCEPTED and not legacy:
        return _("The signed copy is recorded once all parties have accepted the text.")
    return None


def terminate(membership: Membership | None, agreement: Agreement) -> str | None:
    """Any party gives notice of an agreement that is signed or in force, once."""
    if reason := acts_for_a_party(membership, agreement):
        return reason
    if agreement.status not in (Status.SIGNED, Status.ACTIVE):
        return _("This cannot be done while the agreement is %(status)s.") % {
            "status": agreement.get_status_display()
        }
    if agreement.termination_date:
        return _("Notice of termination has already been given.")
    return None
