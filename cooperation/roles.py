"""Roles, institution kinds and the sets of them the rules speak of: the one place.

No role or institution-kind string appears anywhere else in the app code;
a rule that needs "a caseworker" or "a social-assistance centre" names the
set from here. The model fields keep their `choices` (these classes).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionKind(models.TextChoices):
    OPS = "ops", _("Municipal social assistance centre (OPS/MOPS/GOPS)")
    PCPR = "pcpr", _("County family support centre (PCPR)")
    PUP = "pup", _("County labour office (PUP)")
    NGO = "ngo", _("Non-governmental organisation")
    PES = "pes", _("Social economy entity (PES)")


class PesSubkind(models.TextChoices):
    NONE = "", _("—")
    CIS = "cis", _("Social integration centre (CIS)")
    KIS = "kis", _("Social integration club (KIS)")
    COOPERATIVE = "coop", _("Social cooperative")
    OTHER = "other", _("Other social economy entity")


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    CLIENT_ADVISOR = "client_advisor", _("Client advisor")
    COORDINATOR = "coordinator", _("Cooperation coordinator")
    INSTITUTION_ADMIN = "institution_admin", _("Institution administrator")
    PARTNER_STAFF = "partner_staff", _("Partner organisation staff")


ALL_ROLES = frozenset(Role)
# Manage their institution's people (invite, change role, deactivate), see its audit log.
MANAGING_ROLES = frozenset({Role.COORDINATOR, Role.INSTITUTION_ADMIN})
# Work with clients' records, plans and referrals.
CASEWORK_ROLES = frozenset({Role.SOCIAL_WORKER, Role.CLIENT_ADVISOR, Role.COORDINATOR})
# Casework roles that organise their own case conferences.
CASEWORK_ORGANISERS = frozenset({Role.SOCIAL_WORKER, Role.CLIENT_ADVISOR})
# May schedule meetings at all.
SCHEDULING_ROLES = MANAGING_ROLES | CASEWORK_ORGANISERS
# The labour office's people who publish job offers.
OFFICE_ROLES = frozenset({Role.CLIENT_ADVISOR, Role.COORDINATOR, Role.INSTITUTION_ADMIN})
# Everyone of a public institution except partner organisations' staff.
STAFF_ROLES = frozenset(
    {Role.SOCIAL_WORKER, Role.CLIENT_ADVISOR, Role.COORDINATOR, Role.INSTITUTION_ADMIN}
)
# A partner organisation's people who handle referrals and deliver services.
PARTNER_ROLES = frozenset({Role.PARTNER_STAFF, Role.COORDINATOR})
# Keep the partner's catalogue of services.
CATALOGUE_ROLES = frozenset({Role.PARTNER_STAFF, Role.COORDINATOR, Role.INSTITUTION_ADMIN})
# Send or receive referrals.
REFERRAL_ROLES = CASEWORK_ROLES | {Role.PARTNER_STAFF}
# Only the cooperation coordinator (SEPI batch checks, signing for the institution).
COORDINATOR_ROLES = frozenset({Role.COORDINATOR})
# SEPI lookups: social workers and their coordinators (gate 1 of issue 15).
SEPI_ROLES = frozenset({Role.SOCIAL_WORKER, Role.COORDINATOR})

# Social assistance centres (OPS/MOPS/GOPS, PCPR).
SOCIAL_ASSISTANCE_KINDS = frozenset({InstitutionKind.OPS, InstitutionKind.PCPR})
# The county labour office.
LABOUR_OFFICE_KINDS = frozenset({InstitutionKind.PUP})
# Public institutions that keep the shared register of clients.
REGISTER_KINDS = SOCIAL_ASSISTANCE_KINDS | LABOUR_OFFICE_KINDS
# NGOs and social economy entities (CIS, KIS, cooperatives): participants reach
# them through referrals, they do not register people.
PARTNER_ORG_KINDS = frozenset({InstitutionKind.NGO, InstitutionKind.PES})
# Institutions that may ask SEPI (through an agreement with the PUP covering it).
SEPI_KINDS = SOCIAL_ASSISTANCE_KINDS
# A plan's responsible people and the role each must have.
PERSON_ROLES = {
    "social_worker": Role.SOCIAL_WORKER,
    "client_advisor": Role.CLIENT_ADVISOR,
    "coordinator": Role.COORDINATOR,
}


def is_labour_office(institution: object) -> bool:
    return getattr(institution, "kind", None) in LABOUR_OFFICE_KINDS


def is_social_assistance(institution: object) -> bool:
    return getattr(institution, "kind", None) in SOCIAL_ASSISTANCE_KINDS


def is_partner_organisation(institution: object) -> bool:
    return getattr(institution, "kind", None) in PARTNER_ORG_KINDS


# Social integration centres and clubs: they may propose a participant who completed
# their programme to the labour office's promotion queue.
PROGRAMME_SUBKINDS = frozenset({PesSubkind.CIS, PesSubkind.KIS})
# Who proposes for a CIS/KIS: its staff, coordinator or administrator.
PROPOSING_PARTNER_ROLES = frozenset({Role.PARTNER_STAFF, *MANAGING_ROLES})
# The labour office's people who work on a promotion case.
PROMOTION_WORKER_ROLES = frozenset({Role.CLIENT_ADVISOR, *MANAGING_ROLES})
# Follow the cases their organisation proposed (CIS/KIS staff among them).
PROMOTION_VIEW_ROLES = CASEWORK_ROLES | {Role.PARTNER_STAFF}
# Single-role sets the menu and the home page speak of.
SOCIAL_WORKER_ROLES = frozenset({Role.SOCIAL_WORKER})
ADVISOR_ROLES = frozenset({Role.CLIENT_ADVISOR})
PARTNER_STAFF_ROLES = frozenset({Role.PARTNER_STAFF})
# The labour office's advisors and their coordinator (the promotion queue's home box).
ADVISOR_AND_COORDINATOR_ROLES = frozenset({Role.CLIENT_ADVISOR, Role.COORDINATOR})
# Who is told about an institution's agreements, meetings and consents lapsing.
NOTIFIED_MANAGERS = MANAGING_ROLES
