"""What agreements adds to the rest of the app (see cooperation/hooks.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cooperation import hooks
from cooperation.models import Institution
from cooperation.navigation import HomeSection, NavItem
from cooperation.roles import MANAGING_ROLES

from .selectors import home_agreements_expiring, home_agreements_waiting

hooks.register("nav_items", NavItem(_("Agreements"), "agreements:list", order=50))
hooks.register("nav_items", NavItem(_("Network"), "agreements:network", order=60, more=True))
hooks.register(
    "home_sections",
    HomeSection(
        key="agreements_waiting",
        title=_("Agreements waiting for you"),
        template="agreements/home/agreements.html",
        items=home_agreements_waiting,
        roles=MANAGING_ROLES,
        order=20,
        empty=_("No agreement is waiting for your institution."),
        more_url_name="agreements:list",
    ),
)
hooks.register(
    "home_sections",
    HomeSection(
        key="agreements_expiring",
        title=_("Agreements ending within 30 days"),
        template="agreements/home/agreements.html",
        items=home_agreements_expiring,
        roles=MANAGING_ROLES,
        order=30,
        empty=_("No agreement ends soon."),
        more_url_name="agreements:list",
        lazy=True,
    ),
)


@hooks.register("processing_recipients")
def processing_recipients(institution: Institution, key: str) -> list[str]:
    """Names of the partners an agreement in force links to `institution` for the
    purpose `key` (a scope), for the information clause and the record of processing."""
    from .models import Scope
    from .scope import partners_covering

    if key not in Scope.values:
        return []
    ids = partners_covering(institution, key)
    return list(
        Institution.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True)
    )
