"""The policy matrix (issue 15): one declarative table of
(institution kind × role × relation to the object × action) → allowed, or the
Polish reason the person is given, checked against every policy; a sample of
it checked again through the views; and coverage tests that fail when a
policy gains an action without a row here, or a service that writes does not
call `require` first.

Relations: "own" (the member's institution owns the object), "shared" (owned
by the MOPS and shared with the member's institution), "none" (no relation),
"model" (no object yet: creating one, or a page of them).
"""

from __future__ import annotations

import ast
import datetime as dt
import pathlib
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from agreements.models import Scope
from clients.models import LegalBasis
from clients.services import client_share, consent_record
from cooperation.models import InstitutionKind, PesSubkind, Role
from cooperation.permissions import policies, reason

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member

pytestmark = pytest.mark.django_db

OK = None
SW, CA, CO, AD, PS = (
    Role.SOCIAL_WORKER,
    Role.CLIENT_ADVISOR,
    Role.COORDINATOR,
    Role.INSTITUTION_ADMIN,
    Role.PARTNER_STAFF,
)

# The reasons, as the person reads them.
CASEWORK = (
    "Z kartotekami klientów pracują tylko pracownicy socjalni, doradcy klienta i "
    "koordynatorzy współpracy."
)
NGO_NO_REGISTER = (
    "Organizacje pozarządowe i podmioty ekonomii społecznej nie rejestrują klientów; "
    "uczestnicy trafiają do nich przez skierowania."
)
OWNER_DATA = "Dane klienta zmienia tylko instytucja, która go zarejestrowała."
OWNER_SHARE = "Zgody odnotowuje i kartę udostępnia tylko instytucja, która zarejestrowała klienta."
OWNER_ONLY = "Tylko instytucja, która zarejestrowała klienta, może to zrobić."
ANONYMISE_WHO = (
    "Anonimizacji może dokonać tylko koordynator współpracy lub administrator instytucji, "
    "która zarejestrowała klienta."
)
MANAGERS_HERE = (
    "Tę czynność może wykonać tylko koordynator współpracy lub administrator tej instytucji."
)
AGREEMENT_MANAGERS = (
    "Tę czynność może wykonać tylko koordynator współpracy lub administrator instytucji."
)
ORGANISER = (
    "Może to zrobić tylko koordynator współpracy instytucji organizującej albo "
    "osoba, która zaplanowała wydarzenie."
)
SCHEDULE_ANY_ROLE = "Twoja rola pozwala planować tylko konferencje przypadku."
OFFICE = "Mogą to zrobić tylko doradcy klienta i koordynatorzy urzędu pracy."
NOT_VISIBLE = "Nie masz dostępu do tego rekordu."
ROLE = "Twoja rola na to nie pozwala."
SEPI_ROLE = "O dane z SEPI pytają tylko pracownicy socjalni i ich koordynatorzy."
SEPI_KIND = "Przez tę aplikację o dane z SEPI pyta tylko ośrodek pomocy społecznej (OPS, PCPR)."
SEPI_AGREEMENT = (
    "Żadne obowiązujące porozumienie z urzędem pracy (PUP) nie obejmuje zapytań do SEPI."
)
BATCH_ROLE = "Sprawdzenie zbiorcze może uruchomić tylko koordynator współpracy."
PLAN_ROLE = (
    "Nad planami pracują tylko pracownicy socjalni, doradcy klienta i koordynatorzy współpracy."
)
NO_PLAN = "Nie możesz planować działań dla tego klienta."
PLAN_HOLDER = "Może to zrobić tylko instytucja prowadząca klienta."
NOT_PARTICIPANT = "Tylko instytucje uczestniczące w planie mogą go zmieniać."
JOB_OFFICE = "Ofertami pracy mogą zarządzać tylko pracownicy urzędu pracy."
PARTNER_STAFF = "Tę czynność może wykonać tylko pracownik organizacji partnerskiej."
REFERRED_TO = "Tę czynność może wykonać tylko organizacja, do której skierowano klienta."
REFERRER_STAFF = "Może to zrobić tylko pracownik instytucji kierującej."
REFERRER_ONLY = "Może to zrobić tylko instytucja kierująca."
REFER_ROLE = (
    "Klientów kierują tylko pracownicy socjalni, doradcy klienta i koordynatorzy współpracy."
)
CATALOGUE_KIND = (
    "Katalog prowadzą tylko pracownicy organizacji pozarządowej lub podmiotu ekonomii społecznej."
)
ASKED_ANSWERS = "Odpowiada tylko instytucja, której zadano pytanie."
ASKER_WITHDRAWS = "Wycofać prośbę może tylko instytucja, która ją wysłała."
ONLY_COORDINATORS = "Ogłoszenia zamieszcza tylko koordynator współpracy."
REPORT_ROLE = "Sprawozdanie roczne przygotowują tylko koordynatorzy i administratorzy stron."

