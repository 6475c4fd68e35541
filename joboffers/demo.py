"""Demo job offers (run by `manage.py seed_demo` after agreements and clients).

PUP Skarżysko: 25 offers (internships, places for people with disabilities,
one filled), published on every partner board — MOPS and PCPR Skarżysko;
GOPS Suchedniów has no agreement and gets nothing. PUP Ostrowiec: two offers
entered here and two imported from a CBOP sample, on the MOPS Ostrowiec board.
Through the real services; idempotent.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal

from django.utils import timezone

from cooperation.models import Institution, User

from .models import JobOffer, OfferKind, OfferStatus, Outcome

JOB = OfferKind.JOB
STAZ = OfferKind.INTERNSHIP
SUBS = OfferKind.SUBSIDISED
PSU = OfferKind.SOCIALLY_USEFUL
SZK = OfferKind.TRAINING
UOP = "umowa o pracę na czas określony"
UOP_NIEOKR = "umowa o pracę na czas nieokreślony"
FULL = "pełny etat"

# (kind, position, employer, municipality, contract, time, pay min, pay max, pay text,
#  duties, requirements, places, for people with disabilities)
SKARZYSKO = [
    (
        JOB,
        "Sprzedawca-kasjer",
        "Sklep Spożywczy „Pod Lipami” s.c.",
        "Skarżysko-Kamienna",
        UOP,
        FULL,
        4806,
        5200,
        "",
        "obsługa kasy fiskalnej\nwykładanie towaru\ndbanie o porządek na sali sprzedaży",
        "mile widziane doświadczenie w handlu",
        2,
        0,
    ),
    (
        JOB,
        "Magazynier – operator wózka widłowego",
        "Hurtownia Budowlana „Kamienna” sp. z o.o.",
        "Skarżysko-Kamienna",
        UOP,
        FULL,
        5000,
        5800,
        "",
        "przyjmowanie i wydawanie towaru\nobsługa wózka widłowego\nkompletowanie zamówień",
        "uprawnienia UDT na wózki widłowe",
        1,
        0,
    ),
    (
        JOB,
        "Kucharz",
        "Restauracja „Zacisze”",
        "Suchedniów",
        UOP,
        FULL,
        5200,
        6000,
        "",
        "przygotowywanie dań kuchni polskiej\ndbanie o czystość kuchni",
        "książeczka sanepidowska\ndoświadczenie w gastronomii",
        1,
        0,
    ),
    (
        JOB,
        "Pomoc kuchenna",
        "Bar Mleczny „Jodełka”",
        "Skarżysko-Kamienna",
        UOP,
        "3/4 etatu",
        None,
        None,
        "minimalne wynagrodzenie",
        "obieranie warzyw\nzmywanie naczyń\npomoc kucharzowi",
        "książeczka sanepidowska",
        2,
        1,
    ),
    (
        JOB,
        "Kierowca kat. C",
        "Przedsiębiorstwo Transportowe TRANS-SK",
        "Skarżysko-Kamienna",
        UOP_NIEOKR,
        FULL,
        6200,
        7500,
        "",
        "przewóz materiałów budowlanych na terenie województwa\ndbanie o stan techniczny pojazdu",
        "prawo jazdy kat. C\nkwalifikacja wstępna\nkarta kierowcy",
        1,
        0,
    ),
    (
        JOB,
        "Opiekunka osób starszych",
        "Dom Pomocy Społecznej w Skarżysku-Kamiennej",
        "Skarżysko-Kamienna",
        UOP,
        "praca zmianowa",
        4806,
        5100,
        "",
        "pomoc mieszkańcom w codziennych czynnościach\ntowarzyszenie w spacerach\npodawanie posiłków",
        "kurs opiekuna osób starszych mile widziany\ncierpliwość i empatia",
        3,
        0,
    ),
    (
        JOB,
        "Murarz",
        "Zakład Remontowo-Budowlany Jan Wójcik",
        "Bliżyn",
        UOP,
        FULL,
        5500,
        7000,
        "",
        "murowanie ścian\ntynkowanie\nprace wykończeniowe",
        "doświadczenie w budownictwie",
        2,
        0,
    ),
    (
        JOB,
        "Spawacz MAG",
        "Metal-Serwis sp. z o.o.",
        "Skarżysko-Kamienna",
        UOP_NIEOKR,
        FULL,
        6000,
        7200,
        "",
        "spawanie konstrukcji stalowych metodą MAG\nczytanie rysunku technicznego",
        "uprawnienia spawalnicze MAG (135)",
        2,
        0,
    ),
    (
        JOB,
        "Ślusarz",
        "Metal-Serwis sp. z o.o.",
        "Skarżysko-Kamienna",
        UOP,
        FULL,
        5400,
        6200,
        "",
        "obróbka elementów metalowych\nmontaż konstrukcji",
        "wykształcenie zawodowe ślusarskie",
        1,
        0,
    ),
    (
        STAZ,
        "Fryzjer – staż",
        "Salon Fryzjerski „Loki”",
        "Skarżysko-Kamienna",
        "umowa o staż",
        FULL,
        None,
        None,
        "stypendium stażowe z PUP",
        "strzyżenie i modelowanie pod okiem opiekuna\nobsługa klientek",
        "osoba bezrobotna do 30. roku życia",
        1,
        0,
    ),
    (
        STAZ,
        "Pracownik biurowy – staż",
        "Urząd Miasta Skarżyska-Kamiennej",
        "Skarżysko-Kamienna",
        "umowa o staż",
        FULL,
        None,
        None,
        "stypendium stażowe z PUP",
        "przyjmowanie korespondencji\nprowadzenie rejestrów\nobsługa komputera i kserokopiarki",
        "obsługa komputera (pakiet biurowy)",
        2,
        0,
    ),
    (
        JOB,
        "Sprzątaczka",
        "Firma Usługowa „Czysty Dom”",
        "Skarżysko-Kamienna",
        UOP,
        "1/2 etatu",
        None,
        None,
        "2 400 zł brutto za 1/2 etatu",
        "sprzątanie biur i klatek schodowych",
        "sumienność",
        3,
        2,
    ),
    (
        JOB,
        "Pracownik ochrony",
        "Agencja Ochrony „Tarcza”",
        "Suchedniów",
        UOP,
        "praca zmianowa",
        4806,
        4806,
        "",
        "ochrona obiektu handlowego\nobchody i monitoring",
        "orzeczenie o niepełnosprawności mile widziane",
        2,
        1,
    ),
    (
        JOB,
        "Krawcowa",
        "Zakład Krawiecki „Igiełka”",
        "Łączna",
        UOP,
        FULL,
        4806,
        5000,
        "",
        "szycie i poprawki krawieckie\nobsługa maszyn szwalniczych",
        "umiejętność szycia",
        1,
        0,
    ),
    (
        PSU,
        "Prace społecznie użyteczne – porządkowanie terenów zielonych",
        "Gmina Skarżysko-Kamienna",
        "Skarżysko-Kamienna",
        "umowa o prace społecznie użyteczne",
        "10 godzin tygodniowo",
        None,
        None,
        "świadczenie z PUP za każdą godzinę",
        "grabienie liści\nkoszenie trawy\nsprzątanie skwerów",
        "status osoby bezrobotnej bez prawa do zasiłku, korzystającej z pomocy społecznej",
        6,
        0,
    ),
    (
        SUBS,
        "Robotnik gospodarczy – roboty publiczne",
        "Gmina Suchedniów",
        "Suchedniów",
        UOP,
        FULL,
        4806,
        4806,
        "",
        "drobne naprawy w budynkach gminnych\nprace porządkowe",
        "gotowość do pracy fizycznej",
        2,
        0,
    ),
    (
        STAZ,
        "Pomocnik sprzedawcy – staż",
        "Sklep Wielobranżowy „Suchedniowianka”",
        "Suchedniów",
        "umowa o staż",
        FULL,
        None,
        None,
        "stypendium stażowe z PUP",
        "wykładanie towaru\nobsługa kasy fiskalnej pod nadzorem",
        "chęć nauki zawodu",
        1,
        0,
    ),
    (
        STAZ,
        "Magazynier – staż",
        "Hurtownia Budowlana „Kamienna” sp. z o.o.",
        "Skarżysko-Kamienna",
        "umowa o staż",
        FULL,
        None,
        None,
        "stypendium stażowe z PUP",
        "przyjmowanie dostaw\nprowadzenie dokumentacji magazynowej",
        "",
        2,
        0,
    ),
    (
        SZK,
        "Szkolenie: operator wózków jezdniowych z egzaminem UDT",
        "Centrum Kształcenia „Kadry”",
        "Skarżysko-Kamienna",
        "",
        "80 godzin",
        None,
        None,
        "bezpłatne, stypendium szkoleniowe",
        "zajęcia teoretyczne i praktyczne\negzamin przed komisją UDT",
        "skierowanie z PUP",
        10,
        0,
    ),
    (
        SZK,
        "Szkolenie: kasjer-sprzedawca z obsługą kasy fiskalnej",
        "Centrum Kształcenia „Kadry”",
        "Skarżysko-Kamienna",
        "",
        "60 godzin",
        None,
        None,
        "bezpłatne, stypendium szkoleniowe",
        "obsługa kas fiskalnych i terminali płatniczych\nobsługa klienta",
        "skierowanie z PUP",
        12,
        0,
    ),
    (
        JOB,
        "Pracownik produkcji",
        "Zakład Pracy Chronionej „Mesko-Pak”",
        "Skarżysko-Kamienna",
        UOP,
        FULL,
        4806,
        5300,
        "",
        "pakowanie wyrobów\nkontrola jakości\nobsługa prostych maszyn",
        "orzeczenie o stopniu niepełnosprawności mile widziane",
        4,
        4,
    ),
    (
        JOB,
        "Kelner / kelnerka",
        "Restauracja „Zacisze”",
        "Skarżysko-Kamienna",
        "umowa zlecenie",
        "praca w weekendy",
        None,
        None,
        "32 zł brutto za godzinę + napiwki",
        "obsługa gości\nprzyjmowanie zamówień",
        "komunikatywność",
        2,
        0,
    ),
    (
        JOB,
        "Księgowa",
        "Biuro Rachunkowe „Bilans”",
        "Skarżysko-Kamienna",
        UOP_NIEOKR,
        FULL,
        6500,
        8000,
        "",
        "prowadzenie KPiR i ksiąg handlowych\nrozliczenia ZUS i US",
        "wykształcenie ekonomiczne\ndoświadczenie min. 2 lata",
        1,
        0,
    ),
    (
        JOB,
        "Elektryk",
        "Elektro-Instal Marek Lis",
        "Skarżysko Kościelne",
        UOP,
        FULL,
        5800,
        7000,
        "",
        "wykonywanie instalacji elektrycznych w budynkach mieszkalnych",
        "uprawnienia SEP do 1 kV\nprawo jazdy kat. B",
        1,
        0,
    ),
    (
        SUBS,
        "Piekarz – prace interwencyjne",
        "Piekarnia „Kłosek”",
        "Suchedniów",
        UOP,
        "praca zmianowa",
        4806,
        5200,
        "",
        "wypiek pieczywa\nprzygotowanie ciasta\nutrzymanie czystości w piekarni",
        "książeczka sanepidowska",
        1,
        0,
    ),
]

OSTROWIEC = [
    (
        JOB,
        "Sprzedawca",
        "Market „Pod Dębem”",
        "Ostrowiec Świętokrzyski",
        UOP,
        FULL,
        4806,
        5300,
        "",
        "obsługa klientów\nobsługa kasy fiskalnej",
        "",
        2,
        0,
    ),
    (
        STAZ,
        "Pracownik administracyjny – staż",
        "Starostwo Powiatowe w Ostrowcu Świętokrzyskim",
        "Ostrowiec Świętokrzyski",
        "umowa o staż",
        FULL,
        None,
        None,
        "stypendium stażowe z PUP",
        "obsługa sekretariatu\nprowadzenie korespondencji",
        "obsługa komputera",
        1,
        1,
    ),
]

CBOP_SAMPLE = [
    {
        "id": "StDEMO0001",
        "stanowisko": "Magazynier",
        "pracodawca": "Huta-Serwis sp. z o.o.",
        "miejscePracy": "Ostrowiec Świętokrzyski",
        "rodzajUmowy": "Umowa o pracę na czas określony",
        "wymiarZatrud": "Pełny etat",
        "wynagrodzenie": "5000,00 - 5600,00 PLN brutto",
        "zakresObowiazkow": "Przyjmowanie i wydawanie towaru, obsługa wózka widłowego.",
        "wymagania": "Uprawnienia na wózki widłowe.",
        "typOfertyEnum": "PRACA",
        "liczbaWolnychMiejsc": 2,
        "liczbaWolnychMiejscDlaNiepeln": 0,
        "telefon": "41 247 37 10",
    },
    {
        "id": "StDEMO0002",
        "stanowisko": "Opiekun osoby niepełnosprawnej",
        "miejscePracy": {"miejscowosc": "Kunów", "powiat": "ostrowiecki"},
        "rodzajUmowy": "Umowa zlecenie",
        "wymiarZatrud": "Część etatu",
        "wynagrodzenie": "31,40 zł/h",
        "zakresObowiazkow": "Pomoc osobie z niepełnosprawnością w czynnościach dnia codziennego.",
        "wymagania": ["Empatia", "Mile widziany kurs opiekuna"],
        "typOfertyEnum": "PRACA",
        "liczbaWolnychMiejsc": 1,
        "liczbaWolnychMiejscDlaNiepeln": 1,
        "telefon": "41 247 37 12",
    },
]


def seed() -> None:
    from .imports import cbop_import

    today = timezone.localdate()
    skarzysko = _offers("pup-skarzysko", SKARZYSKO, today)
    _offers("pup-ostrowiec", OSTROWIEC, today)
    ostrowiec = Institution.objects.get(short_name="pup-ostrowiec")
    if not ostrowiec.job_offers.filter(source="cbop").exists():
        for record in CBOP_SAMPLE:
            record["dataWaznOd"] = (today - dt.timedelta(days=3)).strftime("%d.%m.%Y")
            record["dataWaznDo"] = (today + dt.timedelta(days=40)).strftime("%d.%m.%Y")
        cbop_import(institution=ostrowiec, data=json.dumps(CBOP_SAMPLE), source="demo-cbop.json")
    if skarzysko:
        _fill_one(skarzysko)
    _proposals()
    _prints()


def _offers(short: str, rows: list[tuple], today: dt.date) -> list[JobOffer]:
    """Create and publish the offers that are not there yet; return the new ones."""
    from .services import offer_create, offer_publish

    advisor = User.objects.get(username=f"advisor.{short}")
    office = Institution.objects.get(short_name=short)
    created = []
    for i, row in enumerate(rows):
        (
            kind,
            position,
            employer,
            place,
            contract,
            time,
            low,
            high,
            pay_text,
            duties,
            reqs,
            places,
            disabled,
        ) = row
        if JobOffer.objects.filter(
            institution=office, position=position, employer_name=employer
        ).exists():
            continue
        offer = offer_create(
            acting_user=advisor,
            kind=kind,
            position=position,
            employer_name=employer,
            employer_hidden=i % 11 == 5,
            workplace_municipality=place,
            contract_type=contract,
            working_time=time,
            pay_min=Decimal(low) if low else None,
            pay_max=Decimal(high) if high else None,
            pay_text=pay_text,
            duties=duties,
            requirements=reqs,
            places=places,
            places_disabled=disabled,
            valid_from=today - dt.timedelta(days=i % 9),
            valid_until=today + dt.timedelta(days=12 + (i * 7) % 50),
            contact_branch="pokój 12, parter"
            if i % 2
            else "Centrum Aktywizacji Zawodowej, pokój 5",
            contact_phone=office.phone,
            contact_email=f"oferty@{short}.example.pl",
            contact_advisor=advisor.get_full_name(),
        )
        offer_publish(offer=offer, acting_user=advisor, boards=None)
        created.append(offer)
    return created


def _fill_one(offers: list[JobOffer]) -> None:
    from .services import offer_fill

    offer = next(o for o in offers if o.position == "Księgowa")
    offer_fill(offer=offer, acting_user=User.objects.get(username="advisor.pup-skarzysko"))


def _proposals() -> None:
    """A MOPS worker proposed the warehouse job to a client who is a warehouseman."""
    from clients.models import Client

    from .models import Answer, OfferProposal
    from .services import proposal_record

    worker = User.objects.get(username="worker.mops-skarzysko")
    client = Client.objects.filter(
        owner__short_name="mops-skarzysko", occupation="magazynier"
    ).first()
    offer = JobOffer.objects.filter(
        institution__short_name="pup-skarzysko",
        position__startswith="Magazynier – operator",
        status=OfferStatus.PUBLISHED,
    ).first()
    if client is None or offer is None or OfferProposal.objects.filter(client=client).exists():
        return
    proposal_record(
        acting_user=worker,
        client=client,
        offer=offer,
        answer=Answer.INTERESTED,
        outcome=Outcome.APPLIED,
        note="Klient zgłosi się do PUP w poniedziałek.",
        proposed_on=timezone.localdate() - dt.timedelta(days=2),
    )


def _prints() -> None:
    """This week's kept sheets and digest, so the boards' download list is not empty.

    DEMO_PRINTS=0 leaves them out (the load test's stack: rendering them is most of
    the seed's time, and the load test asks for sheets made on the spot)."""
    from .models import Board
    from .services import board_prints_generate

    if os.environ.get("DEMO_PRINTS", "1") == "0":
        return

    for board in Board.objects.select_related("institution"):
        if not board.prints.exists():
            board_prints_generate(board=board)
