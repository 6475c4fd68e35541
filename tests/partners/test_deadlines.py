"""The closed loop: an unanswered referral is flagged after two working days, a
service past its end date without an outcome is nagged, and every e-mail
carries a link and no personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from cooperation.models import Role
from partners import services
from partners.models import EventKind, Referral
from partners.tasks import referrals_daily

from ..factories import member
from .conftest import TODAY, refer

pytestmark = pytest.mark.usefixtures("covered")
PERSONAL = ["Grażyna", "Łękawa", "600 111 222", "Sekretna", "Zadłużenie"]


@pytest.fixture
def sent(owner, person, offer) -> Referral:
    return refer(owner, person, offer, share=["phone", "address"], needs="Zadłużenie czynszowe")


def _answerers(ngo) -> set[str]:
    """E-mails of the organisation's staff and coordinators (the agreement fixture made one)."""
    return set(
        ngo.memberships.filter(
            is_active=True, role__in=[Role.PARTNER_STAFF, Role.COORDINATOR]
        ).values_list("user__email", flat=True)
    )


def _no_personal_data(message) -> None:
    text = f"{message.subject}\n{message.body}"
    leaked = [p for p in PERSONAL if p in text]
    assert not leaked, leaked


def test_the_partner_is_told_of_a_new_referral_by_a_link(
    django_capture_on_commit_callbacks, owner, person, offer, staff, ngo
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(owner, person, offer, share=["phone"], needs="Zadłużenie czynszowe")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == _answerers(ngo) | {offer.contact_email}
    assert staff.email in message.to and owner.email not in message.to
    assert reverse("partners:referral", args=[referral.pk]) in message.body
    assert referral.respond_by.strftime("%d.%m.%Y") in message.body
    _no_personal_data(message)


def test_an_answer_is_due_two_working_days_after_sending(sent) -> None:
    assert services.referrals_run_daily(today=sent.respond_by)["flagged"] == 0
    assert (
        services.referrals_run_daily(today=sent.respond_by + dt.timedelta(days=1))["flagged"] == 1
    )


def test_an_unanswered_referral_is_flagged_once_to_both_sides(
    django_capture_on_commit_callbacks, sent, owner, staff, ngo
) -> None:
    coordinator = member(ngo, Role.COORDINATOR)
    member(ngo, Role.INSTITUTION_ADMIN)  # not one who answers referrals
    mail.outbox.clear()
    later = sent.respond_by + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.referrals_run_daily(today=later)["flagged"] == 1
    sent.refresh_from_db()
    assert sent.overdue_flagged_at is not None
    assert list(sent.events.values_list("kind", flat=True)) == [EventKind.SENT, EventKind.OVERDUE]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == _answerers(ngo) | {owner.email, sent.service.contact_email}
    assert {staff.email, coordinator.email} <= set(message.to)
    assert not set(message.to) & set(
        ngo.memberships.filter(role=Role.INSTITUTION_ADMIN).values_list("user__email", flat=True)
    )
    assert reverse("partners:referral", args=[sent.pk]) in message.body
    _no_personal_data(message)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.referrals_run_daily(today=later + dt.timedelta(days=3))["flagged"] == 0
    assert len(mail.outbox) == 1


def test_an_answered_referral_is_never_flagged(sent, staff) -> None:
    services.referral_decline(referral=sent, acting_user=staff, reason="Brak miejsc")
    assert services.referrals_run_daily(today=TODAY + dt.timedelta(days=30))["flagged"] == 0


def test_a_referrer_who_left_gets_no_mail_but_the_partner_does(
    django_capture_on_commit_callbacks, sent, owner, staff, partner
) -> None:
    from cooperation.services import membership_create

    membership_create(user=owner, institution=partner, role=Role.CLIENT_ADVISOR)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.referrals_run_daily(today=sent.respond_by + dt.timedelta(days=1))
    assert owner.email not in mail.outbox[0].to and staff.email in mail.outbox[0].to


def test_a_service_past_its_end_without_an_outcome_is_nagged_weekly(
    django_capture_on_commit_callbacks, sent, staff, owner
) -> None:
    services.referral_accept(referral=sent, acting_user=staff, start_date=TODAY, end_date=TODAY)
    mail.outbox.clear()
    assert services.referrals_run_daily(today=TODAY)["outcome_reminders"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.referrals_run_daily(today=TODAY + dt.timedelta(days=1))["outcome_reminders"]
            == 1
        )
    assert (
        services.referrals_run_daily(today=TODAY + dt.timedelta(days=2))["outcome_reminders"] == 0
    )
    assert (
        services.referrals_run_daily(today=TODAY + dt.timedelta(days=8))["outcome_reminders"] == 1
    )
    assert len(mail.outbox) == 1
    assert staff.email in mail.outbox[0].to and owner.email not in mail.outbox[0].to
    _no_personal_data(mail.outbox[0])
    services.referral_complete(
        referral=sent, acting_user=staff, outcome="achieved", outcome_note="OK"
    )
    assert (
        services.referrals_run_daily(today=TODAY + dt.timedelta(days=30))["outcome_reminders"] == 0
    )


def test_the_referrer_is_told_of_each_answer(
    django_capture_on_commit_callbacks, sent, staff, owner
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_accept(
            referral=sent,
            acting_user=staff,
            start_date=TODAY,
            end_date=TODAY + dt.timedelta(days=9),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_complete(
            referral=sent, acting_user=staff, outcome="achieved", outcome_note="OK"
        )
    assert [m.to for m in mail.outbox] == [[owner.email], [owner.email]]
    for message in mail.outbox:
        _no_personal_data(message)


def test_the_beat_task_runs_the_daily_pass(sent) -> None:
    assert referrals_daily() == {"flagged": 0, "outcome_reminders": 0, "withdrawn": 0, "wiped": 0}


def test_the_daily_pass_is_in_the_beat_schedule(settings) -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "partners.tasks.referrals_daily" in tasks


def test_the_partner_is_told_when_the_referrer_cancels(
    django_capture_on_commit_callbacks, sent, owner, staff
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_cancel(referral=sent, acting_user=owner, reason="Klient wyjechał")
    assert len(mail.outbox) == 1 and staff.email in mail.outbox[0].to
    assert sent.get_absolute_url() in mail.outbox[0].body
    _no_personal_data(mail.outbox[0])