# (institution, role, relation, object, action, expected)
MATRIX: list[tuple[str, str, str, str, str, str | None]] = [
    # Registering clients and the register's list (gate 2).
    ("mops", SW, "model", "Client", "register", OK),
    ("mops", AD, "model", "Client", "register", CASEWORK),
    ("pup", CA, "model", "Client", "register", OK),
    ("ngo", CO, "model", "Client", "register", NGO_NO_REGISTER),
    ("ngo", PS, "model", "Client", "register", CASEWORK),
    ("cis", CO, "model", "Client", "register", NGO_NO_REGISTER),
    ("mops", CA, "model", "Client", "list", OK),
    ("ngo", CO, "model", "Client", "list", NGO_NO_REGISTER),
    ("cis", CO, "model", "Client", "list", NGO_NO_REGISTER),
    ("mops", SW, "model", "AccessRequest", "create", OK),
    ("ngo", CO, "model", "AccessRequest", "create", NGO_NO_REGISTER),
    # Reading, and the owner's data (gate 5).
    ("mops", SW, "own", "client", "view", OK),
    ("pup", CA, "shared", "client", "view", OK),
    ("ngo", CO, "shared", "client", "view", OK),
    ("gops", SW, "none", "client", "view", NOT_VISIBLE),
    ("mops", SW, "own", "client", "change", OK),
    ("pup", CA, "shared", "client", "change", OWNER_DATA),
    ("ngo", CO, "shared", "client", "change", OWNER_DATA),
    ("gops", SW, "none", "client", "change", NOT_VISIBLE),
    ("mops", AD, "own", "client", "change", ROLE),
    ("pup", CA, "shared", "client", "note", OK),
    ("gops", SW, "none", "client", "note", NOT_VISIBLE),
    ("pup", CA, "shared", "client", "document", OK),
    ("mops", SW, "own", "client", "share", OK),
    ("pup", CA, "shared", "client", "share", OWNER_SHARE),
    ("pup", CO, "shared", "client", "share", OWNER_SHARE),
    ("mops", SW, "own", "client", "close", OK),
    ("pup", CA, "shared", "client", "close", OWNER_ONLY),
    ("mops", CO, "own", "client", "anonymise", OK),
    ("mops", SW, "own", "client", "anonymise", ANONYMISE_WHO),
    ("pup", CO, "shared", "client", "anonymise", ANONYMISE_WHO),
    # SEPI (gate 1).
    ("mops", SW, "own", "client", "sepi_lookup", OK),
    ("mops", CO, "own", "client", "sepi_lookup", OK),
    ("mops", CA, "own", "client", "sepi_lookup", SEPI_ROLE),
    # Roles that do not see client records at all are told so first.
    ("mops", AD, "own", "client", "sepi_lookup", NOT_VISIBLE),
    ("pup", CA, "own", "pup_client", "sepi_lookup", SEPI_ROLE),
    ("pup", CO, "own", "pup_client", "sepi_lookup", SEPI_KIND),
    ("pup", CO, "shared", "client", "sepi_lookup", SEPI_KIND),
    ("ngo", CO, "shared", "client", "sepi_lookup", SEPI_KIND),
    ("gops", SW, "own", "gops_client", "sepi_lookup", SEPI_AGREEMENT),
    ("gops", CO, "own", "gops_client", "sepi_lookup", SEPI_AGREEMENT),
    ("gops", SW, "none", "client", "sepi_lookup", NOT_VISIBLE),
    ("mops", SW, "model", "Lookup", "ask", OK),
    ("gops", SW, "model", "Lookup", "ask", SEPI_AGREEMENT),
    ("pup", CA, "model", "Lookup", "ask", SEPI_ROLE),
    ("ngo", CO, "model", "Lookup", "ask", SEPI_KIND),
    ("mops", CO, "model", "Lookup", "list", OK),
    ("mops", SW, "model", "Lookup", "list", ROLE),
    ("ngo", CO, "model", "Lookup", "list", SEPI_KIND),
    ("pup", CO, "model", "Lookup", "list", SEPI_KIND),
    ("mops", SW, "model", "Lookup", "view", OK),
    ("mops", SW, "model", "Lookup", "change", OK),
    ("mops", CO, "model", "BatchCheck", "start", OK),
    ("mops", SW, "model", "BatchCheck", "start", BATCH_ROLE),
    ("gops", CO, "model", "BatchCheck", "start", SEPI_AGREEMENT),
    ("mops", CO, "model", "BatchCheck", "view", OK),
    ("mops", CO, "model", "BatchCheck", "change", OK),
    # Joint plans: the partner with a share works on the plan (adds steps).
    ("mops", SW, "own", "client", "plan", OK),
    ("pup", CA, "shared", "client", "plan", OK),
    ("ngo", CO, "shared", "client", "plan", NO_PLAN),
    ("ngo", PS, "shared", "client", "plan", NOT_VISIBLE),
    ("mops", SW, "own", "plan", "view", OK),
    ("mops", SW, "own", "plan", "change", OK),
    ("pup", CA, "shared", "plan", "change", OK),
    ("mops", AD, "own", "plan", "change", ROLE),
    ("mops", SW, "own", "plan", "invite", OK),
    ("pup", CA, "shared", "plan", "invite", PLAN_HOLDER),
    ("mops", SW, "own", "plan", "close", OK),
    ("pup", CA, "shared", "plan", "close", PLAN_HOLDER),
    ("gops", SW, "none", "plan", "change", NOT_VISIBLE),
    # Promotion: one rule for "may propose from a referral".
    ("cis", PS, "shared", "referral", "propose", OK),
    ("cis", CO, "shared", "referral", "propose", OK),
    ("mops", SW, "own", "referral", "propose", ROLE),
    (
        "ngo",
        PS,
        "shared",
        "ngo_referral",
        "propose",
        "Zaproponować może tylko centrum lub klub integracji społecznej (CIS, KIS).",
    ),
    ("mops", SW, "own", "client", "promote", OK),
    ("pup", CA, "shared", "client", "promote", OK),
    ("ngo", PS, "shared", "client", "promote", NOT_VISIBLE),
    ("pup", CA, "shared", "case", "work", OK),
    ("pup", SW, "shared", "case", "work", OFFICE),
    ("cis", PS, "own", "case", "work", OFFICE),
    ("pup", CA, "shared", "case", "act", OK),
    ("pup", CO, "shared", "case", "act", OK),
    # Job offers: proposing one adds to the client's record.
    ("mops", SW, "own", "client", "propose_offer", OK),
    ("pup", CA, "shared", "client", "propose_offer", OK),
    ("ngo", CO, "shared", "client", "propose_offer", OK),
    ("ngo", PS, "shared", "client", "propose_offer", NOT_VISIBLE),
    ("gops", SW, "none", "client", "propose_offer", NOT_VISIBLE),
    ("mops", AD, "own", "client", "propose_offer", NOT_VISIBLE),
    # Messages and information requests (messaging): whoever may see the client writes
    # and asks; the asked institution answers, the asking one withdraws.
    ("mops", SW, "own", "client", "message", OK),
    ("pup", CA, "shared", "client", "message", OK),
    ("ngo", PS, "shared", "client", "message", NOT_VISIBLE),
    ("gops", SW, "none", "client", "message", NOT_VISIBLE),
    ("mops", AD, "own", "client", "message", NOT_VISIBLE),
    ("mops", SW, "own", "client", "ask", OK),
    ("pup", CA, "shared", "client", "ask", OK),
    ("gops", CO, "none", "client", "ask", NOT_VISIBLE),
    ("pup", CA, "shared", "info", "answer", OK),
    ("mops", SW, "own", "info", "answer", ASKED_ANSWERS),
    ("ngo", CO, "shared", "info", "answer", NOT_VISIBLE),
    ("gops", CO, "none", "info", "answer", NOT_VISIBLE),
    ("mops", SW, "own", "info", "withdraw", OK),
    ("pup", CA, "shared", "info", "withdraw", ASKER_WITHDRAWS),
    ("mops", SW, "own", "info", "view", OK),
    ("pup", CA, "shared", "info", "view", OK),
    ("ngo", CO, "shared", "info", "view", NOT_VISIBLE),
    ("mops", SW, "own", "info", "change", OK),
    ("ngo", PS, "shared", "info", "change", ROLE),
    # Referrals: the caseworkers refer; the partner's staff serve; the referrer cancels.
    ("mops", SW, "own", "client", "refer", OK),
    ("pup", CA, "shared", "client", "refer", OK),
    ("gops", SW, "none", "client", "refer", NOT_VISIBLE),
    ("mops", AD, "model", "Client", "refer", REFER_ROLE),
    ("cis", PS, "shared", "referral", "serve", OK),
    ("cis", CO, "shared", "referral", "serve", OK),
    ("mops", SW, "own", "referral", "serve", PARTNER_STAFF),
    ("mops", CO, "own", "referral", "serve", REFERRED_TO),
    ("ngo", PS, "none", "referral", "serve", NOT_VISIBLE),
    ("mops", SW, "own", "referral", "cancel", OK),
    ("cis", PS, "shared", "referral", "cancel", REFERRER_STAFF),
    ("cis", CO, "shared", "referral", "cancel", REFERRER_ONLY),
]

