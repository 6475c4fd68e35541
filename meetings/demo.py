"""Demo meetings (run by `manage.py seed_demo`), taken through the real services.

Skarżysko: the monthly MOPS–PUP cooperation meeting (first Tuesday, 10:00)
begun four months ago, with attendance, minutes and action items, some
still open; one coming date moved and one cancelled. A PUP training on the
new labour-market act, full, with a waiting list. A case conference at MOPS
about one of its clients. Idempotent: an event whose title exists is skipped.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cooperation.models import Institution, User

SERIES_TITLE = "Spotkanie zespołu ds. współpracy MOPS–PUP"
TRAINING_TITLE = "Szkolenie: ustawa o rynku pracy z 2025 r. — co zmienia się dla OPS"
CONFERENCE_TITLE = "Konferencja przypadku — wspólny plan wyjścia z bezrobocia"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _inst(short: str) -> Institution:
    return Institution.objects.get(short_name=short)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _first_tuesday(months_ago: int) -> dt.date:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months_ago
    first = dt.date(index // 12, index % 12 + 1, 1)
    return first + dt.timedelta(days=(1 - first.weekday()) % 7)


def seed() -> None:
    from .models import Event, Room

    rooms = {
        "mops-skarzysko": Room.objects.get_or_create(
            institution=_inst("mops-skarzysko"),
            name="Sala konferencyjna, pok. 12",
            defaults={"address": "ul. Słowackiego 25, Skarżysko-Kamienna", "seats": 20},
        )[0],
        "pup-skarzysko": Room.objects.get_or_create(
            institution=_inst("pup-skarzysko"),
            name="Sala szkoleniowa nr 3",
            defaults={"address": "ul. Szydłowiecka 2, Skarżysko-Kamienna", "seats": 30},
        )[0],
    }
    if not Event.objects.filter(title=SERIES_TITLE).exists():
        _series(rooms["mops-skarzysko"])
    if not Event.objects.filter(title=TRAINING_TITLE).exists():
        _training(rooms["pup-skarzysko"])
    if not Event.objects.filter(title=CONFERENCE_TITLE).exists():
        _case_conference(rooms["mops-skarzysko"])


def _series(room) -> None:
    from . import recurrence, services
    from .models import ActionStatus, Response
    from .services import ActionItemData, EventData

    coordinator = _user("coordinator.mops-skarzysko")
    worker = _user("worker.mops-skarzysko")
    advisor = _user("advisor.pup-skarzysko")
    pup_coordinator = _user("coordinator.pup-skarzysko")
    start = _at(_first_tuesday(4), 10)
    event = services.event_schedule(
        acting_user=coordinator,
        data=EventData(
            kind="meeting",
            title=SERIES_TITLE,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            rrule=recurrence.build_rrule(recurrence.Repeat.MONTHLY_WEEKDAY, start),
            room=room,
            agenda=(
                "1. Przegląd wspólnych klientów i postępów planów.\n"
                "2. Oferty pracy i staże zgłoszone do PUP.\n"
                "3. Klienci po zakończonym kontrakcie socjalnym (promocja w PUP).\n"
                "4. Sprawy bieżące."
            ),
        ),
        institutions=[_inst("pup-skarzysko")],
        people=[worker, advisor],
        allow_past=True,
        confirm_overlap=True,
    )
    for person in (advisor, pup_coordinator, worker):
        services.invitation_respond(event=event, acting_user=person, response=Response.ACCEPTED)
    now = timezone.now()
    past = list(event.occurrences.filter(ends_at__lt=now).order_by("starts_at"))
    notes = [
        "Ustalono zasady wymiany informacji o wspólnych klientach na podstawie porozumienia.",
        "Omówiono oferty pracy zgłoszone do PUP w ubiegłym miesiącu i staże dla osób do 30 r.ż.",
        "Przegląd planów reintegracji; dwie osoby kończą kontrakt socjalny.",
        "Podsumowanie kwartału; planowanie dnia informacyjnego PUP w siedzibie MOPS.",
    ]
    for n, occurrence in enumerate(past):
        day = timezone.localtime(occurrence.starts_at).date()
        services.attendance_record(
            occurrence=occurrence,
            acting_user=coordinator,
            present=[coordinator.pk, worker.pk, advisor.pk]
            + ([pup_coordinator.pk] if n % 2 == 0 else []),
        )
        recent = n >= len(past) - 2
        items = [
            ActionItemData(
                description="Przekazać do MOPS zestawienie ofert pracy i staży dla wspólnych klientów.",
                owner=advisor,
                due_date=day + dt.timedelta(days=21),
                status=ActionStatus.OPEN if recent else ActionStatus.DONE,
            ),
            ActionItemData(
                description="Zaktualizować listę osób kończących kontrakt socjalny i przekazać ją do PUP.",
                owner=worker,
                due_date=day + dt.timedelta(days=28),
                status=ActionStatus.IN_PROGRESS if recent else ActionStatus.DONE,
            ),
        ]
        if n == len(past) - 1:
            items.append(
                ActionItemData(
                    description="Zorganizować dzień informacyjny PUP w siedzibie MOPS.",
                    owner=pup_coordinator,
                    due_date=day + dt.timedelta(days=45),
                )
            )
        services.minutes_save(
            occurrence=occurrence,
            acting_user=coordinator,
            notes=notes[n % len(notes)],
            decisions=[
                "Kolejne spotkanie zgodnie z harmonogramem, w pierwszy wtorek miesiąca.",
                "Listy klientów wymieniamy wyłącznie przez aplikację Współpraca.",
            ],
            action_items=items,
        )
    upcoming = list(event.occurrences.filter(starts_at__gt=now).order_by("starts_at")[:3])
    if len(upcoming) >= 3:
        moved = upcoming[1]
        services.occurrence_move(
            occurrence=moved,
            acting_user=coordinator,
            starts_at=moved.starts_at + dt.timedelta(days=1),
            ends_at=moved.ends_at + dt.timedelta(days=1),
            confirm_overlap=True,
        )
        services.occurrence_cancel(
            occurrence=upcoming[2],
            acting_user=coordinator,
            reason="Ferie zimowe — spotkanie odwołane, sprawy pilne przez koordynatorów.",
        )


def _training(room) -> None:
    from . import services
    from .models import Response
    from .selectors import partner_institutions
    from .services import EventData

    # Only institutions PUP has an agreement in force with today (the demo's
    # PCPR agreement ends in December 2026; after that PCPR is left out).
    partners = set(
        partner_institutions(_inst("pup-skarzysko")).values_list("short_name", flat=True)
    )
    invited = [s for s in ("mops-skarzysko", "pcpr-skarzysko") if s in partners]
    acceptors = [
        _user(f"{role}.{short}") for role in ("worker", "coordinator", "admin") for short in invited
    ]
    day = timezone.localdate() + dt.timedelta(days=12)
    start = _at(day, 9)
    event = services.event_schedule(
        acting_user=_user("coordinator.pup-skarzysko"),
        data=EventData(
            kind="training",
            title=TRAINING_TITLE,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=4),
            room=room,
            # Two fewer places than takers, so the demo always has a waiting list.
            capacity=max(len(acceptors) - 2, 1),
            agenda=(
                "Nowe zasady rejestracji i indywidualny plan działania (IPD).\n"
                "Współpraca PUP z OPS i PCPR po zmianie ustawy.\n"
                "Pytania uczestników."
            ),
        ),
        institutions=[_inst(s) for s in invited],
        people=[u for u in acceptors if u.username.startswith("worker.")],
        confirm_overlap=True,
    )
    for person in acceptors:
        services.invitation_respond(event=event, acting_user=person, response=Response.ACCEPTED)


def _case_conference(room) -> None:
    from clients.models import Client

    from . import services
    from .selectors import institutions_seeing_client
    from .services import EventData

    mops = _inst("mops-skarzysko")
    pup = _inst("pup-skarzysko")
    client = Client.objects.filter(owner=mops).order_by("pk").first()
    if client is None:
        return
    day = timezone.localdate() + dt.timedelta(days=5)
    start = _at(day, 13)
    # PUP takes part only if the client's record is shared with it (the
    # clients app decides that); otherwise it is a MOPS-internal conference.
    partners = [pup] if pup.pk in institutions_seeing_client(client) else []
    services.event_schedule(
        acting_user=_user("worker.mops-skarzysko"),
        data=EventData(
            kind="case_conference",
            title=CONFERENCE_TITLE,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            room=room,
            client=client,
            agenda="Sytuacja mieszkaniowa i zdrowotna; gotowość do podjęcia stażu; podział zadań.",
        ),
        institutions=partners,
        people=[_user("coordinator.mops-skarzysko")],
        confirm_overlap=True,
    )
