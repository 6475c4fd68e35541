"""Offers reach only the boards of partners whose agreement covers job offers,
and leave them when that stops (agreement ending, withdrawal, expiry, filling)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements.models import Scope
from agreements.services import agreement_terminate, annex_approve, annex_propose
from cooperation.models import AuditEvent, InstitutionKind, Role
from cooperation.permissions import visible
from joboffers.models import Board, JobOffer, OfferStatus, Publication
from joboffers.selectors import board_offers
from joboffers.services import (
    board_ensure,
    offer_fill,
    offer_publish,
    offer_unpublish,
    offer_update,
    offer_withdraw,
    offers_run_daily,
)

from ..factories import InstitutionFactory, agreement_between, member

TODAY = timezone.localdate()


def _boards_of(offer: JobOffer) -> set[str]:
    return set(
        offer.publications.filter(ended_at__isnull=True).values_list(
            "board__institution__short_name", flat=True
        )
    )


def test_all_partner_boards_means_those_whose_agreement_covers_job_offers(
    own, office, covered, make_offer
) -> None:
    pcpr = InstitutionFactory(short_name="pcpr-test", kind=InstitutionKind.PCPR)
    agreement_between(pcpr, office, [Scope.JOB_OFFERS])
    records_only = InstitutionFactory(short_name="mops-bez-ofert")
    agreement_between(records_only, office, [Scope.CLIENT_RECORDS])
    InstitutionFactory(short_name="gops-bez-porozumienia")
    ngo = InstitutionFactory(short_name="ngo-test", kind=InstitutionKind.NGO)
    agreement_between(ngo, office, [Scope.JOB_OFFERS])

    offer = make_offer(publish=True)

    assert _boards_of(offer) == {own.short_name, "pcpr-test"}
    assert offer.status == OfferStatus.PUBLISHED and offer.published_at


def test_a_draft_agreement_or_one_not_yet_in_force_gives_no_board(own, office, make_offer) -> None:
    agreement_between(own, office, [Scope.JOB_OFFERS], status="sent")
    agreement_between(
        own, office, [Scope.JOB_OFFERS], valid_from=TODAY + dt.timedelta(days=5), status="active"
    )
    offer = make_offer()
    with pytest.raises(ValidationError):
        offer_publish(offer=offer, acting_user=offer.created_by)
    assert not Publication.objects.exists()


def test_a_board_outside_the_agreements_is_refused(own, office, covered, make_offer) -> None:
    stranger = board_ensure(InstitutionFactory(short_name="gops-obcy"))
    offer = make_offer()
    with pytest.raises(ValidationError):
        offer_publish(offer=offer, acting_user=offer.created_by, boards=[stranger])
    assert not Publication.objects.exists()
    assert offer_publish(offer=offer, acting_user=offer.created_by, boards=[board_ensure(own)])


def test_publishing_twice_adds_nothing(own, office, covered, make_offer) -> None:
    offer = make_offer(publish=True)
    assert offer_publish(offer=offer, acting_user=offer.created_by) == []
    assert Publication.objects.count() == 1


def test_a_draft_is_seen_only_by_its_office_and_a_published_offer_by_the_board(
    own, office, covered, make_offer, owner, outsider, partner_user, advisor
) -> None:
    offer = make_offer()
    assert list(visible(JobOffer, advisor)) == [offer]
    assert not visible(JobOffer, owner).exists()
    offer_publish(offer=offer, acting_user=advisor)
    assert list(visible(JobOffer, owner)) == [offer]
    assert not visible(JobOffer, outsider).exists()
    assert not visible(JobOffer, partner_user).exists()
    # Seeing is not acting: the board's staff cannot change the office's offer.
    assert not visible(JobOffer, owner, "change").exists()


def test_the_board_staff_cannot_publish_or_change_an_office_offer(
    own, office, covered, make_offer, owner, coordinator
) -> None:
    offer = make_offer(publish=True)
    with pytest.raises(PermissionDenied):
        offer_update(offer=offer, acting_user=coordinator, position="Inne")
    with pytest.raises(PermissionDenied):
        offer_publish(offer=offer, acting_user=coordinator)


def test_ending_the_agreement_takes_the_offers_off_the_board(
    client, own, office, covered, make_offer, owner
) -> None:
    offer = make_offer(publish=True)
    board = Board.objects.get(institution=own)
    client.force_login(owner)
    assert client.get(reverse("joboffers:detail", args=[offer.pk])).status_code == 200

    agreement_terminate(
        agreement=covered,
        acting_user=member(office, Role.COORDINATOR),
        reason="Koniec współpracy",
        notice_days=0,
        without_notice=True,
    )

    publication = Publication.objects.get()
    assert publication.ended_at is not None and covered.number in publication.end_reason
    assert not visible(JobOffer, owner).exists()
    assert not board_offers(board, owner).exists()
    assert client.get(reverse("joboffers:detail", args=[offer.pk])).status_code == 404
    body = client.get(reverse("joboffers:board", args=[board.pk])).content.decode()
    assert offer.position not in body
    # The offer itself is the office's: still published, just not on that board.
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    assert AuditEvent.objects.filter(action="revoke", object_id=str(offer.pk)).exists()


def test_an_annex_dropping_job_offers_takes_them_off(
    own, office, covered, make_offer, owner
) -> None:
    offer = make_offer(publish=True)
    annex = annex_propose(
        agreement=covered,
        acting_user=member(own, Role.COORDINATOR),
        description="Bez ofert pracy",
        effective_from=TODAY,
        scopes=[Scope.CLIENT_RECORDS],
        valid_until=None,
    )
    annex_approve(annex=annex, acting_user=member(office, Role.COORDINATOR))
    assert _boards_of(offer) == set()
    assert not visible(JobOffer, owner).exists()


def test_another_agreement_still_covering_keeps_the_offer(
    own, office, covered, make_offer, owner
) -> None:
    second = agreement_between(own, office, [Scope.JOB_OFFERS])
    offer = make_offer(publish=True)
    agreement_terminate(
        agreement=covered,
        acting_user=member(office, Role.COORDINATOR),
        reason="Zastąpione",
        notice_days=0,
        without_notice=True,
    )
    assert _boards_of(offer) == {own.short_name}
    assert second.status == "active"


def test_the_office_takes_an_offer_off_one_board(own, office, covered, make_offer, owner) -> None:
    offer = make_offer(publish=True)
    offer_unpublish(offer=offer, acting_user=offer.created_by, board=board_ensure(own))
    assert _boards_of(offer) == set()
    assert not visible(JobOffer, owner).exists()


def test_withdrawal_takes_the_offer_off_every_board(
    own, office, covered, make_offer, owner
) -> None:
    offer = make_offer(publish=True)
    with pytest.raises(ValidationError):
        offer_withdraw(offer=offer, acting_user=offer.created_by, reason=" ")
    offer_withdraw(offer=offer, acting_user=offer.created_by, reason="Pracodawca zrezygnował")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN and offer.withdrawal_reason
    assert _boards_of(offer) == set()
    with pytest.raises(ValidationError):
        offer_publish(offer=offer, acting_user=offer.created_by)


def test_a_filled_offer_shows_as_filled_for_a_week_then_leaves(
    own, office, covered, make_offer, owner
) -> None:
    offer = make_offer(publish=True)
    board = Board.objects.get(institution=own)
    offer_fill(offer=offer, acting_user=offer.created_by)
    now = timezone.now()

    shown = board_offers(board, owner, now=now + dt.timedelta(days=6))
    assert [o.status for o in shown] == [OfferStatus.FILLED]
    assert not board_offers(board, owner, now=now + dt.timedelta(days=8)).exists()

    assert offers_run_daily(now=now + dt.timedelta(days=6))["filled_removed"] == 0
    assert offers_run_daily(now=now + dt.timedelta(days=8))["filled_removed"] == 1
    assert _boards_of(offer) == set()
    assert offers_run_daily(now=now + dt.timedelta(days=9))["filled_removed"] == 0


def test_offers_past_their_date_leave_the_boards(own, office, covered, make_offer, owner) -> None:
    offer = make_offer(publish=True, valid_until=TODAY + dt.timedelta(days=3))
    board = Board.objects.get(institution=own)
    later = timezone.now() + dt.timedelta(days=5)
    # Even before the nightly pass, the board no longer shows it.
    assert not board_offers(board, owner, now=later).exists()

    counts = offers_run_daily(now=later)

    offer.refresh_from_db()
    assert counts["expired"] == 1 and offer.status == OfferStatus.EXPIRED
    assert _boards_of(offer) == set()
    assert offers_run_daily(now=later) == {"expired": 0, "filled_removed": 0}


def test_the_daily_beat_task_runs_the_pass(own, office, covered, make_offer) -> None:
    from joboffers.tasks import offers_daily

    offer = make_offer(publish=True)
    JobOffer.objects.filter(pk=offer.pk).update(
        valid_from=TODAY - dt.timedelta(days=20), valid_until=TODAY - dt.timedelta(days=1)
    )
    assert offers_daily.delay().get() == {"expired": 1, "filled_removed": 0}


def test_an_offer_that_has_ended_cannot_be_published(own, office, covered, make_offer) -> None:
    offer = make_offer()
    JobOffer.objects.filter(pk=offer.pk).update(
        valid_from=TODAY - dt.timedelta(days=20), valid_until=TODAY - dt.timedelta(days=1)
    )
    offer.refresh_from_db()
    with pytest.raises(ValidationError):
        offer_publish(offer=offer, acting_user=offer.created_by)


def test_only_labour_office_staff_enter_offers(client, own, office, owner, coordinator) -> None:
    client.force_login(coordinator)
    assert client.get(reverse("joboffers:create")).status_code == 403
    client.force_login(owner)
    assert client.get(reverse("joboffers:create")).status_code == 403


def test_the_office_enters_an_offer_through_the_form_once(client, office, advisor) -> None:
    client.force_login(advisor)
    data = {
        "kind": "internship",
        "position": "Pracownik biurowy – staż",
        "employer_name": "Urząd Gminy",
        "workplace_municipality": "Suchedniów",
        "duties": "obsługa sekretariatu",
        "places": 1,
        "places_disabled": 0,
        "valid_from": TODAY.isoformat(),
        "valid_until": (TODAY + dt.timedelta(days=14)).isoformat(),
        "contact_phone": "41 254 00 00",
        "form_token": "jo-1",
    }
    first = client.post(reverse("joboffers:create"), data)
    offer = JobOffer.objects.get()
    assert first.status_code == 302 and first["Location"] == offer.get_absolute_url()
    assert offer.status == OfferStatus.DRAFT and offer.number == f"1/{TODAY.year}"
    assert offer.workplace_county == office.county and offer.created_by == advisor
    second = client.post(reverse("joboffers:create"), data)
    assert JobOffer.objects.count() == 1 and second["Location"] == offer.get_absolute_url()


def test_the_form_keeps_the_input_and_says_what_is_wrong(client, office, advisor) -> None:
    client.force_login(advisor)
    response = client.post(
        reverse("joboffers:create"),
        {
            "kind": "job",
            "position": "Ślusarz",
            "employer_name": "Zakład",
            "workplace_municipality": "Bliżyn",
            "duties": "obróbka",
            "places": 1,
            "places_disabled": 3,
            "pay_min": "6000",
            "pay_max": "5000",
            "valid_from": TODAY.isoformat(),
            "valid_until": (TODAY - dt.timedelta(days=1)).isoformat(),
            "contact_phone": "41",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and not JobOffer.objects.exists()
    for field in ("valid_until", "pay_max", "places_disabled"):
        assert f'id="id_{field}_error"' in body
    assert "Ślusarz" in body


def test_publish_in_one_click_and_take_off_through_the_pages(
    client, own, office, covered, make_offer, advisor
) -> None:
    offer = make_offer()
    client.force_login(advisor)
    response = client.post(reverse("joboffers:publish", args=[offer.pk]), {"all": "1"})
    assert response.status_code == 302
    assert _boards_of(offer) == {own.short_name}
    page = client.get(reverse("joboffers:detail", args=[offer.pk])).content.decode()
    assert own.name in page
    board = Board.objects.get(institution=own)
    client.post(reverse("joboffers:unpublish", args=[offer.pk]), {"board": board.pk})
    assert _boards_of(offer) == set()


def test_the_publish_page_lists_only_partner_boards(
    client, own, office, covered, make_offer, advisor, foreign
) -> None:
    stranger = InstitutionFactory(short_name="gops-obok", name="GOPS Obok")
    offer = make_offer()
    client.force_login(advisor)
    body = client.get(reverse("joboffers:publish", args=[offer.pk])).content.decode()
    assert own.name in body and stranger.name not in body and foreign.name not in body
    board = board_ensure(stranger)
    client.post(reverse("joboffers:publish", args=[offer.pk]), {"boards": [board.pk]})
    assert _boards_of(offer) == set()


def test_fill_and_withdraw_through_the_pages(
    client, own, office, covered, make_offer, advisor
) -> None:
    offer = make_offer(publish=True)
    client.force_login(advisor)
    client.post(reverse("joboffers:fill", args=[offer.pk]))
    offer.refresh_from_db()
    assert offer.status == OfferStatus.FILLED
    client.post(reverse("joboffers:withdraw", args=[offer.pk]), {"reason": "Anulowana"})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN and _boards_of(offer) == set()


def test_the_office_edits_its_own_offer_and_it_is_audited(
    client, office, make_offer, advisor
) -> None:
    from joboffers.forms import OfferForm

    offer = make_offer()
    client.force_login(advisor)
    data = OfferForm(instance=offer).initial
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(position="Magazynier zmianowy", valid_from=offer.valid_from.isoformat())
    data.update(valid_until=offer.valid_until.isoformat(), employer_hidden="")
    response = client.post(reverse("joboffers:edit", args=[offer.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    offer.refresh_from_db()
    assert offer.position == "Magazynier zmianowy"
    event = AuditEvent.objects.filter(object_id=str(offer.pk), action="update").latest("at")
    assert event.fields == ["position"]


def test_another_office_cannot_touch_the_offer(client, office, make_offer, partner_user) -> None:
    offer = make_offer()
    client.force_login(partner_user)
    assert client.get(reverse("joboffers:edit", args=[offer.pk])).status_code == 404
    assert client.post(reverse("joboffers:fill", args=[offer.pk])).status_code == 404


def test_home_sends_each_institution_to_its_page(
    client, own, office, advisor, owner, foreign
) -> None:
    client.force_login(advisor)
    assert client.get(reverse("joboffers:home"))["Location"] == reverse("joboffers:offers")
    client.force_login(owner)
    response = client.get(reverse("joboffers:home"))
    board = Board.objects.get(institution=own)
    assert response["Location"] == board.get_absolute_url()
    ngo = InstitutionFactory(kind=InstitutionKind.NGO)
    client.force_login(member(ngo, Role.COORDINATOR))
    assert client.get(reverse("joboffers:home")).status_code == 200
