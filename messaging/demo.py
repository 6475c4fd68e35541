"""Demo messaging (run by `manage.py seed_demo` after the clients): a thread on a
client the MOPS shares with the PUP (and a short one in Ostrowiec), an open and an
overdue information request, and four announcements (one for clients), which reach
every partner institution's people. Dated relative to today; idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clients.models import ClientShare
from cooperation.models import User

from .models import Announcement, InformationRequest, Message
from .selectors import announcement_partners
from .services import announcement_post, message_post, request_send

THREAD = [
    (
        "worker",
        "Pani zgłosiła się dziś po pomoc w opłaceniu czynszu. Zależy jej na pracy od zaraz, najlepiej na pół etatu (opieka nad synem po południu).",
    ),
    (
        "advisor",
        "Dziękuję. W przyszłym tygodniu mamy nabór na staż w bibliotece miejskiej, godziny 7:30–11:30. Zaproszę panią na rozmowę.",
    ),
    ("worker", "Świetnie. Proszę tylko o termin po 10:00, rano prowadzi syna do przedszkola."),
    ("advisor", "Umówione na czwartek, 10:30, pokój 14. Przypomnę telefonicznie dzień wcześniej."),
]


def seed() -> None:
    share = (
        ClientShare.objects.filter(
            client__owner__short_name="mops-skarzysko",
            partner__short_name="pup-skarzysko",
            ended_at__isnull=True,
            client__sex="F",
        )
        .select_related("client", "partner", "client__owner")
        .order_by("pk")
        .first()
    )
    if share is None or Message.objects.exists():
        return
    client, mops, pup = share.client, share.client.owner, share.partner
    people = {
        "worker": User.objects.get(username="worker.mops-skarzysko"),
        "advisor": User.objects.get(username="advisor.pup-skarzysko"),
    }
    now = timezone.now()
    for i, (who, text) in enumerate(THREAD):
        message = message_post(client=client, acting_user=people[who], text=text)
        Message.objects.filter(pk=message.pk).update(
            created_at=now - dt.timedelta(days=3 - i, hours=2 * i)
        )
    today = timezone.localdate()
    request_send(
        client=client,
        acting_user=people["worker"],
        asked=pup,
        question="Czy pani jest zarejestrowana jako bezrobotna i od kiedy? Czy ma ustalone prawo do zasiłku?",
        purpose="Do wniosku o zasiłek okresowy i do wspólnego planu.",
        due_on=today + dt.timedelta(days=5),
    )
    overdue = request_send(
        client=client,
        acting_user=people["advisor"],
        asked=mops,
        question="Czy klientka ukończyła kontrakt socjalny? Jeśli tak, proszę o datę zakończenia.",
        purpose="Do skierowania na staż w ramach programu aktywizacji.",
        due_on=today,
    )
    InformationRequest.objects.filter(pk=overdue.pk).update(
        due_on=today - dt.timedelta(days=2), created_at=now - dt.timedelta(days=9)
    )
    _ostrowiec(now)
    _announcements(today)


OSTROWIEC_THREAD = [
    (
        "worker",
        "Klient wrócił po leczeniu i chce szukać pracy. Czy mogą Państwo zaprosić go na rozmowę z doradcą?",
    ),
    ("advisor", "Tak, zapraszam w środę o 9:00, pokój 3. Proszę, by zabrał dowód osobisty."),
    ("worker", "Dziękuję, przekażę. Klient prosi o kontakt telefoniczny dzień wcześniej."),
    ("advisor", "Oczywiście, zadzwonię we wtorek po południu."),
]


def _ostrowiec(now: dt.datetime) -> None:
    """A short thread in Ostrowiec, so its worker and advisor have something to read."""
    share = (
        ClientShare.objects.filter(
            client__owner__short_name="mops-ostrowiec",
            partner__short_name="pup-ostrowiec",
            ended_at__isnull=True,
        )
        .select_related("client")
        .order_by("pk")
        .first()
    )
    if share is None:
        return
    people = {
        "worker": User.objects.get(username="worker.mops-ostrowiec"),
        "advisor": User.objects.get(username="advisor.pup-ostrowiec"),
    }
    for i, (who, text) in enumerate(OSTROWIEC_THREAD):
        message = message_post(client=share.client, acting_user=people[who], text=text)
        Message.objects.filter(pk=message.pk).update(
            created_at=now - dt.timedelta(days=1, hours=3 - i)
        )


def _announcements(today: dt.date) -> None:
    if Announcement.objects.exists():
        return
    for short, title, text, link, for_clients, days in (
        (
            "pup-skarzysko",
            "Targi pracy „Praca w regionie”",
            "Zapraszamy osoby szukające pracy na targi pracodawców z powiatu skarżyskiego.\n"
            "Hala MOSiR, ul. Legionów 1, w godzinach 10:00–14:00.\n"
            "Warto zabrać kilka egzemplarzy CV. Wstęp wolny.",
            "https://skarzysko.praca.gov.pl",
            True,
            14,
        ),
        (
            "mops-skarzysko",
            "Zmiana godzin przyjęć w sprawie zasiłków",
            "Od przyszłego miesiąca dział świadczeń przyjmuje interesantów od 7:30 do 15:00, "
            "we wtorki do 17:00. Prosimy uwzględnić to przy umawianiu wspólnych klientów.",
            "",
            False,
            30,
        ),
        (
            "cis-skarzysko",
            "Nabór uczestników do CIS na kolejny kwartał",
            "Mamy 6 wolnych miejsc w warsztacie gastronomicznym i porządkowym. "
            "Skierowania przyjmujemy do końca miesiąca; pytania prosimy kierować do koordynatora.",
            "",
            False,
            21,
        ),
        (
            "mops-ostrowiec",
            "Dyżur specjalisty pracy socjalnej w czwartki",
            "W każdy czwartek od 12:00 do 16:00 w siedzibie MOPS dyżuruje specjalista pracy "
            "socjalnej. Można umawiać wspólne konsultacje dla klientów.",
            "",
            False,
            30,
        ),
    ):
        coordinator = User.objects.get(username=f"coordinator.{short}")
        partners = announcement_partners(coordinator.memberships.get(is_active=True).institution)
        if partners.exists():
            announcement_post(
                acting_user=coordinator,
                title=title,
                text=text,
                shown_from=today,
                shown_until=today + dt.timedelta(days=days),
                recipients=list(partners),
                link=link,
                for_clients=for_clients,
            )
