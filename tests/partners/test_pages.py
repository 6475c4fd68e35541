"""The pages: referring through the form, each side's view of a referral, the
partner never seeing the client nor fields outside the referral, the client's
timeline and panel, the home page, the printable referral, the query costs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from agreements.models import Scope
from clients.services import client_share
from cooperation.models import AuditAction, AuditEvent, InstitutionKind, Role
from partners import services
from partners.models import Referral, Status

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member
from ..lazy import get_loaded
from ..pdfs import pdf_text, pdf_to_png
from .conftest import TODAY, consent_to, make_offer, refer

pytestmark = pytest.mark.usefixtures("covered")

# What the client's record holds beyond the name; none of it may reach the
# partner unless ticked.
RECORD_ONLY = ["600 111 222", "Sekretna", "1979", "Samotnie wychowuje"]


def _body(response) -> str:
    return response.content.decode()


def _post_referral(client, person, offer, **fields):
    data = {"service": offer.pk, "form_token": "tok-1", **fields}
    return client.post(reverse("partners:referral_create", args=[person.pk]), data)


# --- referring -------------------------------------------------------------------


def test_a_worker_refers_through_the_form(client, owner, person, offer) -> None:
    client.force_login(owner)
    form = _body(client.get(reverse("partners:referral_create", args=[person.pk])))
    assert offer.name in form and "600 111 222" in form  # the worker sees what would go
    response = _post_referral(client, person, offer, share_phone="on", needs="Długi czynszowe")
    referral = Referral.objects.get()
    assert response["Location"] == referral.get_absolute_url()
    assert referral.shared_fields == ["first_name", "last_name", "phone", "needs"]
    assert referral.address == "" and referral.birth_year is None


def test_a_double_submitted_referral_is_sent_once(client, owner, person, offer) -> None:
    client.force_login(owner)
    _post_referral(client, person, offer)
    second = _post_referral(client, person, offer)
    assert Referral.objects.count() == 1
    assert second["Location"] == Referral.objects.get().get_absolute_url()


def test_a_refusal_is_explained_next_to_the_service(client, owner, own, offer) -> None:
    unconsented = ClientFactory(owner=own, created_by=owner)
    client.force_login(owner)
    response = _post_referral(client, unconsented, offer, share_phone="on")
    body = _body(response)
    assert 'id="id_service_error"' in body and "checked" in body  # the ticks are kept
    assert not Referral.objects.exists()


def test_only_services_under_an_agreement_are_offered(client, owner, person, offer) -> None:
    elsewhere = make_offer(
        member(InstitutionFactory(kind=InstitutionKind.NGO), Role.PARTNER_STAFF),
        name="Usługa bez porozumienia",
    )
    client.force_login(owner)
    form = client.get(reverse("partners:referral_create", args=[person.pk])).context["form"]
    assert list(form.fields["service"].queryset) == [offer]
    response = _post_referral(client, person, elsewhere)
    assert "service" in response.context["form"].errors and not Referral.objects.exists()


def test_a_field_missing_from_the_record_cannot_be_ticked(client, owner, own, offer, ngo) -> None:
    no_phone = ClientFactory(owner=own, created_by=owner, phone="")
    consent_to(no_phone, owner, ngo)
    client.force_login(owner)
    form = client.get(reverse("partners:referral_create", args=[no_phone.pk])).context["form"]
    assert form.fields["share_phone"].disabled


# --- the partner's view -------------------------------------------------------------


def test_the_partner_sees_the_snapshot_and_nothing_of_the_record(
    client, owner, person, offer, staff
) -> None:
    referral = refer(owner, person, offer, share=["phone"])
    client.force_login(staff)
    body = _body(client.get(reverse("partners:referral", args=[referral.pk])))
    assert "Grażyna Łękawa" in body and "600 111 222" in body
    for secret in ["Sekretna", "1979", "Samotnie wychowuje", person.pesel]:
        assert secret not in body
    assert reverse("clients:detail", args=[person.pk]) not in body
    assert AuditEvent.objects.filter(
        actor=staff,
        action=AuditAction.VIEW,
        object_id=str(referral.pk),
        content_type__model="referral",
    ).exists()


def test_unticked_fields_appear_on_no_partner_page(client, owner, person, offer, staff) -> None:
    referral = refer(owner, person, offer)
    client.force_login(staff)
    pages = [
        client.get(reverse("partners:referral", args=[referral.pk])),
        client.get(reverse("partners:referrals")),
        client.get(reverse("home")),
        client.get(reverse("partners:referral_accept", args=[referral.pk])),
    ]
    for response in pages:
        assert response.status_code == 200
        body = _body(response)
        assert "Łękawa" in body
        leaked = [s for s in [*RECORD_ONLY, person.pesel] if s in body]
        assert not leaked, (response.request["PATH_INFO"], leaked)
    pdf = pdf_text(client.get(reverse("partners:referral_pdf", args=[referral.pk])).content)
    assert "Łękawa" in pdf and not [s for s in [*RECORD_ONLY, person.pesel] if s in pdf]


def test_the_partner_never_reaches_the_client_record(client, owner, person, offer, staff) -> None:
    refer(owner, person, offer, share=["phone", "address"])
    client.force_login(staff)
    assert client.get(reverse("clients:detail", args=[person.pk])).status_code == 403
    assert client.get(reverse("clients:list")).status_code == 403
    coordinator = member(staff.memberships.get().institution, Role.COORDINATOR)
    client.force_login(coordinator)  # a casework role, but nothing was shared with the NGO
    assert client.get(reverse("clients:detail", args=[person.pk])).status_code == 404
    assert person.last_name not in _body(client.get(reverse("clients:list")))


def test_a_partner_sees_only_the_clients_referred_to_it(
    client, own, owner, person, offer, staff
) -> None:
    other_ngo = InstitutionFactory(kind=InstitutionKind.NGO, short_name="ngo-inne")
    agreement_between(own, other_ngo, [Scope.REFERRALS])
    other_offer = make_offer(member(other_ngo, Role.PARTNER_STAFF), name="Inna usługa")
    somebody = ClientFactory(owner=own, created_by=owner, last_name="Nieskierowana")
    consent_to(somebody, owner, other_ngo)
    theirs = refer(owner, somebody, other_offer)
    mine = refer(owner, person, offer)
    client.force_login(staff)
    body = _body(client.get(reverse("partners:referrals")))
    assert "Łękawa" in body and "Nieskierowana" not in body
    assert client.get(reverse("partners:referral", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("partners:referral_pdf", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("partners:referral_accept", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("partners:referral", args=[mine.pk])).status_code == 200


def test_a_withdrawn_consent_closes_the_page_to_the_partner(
    client, owner, person, offer, staff
) -> None:
    from clients.services import consent_withdraw

    referral = refer(owner, person, offer)
    consent_withdraw(consent=person.consents.get(), acting_user=owner)
    client.force_login(staff)
    assert client.get(reverse("partners:referral", args=[referral.pk])).status_code == 404
    assert "Łękawa" not in _body(client.get(reverse("partners:referrals")))


# --- the workflow through the pages ----------------------------------------------------


def test_the_partner_answers_records_and_completes(client, owner, person, offer, staff) -> None:
    referral = refer(owner, person, offer)
    client.force_login(staff)
    end = (TODAY + dt.timedelta(days=20)).isoformat()
    url = reverse("partners:referral_accept", args=[referral.pk])
    assert client.post(url, {"start_date": TODAY.isoformat(), "end_date": end}).status_code == 302
    url = reverse("partners:referral_delivery", args=[referral.pk])
    data = {"delivered_on": TODAY.isoformat(), "kind": "group", "hours": "3", "note": "Warsztat"}
    assert client.post(url, data).status_code == 302
    url = reverse("partners:referral_complete", args=[referral.pk])
    data = {"completed_on": TODAY.isoformat(), "outcome": "achieved", "outcome_note": "Plan spłaty"}
    assert client.post(url, data).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED and referral.deliveries.get().hours == Decimal("3")
    client.force_login(owner)
    body = _body(client.get(referral.get_absolute_url()))
    assert "Plan spłaty" in body and "Warsztat" in body


def test_the_partner_declines_and_the_referrer_cancels(client, owner, person, offer, staff) -> None:
    first = refer(owner, person, offer)
    client.force_login(staff)
    url = reverse("partners:referral_decline", args=[first.pk])
    assert "reason" in client.post(url, {"reason": ""}).context["form"].errors
    client.post(url, {"reason": "Brak miejsc"})
    first.refresh_from_db()
    assert first.status == Status.DECLINED
    second = refer(owner, person, offer)
    client.force_login(owner)
    client.post(reverse("partners:referral_cancel", args=[second.pk]), {"reason": "Zmiana planu"})
    second.refresh_from_db()
    assert second.status == Status.CANCELLED


def test_a_state_error_is_shown_on_the_form(client, owner, person, offer, staff) -> None:
    referral = refer(owner, person, offer)
    offer.free_places = 0
    offer.save()
    client.force_login(staff)
    url = reverse("partners:referral_accept", args=[referral.pk])
    response = client.post(url, {"start_date": TODAY.isoformat(), "end_date": TODAY.isoformat()})
    assert response.status_code == 200 and "form-errors" in _body(response)


def test_each_side_gets_403_on_the_other_sides_steps(client, owner, person, offer, staff) -> None:
    referral = refer(owner, person, offer)
    client.force_login(owner)
    for name in ("referral_accept", "referral_decline", "referral_delivery", "referral_complete"):
        assert client.get(reverse(f"partners:{name}", args=[referral.pk])).status_code == 403
    assert client.post(reverse("partners:referral_start", args=[referral.pk])).status_code == 403
    client.force_login(staff)
    assert client.get(reverse("partners:referral_cancel", args=[referral.pk])).status_code == 403
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_the_start_button_moves_it_to_in_progress(client, owner, person, offer, staff) -> None:
    referral = refer(owner, person, offer)
    services.referral_accept(referral=referral, acting_user=staff, start_date=TODAY, end_date=TODAY)
    client.force_login(staff)
    client.post(reverse("partners:referral_start", args=[referral.pk]))
    referral.refresh_from_db()
    assert referral.status == Status.IN_PROGRESS


# --- the referring side: timeline, panel, home ----------------------------------------


def _delivered(owner, person, offer, staff) -> Referral:
    referral = refer(owner, person, offer)
    services.referral_accept(
        referral=referral,
        acting_user=staff,
        start_date=TODAY,
        end_date=TODAY + dt.timedelta(days=9),
    )
    services.delivery_record(
        referral=referral,
        acting_user=staff,
        delivered_on=TODAY,
        kind="individual",
        hours=Decimal("2"),
        note="Rozmowa wstępna",
    )
    return referral


def test_the_referring_worker_sees_it_on_the_clients_timeline(
    client, owner, person, offer, staff
) -> None:
    referral = _delivered(owner, person, offer, staff)
    client.force_login(owner)
    body = _body(client.get(reverse("clients:detail", args=[person.pk]), {"tab": "timeline"}))
    assert offer.name in body and "Rozmowa wstępna" in body
    assert referral.get_absolute_url() in body


def test_a_partner_sharing_the_client_does_not_see_our_referrals(
    client, own, partner, owner, person, offer, staff, partner_user
) -> None:
    _delivered(owner, person, offer, staff)
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    consent = consent_to(person, owner, partner, scopes=[Scope.CLIENT_RECORDS])
    client_share(client=person, partner=partner, consent=consent, acting_user=owner)
    client.force_login(partner_user)
    for tab in ("timeline", "record"):
        body = _body(client.get(reverse("clients:detail", args=[person.pk]), {"tab": tab}))
        assert offer.name not in body and "Rozmowa wstępna" not in body


def _panel_html(user, client_obj) -> str:
    """The referrals panel as the clients app renders it on the record page, for this user."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from cooperation import hooks
    from cooperation.permissions import membership_of

    request = RequestFactory().get("/")
    request.user, request.membership = user, membership_of(user)
    request.institution = request.membership.institution
    return "".join(
        render_to_string(panel.template, {"client": client_obj, "panel": ctx}, request=request)
        for panel in hooks.get_hooks("client_panels")
        if panel.key == "referrals" and (ctx := panel.context(request, client_obj)) is not None
    )


