"""Helpers for the promotion tests: a client with a completed programme, consent, proposing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agreements.models import Scope
from clients.models import LegalBasis
from clients.services import consent_record
from cooperation.models import Institution, InstitutionKind, User
from promotion import services
from promotion.models import PRIORITY_WEIGHTS, ProgrammeKind, ProgrammeOutcome

from ..factories import ClientFactory, InstitutionFactory, agreement_between

TODAY = timezone.localdate()


def consent_for(client, owner, pup, scopes=(Scope.CLIENT_RECORDS, Scope.PROMOTION)):
    return consent_record(
        client=client,
        acting_user=owner,
        partner=pup,
        basis=LegalBasis.SOCIAL_CONTRACT,
        scopes=list(scopes),
        given_on=TODAY - dt.timedelta(days=20),
    )


def completed_programme(client, user, *, kind=ProgrammeKind.SOCIAL_CONTRACT):
    programme = services.programme_record(
        client=client,
        acting_user=user,
        kind=kind,
        institution_name="MOPS",
        started_on=TODAY - dt.timedelta(days=200),
    )
    return services.programme_finish(
        programme=programme,
        acting_user=user,
        outcome=ProgrammeOutcome.COMPLETED,
        ended_on=TODAY - dt.timedelta(days=2),
    )


def propose(programme, user, pup, **kw):
    data = {
        "skills": "Umiejętność Tajna: obsługa wózka widłowego",
        "availability": "Od zaraz, pełny etat",
        "preferred_work": "Magazyn",
        "constraints": "",
    }
    priorities = {k: kw.pop(k) for k in list(kw) if k in PRIORITY_WEIGHTS}
    data.update(kw)
    return services.case_propose(
        programme=programme, acting_user=user, target=pup, priorities=priorities, **data
    )


def proposed_case(institution: Institution, owner: User, pup: Institution | None = None, **kw):
    """A client of `institution` proposed to a PUP (a fresh one unless given)."""
    pup = pup or InstitutionFactory(kind=InstitutionKind.PUP, name="PUP Ukryty")
    agreement_between(institution, pup, [Scope.CLIENT_RECORDS, Scope.PROMOTION])
    client = ClientFactory(owner=institution, created_by=owner, last_name="Utajniona")
    consent_for(client, owner, pup)
    return propose(completed_programme(client, owner), owner, pup, **kw)
