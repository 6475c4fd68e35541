"""Agreement pages: who may read, who may act, forms, PDF and CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Coordinator, Scope, Status
from cooperation.models import Role

from ..factories import agreement_between, member
from ..pdfs import pdf_pages, pdf_text, pdf_to_png

TODAY = timezone.localdate()


def _create(client, partner, **overrides):
    data = {
        "title": "Porozumienie o współpracy – Żółć",
        "partners": [partner.pk],
        "scopes": [Scope.CLIENT_RECORDS, Scope.JOB_OFFERS],
        "valid_from": TODAY.isoformat(),
        "valid_until": "",
        "body": "",
        "form_token": "t-1",
    }
    data.update(overrides)
    return client.post(reverse("agreements:create"), data)


def test_a_coordinator_drafts_through_the_form(client, coordinator, partner) -> None:
    client.force_login(coordinator)
    response = _create(client, partner)
    agreement = Agreement.objects.get()
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()
    assert agreement.scopes == [Scope.CLIENT_RECORDS, Scope.JOB_OFFERS]


def test_a_double_submitted_draft_creates_one_agreement(client, coordinator, partner) -> None:
    client.force_login(coordinator)
    _create(client, partner)
    second = _create(client, partner)
    assert Agreement.objects.count() == 1
    assert second["Location"] == Agreement.objects.get().get_absolute_url()


def test_dates_upside_down_show_next_to_the_field_and_keep_the_input(
    client, coordinator, partner
) -> None:
    client.force_login(coordinator)
    response = _create(client, partner, valid_until=(TODAY - dt.timedelta(days=3)).isoformat())
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_valid_until_error"' in body
    assert "Porozumienie o współpracy – Żółć" in body
    assert not Agreement.objects.exists()


def test_only_network_institutions_are_offered_as_partners(
    client, coordinator, partner, foreign
) -> None:
    client.force_login(coordinator)
    body = client.get(reverse("agreements:create")).content.decode()
    assert partner.name in body and foreign.name not in body


def test_workers_read_agreements_but_cannot_act(client, own, partner, owner) -> None:
    agreement = agreement_between(own, partner)
    client.force_login(owner)
    assert client.get(reverse("agreements:detail", args=[agreement.pk])).status_code == 200
    assert client.get(reverse("agreements:terminate", args=[agreement.pk])).status_code == 403
    assert client.get(reverse("agreements:create")).status_code == 403


def test_the_list_filters_by_status_partner_and_ending(client, own, partner, coordinator) -> None:
    active = agreement_between(own, partner, valid_until=TODAY + dt.timedelta(days=20))
    draft = agreement_between(own, partner, status=Status.DRAFT)
    client.force_login(coordinator)
    body = client.get(reverse("agreements:list"), {"status": "draft"}).content.decode()
    assert draft.number in body and active.number not in body
    body = client.get(reverse("agreements:list"), {"expiring": "on"}).content.decode()
    assert active.number in body and draft.number not in body
    body = client.get(reverse("agreements:list"), {"partner": partner.pk}).content.decode()
    assert active.number in body and draft.number in body


@pytest.mark.parametrize("rows", [2, 12])
def test_the_list_costs_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, own, partner, coordinator, rows
) -> None:
    for _ in range(rows):
        agreement_between(own, partner)
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("agreements:list")).status_code == 200


def test_the_detail_shows_terms_in_force_on_a_date(client, own, partner, coordinator) -> None:
    agreement = agreement_between(own, partner, valid_from=TODAY - dt.timedelta(days=5))
    client.force_login(coordinator)
    before = client.get(
        reverse("agreements:detail", args=[agreement.pk]),
        {"on": (TODAY - dt.timedelta(days=30)).isoformat()},
    )
    assert "nie obowiązywało" in before.content.decode()
    bad_date = client.get(reverse("agreements:detail", args=[agreement.pk]), {"on": "jutro"})
    assert bad_date.status_code == 200


def test_accept_through_the_page_waits_for_the_signed_copy(client, own, partner) -> None:
    agreement = agreement_between(own, partner, status=Status.SENT)
    client.force_login(member(partner, Role.COORDINATOR))
    response = client.post(
        reverse("agreements:accept", args=[agreement.pk]),
        {"signatory_name": "Zofia Łęcka", "signatory_function": "Dyrektor"},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Status.ACCEPTED
    body = client.get(agreement.get_absolute_url()).content.decode()
    assert "czeka na podpisany egzemplarz" in body
    assert reverse("agreements:signed_copy", args=[agreement.pk]) in body


def test_accept_without_a_name_says_so_next_to_the_field(client, own, partner) -> None:
    agreement = agreement_between(own, partner, status=Status.SENT)
    client.force_login(member(partner, Role.COORDINATOR))
    response = client.post(
        reverse("agreements:accept", args=[agreement.pk]),
        {"signatory_name": "", "signatory_function": "Dyrektor"},
    )
    assert 'id="id_signatory_name_error"' in response.content.decode()


def test_terminate_through_the_page(client, own, partner, coordinator) -> None:
    agreement = agreement_between(own, partner)
    client.force_login(coordinator)
    client.post(
        reverse("agreements:terminate", args=[agreement.pk]),
        {"reason": "Rażące naruszenie", "notice_days": 0, "without_notice": "on"},
    )
    agreement.refresh_from_db()
    assert agreement.status == Status.TERMINATED


def test_the_pdf_is_a_polish_document_with_the_parties(client, own, partner, coordinator) -> None:
    agreement = agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.REFERRALS])
    client.force_login(coordinator)
    response = client.get(reverse("agreements:pdf", args=[agreement.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "POROZUMIENIE O WSPÓŁPRACY" in text
    assert own.name in text and partner.name in text
    assert "Udostępnianie" in text or "udostępnian" in text.lower()
    assert "§ 4" in text and "ą" in text and "ż" in text
    pdf_to_png(response.content, "agreement-pdf")


def test_the_pdf_does_not_overflow_with_a_long_text(client, own, partner, coordinator) -> None:
    agreement = agreement_between(own, partner)
    agreement.body = "\n\n".join(f"§ {i}. " + "Zażółć gęślą jaźń. " * 60 for i in range(1, 15))
    agreement.save()
    client.force_login(coordinator)
    response = client.get(reverse("agreements:pdf", args=[agreement.pk]))
    assert pdf_pages(response.content) >= 3
    assert "§ 14" in pdf_text(response.content)


def test_the_list_of_agreements_in_force_as_csv_and_pdf(client, own, partner, coordinator) -> None:
    active = agreement_between(own, partner)
    draft = agreement_between(own, partner, status=Status.DRAFT)
    client.force_login(coordinator)
    csv_body = client.get(reverse("agreements:export", args=["csv"])).content.decode("utf-8-sig")
    assert active.number in csv_body and draft.number not in csv_body
    assert "Numer;Tytuł;Strony" in csv_body
    pdf = client.get(reverse("agreements:export", args=["pdf"])).content
    assert active.number in pdf_text(pdf)
    assert client.get(reverse("agreements:export", args=["xls"])).status_code == 404


def test_the_network_shows_coordinators_and_links_but_not_other_counties(
    client, own, partner, foreign, coordinator, outsider
) -> None:
    agreement = agreement_between(own, partner, [Scope.JOB_OFFERS])
    Coordinator.objects.create(
        institution=partner,
        user=member(partner, Role.COORDINATOR, last_name="Kontaktowa"),
        phone="41 111 22 33",
        office_hours="pn–pt 8–15",
    )
    client.force_login(coordinator)
    body = client.get(reverse("agreements:network")).content.decode()
    assert "Kontaktowa" in body and "41 111 22 33" in body
    assert agreement.number in body and foreign.name not in body
    client.force_login(outsider)
    body = client.get(reverse("agreements:network")).content.decode()
    assert own.name not in body and agreement.number not in body


def test_a_coordinator_designates_the_main_coordinator_and_a_deputy(
    client, own, coordinator, colleague
) -> None:
    client.force_login(coordinator)
    client.post(
        reverse("agreements:coordinators"),
        {"user": coordinator.pk, "phone": "41 1", "email": "k@example.pl", "office_hours": "8-15"},
    )
    client.post(
        reverse("agreements:coordinators"),
        {"user": colleague.pk, "is_deputy": "on", "phone": "41 2"},
    )
    cards = {c.user_id: c.is_deputy for c in Coordinator.objects.filter(institution=own)}
    assert cards == {coordinator.pk: False, colleague.pk: True}
    client.post(reverse("agreements:coordinators"), {"user": colleague.pk, "phone": "41 2"})
    cards = {c.user_id: c.is_deputy for c in Coordinator.objects.filter(institution=own)}
    assert cards == {coordinator.pk: True, colleague.pk: False}
