"""Proposing a client to the PUP: allowed only under an agreement covering the
promotion queue, with the client's consent, after a completed programme."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agreements.models import Scope
from clients.selectors import clients_visible_to
from clients.services import consent_withdraw
from cooperation.models import AuditEvent, InstitutionKind, Role
from promotion import services
from promotion.models import CaseStatus, ProgrammeOutcome
from promotion.selectors import cases_visible_to

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member
from ..lazy import get_loaded
from .helpers import TODAY, completed_programme, consent_for, propose

pytestmark = pytest.mark.django_db


def test_it_proposes_with_agreement_and_consent(ready, owner, partner, advisor, person) -> None:
    case = propose(ready, owner, partner, long_term_unemployed=True)
    assert case.status == CaseStatus.PROPOSED
    assert (case.first_name, case.last_name, case.pesel, case.phone) == (
        "Halina",
        "Źdźbło",
        person.pesel,
        "601202303",
    )
    assert case.skills.startswith("Umiejętność Tajna")
    assert AuditEvent.objects.filter(object_id=str(case.pk), action="create").exists()


def test_the_pup_sees_the_case_but_not_the_client_record(ready, owner, partner, advisor) -> None:
    case = propose(ready, owner, partner)
    assert list(cases_visible_to(advisor)) == [case]
    assert not clients_visible_to(advisor).filter(pk=case.client_id).exists()
    assert list(cases_visible_to(owner)) == [case]


def test_another_office_and_a_stranger_see_nothing(ready, owner, partner, outsider) -> None:
    propose(ready, owner, partner)
    other_pup = InstitutionFactory(kind=InstitutionKind.PUP)
    assert not cases_visible_to(member(other_pup, Role.CLIENT_ADVISOR)).exists()
    assert not cases_visible_to(outsider).exists()


def test_it_requires_an_agreement(consent, programme, owner, partner) -> None:
    with pytest.raises(ValidationError, match="agreement"):
        propose(programme, owner, partner)


def test_it_requires_the_agreement_to_cover_promotion(
    own, partner, consent, programme, owner
) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.JOB_OFFERS])
    with pytest.raises(ValidationError, match="promotion queue"):
        propose(programme, owner, partner)


def test_it_requires_consent(promo_agreement, programme, owner, partner) -> None:
    with pytest.raises(ValidationError, match="consent"):
        propose(programme, owner, partner)


def test_it_requires_consent_that_covers_promotion(
    promo_agreement, programme, owner, partner, person
) -> None:
    consent_for(person, owner, partner, scopes=[Scope.CLIENT_RECORDS])
    with pytest.raises(ValidationError, match="consent"):
        propose(programme, owner, partner)


def test_a_withdrawn_consent_does_not_count(ready, consent, owner, partner) -> None:
    consent_withdraw(consent=consent, acting_user=owner)
    with pytest.raises(ValidationError, match="consent"):
        propose(ready, owner, partner)


def test_it_requires_a_completed_programme(
    promo_agreement, consent, person, owner, partner
) -> None:
    programme = services.programme_record(
        client=person, acting_user=owner, kind="cis", institution_name="CIS", started_on=TODAY
    )
    with pytest.raises(ValidationError, match="completed"):
        propose(programme, owner, partner)
    services.programme_finish(
        programme=programme, acting_user=owner, outcome=ProgrammeOutcome.BROKEN_OFF, ended_on=TODAY
    )
    with pytest.raises(ValidationError, match="completed"):
        propose(programme, owner, partner)


def test_the_target_must_be_a_labour_office(own, ready, owner) -> None:
    ngo = InstitutionFactory(kind=InstitutionKind.NGO)
    agreement_between(own, ngo, [Scope.PROMOTION])
    with pytest.raises(ValidationError, match="PUP"):
        propose(ready, owner, ngo)


def test_a_client_is_queued_once_per_office(ready, owner, partner) -> None:
    propose(ready, owner, partner)
    with pytest.raises(ValidationError, match="already"):
        propose(ready, owner, partner)


def test_a_user_who_cannot_see_the_client_cannot_propose(ready, partner, outsider) -> None:
    with pytest.raises(PermissionDenied):
        propose(ready, outsider, partner)


def test_partner_staff_cannot_propose(own, ready, partner) -> None:
    with pytest.raises(PermissionDenied):
        propose(ready, member(own, Role.PARTNER_STAFF), partner)


def test_the_propose_page_offers_only_covered_offices(client, ready, owner, partner) -> None:
    InstitutionFactory(kind=InstitutionKind.PUP, name="PUP bez porozumienia")
    client.force_login(owner)
    response = client.get(f"/promotion/programmes/{ready.pk}/propose/")
    assert response.status_code == 200
    choices = [c for c, _label in response.context["form"].fields["target"].choices if c]
    assert [int(str(c)) for c in choices] == [partner.pk]
    response = client.post(
        f"/promotion/programmes/{ready.pk}/propose/",
        {
            "target": partner.pk,
            "skills": "Spawanie",
            "availability": "Od zaraz",
            "preferred_work": "Warsztat",
            "disability": "on",
        },
    )
    case = cases_visible_to(owner).get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert case.disability and case.priority == 2


def test_programme_dates_are_checked(person, owner) -> None:
    programme = services.programme_record(
        client=person, acting_user=owner, kind="kis", institution_name="KIS", started_on=TODAY
    )
    with pytest.raises(ValidationError):
        services.programme_finish(
            programme=programme,
            acting_user=owner,
            outcome=ProgrammeOutcome.COMPLETED,
            ended_on=TODAY - dt.timedelta(days=1),
        )


def test_completing_a_programme_is_a_done_step_of_the_open_plan(own, person, owner) -> None:
    from reintegration.models import Area, StepStatus
    from reintegration.services import plan_create

    plan = plan_create(acting_user=owner, client=person, social_worker=owner)
    programme = completed_programme(person, owner)
    step = programme.plan_step
    assert step is not None and step.plan_id == plan.pk
    assert (step.status, step.area, step.institution_id) == (
        StepStatus.DONE,
        Area.EXPERIENCE,
        own.pk,
    )
    assert step.outcome


def test_without_an_open_plan_no_step_is_added(person, owner) -> None:
    assert completed_programme(person, owner).plan_step is None


def test_the_agreement_ending_withdraws_open_cases(
    ready, owner, partner, advisor, promo_agreement
) -> None:
    from agreements.services import agreement_terminate

    case = propose(ready, owner, partner)
    agreement_terminate(
        agreement=promo_agreement,
        acting_user=owner_coordinator(owner),
        reason="koniec",
        notice_days=0,
        without_notice=True,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert not cases_visible_to(advisor).exists()


def owner_coordinator(owner):
    return member(owner.memberships.get().institution, Role.COORDINATOR)


def test_anonymising_the_client_erases_the_snapshot(ready, owner, partner, person) -> None:
    case = propose(ready, owner, partner)
    services.cases_anonymise(client=person, acting_user=owner)
    case.refresh_from_db()
    assert (case.pesel, case.phone, case.skills) == ("", "", "")
    assert "Źdźbło" not in case.full_name


def test_a_client_registered_elsewhere_is_not_proposed_by_others(own, ready, partner) -> None:
    stranger_client = ClientFactory()
    stranger = member(stranger_client.owner, Role.SOCIAL_WORKER)
    with pytest.raises(PermissionDenied):
        propose(ready, stranger, partner)


def test_the_programme_pages_record_and_finish(client, person, owner) -> None:
    client.force_login(owner)
    response = client.post(
        f"/promotion/clients/{person.pk}/programmes/new/",
        {
            "kind": "kis",
            "institution_name": "KIS Skarżysko",
            "started_on": (TODAY - dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    programme = person.programmes.get()
    assert f'id="programme-finish-{programme.pk}"' in get_loaded(client, f"/clients/{person.pk}/")
    response = client.post(
        f"/promotion/programmes/{programme.pk}/finish/",
        {"outcome": ProgrammeOutcome.COMPLETED, "ended_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.is_completed and programme.ended_on == TODAY
    assert f'id="propose-{programme.pk}"' in get_loaded(client, f"/clients/{person.pk}/")