def test_the_record_page_has_a_referrals_box(owner, person, offer, staff) -> None:
    referral = refer(owner, person, offer)
    html = _panel_html(owner, person)
    assert 'id="client-referrals"' in html and offer.name in html
    assert reverse("partners:referral_create", args=[person.pk]) in html
    assert referral.get_absolute_url() in html


def test_the_record_page_shows_the_box(client, owner, person, offer) -> None:
    referral = refer(owner, person, offer)
    client.force_login(owner)
    body = get_loaded(client, reverse("clients:detail", args=[person.pk]))
    assert 'id="client-referrals"' in body and referral.get_absolute_url() in body
    assert reverse("partners:referral_create", args=[person.pk]) in body


def test_no_box_without_referrals_or_an_agreement(partner, partner_user) -> None:
    theirs = ClientFactory(owner=partner, created_by=partner_user)
    assert 'id="client-referrals"' not in _panel_html(partner_user, theirs)


def test_a_sharing_partner_gets_no_box_of_our_referrals(
    own, partner, owner, person, offer, partner_user
) -> None:
    refer(owner, person, offer)
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    consent = consent_to(person, owner, partner, scopes=[Scope.CLIENT_RECORDS])
    client_share(client=person, partner=partner, consent=consent, acting_user=owner)
    assert offer.name not in _panel_html(partner_user, person)


