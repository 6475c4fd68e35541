"""The closed loop: an unanswered referral is flagged after two working days, a
service past its end date without an outcome is nagged, and every notice
(an event the notification centre turns into notices and e-mails) leads to the
referral and carries no personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cooperation.models import Role, User
from notifications.kinds import KINDS
from partners import services
from partners.models import EventKind, Referral
from partners.tasks import referrals_daily

from ..factories import member
from ..notifications.kindcheck import collecting, the_one, told, words
from .conftest import TODAY, refer

pytestmark = pytest.mark.usefixtures("covered")
PERSONAL = ["Grażyna", "Łękawa", "600 111 222", "Sekretna", "Zadłużenie"]


@pytest.fixture
def sent(owner, person, offer) -> Referral:
    return refer(owner, person, offer, share=["phone", "address"], needs="Zadłużenie czynszowe")


def _answerers(ngo) -> set[User]:
    """The organisation's staff and coordinators (the agreement fixture made one)."""
    return {
        m.user
        for m in ngo.memberships.filter(
            is_active=True, role__in=[Role.PARTNER_STAFF, Role.COORDINATOR]
        ).select_related("user")
    }


def _no_personal_data(event) -> None:
    text = words(event)
    leaked = [p for p in PERSONAL if p in text]
    assert not leaked, leaked


def test_the_partner_is_told_of_a_new_referral_by_a_link(
    django_capture_on_commit_callbacks, owner, person, offer, staff, ngo
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        referral = refer(owner, person, offer, share=["phone"], needs="Zadłużenie czynszowe")
    event = the_one(events, "referrals.sent")
    assert told(event) == _answerers(ngo)
    assert staff in told(event) and owner not in told(event)
    assert KINDS[event.kind].url(event, referral) == reverse(
        "partners:referral", args=[referral.pk]
    )
    assert referral.respond_by.strftime("%d.%m.%Y") in KINDS[event.kind].text(event, referral)
    _no_personal_data(event)


def test_an_answer_is_due_two_working_days_after_sending(sent) -> None:
    assert services.referrals_run_daily(today=sent.respond_by)["flagged"] == 0
    assert (
        services.referrals_run_daily(today=sent.respond_by + dt.timedelta(days=1))["flagged"] == 1
    )


def test_an_unanswered_referral_is_flagged_once_to_both_sides(
    django_capture_on_commit_callbacks, sent, owner, staff, ngo
) -> None:
    coordinator = member(ngo, Role.COORDINATOR)
    admin = member(ngo, Role.INSTITUTION_ADMIN)  # not one who answers referrals
    later = sent.respond_by + dt.timedelta(days=1)
    with collecting(django_capture_on_commit_callbacks) as events:
        assert services.referrals_run_daily(today=later)["flagged"] == 1
    sent.refresh_from_db()
    assert sent.overdue_flagged_at is not None
    assert list(sent.events.values_list("kind", flat=True)) == [EventKind.SENT, EventKind.OVERDUE]
    event = the_one(events, "referrals.overdue")
    assert told(event) == _answerers(ngo) | {owner}
    assert {staff, coordinator} <= told(event) and admin not in told(event)
    assert KINDS[event.kind].url(event, sent) == reverse("partners:referral", args=[sent.pk])
    _no_personal_data(event)
    with collecting(django_capture_on_commit_callbacks) as again:
        assert services.referrals_run_daily(today=later + dt.timedelta(days=3))["flagged"] == 0
    assert again == []


def test_an_answered_referral_is_never_flagged(sent, staff) -> None:
    services.referral_decline(referral=sent, acting_user=staff, reason="Brak miejsc")
    assert services.referrals_run_daily(today=TODAY + dt.timedelta(days=30))["flagged"] == 0


def test_a_referrer_who_left_gets_no_mail_but_the_partner_does(
    django_capture_on_commit_callbacks, sent, owner, staff, partner
) -> None:
    from cooperation.services import membership_create

    membership_create(user=owner, institution=partner, role=Role.CLIENT_ADVISOR)
    with collecting(django_capture_on_commit_callbacks) as events:
        services.referrals_run_daily(today=sent.respond_by + dt.timedelta(days=1))
    event = the_one(events, "referrals.overdue")
    assert owner not in told(event) and staff in told(event)


def test_a_service_past_its_end_without_an_outcome_is_nagged_weekly(
    django_capture_on_commit_callbacks, sent, staff, owner
) -> None:
    services.referral_accept(referral=sent, acting_user=staff, start_date=TODAY, end_date=TODAY)
    assert services.referrals_run_daily(today=TODAY)["outcome_reminders"] == 0
    with collecting(django_capture_on_commit_callbacks) as events:
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
    event = the_one(events, "referrals.outcome")
    assert staff in told(event) and owner not in told(event)
    _no_personal_data(event)
    services.referral_complete(
        referral=sent, acting_user=staff, outcome="achieved", outcome_note="OK"
    )
    assert (
        services.referrals_run_daily(today=TODAY + dt.timedelta(days=30))["outcome_reminders"] == 0
    )


def test_the_referrer_is_told_of_each_answer(
    django_capture_on_commit_callbacks, sent, staff, owner
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        services.referral_accept(
            referral=sent,
            acting_user=staff,
            start_date=TODAY,
            end_date=TODAY + dt.timedelta(days=9),
        )
    with collecting(django_capture_on_commit_callbacks) as later:
        services.referral_complete(
            referral=sent, acting_user=staff, outcome="achieved", outcome_note="OK"
        )
    for event in (the_one(events, "referrals.accepted"), the_one(later, "referrals.completed")):
        assert told(event) == {owner}
        _no_personal_data(event)


def test_the_beat_task_runs_the_daily_pass(sent) -> None:
    assert referrals_daily() == {"flagged": 0, "outcome_reminders": 0, "withdrawn": 0, "wiped": 0}


def test_the_daily_pass_is_in_the_beat_schedule(settings) -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "partners.tasks.referrals_daily" in tasks


def test_the_partner_is_told_when_the_referrer_cancels(
    django_capture_on_commit_callbacks, sent, owner, staff
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        services.referral_cancel(referral=sent, acting_user=owner, reason="Klient wyjechał")
    event = the_one(events, "referrals.cancelled")
    assert staff in told(event) and owner not in told(event)
    assert KINDS[event.kind].url(event, sent) == sent.get_absolute_url()
    _no_personal_data(event)
