"""Answers to an invitation, a training's places and its waiting list."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cooperation.models import Role
from meetings import services
from meetings.models import Invitee, Response
from meetings.selectors import seats_taken

from ..factories import member
from ..notifications.kindcheck import collecting, the_one, told, words
from .conftest import schedule, subject_prefix


def _answer(event, user, response):
    return services.invitation_respond(event=event, acting_user=user, response=response)


@pytest.fixture
def training(own, partner, agreement, coordinator):
    return schedule(
        coordinator, kind="training", title="Szkolenie", capacity=2, institutions=[partner]
    )


@pytest.fixture
def staff(own, partner):
    return [
        member(partner if n % 2 else own, Role.SOCIAL_WORKER, username=f"s{n}") for n in range(4)
    ]


def test_accepting_maybe_and_declining_are_recorded(training, partner_coordinator) -> None:
    for answer in (Response.MAYBE, Response.DECLINED, Response.ACCEPTED):
        invitee = _answer(training, partner_coordinator, answer)
        assert Invitee.objects.get(pk=invitee.pk).response == answer
    assert Invitee.objects.filter(event=training, user=partner_coordinator).count() == 1


def test_someone_of_a_taking_part_institution_may_sign_up(training, staff) -> None:
    invitee = _answer(training, staff[1], Response.ACCEPTED)
    assert invitee.response == Response.ACCEPTED
    assert invitee.institution_id == staff[1].memberships.get().institution_id


def test_outsiders_cannot_answer(training, outsider) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _answer(training, outsider, Response.ACCEPTED)


def test_a_full_training_puts_later_acceptances_on_a_waiting_list_in_order(
    training, staff, coordinator
) -> None:
    answers = [_answer(training, person, Response.ACCEPTED).response for person in staff]
    assert answers == [
        Response.ACCEPTED,
        Response.ACCEPTED,
        Response.WAITLISTED,
        Response.WAITLISTED,
    ]
    assert seats_taken(training) == 2  # the organiser who scheduled it takes no place
    assert Invitee.objects.get(event=training, user=coordinator).response == Response.ACCEPTED


def test_a_freed_place_goes_to_the_first_on_the_list_who_is_told(
    training, staff, django_capture_on_commit_callbacks
) -> None:
    for person in staff:
        _answer(training, person, Response.ACCEPTED)
    with collecting(django_capture_on_commit_callbacks) as events:
        _answer(training, staff[0], Response.DECLINED)
    state = dict(
        Invitee.objects.filter(event=training, user__in=staff).values_list(
            "user__username", "response"
        )
    )
    assert state == {
        "s0": Response.DECLINED,
        "s1": Response.ACCEPTED,
        "s2": Response.ACCEPTED,
        "s3": Response.WAITLISTED,
    }
    promoted = the_one(events, "meetings.promoted")
    assert told(promoted) == {staff[2]}
    assert words(promoted).startswith(subject_prefix("A place is yours: %(title)s, %(when)s"))


def test_maybe_also_frees_a_place_and_leaving_the_list_keeps_the_order(training, staff) -> None:
    for person in staff:
        _answer(training, person, Response.ACCEPTED)
    _answer(training, staff[2], Response.DECLINED)  # leaves the waiting list
    _answer(training, staff[1], Response.MAYBE)  # frees a place
    assert Invitee.objects.get(event=training, user=staff[3]).response == Response.ACCEPTED
    assert seats_taken(training) == 2


def test_raising_the_number_of_places_moves_people_up(
    training, staff, coordinator, partner
) -> None:
    from .conftest import event_data

    for person in staff:
        _answer(training, person, Response.ACCEPTED)
    services.event_update(
        event=training,
        acting_user=coordinator,
        data=event_data(
            kind="training",
            title="Szkolenie",
            capacity=3,
            starts_at=training.starts_at,
            ends_at=training.ends_at,
        ),
        institutions=[partner],
    )
    assert Invitee.objects.get(event=training, user=staff[2]).response == Response.ACCEPTED
    assert Invitee.objects.get(event=training, user=staff[3]).response == Response.WAITLISTED


def test_nothing_can_be_answered_once_the_event_is_cancelled(training, staff, coordinator) -> None:
    services.event_cancel(event=training, acting_user=coordinator, reason="Choroba prowadzącego")
    with pytest.raises(ValidationError):
        _answer(training, staff[0], Response.ACCEPTED)
