"""Scheduling: who may be invited (agreement partners only), who may schedule,
what is refused, room bookings that overlap, and the e-mails that go out."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agreements.models import Status
from cooperation.models import Role
from cooperation.permissions import visible
from meetings import services
from meetings.models import Event, EventInstitution, Invitee, Response, Room
from notifications.kinds import ATTACHMENTS

from ..factories import InstitutionFactory, agreement_between, member
from ..notifications.kindcheck import collecting, the_one, told, words
from .conftest import event_data, in_days, schedule, subject_prefix


def test_a_partner_is_invited_and_its_coordinators_get_an_ics(
    own, partner, agreement, coordinator, partner_coordinator, django_capture_on_commit_callbacks
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        event = schedule(coordinator, institutions=[partner])
    links = dict(
        EventInstitution.objects.filter(event=event).values_list("institution_id", "is_organiser")
    )
    assert links == {own.pk: True, partner.pk: False}
    answers = dict(event.invitees.values_list("user__username", "response"))
    assert answers[coordinator.username] == Response.ACCEPTED
    assert answers[partner_coordinator.username] == Response.PENDING
    invitation = the_one(events, "meetings.invitation")
    assert partner_coordinator in told(invitation) and coordinator not in told(invitation)
    assert "Spotkanie zespołu współpracy" in words(invitation)
    name, content, mimetype = ATTACHMENTS[invitation.kind](invitation, event)
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(content)
    assert [str(e["SUMMARY"]) for e in parsed.walk("VEVENT")] == ["Spotkanie zespołu współpracy"]


def test_the_invitation_e_mail_carries_the_calendar_file(
    own, partner, agreement, coordinator, partner_coordinator, django_capture_on_commit_callbacks
) -> None:
    """End to end through the notification centre: a person who wants invitations at
    once gets an e-mail with the .ics attached (the kind's ATTACHMENTS entry)."""
    from django.core import mail

    from notifications.models import Mode, Preference

    Preference.objects.create(
        user=partner_coordinator, kind="meetings.invitation", mode=Mode.IMMEDIATE
    )
    with django_capture_on_commit_callbacks(execute=True):
        schedule(coordinator, institutions=[partner])
    sent = [m for m in mail.outbox if partner_coordinator.email in m.to]
    assert len(sent) == 1
    (name, content, mimetype), *_ = sent[0].attachments
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Spotkanie zespołu współpracy"]


def test_an_institution_without_an_agreement_in_force_cannot_be_invited(
    own, partner, foreign, coordinator
) -> None:
    agreement_between(own, partner, status=Status.DRAFT)
    for institution in (partner, foreign):
        with pytest.raises(ValidationError) as exc:
            schedule(coordinator, institutions=[institution])
        assert "institutions" in exc.value.message_dict
        assert institution.name in exc.value.message_dict["institutions"][0]
    assert not Event.objects.exists()


def test_an_ended_agreement_no_longer_lets_an_institution_be_invited(
    own, partner, coordinator
) -> None:
    today = timezone.localdate()
    agreement_between(
        own,
        partner,
        valid_from=today - dt.timedelta(days=60),
        valid_until=today - dt.timedelta(days=40),
    )
    with pytest.raises(ValidationError):
        schedule(coordinator, institutions=[partner])


def test_people_must_work_at_the_organiser_or_an_invited_institution(
    own, partner, agreement, coordinator, partner_advisor, colleague
) -> None:
    with pytest.raises(ValidationError) as exc:
        schedule(coordinator, people=[partner_advisor])
    assert "people" in exc.value.message_dict
    event = schedule(coordinator, institutions=[partner], people=[partner_advisor, colleague])
    assert set(event.invitees.values_list("user__username", flat=True)) >= {
        partner_advisor.username,
        colleague.username,
    }


def test_a_social_worker_may_schedule_only_a_case_conference(owner) -> None:
    with pytest.raises(PermissionDenied):
        schedule(owner)


def test_only_the_organiser_and_the_invited_see_the_event(
    own, partner, agreement, coordinator, partner_advisor, outsider
) -> None:
    third = InstitutionFactory(short_name="pcpr-test", kind="pcpr")
    agreement_between(own, third)
    third_user = member(third, Role.COORDINATOR)
    event = schedule(coordinator, institutions=[partner])
    assert list(visible(Event, partner_advisor)) == [event]
    assert not visible(Event, outsider).exists()
    assert not visible(Event, third_user).exists()  # a partner of the organiser, not invited


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": in_days(7, 9)}, "ends_at"),
        ({"starts_at": in_days(-1), "ends_at": in_days(-1, 12)}, "starts_at"),
        ({"ends_at": in_days(30)}, "ends_at"),
        ({"capacity": 10}, "capacity"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"title": "   "}, "title"),
    ],
)
def test_invalid_events_are_refused_next_to_their_field(coordinator, overrides, field) -> None:
    with pytest.raises(ValidationError) as exc:
        schedule(coordinator, **overrides)
    assert field in exc.value.message_dict
    assert not Event.objects.exists()