# Models whose policies only say which roles see and change them (no rules of
# their own): one row each at model level, for every action they name.
ROLE_ONLY = [
    # Messages follow the client; announcements: a coordinator posts.
    ("mops", SW, "Message", "view", OK),
    ("ngo", PS, "Message", "view", ROLE),
    ("mops", CO, "Announcement", "post", OK),
    ("mops", SW, "Announcement", "post", ONLY_COORDINATORS),
    ("pup", CA, "Announcement", "post", ONLY_COORDINATORS),
    ("mops", SW, "Institution", "view", OK),
    ("mops", SW, "Institution", "change", ROLE),
    ("mops", CO, "Institution", "manage_people", OK),
    ("mops", SW, "Institution", "manage_people", MANAGERS_HERE),
    ("mops", SW, "Membership", "view", ROLE),
    ("mops", AD, "Membership", "change", OK),
    ("mops", CO, "AuditEvent", "view", OK),
    ("mops", CO, "Agreement", "change", OK),
    ("mops", SW, "Agreement", "change", AGREEMENT_MANAGERS),
    ("mops", AD, "Agreement", "draft", OK),
    ("mops", SW, "Agreement", "draft", AGREEMENT_MANAGERS),
    ("mops", CO, "Agreement", "edit_draft", OK),
    ("mops", CA, "Agreement", "edit_draft", AGREEMENT_MANAGERS),
    # The annual report on an agreement (indicators): the parties' coordinators.
    ("mops", CO, "Agreement", "report", OK),
    ("mops", SW, "Agreement", "report", REPORT_ROLE),
    ("mops", CO, "AnnualReport", "view", OK),
    ("mops", SW, "AnnualReport", "view", ROLE),
    ("mops", AD, "AnnualReport", "change", OK),
    ("mops", SW, "AnnualReport", "change", ROLE),
    ("mops", CO, "Attachment", "change", OK),
    ("mops", CO, "Annex", "change", OK),
    ("mops", SW, "Annex", "change", AGREEMENT_MANAGERS),
    ("mops", CO, "Coordinator", "change", OK),
    # Meetings: who schedules what, and the personal calendar feed.
    ("mops", SW, "Event", "schedule", OK),
    ("mops", SW, "Event", "schedule_any", SCHEDULE_ANY_ROLE),
    ("mops", CO, "Event", "schedule_any", OK),
    ("mops", SW, "FeedToken", "change", OK),
    # Asked of the model; the rows themselves are checked in tests/meetings.
    ("mops", CO, "Event", "organise", OK),
    ("mops", AD, "Event", "organise", OK),
    ("pup", CA, "Event", "case_details", OK),
    ("mops", SW, "ActionItem", "change", OK),
    ("mops", SW, "Material", "change", OK),
    ("ngo", PS, "Event", "organise", ORGANISER),
    ("mops", SW, "Coordinator", "change", AGREEMENT_MANAGERS),
    ("mops", SW, "CaseNote", "change", OK),
    ("mops", SW, "ClientDocument", "change", OK),
    ("mops", SW, "Consent", "change", OK),
    ("mops", SW, "ClientShare", "change", OK),
    ("mops", AD, "AccessRequest", "change", ROLE),
    ("pup", CA, "JobOffer", "change", OK),
    ("pup", SW, "JobOffer", "change", ROLE),
    ("mops", CO, "JobOffer", "change", JOB_OFFICE),
    ("pup", CA, "ImportRun", "view", OK),
    ("pup", CA, "ImportRun", "change", OK),
    ("mops", SW, "OfferProposal", "change", OK),
    ("mops", AD, "OfferProposal", "view", ROLE),
    ("mops", AD, "Programme", "view", ROLE),
    ("mops", AD, "CaseNote", "view", ROLE),
    ("mops", SW, "ClientDocument", "view", OK),
    ("mops", SW, "ClientShare", "view", OK),
    ("mops", SW, "Consent", "view", OK),
    ("mops", SW, "AccessRequest", "view", OK),
    ("ngo", PS, "ServiceOffer", "change", OK),
    ("mops", SW, "ServiceOffer", "change", ROLE),
    ("mops", CO, "ServiceOffer", "change", CATALOGUE_KIND),
    ("ngo", PS, "Referral", "change", OK),
    ("mops", AD, "Referral", "view", ROLE),
    ("ngo", PS, "ReferralEvent", "view", OK),
    ("ngo", PS, "ServiceDelivery", "view", OK),
    ("mops", SW, "Programme", "change", OK),
    ("cis", PS, "PromotionCase", "view", OK),
    ("cis", PS, "PromotionCase", "change", ROLE),
    ("cis", PS, "CaseAction", "view", OK),
    ("mops", SW, "CaseAction", "change", OK),
    *[
        ("mops", SW, name, action, OK)
        for name in ("Participant", "NeedAssessment", "Goal", "Step", "Review", "PlanChange")
        for action in ("view", "change")
    ],
]

