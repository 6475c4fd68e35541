# ruff: noqa: F811 - the meetings fixtures, imported, are parameters here
"""Meetings tell the invited: an invitation, a change, a cancellation, the day
before; the owner of an action item hears of it and on the day it is due. Never the
organiser who acted, never anyone outside the event, and a calendar file goes along."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from meetings import services
from meetings.models import ActionItem, ActionStatus
from meetings.services import ActionItemData
from notifications.kinds import ATTACHMENTS, KINDS

from ..factories import member
from ..meetings.conftest import (  # noqa: F401 - fixtures
    agreement,
    at,
    event_data,
    in_days,
    partner_advisor,
    partner_coordinator,
    schedule,
)
from .kindcheck import assert_no_personal_data, collecting, may_see, the_one, told

TODAY = timezone.localdate()


def test_an_invitation_a_change_and_a_cancellation_tell_the_invited_only(
    django_capture_on_commit_callbacks,
    own,
    partner,
    agreement,
    coordinator,
    owner,
    partner_coordinator,
    partner_advisor,
    outsider,
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        event = schedule(coordinator, institutions=[partner], people=[partner_advisor])
    invitation = the_one(events, "meetings.invitation")
    assert {partner_coordinator, partner_advisor} <= told(invitation)
    assert not told(invitation) & {coordinator, outsider}
    with collecting(django_capture_on_commit_callbacks) as events:
        later = in_days(9)
        services.event_update(
            event=event,
            acting_user=coordinator,
            data=event_data(starts_at=later, ends_at=later + dt.timedelta(hours=1)),
            institutions=[partner],
            people=[partner_advisor],
        )
    changed = the_one(events, "meetings.changed")
    assert {partner_coordinator, partner_advisor} <= told(changed)
    with collecting(django_capture_on_commit_callbacks) as events:
        services.event_cancel(event=event, acting_user=coordinator, reason="Choroba")
    cancelled = the_one(events, "meetings.cancelled")
    assert {partner_coordinator, partner_advisor} <= told(cancelled)
    assert not told(cancelled) & {coordinator, outsider}
    name, content, mimetype = ATTACHMENTS[cancelled.kind](cancelled, event)
    assert name.endswith(".ics") and "method=CANCEL" in mimetype and b"CANCELLED" in content
    for one in (invitation, changed, cancelled):
        assert KINDS[one.kind].url(one, event).startswith("/")


def test_an_institution_taken_off_the_event_may_no_longer_open_its_notices(
    django_capture_on_commit_callbacks, own, partner, agreement, coordinator, partner_coordinator
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        event = schedule(coordinator, institutions=[partner])
    invitation = the_one(events, "meetings.invitation")
    assert may_see(invitation, partner_coordinator)
    services.event_update(event=event, acting_user=coordinator, data=event_data(), institutions=[])
    assert not may_see(invitation, partner_coordinator)
    assert partner_coordinator not in told(invitation)


def test_an_action_item_is_told_when_given_and_on_the_day_it_is_due(
    django_capture_on_commit_callbacks, own, partner, agreement, coordinator, partner_advisor
) -> None:
    start = at(TODAY, 0, 30)
    event = schedule(
        coordinator,
        title="Spotkanie MOPS–PUP",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        institutions=[partner],
        people=[partner_advisor],
        allow_past=True,
    )
    secret = "Zadzwonić do pani Ksymeny Tajnej"
    with collecting(django_capture_on_commit_callbacks) as events:
        services.minutes_save(
            occurrence=event.occurrences.get(),
            acting_user=coordinator,
            notes="Notatki",
            decisions=[],
            action_items=[
                ActionItemData(
                    description=secret, owner=partner_advisor, due_date=TODAY + dt.timedelta(3)
                )
            ],
        )
    given = the_one(events, "meetings.action_item")
    assert told(given) == {partner_advisor}
    item = ActionItem.objects.get()
    with collecting(django_capture_on_commit_callbacks) as events:
        assert services.action_items_due_send(today=TODAY + dt.timedelta(days=2)) == 0
        assert services.action_items_due_send(today=TODAY + dt.timedelta(days=3)) == 1
    due = the_one(events, "meetings.action_item_due")
    assert due.target_id == item.pk and told(due) == {partner_advisor}
    assert member(own, "social_worker") not in told(due)
    ActionItem.objects.filter(pk=item.pk).update(status=ActionStatus.DONE)
    assert services.action_items_due_send(today=TODAY + dt.timedelta(days=3)) == 0
    for one in (given, due):
        assert_no_personal_data(one, "Ksymeny", "Tajnej")
