"""Referral rules: agreement, consent, minimum data; every status transition,
who may make it, what it leaves in the timeline and the audit log."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from agreements.models import Scope
from agreements.services import agreement_terminate
from clients.services import client_close, consent_withdraw
from cooperation.models import AuditAction, AuditEvent, Role
from cooperation.permissions import CHANGE, can
from partners import services
from partners.models import (
    EventKind,
    Outcome,
    Referral,
    ReferralEvent,
    ServiceDelivery,
    Status,
)
from partners.selectors import referrals_visible_to
from partners.workdays import add_working_days

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member
from ..notifications.kindcheck import collecting
from .conftest import TODAY, consent_to, make_offer, refer

pytestmark = pytest.mark.usefixtures("covered")


def _says(msgid: str, **params: object) -> str:
    """A regex for the message as the user reads it, in the active language.

    Placeholders given in `params` must appear with that value; the others
    match any text.
    """
    text = gettext(msgid)
    pattern = re.escape(text)
    for name in re.findall(r"%\((\w+)\)s", text):
        value = re.escape(str(params[name])) if name in params else ".+"
        pattern = pattern.replace(re.escape(f"%({name})s"), value)
    return pattern


NO_AGREEMENT = "No agreement in force covers referrals to %(p)s."
NO_CONSENT = "The client has not consented to referrals to %(p)s. Record the consent first."
WRONG_STATUS = "This cannot be done while the referral is %(status)s."


def _events(referral: Referral) -> list[str]:
    return list(referral.events.values_list("kind", flat=True))


def _audited(referral: Referral) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(referral.pk), content_type__model="referral")
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- the rules for sending ------------------------------------------------------


def test_a_worker_refers_a_consenting_client_under_an_agreement(owner, person, offer, ngo) -> None:
    referral = refer(owner, person, offer)
    assert (referral.status, referral.partner, referral.referrer_id) == (
        Status.SENT,
        ngo,
        owner.memberships.get().institution_id,
    )
    assert referral.respond_by == add_working_days(TODAY, 2)
    assert _events(referral) == [EventKind.SENT]


def test_without_an_agreement_covering_referrals_nothing_is_sent(own, owner, person, staff) -> None:
    other = InstitutionFactory(kind="ngo", short_name="ngo-bez-umowy")
    other_offer = make_offer(member(other, Role.PARTNER_STAFF))
    consent_to(person, owner, other)
    with pytest.raises(ValidationError, match=_says(NO_AGREEMENT, p=other)):
        refer(owner, person, other_offer)
    # An agreement in force that covers something else is not enough either.
    agreement_between(own, other, [Scope.CLIENT_RECORDS])
    with pytest.raises(ValidationError, match=_says(NO_AGREEMENT, p=other)):
        refer(owner, person, other_offer)
    assert not Referral.objects.exists()


def test_a_draft_agreement_does_not_count(own, owner, person) -> None:
    other = InstitutionFactory(kind="pes", short_name="kis-test", pes_subkind="kis")
    other_offer = make_offer(member(other, Role.PARTNER_STAFF))
    consent_to(person, owner, other)
    agreement_between(own, other, [Scope.REFERRALS], status="sent")
    with pytest.raises(ValidationError, match=_says(NO_AGREEMENT, p=other)):
        refer(owner, person, other_offer)


def test_without_the_clients_consent_nothing_is_sent(owner, offer, own, ngo) -> None:
    nobody_asked = ClientFactory(owner=own, created_by=owner)
    with pytest.raises(ValidationError, match=_says(NO_CONSENT, p=offer.provider)):
        refer(owner, nobody_asked, offer)
    other_scope = ClientFactory(owner=own, created_by=owner)
    consent_to(other_scope, owner, ngo, scopes=[Scope.CLIENT_RECORDS])
    with pytest.raises(ValidationError, match=_says(NO_CONSENT, p=offer.provider)):
        refer(owner, other_scope, offer)


def test_consent_given_to_another_partner_does_not_count(owner, offer, own, partner) -> None:
    c = ClientFactory(owner=own, created_by=owner)
    consent_to(c, owner, partner)
    with pytest.raises(ValidationError, match=_says(NO_CONSENT, p=offer.provider)):
        refer(owner, c, offer)


def test_a_withdrawn_consent_does_not_count(owner, person, offer) -> None:
    consent_withdraw(consent=person.consents.get(), acting_user=owner)
    with pytest.raises(ValidationError, match=_says(NO_CONSENT, p=offer.provider)):
        refer(owner, person, offer)


def test_only_caseworkers_refer_and_only_clients_they_see(
    owner, person, offer, staff, outsider, own
) -> None:
    with pytest.raises(PermissionDenied):
        refer(staff, person, offer)
    with pytest.raises(PermissionDenied):
        refer(outsider, person, offer)
    with pytest.raises(PermissionDenied):  # an institution administrator does no casework
        refer(member(own, Role.INSTITUTION_ADMIN), person, offer)


def test_a_closed_client_or_a_withdrawn_service_cannot_be_referred(owner, person, offer) -> None:
    offer.is_active = False
    offer.save()
    with pytest.raises(ValidationError, match=_says("This service is not offered any more.")):
        refer(owner, person, offer)
    offer.is_active = True
    offer.save()
    client_close(client=person, acting_user=owner)
    person.refresh_from_db()
    with pytest.raises(ValidationError, match=_says("Only an active client can be referred.")):
        refer(owner, person, offer)


def test_one_open_referral_per_client_and_service(owner, person, offer) -> None:
    refer(owner, person, offer)
    with pytest.raises(
        ValidationError, match=_says("The client already has an open referral to this service.")
    ):
        refer(owner, person, offer)


# --- minimum necessary -------------------------------------------------------------


def test_only_the_name_goes_unless_more_is_ticked(owner, person, offer) -> None:
    referral = refer(owner, person, offer)
    assert (referral.first_name, referral.last_name) == ("Grażyna", "Łękawa")
    assert (referral.phone, referral.address, referral.birth_year, referral.needs) == (
        "",
        "",
        None,
        "",
    )
    assert referral.shared_fields == ["first_name", "last_name"]


def test_ticked_fields_are_copied_and_nothing_else(owner, person, offer) -> None:
    referral = refer(
        owner, person, offer, share=["phone", "birth_year"], needs="Zadłużenie czynszowe"
    )
    assert referral.phone == "600 111 222" and referral.birth_year == 1979
    assert referral.address == "" and referral.needs == "Zadłużenie czynszowe"
    assert referral.shared_fields == ["first_name", "last_name", "phone", "birth_year", "needs"]
    # The audit row names the fields shared, never their values.
    sent = AuditEvent.objects.get(
        object_id=str(referral.pk), content_type__model="referral", action=AuditAction.CREATE
    )
    assert sent.fields == sorted(referral.shared_fields)
    assert "600 111 222" not in str(sent.__dict__)


def test_the_snapshot_does_not_follow_later_changes_of_the_record(owner, person, offer) -> None:
    referral = refer(owner, person, offer, share=["phone"])
    person.phone = "699 000 000"
    person.save()
    referral.refresh_from_db()
    assert referral.phone == "600 111 222"


def test_a_ticked_field_missing_from_the_record_is_explained(owner, own, offer, ngo) -> None:
    c = ClientFactory(owner=own, created_by=owner, phone="")
    consent_to(c, owner, ngo)
    with pytest.raises(ValidationError) as exc:
        refer(owner, c, offer, share=["phone"])
    assert "share" in exc.value.message_dict


def test_fields_outside_the_form_cannot_be_shared(owner, person, offer) -> None:
    with pytest.raises(ValidationError, match=_says("Unknown data to share: %(f)s", f="pesel")):
        refer(owner, person, offer, share=["pesel"])
    with pytest.raises(ValidationError):
        refer(owner, person, offer, needs="x" * 501)


def test_the_partner_gets_the_referral_and_never_the_client(owner, person, offer, staff) -> None:
    referral = refer(owner, person, offer)
    assert list(referrals_visible_to(staff)) == [referral]
    assert can(staff, referral, CHANGE)
    assert not can(staff, person)  # no object permission on the client row


# --- transitions -------------------------------------------------------------------


@pytest.fixture
def sent(owner, person, offer) -> Referral:
    return refer(owner, person, offer, share=["phone"])


def _accept(referral: Referral, staff, **kw) -> Referral:
    return services.referral_accept(
        referral=referral,
        acting_user=staff,
        start_date=kw.get("start", TODAY),
        end_date=kw.get("end", TODAY + dt.timedelta(days=30)),
        note=kw.get("note", "Zapraszamy w poniedziałek"),
    )


def test_sent_to_accepted_takes_a_place(sent, staff, offer) -> None:
    referral = _accept(sent, staff)
    offer.refresh_from_db()
    assert referral.status == Status.ACCEPTED and offer.free_places == 4
    assert referral.answer_note == "Zapraszamy w poniedziałek" and referral.answered_at
    assert _events(referral) == [EventKind.SENT, EventKind.ACCEPTED]
    assert _audited(referral)[-1] == AuditAction.UPDATE


def test_no_free_place_no_acceptance(sent, staff, offer) -> None:
    offer.free_places = 0
    offer.save()
    with pytest.raises(
        ValidationError,
        match=_says(
            "The service has no free places. Update the number of free places "
            "in your catalogue, or decline with a reason."
        ),
    ):
        _accept(sent, staff)
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_an_unlimited_service_accepts_without_counting(owner, person, staff) -> None:
    unlimited = make_offer(staff, name="Porady bez limitu", capacity=None)
    referral = _accept(refer(owner, person, unlimited), staff)
    unlimited.refresh_from_db()
    assert referral.status == Status.ACCEPTED and unlimited.free_places == 0


def test_the_planned_dates_must_be_in_order(sent, staff) -> None:
    with pytest.raises(ValidationError) as exc:
        _accept(sent, staff, start=TODAY, end=TODAY - dt.timedelta(days=1))
    assert "end_date" in exc.value.message_dict


def test_sent_to_declined_needs_a_reason(sent, staff) -> None:
    with pytest.raises(ValidationError) as exc:
        services.referral_decline(referral=sent, acting_user=staff, reason="  ")
    assert "reason" in exc.value.message_dict
    referral = services.referral_decline(referral=sent, acting_user=staff, reason="Brak miejsc")
    assert referral.status == Status.DECLINED and referral.decline_reason == "Brak miejsc"
    assert referral.closed_at and not referral.is_open
    assert _events(referral)[-1] == EventKind.DECLINED


def test_accepted_to_in_progress(sent, staff) -> None:
    referral = services.referral_start(referral=_accept(sent, staff), acting_user=staff)
    assert referral.status == Status.IN_PROGRESS and referral.start_date == TODAY
    with pytest.raises(ValidationError, match=_says(WRONG_STATUS, status=Status.IN_PROGRESS.label)):
        services.referral_start(referral=referral, acting_user=staff)


def test_recording_the_first_service_starts_it(sent, staff) -> None:
    referral = _accept(sent, staff)
    delivery = services.delivery_record(
        referral=referral,
        acting_user=staff,
        delivered_on=TODAY,
        kind="individual",
        hours=Decimal("1.5"),
    )
    referral.refresh_from_db()
    assert referral.status == Status.IN_PROGRESS
    assert (delivery.kind, delivery.hours, delivery.recorded_by) == (
        "individual",
        Decimal("1.5"),
        staff,
    )
    assert _events(referral)[-2:] == [EventKind.STARTED, EventKind.DELIVERED]


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("delivered_on", {"delivered_on": TODAY + dt.timedelta(days=1)}),
        ("delivered_on", {"delivered_on": TODAY - dt.timedelta(days=1)}),  # before it was sent
        ("hours", {"hours": Decimal("0")}),
        ("hours", {"hours": Decimal("25")}),
        ("kind", {"kind": "massage"}),
    ],
)
def test_a_service_delivered_must_make_sense(sent, staff, field, kw) -> None:
    referral = _accept(sent, staff)
    data = {"delivered_on": TODAY, "kind": "group", "hours": Decimal("2"), **kw}
    with pytest.raises(ValidationError) as exc:
        services.delivery_record(referral=referral, acting_user=staff, **data)
    assert field in exc.value.message_dict
    assert not ServiceDelivery.objects.exists()


def test_services_are_recorded_only_while_running(sent, staff) -> None:
    with pytest.raises(ValidationError, match=_says(WRONG_STATUS, status=Status.SENT.label)):
        services.delivery_record(
            referral=sent, acting_user=staff, delivered_on=TODAY, kind="group", hours=Decimal("2")
        )


def test_in_progress_to_completed_needs_an_outcome_and_frees_the_place(sent, staff, offer) -> None:
    referral = services.referral_start(referral=_accept(sent, staff), acting_user=staff)
    with pytest.raises(ValidationError) as exc:
        services.referral_complete(
            referral=referral, acting_user=staff, outcome=Outcome.ACHIEVED, outcome_note=""
        )
    assert "outcome_note" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.referral_complete(
            referral=referral, acting_user=staff, outcome="", outcome_note="Ukończył"
        )
    referral = services.referral_complete(
        referral=referral, acting_user=staff, outcome=Outcome.ACHIEVED, outcome_note="Ukończył kurs"
    )
    offer.refresh_from_db()
    assert referral.status == Status.COMPLETED and referral.completed_on == TODAY
    assert offer.free_places == 5
    assert _events(referral)[-1] == EventKind.COMPLETED


def test_accepted_can_be_completed_directly(sent, staff) -> None:
    referral = services.referral_complete(
        referral=_accept(sent, staff),
        acting_user=staff,
        outcome=Outcome.DROPPED_OUT,
        outcome_note="Nie zgłosiła się",
    )
    assert referral.status == Status.COMPLETED


@pytest.mark.parametrize("step", ["sent", "accepted", "in_progress"])
def test_the_referrer_cancels_an_open_referral_with_a_reason(
    sent, staff, owner, offer, step
) -> None:
    referral = sent
    if step != "sent":
        referral = _accept(referral, staff)
    if step == "in_progress":
        referral = services.referral_start(referral=referral, acting_user=staff)
    with pytest.raises(ValidationError):
        services.referral_cancel(referral=referral, acting_user=owner, reason="")
    referral = services.referral_cancel(
        referral=referral, acting_user=owner, reason="Klient wyjechał"
    )
    offer.refresh_from_db()
    assert referral.status == Status.CANCELLED and referral.cancel_reason == "Klient wyjechał"
    assert offer.free_places == 5  # a place taken on acceptance is given back
    assert _events(referral)[-1] == EventKind.CANCELLED


@pytest.mark.parametrize("closing", ["declined", "completed", "cancelled"])
def test_a_closed_referral_moves_no_more(sent, staff, owner, closing) -> None:
    if closing == "declined":
        referral = services.referral_decline(referral=sent, acting_user=staff, reason="Nie")
    elif closing == "completed":
        referral = services.referral_complete(
            referral=_accept(sent, staff), acting_user=staff, outcome="achieved", outcome_note="OK"
        )
    else:
        referral = services.referral_cancel(referral=sent, acting_user=owner, reason="Zmiana planu")
    attempts = [
        lambda: _accept(referral, staff),
        lambda: services.referral_decline(referral=referral, acting_user=staff, reason="x"),
        lambda: services.referral_start(referral=referral, acting_user=staff),
        lambda: services.referral_complete(
            referral=referral, acting_user=staff, outcome="achieved", outcome_note="x"
        ),
        lambda: services.referral_cancel(referral=referral, acting_user=owner, reason="x"),
    ]
    for attempt in attempts:
        with pytest.raises(
            ValidationError, match=_says(WRONG_STATUS, status=Status(closing).label)
        ):
            attempt()


def test_an_accepted_referral_cannot_be_answered_again(sent, staff) -> None:
    referral = _accept(sent, staff)
    with pytest.raises(ValidationError, match=_says(WRONG_STATUS, status=Status.ACCEPTED.label)):
        services.referral_decline(referral=referral, acting_user=staff, reason="Rozmyśliłam się")


def test_a_stale_copy_cannot_answer_twice(sent, staff) -> None:
    stale = Referral.objects.get(pk=sent.pk)
    _accept(sent, staff)
    with pytest.raises(ValidationError):
        services.referral_decline(referral=stale, acting_user=staff, reason="Za późno")


def test_each_side_makes_only_its_own_moves(sent, staff, owner, own, ngo) -> None:
    with pytest.raises(PermissionDenied):
        _accept(sent, owner)
    with pytest.raises(PermissionDenied):
        services.referral_decline(
            referral=sent, acting_user=member(own, Role.COORDINATOR), reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.referral_cancel(referral=sent, acting_user=staff, reason="x")
    other_ngo_staff = member(InstitutionFactory(kind="ngo"), Role.PARTNER_STAFF)
    with pytest.raises(PermissionDenied):
        _accept(sent, other_ngo_staff)
    # The organisation's coordinator answers too; its administrator does not.
    with pytest.raises(PermissionDenied):
        _accept(sent, member(ngo, Role.INSTITUTION_ADMIN))
    assert _accept(sent, member(ngo, Role.COORDINATOR)).status == Status.ACCEPTED


def test_every_transition_is_audited(sent, staff, owner) -> None:
    referral = _accept(sent, staff)
    services.delivery_record(
        referral=referral, acting_user=staff, delivered_on=TODAY, kind="group", hours=Decimal("2")
    )
    services.referral_complete(
        referral=referral, acting_user=staff, outcome="partly", outcome_note="x"
    )
    reasons = list(
        AuditEvent.objects.filter(object_id=str(referral.pk), content_type__model="referral")
        .order_by("pk")
        .values_list("reason", flat=True)
    )
    labels = [
        str(k.label)
        for k in (
            EventKind.SENT,
            EventKind.ACCEPTED,
            EventKind.STARTED,
            EventKind.DELIVERED,
            EventKind.COMPLETED,
        )
    ]
    assert [r for r in reasons if r in labels] == labels


# --- access withdrawn ----------------------------------------------------------------


def test_losing_the_agreement_cancels_open_referrals_and_ends_access(
    django_capture_on_commit_callbacks, own, ngo, owner, person, offer, staff, covered
) -> None:
    open_one = refer(owner, person, offer)
    done = services.referral_complete(
        referral=_accept(refer(owner, person, make_offer(staff, name="Inna")), staff),
        acting_user=staff,
        outcome="achieved",
        outcome_note="OK",
    )
    with collecting(django_capture_on_commit_callbacks) as events:
        agreement_terminate(
            agreement=covered,
            acting_user=member(own, Role.COORDINATOR),
            reason="Koniec",
            notice_days=0,
            without_notice=True,
        )
    # Nothing tells the organisation of a referral it can no longer open.
    assert not [e for e in events if e.kind.startswith("referrals.")]
    open_one.refresh_from_db()
    done.refresh_from_db()
    assert open_one.status == Status.CANCELLED
    assert re.fullmatch(
        _says("The agreement no longer covers referrals (%(r)s)."), open_one.cancel_reason
    )
    assert done.status == Status.COMPLETED  # the record of what was done stays
    assert list(referrals_visible_to(staff)) == []
    assert set(referrals_visible_to(owner)) == {open_one, done}
    assert AuditEvent.objects.filter(
        action=AuditAction.REVOKE, object_id=str(open_one.pk), content_type__model="referral"
    ).exists()


def test_another_agreement_still_covering_keeps_the_referrals(
    own, ngo, owner, person, offer, staff, covered
) -> None:
    agreement_between(own, ngo, [Scope.REFERRALS, Scope.CLIENT_RECORDS])
    referral = refer(owner, person, offer)
    agreement_terminate(
        agreement=covered,
        acting_user=member(own, Role.COORDINATOR),
        reason="Aneks",
        notice_days=0,
        without_notice=True,
    )
    referral.refresh_from_db()
    assert referral.status == Status.SENT and list(referrals_visible_to(staff)) == [referral]


def test_a_withdrawn_consent_hides_the_referral_from_the_partner_at_once(
    owner, person, offer, staff
) -> None:
    referral = refer(owner, person, offer)
    consent_withdraw(consent=person.consents.get(), acting_user=owner)
    assert list(referrals_visible_to(staff)) == []
    assert list(referrals_visible_to(owner)) == [referral]
    with pytest.raises(
        PermissionDenied, match=_says("The client's consent was withdrawn or has lapsed.")
    ):
        _accept(Referral.objects.get(pk=referral.pk), staff)
    # The nightly pass then cancels it and removes the grant itself.
    counts = services.referrals_run_daily()
    referral.refresh_from_db()
    assert counts["withdrawn"] == 1 and referral.status == Status.CANCELLED
    assert not referral.referralgroupobjectpermission_set.exists()
    assert services.referrals_run_daily()["withdrawn"] == 0


def test_the_referred_person_is_anonymised_with_the_client(owner, person, offer, staff) -> None:
    referral = refer(owner, person, offer, share=["phone", "address"], needs="Długi")
    services.referral_decline(
        referral=referral, acting_user=staff, reason="Pani Łękawa ma już opiekę"
    )
    other = refer(owner, person, make_offer(staff, name="Inna", capacity=None))
    services.referral_accept(
        referral=other, acting_user=staff, start_date=TODAY, end_date=TODAY, note="Pani Łękawa"
    )
    services.delivery_record(
        referral=other,
        acting_user=staff,
        delivered_on=TODAY,
        kind="individual",
        hours=Decimal("1"),
        note="Łękawa przyszła z synem",
    )
    person.refresh_from_db()
    person.anonymised_at = timezone.now()  # as client_anonymise leaves it, years after closing
    person.save()
    assert services.referrals_run_daily()["wiped"] == 2
    for r in Referral.objects.all():
        stored = " ".join(str(v) for v in Referral.objects.filter(pk=r.pk).values().get().values())
        assert "Łękawa" not in stored and "600 111 222" not in stored and "Sekretna" not in stored
    assert not ReferralEvent.objects.filter(comment__contains="Łękawa").exists()
    assert not ServiceDelivery.objects.filter(note__contains="Łękawa").exists()
    assert Referral.objects.get(pk=referral.pk).status == Status.DECLINED
    assert services.referrals_run_daily()["wiped"] == 0