OBJECT_MODELS = {
    "client": "Client",
    "pup_client": "Client",
    "gops_client": "Client",
    "plan": "ReintegrationPlan",
    "referral": "Referral",
    "ngo_referral": "Referral",
    "case": "PromotionCase",
    "info": "InformationRequest",
}


def _model(name: str) -> type:
    return next(p.model for p in policies() if p.model.__name__ == name)


@pytest.fixture
def world() -> dict[str, Any]:
    """MOPS, a GOPS without agreements, the PUP, an NGO and a CIS; the MOPS's client
    shared with the PUP (records, SEPI, joint plans) and with the NGO (records);
    a plan with the PUP taking part; a completed CIS referral and its case at the PUP."""
    from messaging.services import request_send
    from partners import services as referrals
    from promotion import services as promotion
    from reintegration.services import plan_create

    from ..partners.conftest import consent_to, make_offer, refer

    places = {
        "mops": InstitutionFactory(kind=InstitutionKind.OPS, short_name="mops-m"),
        "gops": InstitutionFactory(kind=InstitutionKind.OPS, short_name="gops-m"),
        "pup": InstitutionFactory(kind=InstitutionKind.PUP, short_name="pup-m"),
        "ngo": InstitutionFactory(kind=InstitutionKind.NGO, short_name="ngo-m"),
        "cis": InstitutionFactory(
            kind=InstitutionKind.PES, pes_subkind=PesSubkind.CIS, short_name="cis-m"
        ),
    }
    people = {(p, r): member(inst, r) for p, inst in places.items() for r in Role.values}
    mops, pup, ngo, cis = places["mops"], places["pup"], places["ngo"], places["cis"]
    agreement_between(
        mops,
        pup,
        [Scope.CLIENT_RECORDS, Scope.SEPI, Scope.JOINT_PLANS, Scope.REFERRALS, Scope.PROMOTION],
    )
    agreement_between(mops, ngo, [Scope.CLIENT_RECORDS, Scope.REFERRALS])
    agreement_between(mops, cis, [Scope.REFERRALS])
    agreement_between(cis, pup, [Scope.PROMOTION])
    worker = people["mops", SW]
    client = ClientFactory(owner=mops, created_by=worker)
    for partner, scopes in (
        (pup, [Scope.CLIENT_RECORDS, Scope.SEPI, Scope.JOINT_PLANS, Scope.PROMOTION]),
        (ngo, [Scope.CLIENT_RECORDS]),
    ):
        consent = consent_record(
            client=client,
            acting_user=worker,
            partner=partner,
            basis=LegalBasis.SOCIAL_CONTRACT,
            scopes=scopes,
            given_on=timezone.localdate() - dt.timedelta(days=1),
        )
        client_share(client=client, partner=partner, consent=consent, acting_user=worker)
    plan = plan_create(acting_user=worker, client=client, partners=[pup])

    def completed(org_staff):  # type: ignore[no-untyped-def]
        consent_to(client, worker, org_staff.memberships.get().institution)
        referral = refer(worker, client, make_offer(org_staff, category="employment"), ["phone"])
        today = timezone.localdate()
        referrals.referral_accept(
            referral=referral, acting_user=org_staff, start_date=today, end_date=today
        )
        referrals.referral_start(referral=referral, acting_user=org_staff)
        referrals.referral_complete(
            referral=referral, acting_user=org_staff, outcome="achieved", outcome_note="Ukończył"
        )
        referral.refresh_from_db()
        return referral

    referral = completed(people["cis", PS])
    ngo_referral = completed(people["ngo", PS])
    case = promotion.case_propose_from_referral(
        referral=referral,
        acting_user=people["cis", PS],
        target=pup,
        skills="Prace porządkowe",
        availability="Od zaraz",
        preferred_work="Zieleń",
    )
    objects = {
        "client": client,
        "pup_client": ClientFactory(owner=pup, created_by=people["pup", CA]),
        "gops_client": ClientFactory(owner=places["gops"], created_by=people["gops", SW]),
        "plan": plan,
        "referral": referral,
        "ngo_referral": ngo_referral,
        "case": case,
        "info": request_send(
            client=client,
            acting_user=worker,
            asked=pup,
            question="Czy klient jest zarejestrowany?",
            purpose="Plan",
            due_on=timezone.localdate() + dt.timedelta(days=7),
        ),
    }
    return {"places": places, "people": people, "objects": objects}


