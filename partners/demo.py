"""Demo partners (run by `manage.py seed_demo`, after agreements and clients):
the catalogues of the NGO and the CIS in Skarżysko (and one in Ostrowiec), the
agreements that let MOPS Skarżysko refer to them, the clients' consents, and
referrals at every status. Everything goes through the services, as in real use;
only the overdue example is moved back in time, since no one can wait two days
in a demo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from cooperation.models import Institution, User

from .models import Category, ReferralEvent, ServiceOffer

NGO, CIS, MOPS = "ngo-skarzysko", "cis-skarzysko", "mops-skarzysko"

SERVICES: dict[str, list[dict]] = {
    NGO: [
        {
            "name": "Poradnictwo dla osób zadłużonych",
            "category": Category.DEBT_ADVICE,
            "description": "Analiza zadłużeń, plan spłaty, pomoc w pismach do wierzycieli "
            "i komornika, wniosek o upadłość konsumencką.",
            "target_group": "Osoby i rodziny z zadłużeniem, zagrożone egzekucją lub eksmisją",
            "capacity": None,
            "free_places": 0,
            "how_to_refer": "Skierowanie i dokumenty dotyczące długów (umowy, wezwania, pisma "
            "komornika). Dyżur: wtorki i czwartki 10:00–14:00, pokój 3.",
            "contact_name": "Halina Żurek",
            "contact_phone": "41 253 10 12",
        },
        {
            "name": "Grupa wsparcia dla osób uzależnionych i ich bliskich",
            "category": Category.ADDICTION,
            "description": "Cotygodniowe spotkania grupy prowadzone przez terapeutę uzależnień, "
            "konsultacje indywidualne.",
            "target_group": "Osoby uzależnione od alkoholu po terapii i ich rodziny",
            "capacity": 12,
            "free_places": 5,
            "how_to_refer": "Skierowanie; pierwsza rozmowa z terapeutą w środę o 16:00.",
            "contact_name": "Tadeusz Głąb",
            "contact_phone": "41 253 10 13",
        },
        {
            "name": "Świetlica środowiskowa „Razem” dla dzieci",
            "category": Category.CHILDCARE,
            "description": "Opieka po lekcjach, odrabianie lekcji, posiłek, zajęcia rozwojowe; "
            "rodzic może w tym czasie uczestniczyć w szkoleniu lub pracować.",
            "target_group": "Dzieci w wieku 6–13 lat z rodzin korzystających z pomocy społecznej",
            "county_wide": False,
            "municipalities": "Skarżysko-Kamienna",
            "capacity": 20,
            "free_places": 4,
            "how_to_refer": "Skierowanie i rozmowa z rodzicem; świetlica czynna pn–pt 12:00–18:00.",
            "contact_name": "Joanna Bąk",
            "contact_phone": "41 253 10 14",
        },
        {
            "name": "Mieszkanie wspierane dla osób wychodzących z bezdomności",
            "category": Category.HOUSING,
            "description": "Mieszkanie treningowe z opieką asystenta, do 12 miesięcy.",
            "target_group": "Osoby w kryzysie bezdomności, gotowe do samodzielnego życia",
            "capacity": 4,
            "free_places": 1,
            "how_to_refer": "Skierowanie i rozmowa z asystentem; decyzję podejmuje zespół "
            "w ciągu 7 dni.",
            "contact_name": "Marek Sowa",
            "contact_phone": "41 253 10 15",
        },
    ],
    CIS: [
        {
            "name": "Reintegracja społeczna i zawodowa w CIS",
            "category": Category.SOCIAL_EMPLOYMENT,
            "description": "Zatrudnienie socjalne do 12 miesięcy: warsztaty, doradztwo, "
            "świadczenie integracyjne, wsparcie w wejściu na rynek pracy.",
            "target_group": "Osoby długotrwale bezrobotne, bezdomne, po terapii uzależnień, "
            "po opuszczeniu zakładu karnego",
            "capacity": 30,
            "free_places": 6,
            "how_to_refer": "Skierowanie z OPS; rozmowa kwalifikacyjna w CIS w poniedziałki "
            "o 9:00. Zabrać dowód osobisty.",
            "contact_name": "Renata Kłos",
            "contact_phone": "41 252 43 81",
            "contact_email": "rekrutacja@cis-skarzysko.example.pl",
        },
        {
            "name": "Warsztaty zawodowe: gastronomia, ogrodnictwo, remonty",
            "category": Category.VOCATIONAL_TRAINING,
            "description": "Praktyczna nauka zawodu w warsztatach CIS, zakończona zaświadczeniem.",
            "target_group": "Uczestnicy CIS i osoby bezrobotne skierowane przez OPS",
            "capacity": 12,
            "free_places": 4,
            "how_to_refer": "Skierowanie; zajęcia od 7:30, obuwie robocze zapewnia CIS.",
            "contact_name": "Renata Kłos",
            "contact_phone": "41 252 43 81",
        },
    ],
    "ngo-ostrowiec": [
        {
            "name": "Punkt poradnictwa obywatelskiego",
            "category": Category.LEGAL,
            "target_group": "Mieszkańcy powiatu ostrowieckiego",
            "capacity": None,
            "free_places": 0,
            "how_to_refer": "Bez zapisów, pn–pt 9:00–15:00.",
            "contact_phone": "41 265 12 35",
        },
    ],
}


def _user(prefix: str, short: str) -> User:
    return User.objects.get(username=f"{prefix}.{short}")


def _catalogues() -> None:
    from .services import service_offer_create

    for short, offers in SERVICES.items():
        staff = _user("staff", short)
        for offer in offers:
            if ServiceOffer.objects.filter(provider__short_name=short, name=offer["name"]).exists():
                continue
            data = {
                "description": "",
                "county_wide": True,
                "municipalities": "",
                "contact_name": "",
                "contact_phone": "",
                "contact_email": "",
                "is_active": True,
                **offer,
            }
            service_offer_create(acting_user=staff, data=data)


def _agreements() -> None:
    """MOPS–CIS for referrals, in force; the MOPS–NGO draft of the agreements demo
    brought into force from a recent date, so referrals can flow in the demo."""
    from agreements.models import Agreement, Scope, Status
    from agreements.services import (
        agreement_accept,
        agreement_draft,
        agreement_send,
        agreement_update,
    )

    today = timezone.localdate()
    mops = _user("coordinator", MOPS)
    draft = Agreement.objects.filter(
        status=Status.DRAFT, parties__institution__short_name=NGO, initiator__short_name=MOPS
    ).first()
    if draft is not None:
        agreement_update(
            agreement=draft,
            acting_user=mops,
            title=draft.title,
            scopes=draft.scopes,
            valid_from=min(draft.valid_from, today - dt.timedelta(days=30)),
            valid_until=draft.valid_until,
            body=draft.body,
        )
        _sign(draft, mops, _user("coordinator", NGO), agreement_send, agreement_accept)
    title = "Porozumienie o kierowaniu uczestników do Centrum Integracji Społecznej w Skarżysku"
    if not Agreement.objects.filter(title=title).exists():
        agreement = agreement_draft(
            acting_user=mops,
            title=title,
            partners=[Institution.objects.get(short_name=CIS)],
            scopes=[Scope.REFERRALS],
            valid_from=today - dt.timedelta(days=90),
        )
        _sign(agreement, mops, _user("coordinator", CIS), agreement_send, agreement_accept)


def _sign(agreement, first: User, second: User, send, accept) -> None:
    send(
        agreement=agreement,
        acting_user=first,
        signatory_name=first.get_full_name(),
        signatory_function="Dyrektor",
    )
    accept(
        agreement=agreement,
        acting_user=second,
        signatory_name=second.get_full_name(),
        signatory_function="Prezes" if second.username.endswith(NGO) else "Kierownik",
    )
    from agreements.demo import record_demo_signed_copy

    record_demo_signed_copy(agreement, second)


# (client index among MOPS clients, partner, service name, status to reach)
PLAN = [
    (12, NGO, "Poradnictwo dla osób zadłużonych", "sent"),
    (13, NGO, "Grupa wsparcia dla osób uzależnionych i ich bliskich", "overdue"),
    (14, NGO, "Świetlica środowiskowa „Razem” dla dzieci", "accepted"),
    (15, NGO, "Mieszkanie wspierane dla osób wychodzących z bezdomności", "declined"),
    (16, NGO, "Poradnictwo dla osób zadłużonych", "completed"),
    (17, NGO, "Grupa wsparcia dla osób uzależnionych i ich bliskich", "cancelled"),
    (18, CIS, "Reintegracja społeczna i zawodowa w CIS", "in_progress"),
    (19, CIS, "Warsztaty zawodowe: gastronomia, ogrodnictwo, remonty", "sent"),
    (20, CIS, "Reintegracja społeczna i zawodowa w CIS", "completed"),
    (21, CIS, "Warsztaty zawodowe: gastronomia, ogrodnictwo, remonty", "outcome_overdue"),
]


def _consent(client, worker: User, partner: Institution) -> None:
    from agreements.models import Scope
    from clients.models import LegalBasis
    from clients.services import consent_record

    from .services import consent_for_referral

    if consent_for_referral(client, partner) is None:
        consent_record(
            client=client,
            acting_user=worker,
            partner=partner,
            basis=LegalBasis.CONSENT,
            scopes=[Scope.REFERRALS],
            given_on=timezone.localdate() - dt.timedelta(days=14),
            scan=ContentFile(b"%PDF-1.4 zgoda na skierowanie (demo)", name="zgoda.pdf"),  # type: ignore[arg-type]
        )


def _referrals() -> None:
    from clients.models import Client

    from . import services as s
    from .models import DeliveryKind, Outcome, Referral
    from .workdays import add_working_days

    mops = Institution.objects.get(short_name=MOPS)
    if Referral.objects.filter(referrer=mops).exists():
        return
    worker = _user("worker", MOPS)
    clients = list(Client.objects.filter(owner=mops).order_by("pk"))
    today = timezone.localdate()
    for index, short, service_name, target in PLAN:
        if index >= len(clients):
            continue
        client, partner = clients[index], Institution.objects.get(short_name=short)
        staff = _user("staff", short)
        service = ServiceOffer.objects.get(provider=partner, name=service_name)
        _consent(client, worker, partner)
        referral = s.referral_create(
            acting_user=worker,
            client=client,
            service=service,
            share=["phone", "birth_year"] if short == CIS else ["phone"],
            needs="Zadłużenie czynszowe ok. 6 000 zł, grozi wypowiedzenie umowy najmu."
            if "zadłużonych" in service_name
            else "Chce wrócić do pracy; potrzebuje wsparcia w utrzymaniu abstynencji."
            if "uzależnionych" in service_name
            else "",
        )
        if target == "overdue":
            sent = timezone.now() - dt.timedelta(days=6)
            Referral.objects.filter(pk=referral.pk).update(
                sent_at=sent, respond_by=add_working_days(timezone.localdate(sent), 2)
            )
            ReferralEvent.objects.filter(referral=referral).update(at=sent)
        if target in ("sent", "overdue"):
            continue
        if target == "declined":
            s.referral_decline(
                referral=referral,
                acting_user=staff,
                reason="Brak wolnego miejsca w mieszkaniu do marca; proponujemy "
                "w tym czasie poradnictwo i kontakt ponownie po 1 marca.",
            )
            continue
        if target == "cancelled":
            s.referral_cancel(
                referral=referral,
                acting_user=worker,
                reason="Klient podjął terapię w poradni w Kielcach.",
            )
            continue
        running = target == "outcome_overdue"
        s.referral_accept(
            referral=referral,
            acting_user=staff,
            start_date=today - dt.timedelta(days=40) if running else today,
            end_date=today - dt.timedelta(days=3) if running else today + dt.timedelta(days=60),
            note="Zapraszamy w poniedziałek o 9:00, pokój 12.",
        )
        if target == "accepted":
            continue
        if running:
            s.referral_start(
                referral=referral, acting_user=staff, started_on=today - dt.timedelta(days=40)
            )
        for kind, hours in [(DeliveryKind.INDIVIDUAL, "1.5"), (DeliveryKind.WORK, "6")]:
            s.delivery_record(
                referral=referral,
                acting_user=staff,
                delivered_on=today,
                kind=kind,
                hours=Decimal(hours),
                note="Rozmowa wstępna i ustalenie planu."
                if kind == DeliveryKind.INDIVIDUAL
                else "",
            )
        if target == "completed":
            s.referral_complete(
                referral=referral,
                acting_user=staff,
                outcome=Outcome.ACHIEVED,
                outcome_note="Plan spłaty uzgodniony z wierzycielami; klient zna kolejne kroki."
                if short == NGO
                else "Ukończył program; gotowy do pracy, proponujemy kontakt z PUP.",
            )


def _cis_promotion() -> None:
    """The CIS passes people who completed its programme to the PUP's promotion
    queue (R7): a CIS–PUP agreement on the queue, and the client of the completed
    CIS referral consents, so the CIS's staff see "Propose to the labour office"."""
    from agreements.models import Agreement, Scope
    from agreements.services import agreement_accept, agreement_draft, agreement_send
    from clients.models import LegalBasis
    from clients.selectors import active_consents_for
    from clients.services import consent_record

    from .models import Referral, Status

    pup = Institution.objects.filter(short_name="pup-skarzysko").first()
    cis = Institution.objects.get(short_name=CIS)
    if pup is None:
        return
    title = "Porozumienie o promocji zatrudnienia uczestników CIS w Skarżysku"
    if not Agreement.objects.filter(title=title).exists():
        agreement = agreement_draft(
            acting_user=_user("coordinator", CIS),
            title=title,
            partners=[pup],
            scopes=[Scope.PROMOTION],
            valid_from=timezone.localdate() - dt.timedelta(days=60),
        )
        _sign(
            agreement,
            _user("coordinator", CIS),
            _user("coordinator", "pup-skarzysko"),
            agreement_send,
            agreement_accept,
        )
    done = Referral.objects.filter(partner=cis, status=Status.COMPLETED).select_related("client")
    for referral in done:
        consents = active_consents_for(referral.client)
        if not any(c.partner_id == pup.pk and Scope.PROMOTION in c.scopes for c in consents):
            consent_record(
                client=referral.client,
                acting_user=_user("worker", MOPS),
                partner=pup,
                basis=LegalBasis.CONSENT,
                scopes=[Scope.PROMOTION],
                given_on=timezone.localdate() - dt.timedelta(days=7),
                scan=ContentFile(b"%PDF-1.4 zgoda na promocje (demo)", name="zgoda.pdf"),  # type: ignore[arg-type]
            )


