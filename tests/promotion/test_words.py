"""Promotion forms fill in what is known; pages name institutions and read as Polish."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from cooperation.models import InstitutionKind
from cooperation.validators import make_pesel

from ..factories import ClientFactory, InstitutionFactory, agreement_between
from .helpers import TODAY, completed_programme, consent_for, propose

pytestmark = pytest.mark.django_db


def _checked(body: str, name: str) -> bool:
    tag = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', body)
    assert tag, name
    return "checked" in tag.group(0)


def _selected(body: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', body, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    return chosen.group(1) if chosen else ""


def _client_born(own, owner, partner, years: int):
    born = TODAY - relativedelta(years=years) - dt.timedelta(days=1)
    person = ClientFactory(
        owner=own,
        created_by=owner,
        birth_date=born,
        pesel=make_pesel(born, 7, female=True),
        skills="Prawo jazdy kat. B, kurs kasjera",
    )
    consent_for(person, owner, partner)
    return person


@pytest.mark.parametrize(
    ("years", "under_30", "over_50"), [(29, True, False), (30, False, False), (50, False, True)]
)
def test_the_proposal_knows_the_office_the_skills_and_the_age_group(
    client, own, owner, partner, promo_agreement, years, under_30, over_50
) -> None:
    person = _client_born(own, owner, partner, years)
    programme = completed_programme(person, owner)
    client.force_login(owner)
    body = client.get(reverse("promotion:propose", args=[programme.pk])).content.decode()
    assert _selected(body, "target") == str(partner.pk)
    assert "Prawo jazdy kat. B, kurs kasjera</textarea>" in body
    assert (_checked(body, "under_30"), _checked(body, "over_50")) == (under_30, over_50)
    assert "Urząd pracy" in body and "urząd pracy:" not in body


def test_with_two_offices_under_agreement_none_is_chosen_for_the_worker(
    client, own, owner, partner, promo_agreement
) -> None:
    from agreements.models import Scope

    other = InstitutionFactory(kind=InstitutionKind.PUP, name="PUP Drugi")
    agreement_between(own, other, [Scope.CLIENT_RECORDS, Scope.PROMOTION])
    programme = completed_programme(_client_born(own, owner, partner, 40), owner)
    client.force_login(owner)
    body = client.get(reverse("promotion:propose", args=[programme.pk])).content.decode()
    assert _selected(body, "target") == ""


def test_closing_a_case_has_no_outcome_chosen_in_advance(
    client, own, owner, partner, advisor, promo_agreement
) -> None:
    case = propose(
        completed_programme(_client_born(own, owner, partner, 40), owner), owner, partner
    )
    client.force_login(advisor)
    body = client.get(reverse("promotion:close", args=[case.pk])).content.decode()
    assert _selected(body, "outcome") == ""
    assert "Rezultat" in body and "rezultat:" not in body


def test_the_queue_names_the_proposing_institution(
    client, own, owner, partner, advisor, promo_agreement
) -> None:
    propose(completed_programme(_client_born(own, owner, partner, 40), owner), owner, partner)
    client.force_login(advisor)
    body = client.get(reverse("promotion:queue")).content.decode()
    assert f"<td>{own.name}</td>" in body
    assert f"<td>{own.short_name}</td>" not in body