def _answer(world: dict[str, Any], place: str, role: str, obj: Any, action: str) -> str | None:
    user = world["people"][place, role]
    why = reason(user, obj, action)
    with translation.override("pl"):
        return None if why is None else str(why)


def test_the_matrix_holds_for_every_policy(world) -> None:  # type: ignore[no-untyped-def]
    wrong = []
    for place, role, relation, key, action, expected in MATRIX:
        obj = _model(key) if relation == "model" else world["objects"][key]
        if relation != "model":
            # The relation column says what the row means; check it is what it says.
            own = _owner(obj) == world["places"][place].pk
            assert own == (relation == "own"), (place, relation, key)
        got = _answer(world, place, role, obj, action)
        if got != expected:
            wrong.append((place, role, relation, key, action, expected, got))
    for place, role, name, action, expected in ROLE_ONLY:
        got = _answer(world, place, role, _model(name), action)
        if got != expected:
            wrong.append((place, role, "model", name, action, expected, got))
    assert not wrong, "\n".join(map(str, wrong))


OWNER = {
    "Client": "owner_id",
    "ReintegrationPlan": "client.owner_id",
    "Referral": "referrer_id",
    "PromotionCase": "proposer_id",
    "InformationRequest": "asker_id",
}


def _owner(obj: Any) -> int:
    """The institution a row belongs to (its policy's owner), for the relation column."""
    value: Any = obj
    for part in OWNER[type(obj).__name__].split("."):
        value = getattr(value, part)
    return value