def _elsewhere() -> None:
    """One referral each outside MOPS Skarżysko, under the agreements the agreements
    demo made: GOPS Suchedniów to the CIS (accepted), MOPS Ostrowiec to its foundation
    (awaiting an answer), so those institutions' people hear of referrals too."""
    from clients.models import Client

    from . import services as s
    from .models import Referral

    for referrer, short, accepted in (
        ("gops-suchedniow", CIS, True),
        ("mops-ostrowiec", "ngo-ostrowiec", False),
    ):
        institution = Institution.objects.get(short_name=referrer)
        client = Client.objects.filter(owner=institution).order_by("pk").first()
        service = ServiceOffer.objects.filter(provider__short_name=short).order_by("pk").first()
        if Referral.objects.filter(referrer=institution).exists() or not (client and service):
            continue
        worker = _user("worker", referrer)
        _consent(client, worker, service.provider)
        referral = s.referral_create(
            acting_user=worker, client=client, service=service, share=["phone"], needs=""
        )
        if accepted:
            today = timezone.localdate()
            s.referral_accept(
                referral=referral,
                acting_user=_user("staff", short),
                start_date=today + dt.timedelta(days=7),
                end_date=today + dt.timedelta(days=97),
                note="Zapraszamy na rozmowę wstępną w poniedziałek o 10:00.",
            )


def seed() -> None:
    _catalogues()
    _agreements()
    _referrals()
    _elsewhere()
    _cis_promotion()