def test_home_shows_the_partner_what_to_answer_and_the_worker_what_waits(
    client, owner, person, offer, staff
) -> None:
    referral = refer(owner, person, offer)
    client.force_login(staff)
    body = get_loaded(client, reverse("home"))
    assert 'id="section-referrals_to_answer"' in body and referral.get_absolute_url() in body
    client.force_login(owner)
    body = get_loaded(client, reverse("home"))
    assert 'id="section-referrals_to_watch"' in body and referral.get_absolute_url() in body
    services.referral_accept(referral=referral, acting_user=staff, start_date=TODAY, end_date=TODAY)
    assert referral.get_absolute_url() not in get_loaded(client, reverse("home"))


def test_an_overdue_outcome_comes_back_to_the_worker(client, owner, person, offer, staff) -> None:
    referral = refer(owner, person, offer)
    services.referral_accept(
        referral=referral,
        acting_user=staff,
        start_date=TODAY - dt.timedelta(days=9),
        end_date=TODAY - dt.timedelta(days=1),
    )
    client.force_login(owner)
    body = get_loaded(client, reverse("home"))
    assert referral.get_absolute_url() in body and "badge--danger" in body


@pytest.mark.parametrize("rows", [2, 20])
def test_lists_and_home_cost_the_same_queries_for_any_size(
    client, django_assert_max_num_queries, own, owner, ngo, person, staff, rows
) -> None:
    unlimited = make_offer(staff, name="Bez limitu", capacity=None)
    for i in range(rows):
        c = ClientFactory(owner=own, created_by=owner)
        consent_to(c, owner, ngo)
        referral = refer(owner, c, unlimited)
        if i % 2:  # half accepted, their end passed: on the worker's home as outcome missing
            services.referral_accept(
                referral=referral,
                acting_user=staff,
                start_date=TODAY - dt.timedelta(days=5),
                end_date=TODAY - dt.timedelta(days=1),
            )
        # The same client referred again and again: a long timeline.
        again = refer(owner, person, unlimited)
        services.referral_accept(
            referral=again, acting_user=staff, start_date=TODAY, end_date=TODAY
        )
        services.delivery_record(
            referral=again, acting_user=staff, delivered_on=TODAY, kind="group", hours=Decimal("1")
        )
        services.referral_complete(
            referral=again, acting_user=staff, outcome="achieved", outcome_note="OK"
        )
    for user in (owner, staff):
        client.force_login(user)
        with django_assert_max_num_queries(10):
            assert client.get(reverse("partners:referrals")).status_code == 200
        with django_assert_max_num_queries(16):
            assert client.get(reverse("home")).status_code == 200
    client.force_login(owner)
    # One of them asks the policy whether the cancel button is shown.
    with django_assert_max_num_queries(11):
        assert client.get(again.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(20):
        response = client.get(reverse("clients:detail", args=[person.pk]), {"tab": "timeline"})
    assert response.status_code == 200 and len(response.context["entries"]) >= min(rows * 5, 100)


# --- the printable referral ------------------------------------------------------------


def test_the_printed_referral_has_what_the_client_needs(client, owner, person, offer) -> None:
    referral = refer(
        owner,
        person,
        offer,
        share=["phone", "address", "birth_year"],
        needs="Zaległy czynsz – 6 000 zł",
    )
    client.force_login(owner)
    response = client.get(reverse("partners:referral_pdf", args=[referral.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in [
        f"SKIEROWANIE nr {referral.number}",
        "Grażyna Łękawa",
        "Stowarzyszenie „Razem dla Testowa”",
        "Poradnictwo dla osób zadłużonych",
        "Dyżur we wtorki 10:00–14:00",
        "ul. Sekretna 7",
        "600 111 222",
        "1979",
        "Zaległy czynsz – 6 000 zł",
        "Halina Żurek",
    ]:
        # A long service name may wrap in its cell: compare words, not lines.
        assert " ".join(expected.split()) in " ".join(text.split()), expected
    assert person.pesel not in text and "Samotnie" not in text
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_id=str(referral.pk), content_type__model="referral"
    ).exists()
    png = pdf_to_png(response.content, "partners-referral-pdf")
    assert png is None or png.exists()


def test_the_printed_referral_carries_no_unticked_field(client, owner, person, offer) -> None:
    referral = refer(owner, person, offer)
    client.force_login(owner)
    text = pdf_text(client.get(reverse("partners:referral_pdf", args=[referral.pk])).content)
    assert "Grażyna Łękawa" in text
    assert not [s for s in [*RECORD_ONLY, person.pesel] if s in text]


def test_no_refer_link_when_the_partners_under_an_agreement_offer_no_service(
    owner, person, offer, staff
) -> None:
    """An agreement covering referrals alone does not offer a form with nothing to choose."""
    from partners.models import ServiceOffer

    html = _panel_html(owner, person)
    assert reverse("partners:referral_create", args=[person.pk]) in html
    ServiceOffer.objects.filter(pk=offer.pk).update(is_active=False)
    assert reverse("partners:referral_create", args=[person.pk]) not in _panel_html(owner, person)
    referral_made_before = refer(owner, person, make_offer(staff, name="Mieszkanie treningowe"))
    ServiceOffer.objects.filter(pk=referral_made_before.service_id).update(is_active=False)
    html = _panel_html(owner, person)
    assert 'id="client-referrals"' in html  # the box stays for the referral made
    assert reverse("partners:referral_create", args=[person.pk]) not in html