def test_every_action_of_every_policy_has_a_row() -> None:
    covered = {(OBJECT_MODELS.get(key, key), action) for *_, key, action, _e in MATRIX}
    covered |= {(name, action) for _p, _r, name, action, _e in ROLE_ONLY}
    # Policies that grant VIEW to every role of a visible row need no row for it.
    open_view = {
        p.model.__name__ for p in policies() if "view" not in p.roles and "view" not in p.rules
    }
    missing = sorted(
        (p.model.__name__, action)
        for p in policies()
        for action in p.actions
        if (p.model.__name__, action) not in covered
        and not (action == "view" and p.model.__name__ in open_view)
    )
    assert not missing, f"actions without a row in the matrix: {missing}"


# --- through the views, for a sample -----------------------------------------------

VIEW_SAMPLE = [
    # (institution, role, url name, object key or None, status)
    ("ngo", CO, "clients:register", None, 403),
    ("cis", CO, "clients:register", None, 403),
    ("mops", SW, "clients:register", None, 200),
    ("ngo", CO, "clients:list", None, 403),
    ("pup", CA, "clients:list", None, 200),
    ("pup", CA, "clients:edit", "client", 403),
    ("mops", SW, "clients:edit", "client", 200),
    ("pup", CA, "clients:consent_add", "client", 403),
    ("mops", SW, "clients:consent_add", "client", 200),
    ("ngo", CO, "sepi:list", None, 403),
    ("mops", CO, "sepi:list", None, 200),
]