def test_another_institutions_room_cannot_be_booked(coordinator, partner) -> None:
    room = Room.objects.create(institution=partner, name="Sala PUP")
    with pytest.raises(ValidationError) as exc:
        schedule(coordinator, room=room)
    assert "room" in exc.value.message_dict


def test_an_overlapping_room_booking_warns_and_can_be_confirmed(own, coordinator) -> None:
    room = Room.objects.create(institution=own, name="Sala 12")
    first = schedule(coordinator, room=room, title="Pierwsze")
    with pytest.raises(services.RoomOverlap) as exc:
        schedule(coordinator, room=room, starts_at=in_days(7, 11), ends_at=in_days(7, 13))
    assert "Pierwsze" in exc.value.message_dict["room"][0]
    schedule(
        coordinator, room=room, starts_at=in_days(7, 12), ends_at=in_days(7, 13)
    )  # back to back
    schedule(
        coordinator,
        room=room,
        starts_at=in_days(7, 11),
        ends_at=in_days(7, 13),
        confirm_overlap=True,
    )
    services.event_cancel(event=first, acting_user=coordinator, reason="")
    schedule(coordinator, room=room, starts_at=in_days(7, 10), ends_at=in_days(7, 11))


def test_a_series_warns_when_any_of_its_dates_clashes(own, coordinator) -> None:
    room = Room.objects.create(institution=own, name="Sala 12")
    schedule(coordinator, room=room, starts_at=in_days(21), ends_at=in_days(21, 12))
    with pytest.raises(services.RoomOverlap):
        schedule(coordinator, room=room, rrule="FREQ=WEEKLY;COUNT=4")


def test_adding_an_institution_invites_its_coordinators_and_a_change_of_time_tells_everyone(
    own, partner, agreement, coordinator, partner_coordinator, django_capture_on_commit_callbacks
) -> None:
    event = schedule(coordinator)
    with collecting(django_capture_on_commit_callbacks) as events:
        services.event_update(
            event=event, acting_user=coordinator, data=event_data(), institutions=[partner]
        )
    assert Invitee.objects.filter(event=event, user=partner_coordinator).exists()
    invitation = the_one(events, "meetings.invitation")
    assert partner_coordinator in told(invitation)
    assert words(invitation).startswith(subject_prefix("Invitation: %(title)s, %(when)s"))
    later = in_days(8)
    with collecting(django_capture_on_commit_callbacks) as events:
        services.event_update(
            event=event,
            acting_user=coordinator,
            data=event_data(starts_at=later, ends_at=later + dt.timedelta(hours=1)),
            institutions=[partner],
        )
    changed = the_one(events, "meetings.changed")
    assert partner_coordinator in told(changed) and coordinator not in told(changed)
    assert words(changed).startswith(subject_prefix("Changed: %(title)s, %(when)s"))
    occurrence = event.occurrences.get()
    assert occurrence.starts_at == later
    event.refresh_from_db()
    assert event.sequence == 1


def test_an_institution_that_took_part_cannot_be_removed(
    own, partner, agreement, coordinator, partner_coordinator
) -> None:
    event = schedule(coordinator, institutions=[partner], starts_at=in_days(0, 0), allow_past=True)
    services.attendance_record(
        occurrence=event.occurrences.get(),
        acting_user=coordinator,
        present=[partner_coordinator.pk],
    )
    with pytest.raises(ValidationError) as exc:
        services.event_update(
            event=event,
            acting_user=coordinator,
            data=event_data(starts_at=event.starts_at, ends_at=event.ends_at),
            institutions=[],
        )
    assert "institutions" in exc.value.message_dict


def test_a_partner_may_not_change_the_event(
    own, partner, agreement, coordinator, partner_coordinator
) -> None:
    event = schedule(coordinator, institutions=[partner])
    with pytest.raises(PermissionDenied):
        services.event_update(
            event=event, acting_user=partner_coordinator, data=event_data(), institutions=[partner]
        )
    with pytest.raises(PermissionDenied):
        services.event_cancel(event=event, acting_user=partner_coordinator, reason="")
