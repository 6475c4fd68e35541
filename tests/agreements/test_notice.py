"""Gate 4: the notice period lives in the terms, is printed, and is enforced;
and the procedures of the default text come from the terms (issue 20, part 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements.models import AgreementTerms, Coordinator, EventKind, Scope, Status
from agreements.scope import agreement_covers
from agreements.services import (
    agreement_draft,
    agreement_terminate,
    agreement_update,
    agreements_run_daily,
    annex_approve,
    annex_propose,
)
from cooperation.models import Role

from ..factories import agreement_between, member
from ..pdfs import pdf_text, pdf_to_png

TODAY = timezone.localdate()


@pytest.fixture
def active(own, partner):  # type: ignore[no-untyped-def]
    return agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.REFERRALS])


def test_the_notice_period_is_in_the_terms(active) -> None:
    assert active.notice_days == 30
    terms = AgreementTerms.objects.get(agreement=active)
    assert (terms.notice_days, terms.referral_answer_days, terms.promotion_case_days) == (30, 2, 14)
    assert terms.meeting_every_months == 3


def test_notice_shorter_than_the_terms_is_refused_next_to_the_field(active, own) -> None:
    with pytest.raises(ValidationError) as exc:
        agreement_terminate(
            agreement=active,
            acting_user=member(own, Role.COORDINATOR),
            reason="Zmiana zasad",
            notice_days=10,
        )
    message = exc.value.message_dict["notice_days"][0]
    earliest = (TODAY + dt.timedelta(days=30)).strftime("%d.%m.%Y")
    assert message.startswith(
        f"Okres wypowiedzenia w warunkach porozumienia wynosi 30 dni: najwcześniejszy koniec to {earliest}."
    )
    active.refresh_from_db()
    assert active.termination_date is None


def test_notice_of_the_full_period_is_accepted(active, own, partner) -> None:
    agreement = agreement_terminate(
        agreement=active, acting_user=member(own, Role.COORDINATOR), reason="Koniec", notice_days=30
    )
    assert agreement.termination_date == TODAY + dt.timedelta(days=30)
    assert not agreement.terminated_without_notice
    assert agreement_covers(own, partner, Scope.CLIENT_RECORDS)


def test_without_notice_needs_a_recorded_reason(active, own, partner) -> None:
    coordinator = member(own, Role.COORDINATOR)
    with pytest.raises(ValidationError) as exc:
        agreement_terminate(
            agreement=active,
            acting_user=coordinator,
            reason=" ",
            notice_days=0,
            without_notice=True,
        )
    assert exc.value.message_dict["reason"] == [
        "Podaj przyczynę rozwiązania bez wypowiedzenia, np. rażące naruszenie porozumienia."
    ]
    agreement = agreement_terminate(
        agreement=active,
        acting_user=coordinator,
        reason="Rażące naruszenie: udostępnienie danych osobie trzeciej",
        notice_days=0,
        without_notice=True,
    )
    assert agreement.status == Status.TERMINATED and agreement.terminated_without_notice
    assert agreement.events.get(kind=EventKind.TERMINATION_NOTICE).comment.startswith(
        "Bez wypowiedzenia: Rażące naruszenie"
    )
    assert not agreement_covers(own, partner, Scope.CLIENT_RECORDS)


def test_ending_sooner_by_every_partys_consent_goes_through_an_annex(active, own, partner) -> None:
    annex = annex_propose(
        agreement=active,
        acting_user=member(own, Role.COORDINATOR),
        description="Rozwiązanie za porozumieniem stron",
        effective_from=TODAY,
        scopes=active.scopes,
        valid_until=TODAY + dt.timedelta(days=5),
    )
    assert not annex.applied  # one party alone cannot shorten it
    annex_approve(annex=annex, acting_user=member(partner, Role.COORDINATOR))
    active.refresh_from_db()
    assert active.valid_until == TODAY + dt.timedelta(days=5)
    agreements_run_daily(today=TODAY + dt.timedelta(days=6))
    active.refresh_from_db()
    assert active.status == Status.EXPIRED


def test_the_terminate_page_shows_the_period_and_the_error_in_polish(
    client, active, coordinator
) -> None:
    client.force_login(coordinator)
    url = reverse("agreements:terminate", args=[active.pk])
    page = client.get(url).content.decode()
    assert 'value="30"' in page and "wynosi 30 dni" in page
    response = client.post(url, {"reason": "Koniec", "notice_days": 7})
    body = response.content.decode()
    assert 'id="id_notice_days_error"' in body and "najwcześniejszy koniec" in body


def test_the_notice_period_chosen_on_the_draft_is_in_the_text(coordinator, partner) -> None:
    agreement = agreement_draft(
        acting_user=coordinator,
        title="Porozumienie",
        partners=[partner],
        scopes=[Scope.REFERRALS, Scope.PROMOTION],
        valid_from=TODAY,
        notice_days=60,
        meeting_every_months=1,
    )
    assert agreement.notice_days == 60
    assert "z zachowaniem 60-dniowego okresu wypowiedzenia" in agreement.body
    assert "nie rzadziej niż raz na 1 miesiąc" in agreement.body


def test_changing_the_terms_of_an_untouched_text_rewrites_it(coordinator, partner) -> None:
    agreement = agreement_draft(
        acting_user=coordinator,
        title="Porozumienie",
        partners=[partner],
        scopes=[Scope.REFERRALS],
        valid_from=TODAY,
    )
    data = {
        "title": "Porozumienie",
        "scopes": [Scope.REFERRALS],
        "valid_from": TODAY,
        "valid_until": None,
        "body": agreement.body,
    }
    agreement_update(agreement=agreement, acting_user=coordinator, notice_days=90, **data)
    assert "90-dniowego" in agreement.body
    # A text the coordinator wrote is left as written.
    data["body"] = "Własna treść"
    agreement_update(agreement=agreement, acting_user=coordinator, notice_days=45, **data)
    assert agreement.body == "Własna treść" and agreement.notice_days == 45


def test_a_notice_period_out_of_range_is_refused(coordinator, partner) -> None:
    with pytest.raises(ValidationError) as exc:
        agreement_draft(
            acting_user=coordinator,
            title="Porozumienie",
            partners=[partner],
            scopes=[Scope.REFERRALS],
            valid_from=TODAY,
            notice_days=400,
        )
    assert exc.value.message_dict["notice_days"] == ["Okres wypowiedzenia wynosi od 0 do 365 dni."]


def test_the_default_text_has_the_procedures(own, partner, coordinator, settings) -> None:
    settings.REFERRAL_ANSWER_WORKING_DAYS = 3
    Coordinator.objects.create(
        institution=own, user=coordinator, phone="41 000 00 01", email="koord@mops.example"
    )
    agreement = agreement_draft(
        acting_user=coordinator,
        title="Porozumienie",
        partners=[partner],
        scopes=[Scope.REFERRALS, Scope.PROMOTION, Scope.SEPI],
        valid_from=TODAY,
    )
    body = agreement.body
    assert "§ 3. Podział zadań" in body
    assert "odpowiada na skierowanie w ciągu 3 dni roboczych" in body
    assert "w ciągu 14 dni od jej zgłoszenia" in body
    assert "nie rzadziej niż raz na 3 miesiące" in body
    assert f"{coordinator.display_name}, tel. 41 000 00 01, koord@mops.example" in body
    assert "30-dniowego okresu wypowiedzenia" in body
    assert f"– {partner.name}: podejmuje każdą zgłoszoną sprawę w terminie" in body
    assert agreement.referral_answer_days == 3


def test_the_pdf_prints_the_procedures_from_the_terms(client, active, coordinator, own) -> None:
    Coordinator.objects.create(
        institution=own, user=coordinator, phone="41 000 00 01", email="koord@mops.example"
    )
    client.force_login(coordinator)
    data = client.get(reverse("agreements:pdf", args=[active.pk])).content
    # All pages, for a person to look at (test-artifacts/agreement-procedures-N.png).
    pdf_to_png(data, "agreement-procedures", last_page=4)
    text = " ".join(pdf_text(data).split())
    assert "Procedury współpracy" in text
    assert "Okres wypowiedzenia 30 dni;" in text
    assert "Odpowiedź na skierowanie w ciągu 2 dni roboczych od otrzymania" in text
    assert "Podział zadań" in text and own.name in text
    assert "Podpisany egzemplarz" in text