@pytest.mark.parametrize("place,role,url_name,key,status", VIEW_SAMPLE)
def test_the_views_agree_with_the_matrix(client, world, place, role, url_name, key, status) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world["people"][place, role])
    args = [world["objects"][key].pk] if key else []
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == status, (place, role, url_name)


def test_a_refusal_says_why_in_polish(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world["people"]["pup", CA])
    response = client.get(reverse("clients:edit", args=[world["objects"]["client"].pk]))
    assert response.status_code == 403
    assert OWNER_DATA in response.content.decode()


# --- coverage: every service that writes calls `require` first ----------------------

APPS = ("agreements", "clients", "cooperation", "joboffers", "meetings", "partners")
APPS += ("promotion", "reintegration", "sepi", "indicators", "messaging")
ROOT = pathlib.Path(__file__).resolve().parents[2]
# Run by the system (daily jobs, retention, handlers of another app's event, the
# import, tasks): no person acts, so there is nobody to ask `require` about.
SYSTEM = {
    "agreements_run_daily",
    "consents_run_daily",
    "client_shares_revoke_between",
    "client_anonymise_expired",
    "publications_end_between",
    "offers_run_daily",
    "offer_expire",
    "board_ensure",
    "board_prints_generate",
    "referrals_withdraw_between",
    "referrals_run_daily",
    "referral_wipe",
    "cases_withdraw_between",
    "overdue_digest_send",
    "cases_anonymise",
    "case_erase",
    "plans_anonymise",
    "plans_release_partner",
    "plans_on_share_ended",
    "plans_on_joint_plans_lost",
    "lookup_run",
    "lookups_fail_stale",
    "batch_finish_if_done",
    "lookups_erase_for_client",
    "occurrences_sync",
    "occurrences_extend_all",
    "reminders_send",
    "case_conferences_anonymise",
    "institution_create",
    "membership_create",
    "invitation_send",
    "object_share",
    "object_unshare",
    "model_update",
    # Building blocks a checked service calls (the offer's number, a publication),
    # and the calendar feed, which authenticates by its token.
    "offer_new",
    "publication_start",
    "feed_user",
    # The annual report: frozen when the last party approves; the January reminder.
    "report_freeze",
    "reports_remind",
    # Messaging: the daily job, and handlers of the client's share ending or anonymisation.
    "requests_run_daily",
    "requests_on_share_ended",
    "messaging_anonymise",
}
# Writes not moved onto the policy yet (issue 15 follow-up): each still checks the
# person with its older guard. This list may only shrink.
NOT_YET: set[str] = set()
WRITES = ("create", "save", "update", "delete", "bulk_create", "audit", "object_share")


def _writing_services() -> dict[str, ast.FunctionDef]:
    """Module-level public functions in services modules that write (save, create,
    update, delete, audit or grant), found by reading the code."""
    found = {}
    for app in APPS:
        for path in [ROOT / app / "services.py", *sorted((ROOT / app / "services").glob("*.py"))]:
            if not path.exists():
                continue
            for node in ast.parse(path.read_text()).body:
                if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                    continue
                calls = {
                    getattr(n.func, "attr", getattr(n.func, "id", ""))
                    for n in ast.walk(node)
                    if isinstance(n, ast.Call)
                }
                if calls & set(WRITES) or any(c.startswith("_") for c in calls):
                    found[node.name] = node
    return found


def _first_statement_requires(fn: ast.FunctionDef) -> bool:
    body = list(fn.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    first = body[0] if body else None
    return (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Call)
        and getattr(first.value.func, "id", getattr(first.value.func, "attr", "")) == "require"
    )


def test_every_service_that_writes_calls_require_first() -> None:
    services = _writing_services()
    assert len(services) > 60  # the scan finds them (no vacuous pass)
    missing = sorted(
        name
        for name, fn in services.items()
        if name not in SYSTEM | NOT_YET and not _first_statement_requires(fn)
    )
    assert not missing, f"services that write without `require` first: {missing}"


def test_the_not_yet_list_only_shrinks() -> None:
    services = _writing_services()
    done = sorted(n for n in NOT_YET if n in services and _first_statement_requires(services[n]))
    assert not done, f"remove from NOT_YET, they call require now: {done}"
    assert set(services) >= NOT_YET, sorted(NOT_YET - set(services))
