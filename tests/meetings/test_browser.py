"""In the browser: a coordinator schedules a meeting, a partner accepts it, the
minutes get an action item that waits on the owner's home page. Elements are
found by id, name and role (the interface speaks Polish; strings are translated
later), and every page passes axe's WCAG 2.1 AA rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cooperation.models import Role
from meetings import recurrence
from meetings.models import ActionItem, Event, Invitee, Response

from ..browser import axe_violations, describe, log_in, log_out, screenshot, wait_for_lazy_parts
from ..factories import agreement_between, member
from .conftest import at, schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def _background(own, partner, coordinator) -> None:
    """Other events of the month, so the calendar looks as it does in use."""
    today = timezone.localdate()
    first = at(today + dt.timedelta(days=2), 10)
    schedule(
        coordinator,
        title="Zespół współpracy MOPS–PUP",
        starts_at=first,
        ends_at=first + dt.timedelta(hours=2),
        rrule=recurrence.build_rrule(recurrence.Repeat.WEEKLY, first, count=6),
        institutions=[partner],
    )
    schedule(
        coordinator,
        kind="training",
        title="Szkolenie: IPD po nowemu",
        capacity=12,
        starts_at=at(today + dt.timedelta(days=4), 9),
        ends_at=at(today + dt.timedelta(days=4), 13),
        institutions=[partner],
    )
    schedule(
        coordinator,
        kind="job_fair",
        title="Targi pracy w Skarżysku",
        starts_at=at(today + dt.timedelta(days=9), 10),
        ends_at=at(today + dt.timedelta(days=9), 15),
    )


def test_schedule_accept_minutes_and_the_action_item_on_the_home_page(
    page, live_server, own, partner
) -> None:
    agreement_between(own, partner)
    organiser = member(
        own, Role.COORDINATOR, username="koord-mops", first_name="Anna", last_name="Mazur"
    )
    guest = member(
        partner, Role.COORDINATOR, username="koord-pup", first_name="Piotr", last_name="Zając"
    )
    _background(own, partner, organiser)
    start = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(minutes=20)

    log_in(page, live_server, "koord-mops")
    page.goto(f"{live_server.url}/meetings/")
    page.locator("#schedule-event").click()
    page.wait_for_url("**/meetings/new/")
    page.locator("#id_title").fill("Spotkanie w sprawie staży dla klientów MOPS")
    page.locator("#id_starts_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_ends_at").fill((start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_location").fill("MOPS, ul. Słowackiego 25, sala 12")
    page.locator("#id_agenda").fill("1. Oferty staży\n2. Lista kandydatów")
    page.locator(f"input[name=institutions][value='{partner.pk}']").check()
    page.locator(f"input[name=people][value='{guest.pk}']").check()
    screenshot(page, "meetings-form")
    _no_violations(page)
    page.locator("#save-event").click()
    page.wait_for_url("**/meetings/dates/*/")
    event = Event.objects.get(title="Spotkanie w sprawie staży dla klientów MOPS")
    assert page.locator("#invitees").get_by_text("Piotr Zając").is_visible()
    log_out(page)

    log_in(page, live_server, "koord-pup")
    page.get_by_role(
        "link", name=event.title
    ).first.click()  # from "your meetings" on the home page
    page.wait_for_url("**/meetings/dates/*/")
    page.locator("#answer-accepted").click()
    page.wait_for_url("**/meetings/dates/*/")
    assert page.locator("#invitees [data-response=accepted]").count() == 2
    assert Invitee.objects.get(event=event, user=guest).response == Response.ACCEPTED
    screenshot(page, "meetings-event")
    _no_violations(page)
    log_out(page)

    log_in(page, live_server, "koord-mops")
    page.goto(f"{live_server.url}{event.get_absolute_url()}")
    page.locator("#take-attendance").click()
    page.locator(f"input[name=present][value='{guest.pk}']").check()
    _no_violations(page)
    page.locator("#save-attendance").click()
    page.wait_for_url("**/meetings/dates/*/")
    page.locator("#write-minutes").click()
    page.locator("#id_notes").fill("PUP przedstawił oferty staży; MOPS wskaże kandydatów.")
    page.locator("#id_decisions-0-text").fill("Lista kandydatów do 15 grudnia.")
    page.locator("#id_items-0-description").fill("Przesłać do MOPS listę ofert staży")
    page.locator("#id_items-0-owner").select_option(str(guest.pk))
    page.locator("#id_items-0-due_date").fill(
        (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    )
    screenshot(page, "meetings-minutes-form")
    _no_violations(page)
    page.locator("#save-minutes").click()
    page.wait_for_url("**/meetings/dates/*/")
    assert page.get_by_text("Przesłać do MOPS listę ofert staży").is_visible()
    assert page.locator("#minutes-pdf").is_visible()
    screenshot(page, "meetings-event-minutes")
    _no_violations(page)
    log_out(page)

    log_in(page, live_server, "koord-pup")
    wait_for_lazy_parts(page)
    items = page.locator("#home-action-items")
    assert items.get_by_text("Przesłać do MOPS listę ofert staży").first.is_visible()
    screenshot(page, "meetings-home")
    _no_violations(page)
    items.get_by_role("button").first.click()
    page.wait_for_url(f"{live_server.url}/")
    wait_for_lazy_parts(page)
    assert page.locator("#home-action-items").count() == 0
    assert ActionItem.objects.get().status == "done"


def test_month_and_agenda_views_at_1366x768(page, live_server, own, partner) -> None:
    agreement_between(own, partner)
    organiser = member(own, Role.COORDINATOR, username="koord-mops")
    _background(own, partner, organiser)
    cancelled = schedule(
        organiser,
        title="Odwołane spotkanie",
        starts_at=at(timezone.localdate() + dt.timedelta(days=6), 12),
        ends_at=at(timezone.localdate() + dt.timedelta(days=6), 13),
    )
    from meetings import services

    services.event_cancel(event=cancelled, acting_user=organiser, reason="")
    log_in(page, live_server, "koord-mops")
    for path, name in (("/meetings/", "meetings-month"), ("/meetings/agenda/", "meetings-agenda")):
        page.goto(f"{live_server.url}{path}")
        assert page.get_by_text("Szkolenie: IPD po nowemu").first.is_visible()
        screenshot(page, name)
        _no_violations(page)
    page.goto(f"{live_server.url}/meetings/feed/")
    page.locator("#feed-create").click()
    assert "/meetings/feed/" in page.locator("#feed-url").input_value()
    screenshot(page, "meetings-feed")
    _no_violations(page)
    page.goto(f"{live_server.url}/meetings/actions/")
    _no_violations(page)
