"""Demo clients (run by `manage.py seed_demo`): 40 spread over the Skarżysko
institutions, some shared MOPS↔PUP and PCPR↔PUP with consent, some not; a few
in Ostrowiec. Everything goes through the services, as in real use."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from agreements.models import Scope
from cooperation.models import Institution, User
from cooperation.validators import make_pesel

from .models import Client, Consent, Education, LegalBasis
from .selectors import consent_purposes
from .services import client_register, client_share, consent_record, note_add

FIRST_F = [
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Krystyna",
    "Elżbieta",
    "Zofia",
    "Joanna",
    "Beata",
]
FIRST_M = [
    "Jan",
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Paweł",
    "Marcin",
    "Michał",
    "Grzegorz",
    "Józef",
    "Stanisław",
    "Zbigniew",
]
LAST_F = [
    "Nowak",
    "Wiśniewska",
    "Wójcik",
    "Kowalczyk",
    "Kamińska",
    "Lewandowska",
    "Zielińska",
    "Szymańska",
    "Woźniak",
    "Dąbrowska",
    "Kozłowska",
    "Jankowska",
]
LAST_M = [
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Mazur",
]
STREETS = [
    "ul. Paryska",
    "ul. Sokola",
    "ul. Krasińskiego",
    "ul. Żeromskiego",
    "ul. Niepodległości",
    "ul. Mickiewicza",
    "ul. Legionów",
    "ul. Słowackiego",
    "ul. Rejowska",
    "ul. Konarskiego",
]
OCCUPATIONS = [
    ("sprzedawca", "obsługa kasy fiskalnej"),
    ("magazynier", "uprawnienia na wózki widłowe"),
    ("kucharz", "książeczka sanepidowska"),
    ("", "prawo jazdy kat. B"),
    ("opiekunka", "kurs opiekuna osób starszych"),
    ("murarz", "10 lat w budownictwie"),
    ("krawcowa", ""),
    ("", "obsługa komputera"),
    ("ślusarz", "spawanie MAG"),
    ("fryzjerka", ""),
]
EDUCATION = [
    Education.PRIMARY,
    Education.VOCATIONAL,
    Education.SECONDARY,
    Education.VOCATIONAL,
    Education.HIGHER,
]

# (institution short name, number of clients, municipality/city, postal code, partner to share with, how many shared)
PLAN = [
    ("mops-skarzysko", 22, "Skarżysko-Kamienna", "26-110", "pup-skarzysko", 12),
    ("gops-suchedniow", 6, "Suchedniów", "26-130", None, 0),
    ("pcpr-skarzysko", 7, "Skarżysko-Kamienna", "26-110", "pup-skarzysko", 3),
    ("pup-skarzysko", 5, "Skarżysko-Kamienna", "26-110", None, 0),
    ("mops-ostrowiec", 4, "Ostrowiec Świętokrzyski", "27-400", "pup-ostrowiec", 2),
    ("pup-ostrowiec", 2, "Ostrowiec Świętokrzyski", "27-400", None, 0),
]


def seed() -> None:
    if Client.objects.filter(created_by__username__startswith="worker.").count() >= 40:
        return
    serial = 100
    for short, count, town, postal, partner_short, shared in PLAN:
        institution = Institution.objects.get(short_name=short)
        worker = User.objects.get(
            username=f"{'advisor' if short.startswith('pup') else 'worker'}.{short}"
        )
        partner = Institution.objects.get(short_name=partner_short) if partner_short else None
        for i in range(count):
            serial += 1
            female = serial % 2 == 0
            first = (FIRST_F if female else FIRST_M)[serial % 12]
            last = (LAST_F if female else LAST_M)[(serial * 7) % 12]
            birth = dt.date(1962 + serial % 40, 1 + serial % 12, 1 + serial % 27)
            pesel = make_pesel(birth, serial, female=female)
            client = Client.objects.filter(owner=institution, pesel=pesel).first()
            if client is None:
                occupation, skills = OCCUPATIONS[serial % len(OCCUPATIONS)]
                client = client_register(
                    acting_user=worker,
                    data={
                        "pesel": pesel,
                        "first_name": first,
                        "last_name": last,
                        "street": f"{STREETS[serial % 10]} {serial % 60 + 1}",
                        "postal_code": postal,
                        "city": town,
                        "municipality": town,
                        "phone": f"6{serial:02d} {serial % 900 + 100} {serial % 90 + 10}0",
                        "education": EDUCATION[serial % 5],
                        "occupation": occupation,
                        "skills": skills,
                        "household_notes": "Samotnie wychowuje dwoje dzieci."
                        if serial % 5 == 0
                        else "",
                    },
                )
                note_add(
                    client=client,
                    acting_user=worker,
                    happened_on=timezone.localdate() - dt.timedelta(days=serial % 60),
                    text="Wywiad środowiskowy przeprowadzony; klient zainteresowany pracą.",
                    internal=False,
                )
            if (
                partner is not None
                and i < shared
                and not client.shares.filter(ended_at__isnull=True).exists()
            ):
                _share(client, worker, partner)


def _share(client: Client, worker: User, partner: Institution) -> None:
    consent = Consent.objects.filter(
        client=client, partner=partner, withdrawn_at__isnull=True, lapsed=False
    ).first()
    if consent is None:
        given = timezone.localdate() - dt.timedelta(days=30 + client.pk % 300)
        consent = consent_record(
            client=client,
            acting_user=worker,
            partner=partner,
            basis=LegalBasis.CONSENT,
            # What a worker can tick on the form: what the agreement in force covers.
            scopes=consent_purposes(client).get(partner.pk, [Scope.CLIENT_RECORDS]),
            given_on=given,
            scan=ContentFile(b"%PDF-1.4 skan zgody (demo)", name="zgoda.pdf"),  # type: ignore[arg-type]
        )
    client_share(client=client, partner=partner, consent=consent, acting_user=worker)
