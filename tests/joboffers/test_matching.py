"""Offers for a client: what fits their municipality and qualifications, and
proposals recorded with the client's answer, on the client's timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from clients.timeline import timeline_for
from cooperation.models import AuditEvent, InstitutionKind, Role
from joboffers.matching import client_panel_context, client_phrases, offers_for_client
from joboffers.models import Answer, OfferProposal, Outcome
from joboffers.services import offer_fill, proposal_record, proposal_update

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member
from ..lazy import get_loaded

TODAY = timezone.localdate()


@pytest.fixture
def welder(own, owner):
    return ClientFactory(
        owner=own,
        created_by=owner,
        municipality="Suchedniów",
        city="Suchedniów",
        occupation="spawacz",
        skills="prawo jazdy kat. B, kurs obsługi wózków widłowych",
    )


@pytest.fixture
def offers(own, office, covered, make_offer):
    return {
        "welding": make_offer(
            publish=True,
            position="Spawacz MAG",
            duties="spawanie konstrukcji",
            requirements="",
            workplace_municipality="Skarżysko-Kamienna",
        ),
        "local": make_offer(
            publish=True,
            position="Sprzedawca",
            duties="obsługa kasy",
            requirements="",
            workplace_municipality="Suchedniów",
        ),
        "forklift": make_offer(
            publish=True,
            position="Magazynier",
            duties="obsługa wózka widłowego",
            requirements="prawa jazdy kategorii B",
            workplace_municipality="Suchedniów, ul. Fabryczna 5",
        ),
        "nothing": make_offer(
            publish=True,
            position="Księgowa",
            duties="prowadzenie ksiąg",
            requirements="wykształcenie ekonomiczne",
            workplace_municipality="Bliżyn",
        ),
        "draft": make_offer(position="Spawacz – szkic", workplace_municipality="Suchedniów"),
    }


def test_the_client_s_occupation_and_skills_become_phrases(welder) -> None:
    assert client_phrases(welder) == [
        ("spawacz", ["spaw"]),
        ("prawo jazdy kat. B", ["praw", "jazd"]),
        ("kurs obsługi wózków widłowych", ["wózk", "widłow"]),
    ]


def test_offers_fit_by_place_and_qualifications_best_first(welder, owner, offers) -> None:
    matches = offers_for_client(welder, owner)
    by_position = {m.offer.position: m for m in matches}
    assert [m.offer.position for m in matches] == ["Magazynier", "Sprzedawca", "Spawacz MAG"]
    forklift = by_position["Magazynier"]
    assert forklift.same_place
    assert forklift.qualifications == ["prawo jazdy kat. B", "kurs obsługi wózków widłowych"]
    assert by_position["Sprzedawca"].same_place and not by_position["Sprzedawca"].qualifications
    assert by_position["Spawacz MAG"].qualifications == ["spawacz"]
    assert not by_position["Spawacz MAG"].same_place


def test_everything_lists_all_current_offers_but_never_drafts_or_hidden(
    welder, owner, offers, partner, make_offer
) -> None:
    everything = {m.offer.position for m in offers_for_client(welder, owner, everything=True)}
    assert everything == {"Magazynier", "Sprzedawca", "Spawacz MAG", "Księgowa"}


def test_filled_and_past_offers_are_not_proposed(welder, owner, offers) -> None:
    offer_fill(offer=offers["local"], acting_user=offers["local"].created_by)
    later = TODAY + dt.timedelta(days=40)
    assert "Sprzedawca" not in {m.offer.position for m in offers_for_client(welder, owner)}
    assert offers_for_client(welder, owner, today=later) == []


def test_offers_of_an_office_without_agreement_never_show(own, owner, welder, partner) -> None:
    from joboffers.services import offer_create

    offer_create(
        acting_user=member(partner, Role.CLIENT_ADVISOR),
        kind="job",
        position="Spawacz z innego urzędu",
        employer_name="X",
        workplace_municipality="Suchedniów",
        duties="spawanie",
        valid_from=TODAY,
        valid_until=TODAY + dt.timedelta(days=5),
        contact_phone="1",
    )
    assert offers_for_client(welder, owner, everything=True) == []


def test_a_worker_records_a_proposal_that_appears_on_the_timeline(welder, owner, offers) -> None:
    proposal = proposal_record(
        acting_user=owner,
        client=welder,
        offer=offers["forklift"],
        answer=Answer.INTERESTED,
        note="Zadzwoni do PUP.",
    )
    assert (
        proposal.outcome == Outcome.PENDING
        and proposal.institution == owner.memberships.get().institution
    )
    entries = [e for e in timeline_for(welder, owner) if "Magazynier" in e.title]
    assert len(entries) == 1
    assert entries[0].url == reverse("joboffers:client_offers", args=[welder.pk])
    assert offers["forklift"].number in entries[0].title
    assert AuditEvent.objects.filter(action="create", object_id=str(proposal.pk)).exists()

    proposal_update(
        proposal=proposal,
        acting_user=owner,
        answer=Answer.INTERESTED,
        outcome=Outcome.HIRED,
        note="",
    )
    entry = next(e for e in timeline_for(welder, owner) if "Magazynier" in e.title)
    assert str(Outcome.HIRED.label) in entry.detail


def test_a_proposal_needs_a_current_visible_offer(welder, owner, offers) -> None:
    with pytest.raises(ValidationError):
        proposal_record(
            acting_user=owner, client=welder, offer=offers["draft"], answer=Answer.THINKING
        )
    with pytest.raises(ValidationError):
        proposal_record(
            acting_user=owner,
            client=welder,
            offer=offers["local"],
            answer=Answer.THINKING,
            proposed_on=TODAY + dt.timedelta(days=1),
        )


def test_only_caseworkers_who_may_change_the_client_record_proposals(
    own, welder, offers, outsider
) -> None:
    admin = member(own, Role.INSTITUTION_ADMIN)
    with pytest.raises(PermissionDenied):
        proposal_record(
            acting_user=admin, client=welder, offer=offers["local"], answer=Answer.THINKING
        )
    with pytest.raises(PermissionDenied):
        proposal_record(
            acting_user=outsider, client=welder, offer=offers["local"], answer=Answer.THINKING
        )


def test_only_the_proposing_institution_updates_its_proposal(
    welder, owner, offers, office, advisor
) -> None:
    proposal = proposal_record(
        acting_user=owner, client=welder, offer=offers["local"], answer=Answer.THINKING
    )
    with pytest.raises(PermissionDenied):
        proposal_update(
            proposal=proposal,
            acting_user=advisor,
            answer=Answer.INTERESTED,
            outcome=Outcome.HIRED,
            note="",
        )


def test_the_page_lists_fitting_offers_and_records_a_proposal(
    client, welder, owner, offers
) -> None:
    client.force_login(owner)
    url = reverse("joboffers:client_offers", args=[welder.pk])

    def cards(body: str) -> set[str]:
        return {k for k, o in offers.items() if f'id="offer-{o.pk}-title"' in body}

    assert cards(client.get(url).content.decode()) == {"welding", "local", "forklift"}
    assert AuditEvent.objects.filter(action="view", object_id=str(welder.pk)).exists()
    everything = cards(client.get(url, {"all": "1"}).content.decode())
    assert everything == {"welding", "local", "forklift", "nothing"}

    data = {
        "offer": offers["forklift"].pk,
        "proposed_on": TODAY.isoformat(),
        "answer": Answer.INTERESTED,
        "outcome": Outcome.APPLIED,
        "note": "",
        "form_token": "p-1",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double submit records nothing more
    proposal = OfferProposal.objects.get()
    assert proposal.outcome == Outcome.APPLIED and proposal.proposed_by == owner
    body = client.get(url).content.decode()
    assert reverse("joboffers:proposal_edit", args=[proposal.pk]) in body

    client.post(
        reverse("joboffers:proposal_edit", args=[proposal.pk]),
        {"answer": Answer.INTERESTED, "outcome": Outcome.HIRED, "note": "Zatrudniony od 1.12."},
    )
    proposal.refresh_from_db()
    assert proposal.outcome == Outcome.HIRED and proposal.note == "Zatrudniony od 1.12."


def test_an_offer_not_on_the_board_cannot_be_posted(client, welder, owner, offers) -> None:
    client.force_login(owner)
    response = client.post(
        reverse("joboffers:client_offers", args=[welder.pk]),
        {
            "offer": offers["draft"].pk,
            "proposed_on": TODAY.isoformat(),
            "answer": Answer.INTERESTED,
            "outcome": Outcome.PENDING,
        },
    )
    assert response.status_code == 200 and not OfferProposal.objects.exists()
    assert 'id="id_offer_error"' in response.content.decode()


def test_the_client_search_shows_only_visible_clients(client, own, owner, welder, foreign) -> None:
    stranger = ClientFactory(owner=foreign, last_name="Obcowska")
    client.force_login(owner)
    body = client.get(reverse("joboffers:client_search"), {"q": ""}).content.decode()
    assert welder.last_name in body and stranger.last_name not in body
    assert welder.pesel not in body  # masked in lists


def test_the_client_page_panel_shows_the_best_offers(own, owner, welder, offers) -> None:
    request = RequestFactory().get("/")
    request.user = owner
    request.membership = owner.memberships.get()
    context = client_panel_context(request, welder)
    assert [m.offer.position for m in context["matches"]] == [
        "Magazynier",
        "Sprzedawca",
        "Spawacz MAG",
    ]
    assert context["more"] == 0 and context["proposals"] == 0
    request.membership = member(own, Role.INSTITUTION_ADMIN).memberships.get()
    assert client_panel_context(request, welder) is None


def test_a_labour_office_advisor_matches_a_client_shared_with_it(
    own, office, covered, owner, advisor, welder, offers
) -> None:
    from cooperation.services import object_share

    # The clients app decides when to share (consent); here the share itself is enough.
    object_share(
        obj=welder, institution=office, actions=["view", "change"], acting_user=owner, reason="test"
    )
    matches = offers_for_client(welder, advisor)
    assert [m.offer.position for m in matches] == ["Magazynier", "Sprzedawca", "Spawacz MAG"]
    proposal = proposal_record(
        acting_user=advisor, client=welder, offer=offers["welding"], answer=Answer.NOT_INTERESTED
    )
    # The owner sees the advisor's proposal on the shared client's timeline.
    assert any(e.institution == office.name for e in timeline_for(welder, owner))
    assert proposal.institution == office


def test_a_pcpr_worker_gets_offers_from_its_own_board(own, office, make_offer) -> None:
    pcpr = InstitutionFactory(kind=InstitutionKind.PCPR)
    agreement_between(pcpr, office, ["job_offers"])
    worker = member(pcpr, Role.SOCIAL_WORKER)
    person = ClientFactory(owner=pcpr, municipality="Bliżyn", occupation="murarz")
    make_offer(publish=True, position="Murarz", workplace_municipality="Łączna", duties="murowanie")
    assert [m.offer.position for m in offers_for_client(person, worker)] == ["Murarz"]


def test_the_client_record_page_shows_the_offers_panel(client, welder, owner, offers) -> None:
    client.force_login(owner)
    body = get_loaded(client, reverse("clients:detail", args=[welder.pk]))
    assert 'id="joboffers-panel-h"' in body
    assert reverse("joboffers:client_offers", args=[welder.pk]) in body


def test_a_link_on_a_card_chooses_the_offer_in_the_form(client, welder, owner, offers) -> None:
    client.force_login(owner)
    url = reverse("joboffers:client_offers", args=[welder.pk])
    body = client.get(url, {"offer": offers["local"].pk}).content.decode()
    assert f'<option value="{offers["local"].pk}" selected>' in body
