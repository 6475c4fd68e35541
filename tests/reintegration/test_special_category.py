"""Gate 6 of the authorization issue: health and addiction needs are special-category
data (GDPR art. 9). They are recorded, and the plan shared, only on a recorded
art. 9(2) ground; the needs form offers the grounds and says what is missing next
to the field, in Polish."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients.models import Consent
from cooperation.models import InstitutionKind, Role
from cooperation.processing import SpecialCategoryGround
from reintegration import services
from reintegration.models import Area, NeedAssessment, NeedLevel, PlanChange

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member
from .helpers import share

pytestmark = pytest.mark.django_db


def _needs(**levels: str) -> dict[str, str]:
    data = {f"level_{a}": NeedLevel.NOT_ASSESSED for a in Area.values}
    data |= {f"note_{a}": "" for a in Area.values}
    data |= {f"level_{a}": level for a, level in levels.items()}
    return data


def test_it_refuses_health_needs_without_an_art_9_ground(client, plan, owner) -> None:
    client.force_login(owner)
    data = _needs(health=NeedLevel.CRITICAL, housing=NeedLevel.MODERATE)
    data["note_health"] = "Leczenie odwykowe"
    response = client.post(reverse("reintegration:needs", args=[plan.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "art. 9 ust. 2 RODO" in html
    errors = response.context["form"].errors["special_category_ground"]
    assert "szczególnej kategorii" in errors[0]
    # The error sits next to the field it belongs to.
    assert 'aria-describedby="id_special_category_ground_error' in html or (
        "id_special_category_ground_error" in html
    )
    # Nothing was saved: every area is still as the plan started.
    assert set(NeedAssessment.objects.filter(plan=plan).values_list("level", flat=True)) == {
        NeedLevel.NOT_ASSESSED
    }


def test_it_records_the_ground_with_the_needs(client, plan, owner) -> None:
    client.force_login(owner)
    data = _needs(addiction=NeedLevel.MODERATE)
    data["special_category_ground"] = SpecialCategoryGround.SOCIAL_PROTECTION
    response = client.post(reverse("reintegration:needs", args=[plan.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.special_category_ground == SpecialCategoryGround.SOCIAL_PROTECTION
    assert NeedAssessment.objects.get(plan=plan, area=Area.ADDICTION).level == NeedLevel.MODERATE
    fields = [c["field"] for ch in PlanChange.objects.filter(plan=plan) for c in ch.changes]
    assert "special_category_ground" in fields


def test_it_offers_every_art_9_ground(client, plan, owner) -> None:
    client.force_login(owner)
    html = client.get(reverse("reintegration:needs", args=[plan.pk])).content.decode()
    for ground in SpecialCategoryGround:
        assert f'value="{ground.value}"' in html


def test_needs_outside_the_special_categories_need_no_ground(plan, owner) -> None:
    services.needs_assess(
        plan=plan, acting_user=owner, assessments={"housing": (NeedLevel.CRITICAL, "")}
    )
    assert NeedAssessment.objects.get(plan=plan, area=Area.HOUSING).level == NeedLevel.CRITICAL


def _third_partner(own, owner, client_record):  # type: ignore[no-untyped-def]
    ngo = InstitutionFactory(kind=InstitutionKind.NGO, county=own.county)
    member(ngo, Role.PARTNER_STAFF)
    from agreements.models import Scope

    agreement_between(own, ngo, [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS])
    share(client_record, ngo, owner)
    return ngo


def test_on_explicit_consent_a_partner_joins_only_with_that_consent(plan, owner, own) -> None:
    services.needs_assess(
        plan=plan,
        acting_user=owner,
        assessments={"health": (NeedLevel.CRITICAL, "")},
        special_category_ground=SpecialCategoryGround.EXPLICIT_CONSENT,
    )
    ngo = _third_partner(own, owner, plan.client)
    with pytest.raises(ValidationError) as refused:
        services.participant_add(plan=plan, acting_user=owner, institution=ngo)
    assert "9 ust. 2 lit. a" in str(refused.value)
    today = timezone.localdate()
    Consent.objects.create(
        client=plan.client,
        partner=ngo,
        basis="consent",
        scopes=["client_records", "joint_plans"],
        special_category_ground=SpecialCategoryGround.EXPLICIT_CONSENT,
        given_on=today,
        valid_until=today + dt.timedelta(days=365),
        recorded_by=owner,
    )
    services.participant_add(plan=plan, acting_user=owner, institution=ngo)
    assert plan.participants.filter(institution=ngo).exists()


def test_the_consent_form_records_an_art_9_ground(client, own, partner, owner) -> None:
    from agreements.models import Scope

    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS])
    record = ClientFactory(owner=own, created_by=owner)
    client.force_login(owner)
    url = reverse("clients:consent_add", args=[record.pk])
    page = client.get(url, {"partner": partner.pk, "ground": "9_2_a"}).content.decode()
    assert 'value="9_2_a" selected' in page
    response = client.post(
        url,
        {
            "partner": partner.pk,
            "basis": "statutory",
            "scopes": ["joint_plans"],
            "special_category_ground": "9_2_a",
            "given_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    consent = Consent.objects.get(client=record)
    assert consent.special_category_ground == SpecialCategoryGround.EXPLICIT_CONSENT
