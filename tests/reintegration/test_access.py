"""Who sees a plan and who acts on it.

A plan is visible iff its client is visible AND the viewer's institution owns
the client or an agreement in force with the owner covers joint plans. Only
participants act; a partner acts only on the steps its institution owns.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements.models import Scope
from agreements.services import agreement_terminate
from cooperation.models import Role
from reintegration import services
from reintegration.models import Area, ReintegrationPlan, Step
from reintegration.selectors import plan_for_client, plans_visible_to

from ..factories import ClientFactory, agreement_between, member
from .helpers import add_step, share, soon


def _status(client, user, url: str) -> int:
    client.force_login(user)
    return client.get(url).status_code


def test_colleagues_of_the_owner_see_the_plan(client, plan, colleague) -> None:
    assert list(plans_visible_to(colleague)) == [plan]
    assert _status(client, colleague, plan.get_absolute_url()) == 200


def test_a_partner_with_the_client_shared_under_joint_plans_sees_it(
    client, plan, partner_user
) -> None:
    assert plan_for_client(partner_user, plan.client) == plan
    assert _status(client, partner_user, plan.get_absolute_url()) == 200


def test_a_shared_client_without_joint_plans_in_the_agreement_hides_the_plan(
    client, own, owner, partner
) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])  # records only, no joint plans
    person = ClientFactory(owner=own, created_by=owner, last_name="Bezplanowska")
    share(person, partner, owner)
    plan = services.plan_create(acting_user=owner, client=person)
    advisor = member(partner, Role.CLIENT_ADVISOR)
    assert not plans_visible_to(advisor).exists()
    for url in (
        plan.get_absolute_url(),
        reverse("reintegration:pdf", args=[plan.pk]),
        reverse("reintegration:client_plan", args=[person.pk]),
        reverse("reintegration:create", args=[person.pk]),
    ):
        response = (client.force_login(advisor), client.get(url))[1]
        assert response.status_code == 404, url
        assert "Bezplanowska" not in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.plan_create(acting_user=advisor, client=person)


def test_joint_plans_without_the_client_shared_hides_the_plan(
    client, plan, partner, joint_agreement
) -> None:
    other = ClientFactory(owner=plan.client.owner)
    other_plan = services.plan_create(acting_user=plan.created_by, client=other)
    advisor = member(partner, Role.CLIENT_ADVISOR)
    assert list(plans_visible_to(advisor)) == [plan]
    assert _status(client, advisor, other_plan.get_absolute_url()) == 404


def test_the_plan_disappears_when_the_agreement_ends(
    client, plan, partner_user, joint_agreement, own
) -> None:
    assert plans_visible_to(partner_user).exists()
    coordinator = member(own, Role.COORDINATOR)
    agreement_terminate(
        agreement=joint_agreement,
        acting_user=coordinator,
        reason="Koniec współpracy",
        notice_days=0,
        without_notice=True,
    )
    assert not plans_visible_to(partner_user).exists()
    assert _status(client, partner_user, plan.get_absolute_url()) == 404


def test_outsiders_and_other_roles_see_nothing(client, plan, outsider, own) -> None:
    assert not plans_visible_to(outsider).exists()
    assert _status(client, outsider, plan.get_absolute_url()) == 404
    admin = member(own, Role.INSTITUTION_ADMIN)
    assert not plans_visible_to(admin).exists()
    assert _status(client, admin, plan.get_absolute_url()) == 403  # the role gate


def test_a_partner_that_does_not_take_part_reads_but_cannot_act(
    client, shared_client, owner, partner, joint_agreement
) -> None:
    plan = services.plan_create(acting_user=owner, client=shared_client)  # partner not invited
    goal = services.goal_add(plan=plan, acting_user=owner, title="Cel")
    step = add_step(plan, owner, goal)
    advisor = member(partner, Role.CLIENT_ADVISOR)
    assert _status(client, advisor, plan.get_absolute_url()) == 200
    body = client.get(plan.get_absolute_url()).content.decode()
    assert reverse("reintegration:step_add", args=[plan.pk]) not in body
    for url in (
        reverse("reintegration:step_add", args=[plan.pk]),
        reverse("reintegration:needs", args=[plan.pk]),
        reverse("reintegration:review_add", args=[plan.pk]),
        reverse("reintegration:step_edit", args=[step.pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    with pytest.raises(PermissionDenied):
        services.goal_add(plan=plan, acting_user=advisor, title="Nie wolno")


def test_the_holder_adds_a_partner_the_client_is_shared_with(
    client, shared_client, owner, partner, joint_agreement
) -> None:
    plan = services.plan_create(acting_user=owner, client=shared_client)
    client.force_login(owner)
    url = reverse("reintegration:participant_add", args=[plan.pk])
    assert partner.name in client.get(url).content.decode()
    assert client.post(url, {"institution": partner.pk}).status_code == 302
    assert plan.participants.filter(institution=partner).exists()


def test_only_partners_the_client_is_shared_with_may_join(plan, owner, foreign) -> None:
    from ..factories import InstitutionFactory

    stranger = InstitutionFactory(county=plan.client.owner.county)
    for institution in (stranger, foreign):
        with pytest.raises(ValidationError):
            services.participant_add(plan=plan, acting_user=owner, institution=institution)


def test_a_partner_adds_and_changes_only_its_own_steps(
    client, plan, goal, owner, own, partner, partner_user
) -> None:
    theirs = add_step(
        plan, partner_user, goal, area=Area.EXPERIENCE, institution=partner, title="Staż w PUP"
    )
    ours = add_step(plan, owner, goal, title="Mieszkanie")
    with pytest.raises(PermissionDenied):
        add_step(plan, partner_user, goal, institution=own, responsible=owner)
    client.force_login(partner_user)
    form = client.get(reverse("reintegration:step_add", args=[plan.pk])).content.decode()
    owners = form[form.index('name="institution"') :]
    owners = owners[: owners.index("</select>")]
    assert f'value="{partner.pk}"' in owners and f'value="{own.pk}"' not in owners
    assert client.get(reverse("reintegration:step_edit", args=[theirs.pk])).status_code == 200
    assert client.get(reverse("reintegration:step_edit", args=[ours.pk])).status_code == 403
    body = client.get(plan.get_absolute_url()).content.decode()
    assert reverse("reintegration:step_edit", args=[theirs.pk]) in body
    assert reverse("reintegration:step_edit", args=[ours.pk]) not in body
    # The holder, leading the plan, may correct any step.
    client.force_login(owner)
    assert client.get(reverse("reintegration:step_edit", args=[theirs.pk])).status_code == 200


def test_only_the_holder_closes_the_plan_or_adds_institutions(client, plan, partner_user) -> None:
    client.force_login(partner_user)
    assert client.get(reverse("reintegration:close", args=[plan.pk])).status_code == 403
    assert client.get(reverse("reintegration:participant_add", args=[plan.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.plan_close(plan=plan, acting_user=partner_user, outcome="other", note="Nie")
    plan.refresh_from_db()
    assert plan.is_open


def test_a_step_is_owned_by_a_person_of_its_institution(plan, goal, owner, partner_user) -> None:
    with pytest.raises(ValidationError) as exc:
        add_step(plan, owner, goal, responsible=partner_user)  # owned by own, person at partner
    assert "responsible" in exc.value.message_dict


def test_people_responsible_must_have_the_matching_role_in_a_participant(
    plan, owner, colleague, foreign
) -> None:
    stranger = member(foreign, Role.SOCIAL_WORKER)
    for people in ({"social_worker": stranger}, {"client_advisor": colleague}):
        data = {
            "social_worker": plan.social_worker,
            "client_advisor": plan.client_advisor,
            "coordinator": plan.coordinator,
            "next_review_date": plan.next_review_date,
            **people,
        }
        with pytest.raises(ValidationError) as exc:
            services.plan_update(plan=plan, acting_user=owner, **data)
        assert set(people) <= set(exc.value.message_dict)


def test_a_guessed_step_or_client_id_gives_404(client, plan, goal, owner, outsider) -> None:
    step = add_step(plan, owner, goal)
    client.force_login(outsider)
    assert client.get(reverse("reintegration:step_edit", args=[step.pk])).status_code == 404
    assert (
        client.get(reverse("reintegration:client_plan", args=[plan.client_id])).status_code == 404
    )
    assert Step.objects.filter(pk=step.pk).exists()


def test_the_open_plan_constraint_holds_in_the_database(plan) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReintegrationPlan.objects.create(client=plan.client, created_by=plan.created_by)


def test_the_plans_list_shows_only_visible_plans(client, plan, owner, own, outsider) -> None:
    hidden = ClientFactory(owner=outsider.memberships.get().institution, last_name="Obcowska")
    services.plan_create(acting_user=outsider, client=hidden)
    client.force_login(owner)
    body = client.get(reverse("reintegration:list")).content.decode()
    assert plan.client.last_name in body and "Obcowska" not in body
    assert plan.client.pesel not in body  # masked in lists


def test_a_review_date_in_the_past_is_refused_when_set(plan, owner) -> None:
    with pytest.raises(ValidationError):
        services.plan_update(
            plan=plan,
            acting_user=owner,
            social_worker=owner,
            client_advisor=plan.client_advisor,
            coordinator=plan.coordinator,
            next_review_date=timezone.localdate().replace(year=2020),
        )
    services.plan_update(
        plan=plan,
        acting_user=owner,
        social_worker=owner,
        client_advisor=None,
        coordinator=plan.coordinator,
        next_review_date=soon(3),
    )
    plan.refresh_from_db()
    assert plan.client_advisor is None and plan.next_review_date == soon(3)


def test_a_partner_may_start_the_plan_and_takes_part_with_the_holder(
    client, shared_client, own, partner, partner_user
) -> None:
    from ..factories import InstitutionFactory

    client.force_login(partner_user)
    url = reverse("reintegration:create", args=[shared_client.pk])
    assert 'name="partners"' not in client.get(url).content.decode()
    response = client.post(url, {"client_advisor": partner_user.pk, "form_token": "p-1"})
    plan = ReintegrationPlan.objects.get()
    assert response.status_code == 302
    assert set(plan.participants.values_list("institution", flat=True)) == {own.pk, partner.pk}
    plan.delete()
    third = InstitutionFactory(county=own.county)
    with pytest.raises(PermissionDenied):
        services.plan_create(acting_user=partner_user, client=shared_client, partners=[third])
