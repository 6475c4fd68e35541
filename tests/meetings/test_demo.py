"""The demo: the monthly MOPS–PUP series with minutes and open action items,
a full training with a waiting list, a case conference. Idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cooperation.models import User
from meetings.demo import CONFERENCE_TITLE, SERIES_TITLE, TRAINING_TITLE
from meetings.models import ActionItem, Event, Invitee, Minutes, Occurrence, Response
from meetings.selectors import seats_taken

from ..lazy import get_loaded


@pytest.fixture
def demo(db, monkeypatch):
    from cooperation.management.commands import seed_demo

    # Only the apps this demo builds on, so the test does not depend on the others' demos.
    monkeypatch.setattr(seed_demo, "DEMO_APPS", ["agreements", "clients", "meetings"])
    with open("/dev/null", "w") as devnull:
        call_command("seed_demo", stdout=devnull)


def _counts() -> list[int]:
    return [m.objects.count() for m in (Event, Occurrence, Invitee, Minutes, ActionItem)]


# One test, one seeding checked every way, then seeded again (CI time: each check
# was a test of its own that seeded the demo afresh).
def test_the_meetings_demo_and_seeding_it_again(client, demo) -> None:  # type: ignore[no-untyped-def]
    _the_monthly_series_has_past_minutes_and_a_moved_and_a_cancelled_date()
    for username in ["advisor.pup-skarzysko", "worker.mops-skarzysko"]:
        _open_action_items_wait_on_their_owners_home_pages(client, username)
    _the_training_is_full_with_a_waiting_list()
    _the_case_conference_is_about_a_mops_client()
    _seeding_again_changes_nothing()


def _seeding_again_changes_nothing() -> None:
    before = _counts()
    with open("/dev/null", "w") as devnull:
        call_command("seed_demo", stdout=devnull)
    assert _counts() == before


def _the_monthly_series_has_past_minutes_and_a_moved_and_a_cancelled_date() -> None:
    series = Event.objects.get(title=SERIES_TITLE)
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1TU"
    assert series.organiser.short_name == "mops-skarzysko"
    assert set(series.institution_links.values_list("institution__short_name", flat=True)) == {
        "mops-skarzysko",
        "pup-skarzysko",
    }
    now = timezone.now()
    past = series.occurrences.filter(ends_at__lt=now)
    assert past.count() >= 3 and past.filter(minutes__isnull=True).count() == 0
    future = series.occurrences.filter(starts_at__gt=now)
    assert future.filter(is_moved=True).count() == 1 and future.filter(cancelled=True).count() == 1
    for o in series.occurrences.filter(is_moved=False):
        assert timezone.localtime(o.starts_at).strftime("%a %H:%M") == "Tue 10:00"


def _open_action_items_wait_on_their_owners_home_pages(client, username) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.get(username=username)
    open_items = ActionItem.objects.filter(owner=user, status__in=["open", "in_progress"])
    assert open_items.exists()
    client.force_login(user)
    body = get_loaded(client, reverse("home"))
    assert open_items.first().description[:40] in body


def _the_training_is_full_with_a_waiting_list() -> None:
    training = Event.objects.get(title=TRAINING_TITLE)
    assert training.kind == "training" and seats_taken(training) == training.capacity
    assert training.invitees.filter(response=Response.WAITLISTED).count() == 2


def _the_case_conference_is_about_a_mops_client() -> None:
    conference = Event.objects.get(title=CONFERENCE_TITLE)
    assert conference.kind == "case_conference"
    assert conference.client.owner.short_name == "mops-skarzysko"
