"""Who sees and prepares the annual reports (see cooperation.permissions).

A report belongs to the agreement's parties: the agreement's own policy decides
who sees it, so the report has no grants of its own. Only the parties'
coordinators and administrators draft it, answer the self-assessment and approve.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

import agreements.permissions  # noqa: F401 - the Agreement policy this app adds to
from agreements.models import Agreement
from cooperation.permissions import CHANGE, VIEW, Policy, add_rule, register, role_in
from cooperation.roles import MANAGING_ROLES

from .models import AnnualReport

REPORT = "report"  # on an Agreement: draft its annual report

_ONLY_COORDINATORS = _(
    "Only the parties' coordinators and administrators prepare the annual report."
)

add_rule(Agreement, REPORT, role_in(MANAGING_ROLES, _ONLY_COORDINATORS))
register(
    Policy(
        AnnualReport,
        owner=None,
        parent="agreement",
        roles={VIEW: MANAGING_ROLES, CHANGE: MANAGING_ROLES},
    )
)
