"""Who sees and acts on agreements (see cooperation.permissions)."""

from __future__ import annotations

from cooperation.permissions import CHANGE, Policy, register
from cooperation.roles import MANAGING_ROLES

from .models import Agreement, Annex, Attachment, Coordinator

# Visible to every party's staff (workers read); only coordinators and admins act.
register(Policy(Agreement, owner="parties__institution", roles={CHANGE: MANAGING_ROLES}))
register(Policy(Attachment, owner=None, parent="agreement", roles={CHANGE: MANAGING_ROLES}))
register(Policy(Annex, owner=None, parent="agreement", roles={CHANGE: MANAGING_ROLES}))
register(Policy(Coordinator, roles={CHANGE: MANAGING_ROLES}))
