"""When a partner can no longer see the client (consent withdrawn, joint plans no
longer covered), it stops taking part in the plan: its open steps return to the
owning institution with a history entry, the PDF stops listing it, and the
owner's worker is told."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements.models import Scope
from agreements.services import agreement_terminate
from clients.models import LegalBasis, WithdrawalForm
from clients.services import client_share, consent_record, consent_withdraw
from clients.timeline import timeline_for
from cooperation.models import Role
from notifications.kinds import KINDS
from reintegration import services
from reintegration.models import ChangeKind, Participant, PlanChange, StepStatus

from ..factories import ClientFactory, agreement_between, member
from ..notifications.kindcheck import assert_no_personal_data, collecting, the_one, told
from ..pdfs import pdf_text
from .helpers import TODAY, add_step, soon


@pytest.fixture
def setup(own, partner, owner, partner_user):
    agreement = agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS])
    person = ClientFactory(owner=own, created_by=owner, last_name="Wycofana-Zgoda")
    consent = consent_record(
        client=person,
        acting_user=owner,
        partner=partner,
        basis=LegalBasis.STATUTORY_TASK,
        scopes=[Scope.CLIENT_RECORDS, Scope.JOINT_PLANS],
        given_on=TODAY,
    )
    client_share(client=person, partner=partner, consent=consent, acting_user=owner)
    plan = services.plan_create(
        acting_user=owner,
        client=person,
        partners=[partner],
        social_worker=owner,
        client_advisor=partner_user,
        next_review_date=soon(30),
    )
    goal = services.goal_add(plan=plan, acting_user=owner, title="Mieszkanie")
    theirs = add_step(plan, partner_user, goal, title="Krok urzędu pracy")
    done = add_step(plan, partner_user, goal, title="Krok zrobiony")
    services.step_update(
        step=done,
        acting_user=partner_user,
        goal=goal,
        area=done.area,
        title=done.title,
        institution=partner,
        responsible=partner_user,
        due_date=done.due_date,
        status=StepStatus.DONE,
        outcome="zrobione",
    )
    mine = add_step(plan, owner, goal, title="Krok ośrodka")
    return {
        "agreement": agreement,
        "consent": consent,
        "plan": plan,
        "theirs": theirs,
        "done": done,
        "mine": mine,
    }


def test_withdrawing_consent_returns_the_partners_open_steps_to_the_owner(
    own, partner, owner, colleague, partner_user, setup, django_capture_on_commit_callbacks
) -> None:
    plan, theirs = setup["plan"], setup["theirs"]
    with collecting(django_capture_on_commit_callbacks) as events:
        consent_withdraw(
            consent=setup["consent"],
            acting_user=colleague,
            withdrawn_on=TODAY,
            withdrawal_form=WithdrawalForm.WRITTEN,
        )
    theirs.refresh_from_db()
    assert (theirs.institution, theirs.responsible) == (own, owner)
    setup["done"].refresh_from_db()
    assert setup["done"].institution == partner  # history of finished work stays as it was
    assert not Participant.objects.filter(plan=plan, institution=partner).exists()
    plan.refresh_from_db()
    assert plan.client_advisor is None and plan.social_worker == owner
    assert PlanChange.objects.filter(plan=plan, kind=ChangeKind.LEFT).count() == 1
    assert PlanChange.objects.filter(step=theirs, kind=ChangeKind.STEP_CHANGED).exists()
    titles = [e.title for e in timeline_for(plan.client, owner)]
    assert any(str(ChangeKind.LEFT.label) in t for t in titles)
    # The owner's worker is told (an event; the centre e-mails), with no personal data.
    event = the_one(events, "reintegration.partner_left")
    assert told(event) == {owner}
    assert KINDS[event.kind].url(event, plan) == reverse("reintegration:detail", args=[plan.pk])
    assert_no_personal_data(event, "Wycofana", plan.client.pesel)


def test_the_plan_pdf_stops_listing_the_partner(client, partner, owner, setup) -> None:
    client.force_login(owner)
    url = reverse("reintegration:pdf", args=[setup["plan"].pk])
    before = pdf_text(client.get(url).content)
    assert "Instytucja partnerska" in before
    consent_withdraw(consent=setup["consent"], acting_user=owner)
    after = pdf_text(client.get(url).content)
    assert "Instytucja partnerska" not in after  # not a participant, no signature line
    # Only the step it finished still says who did it.
    assert after.count(partner.name) == 1
    assert before.count(partner.name) > 1


def test_the_partner_no_longer_acts_on_the_plan(partner_user, owner, setup) -> None:
    consent_withdraw(consent=setup["consent"], acting_user=owner)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.goal_add(plan=setup["plan"], acting_user=partner_user, title="Nowy cel")


def test_an_agreement_ending_does_the_same(own, partner, owner, setup) -> None:
    agreement_terminate(
        agreement=setup["agreement"],
        acting_user=member(own, Role.COORDINATOR),
        reason="koniec",
        notice_days=0,
        without_notice=True,
    )
    setup["theirs"].refresh_from_db()
    assert setup["theirs"].institution == own
    assert not Participant.objects.filter(plan=setup["plan"], institution=partner).exists()


def test_other_steps_and_the_owner_stay(own, owner, setup) -> None:
    consent_withdraw(consent=setup["consent"], acting_user=owner)
    setup["mine"].refresh_from_db()
    assert (setup["mine"].institution, setup["mine"].responsible) == (own, owner)
    assert Participant.objects.filter(plan=setup["plan"], institution=own).exists()


def test_losing_only_joint_plans_keeps_the_share_but_not_the_plan(
    own, partner, owner, setup
) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])  # records stay covered
    agreement_terminate(
        agreement=setup["agreement"],
        acting_user=member(own, Role.COORDINATOR),
        reason="koniec planów",
        notice_days=0,
        without_notice=True,
    )
    assert setup["consent"].shares.get().ended_at is None
    setup["theirs"].refresh_from_db()
    assert setup["theirs"].institution == own
    assert not Participant.objects.filter(plan=setup["plan"], institution=partner).exists()
