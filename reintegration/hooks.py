"""What reintegration plans add to the rest of the app (see cooperation/hooks.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from agreements.models import Scope
from agreements.scope import scope_lost_hook
from clients.panels import ClientPanel, ClientTab
from cooperation import hooks, processing
from cooperation.audit import AuditPerson
from cooperation.http import MemberRequest
from cooperation.navigation import HomeSection, NavItem
from cooperation.roles import CASEWORK_ROLES

from .models import ReintegrationPlan
from .selectors import home_overdue_steps, home_reviews_due, plan_summary_for_client
from .services import plans_anonymise, plans_on_joint_plans_lost, plans_on_share_ended
from .timeline import plan_timeline

if TYPE_CHECKING:
    from clients.models import Client


def plan_panel_context(request: MemberRequest, client: Client) -> dict[str, Any]:
    """The plan tab: the summary, or None when this user may not see the client's plans."""
    return {"summary": plan_summary_for_client(request.user, client)}


hooks.register("audit_persons", AuditPerson(ReintegrationPlan, path="client"))
hooks.register("client_anonymised", plans_anonymise)
# A partner that can no longer see the client leaves its plans; its open
# steps return to the owning institution.
hooks.register("client_share_ended", plans_on_share_ended)
hooks.register(scope_lost_hook(Scope.JOINT_PLANS), plans_on_joint_plans_lost)
hooks.register("client_timeline", plan_timeline)
hooks.register("client_tabs", ClientTab("plan", _("Plan"), order=20))
hooks.register(
    "client_panels",
    ClientPanel(
        key="plan",
        template="reintegration/_client_plan_panel.html",
        context=plan_panel_context,
        tab="plan",
    ),
)
hooks.register("nav_items", NavItem(_("Plans"), "reintegration:list", CASEWORK_ROLES, order=20))
hooks.register(
    "home_sections",
    HomeSection(
        key="reintegration_overdue_steps",
        title=_("Your overdue plan steps"),
        template="reintegration/home/overdue_steps.html",
        items=home_overdue_steps,
        roles=CASEWORK_ROLES,
        order=12,
        empty=_("None of your plan steps is overdue."),
        more_url_name="reintegration:my_steps",
        lazy=True,  # more than one indexed lookup: loaded after the first paint
    ),
)
hooks.register(
    "home_sections",
    HomeSection(
        key="reintegration_reviews_due",
        title=_("Plan reviews due"),
        template="reintegration/home/reviews_due.html",
        items=home_reviews_due,
        roles=CASEWORK_ROLES,
        order=14,
        empty=_("No review of your plans is due this week."),
        more_url_name="reintegration:list",
        lazy=True,  # more than one indexed lookup: loaded after the first paint
    ),
)


@hooks.register("processing_declarations", order=20)
def joint_plans_declaration() -> processing.Declaration:
    from clients.models import LegalBasis

    return processing.Declaration(
        "joint_plans",
        _("Joint reintegration plans"),
        (processing.CLIENTS,),
        (processing.IDENTITY, processing.SITUATION, processing.HEALTH, processing.ADDICTION),
        (*(choice.label for choice in LegalBasis), *processing.art9_grounds()),
        processing.client_retention(),
        _("institutions taking part in the plan under an agreement covering joint plans"),
    )
