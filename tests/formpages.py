"""The pages of the project and the forms on them, for the fuzz
(tests/test_fuzz.py) and the isolation harness (tests/test_isolation_writes.py).

Every page is found by walking the URL resolver; pages with an argument get
their object from the isolation registry (tests/isolation.py). A `Scenario` is
one page in one state, opened by the people who can use it; `discover` reads
every form on it (and on its tabs). A form whose target is a page of its own
belongs to that page; a target that only takes a POST (a button on a detail
page) belongs to the page named for it in `HOSTS`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from django.db import transaction
from django.urls import Resolver404, get_resolver, resolve, reverse

from cooperation.models import Institution, InstitutionKind, Role, User

from . import isolation as iso
from .factories import ClientFactory, InstitutionFactory, agreement_between, member
from .isolation import CASES, Built
from .lazy import fill_lazy
from .pageforms import Field, PageForm, page_forms, page_links
from .test_isolation import EXEMPT_NAMES, _walk

# Who opens the pages: the objects of the isolation cases belong to `own`, so
# pages with an argument are opened by its people; pages without one also by a
# labour office, an NGO and someone not logged in (log-in, password reset).
OWN = ("coordinator", "owner")
EVERYONE = ("coordinator", "owner", "pup", "ngo", "anonymous")

# Targets not fuzzed, with the reason. (The Django admin is not walked at all:
# tests/test_admin_isolation.py submits its add and change forms.)
EXEMPT = {
    "account_logout": "takes no input but the CSRF token, and would end the fuzzing session",
    "session_keepalive": "a ping sent by script with no fields, not a form",
}


# --- the pages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    id: str
    url_name: str
    build: Callable[[Institution, User], Built] | None = None
    users: tuple[str, ...] = OWN
    # A page that answers with a redirect to where its form is (a key link).
    follow: bool = False
    # Fields POSTed to the page to reach the state that shows a form
    # (e.g. registering a PESEL a partner holds brings up "request access").
    reach: Callable[[Built], dict[str, str]] | None = None


def _client_shared_and_requested(institution: Institution, owner: User) -> Built:
    """A client of `institution` with a consent, a share and a partner's pending request,
    and a second consent not used yet (the sharing form offers only those); the
    institution may ask SEPI (an agreement with its PUP covers it), so the panel shows."""
    built = iso._sepi_client(institution, owner)
    client = iso.Client.objects.get(pk=built.kwargs["pk"])
    iso._share(client, institution, owner)
    iso._consent(client, institution, owner)
    iso._access_request(client, institution, owner)
    iso._document(client, institution, owner)
    return built


def _sepi_office(institution: Institution, owner: User) -> Built:
    """The institution may ask SEPI (an agreement with its PUP covers it), so its
    coordinator is offered the batch check."""
    iso._sepi_client(institution, owner)
    return Built({}, [])


def _agreement_with_pending_annex(institution: Institution, owner: User) -> Built:
    from agreements.models import Annex

    built = iso._annex(institution, owner)
    return Built({"pk": Annex.objects.get(pk=built.kwargs["pk"]).agreement_id}, built.secrets)


def _coordinator_card(institution: Institution, owner: User) -> Built:
    iso._coordinator_card(institution, owner)
    return Built({}, [])


def _upcoming_meeting(institution: Institution, owner: User) -> Built:
    """A meeting next week with a file, the owner invited by name (so may answer)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from meetings import services

    organiser = member(institution, Role.COORDINATOR)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=7)
    event = services.event_schedule(
        acting_user=organiser,
        data=services.EventData(
            kind="meeting",
            title="Spotkanie",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
        ),
        institutions=[],
        people=[owner],
    )
    services.material_add(
        event=event,
        acting_user=owner,
        title="Materiał",
        file=SimpleUploadedFile("plik.pdf", b"%PDF-1.4 fuzz"),
    )
    return Built({"pk": event.occurrences.get().pk}, [])


def _client_past_retention(institution: Institution, owner: User) -> Built:
    from django.conf import settings
    from django.utils import timezone

    built = iso._client(institution, owner)
    years = settings.RETENTION["closed_clients_years"] + 1
    closed = timezone.localdate() - dt.timedelta(days=366 * years)
    client = iso.Client.objects.get(pk=built.kwargs["pk"])
    client.status, client.closed_at = "closed", closed
    client.save(update_fields=["status", "closed_at"])  # keeps the access table in step
    return built


def _invited_person(institution: Institution, owner: User) -> Built:
    person = member(institution, Role.SOCIAL_WORKER)
    person.set_unusable_password()
    person.save(update_fields=["password"])
    return Built({"pk": person.memberships.get().pk}, [])


def _my_action_items(institution: Institution, owner: User) -> Built:
    iso._meeting(with_minutes=True)(institution, owner)
    return Built({}, [])


def _office_offer(published: bool) -> Callable[[Institution, User], Built]:
    """`institution` acts as a labour office with an offer, and a partner's board
    to publish it on (`published`: it is on that board already)."""

    def build(institution: Institution, owner: User) -> Built:
        from agreements.models import Scope
        from joboffers.services import offer_create, offer_publish

        institution.kind = InstitutionKind.PUP
        institution.save(update_fields=["kind"])
        board_holder = InstitutionFactory(county=institution.county)
        agreement_between(institution, board_holder, [Scope.JOB_OFFERS])
        advisor = member(institution, Role.CLIENT_ADVISOR)
        offer = offer_create(acting_user=advisor, **iso._offer_fields())
        if published:
            offer_publish(offer=offer, acting_user=advisor)
        return Built({"pk": offer.pk}, [])

    return build


def _client_to_refer(institution: Institution, owner: User) -> Built:
    """A client of `institution` who consented to referrals to an NGO of its
    county that offers a service, under an agreement covering referrals."""
    from agreements.models import Scope
    from clients.models import Consent

    ngo = InstitutionFactory(county=institution.county)
    iso._partner_service(ngo)
    agreement_between(institution, ngo, [Scope.REFERRALS])
    client = ClientFactory(owner=institution, created_by=owner)
    Consent.objects.create(
        client=client,
        partner=ngo,
        basis="statutory",
        scopes=[Scope.REFERRALS],
        given_on=dt.date.today(),
        valid_until=dt.date.today() + dt.timedelta(days=365),
        recorded_by=owner,
    )
    return Built({"client_pk": client.pk}, [])


def _password_reset_link(institution: Institution, owner: User) -> Built:
    from allauth.account import app_settings
    from allauth.account.utils import user_pk_to_url_str

    key = app_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(owner)
    return Built({"uidb36": user_pk_to_url_str(owner), "key": key}, [])


def _email_confirmation_link(institution: Institution, owner: User) -> Built:
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    address = EmailAddress.objects.create(user=owner, email="nowy@example.pl")
    return Built({"key": EmailConfirmationHMAC(address).key}, [])


def _completed_cis_referral(institution: Institution, owner: User) -> Built:
    """`institution` is a social integration centre whose participant completed its programme."""
    from cooperation.models import PesSubkind
    from partners.models import Referral
    from partners.services import referral_complete

    built = iso._received_referral("in_progress")(institution, owner)
    institution.kind, institution.pes_subkind = InstitutionKind.PES, PesSubkind.CIS
    institution.save(update_fields=["kind", "pes_subkind"])
    referral_complete(
        referral=Referral.objects.get(pk=built.kwargs["pk"]),
        acting_user=member(institution, Role.PARTNER_STAFF),
        outcome="achieved",
        outcome_note="Ukończyła",
    )
    return built


def _pesel_held_by_a_partner(institution: Institution, owner: User) -> Built:
    partner = InstitutionFactory(county=institution.county)
    agreement_between(institution, partner)
    held = ClientFactory(owner=partner, created_by=member(partner))
    return Built({}, [held.pesel])


def _unread_notice(institution: Institution, owner: User) -> Built:
    """The owner's list with an unread notice: its "mark as read" and "mark all" buttons."""
    built = iso._notice(institution, owner)
    return Built({}, built.secrets)


def _scenarios() -> list[Scenario]:
    scenarios = []
    for name, route in _walk(get_resolver().url_patterns):
        if name in EXEMPT_NAMES:
            continue
        if "<" in route or "(?P<" in route:
            # A URL missing from the registry fails test_isolation.py; it joins the fuzz once added.
            case = CASES.get(name)
            if case and "get" in case.methods:  # POST-only targets: fuzzed on their HOSTS page
                scenarios.append(Scenario(name, name, case.build))
        else:
            scenarios.append(Scenario(name, name, users=EVERYONE))
    return scenarios + [
        Scenario("account_reset_password_from_key", "account_reset_password_from_key",
                 _password_reset_link, users=("anonymous",), follow=True),
        Scenario("account_confirm_email", "account_confirm_email", _email_confirmation_link,
                 users=("anonymous", "owner")),
        Scenario("clients:detail/shared", "clients:detail", _client_shared_and_requested),
        Scenario("sepi:list/office", "sepi:list", _sepi_office),
        Scenario("clients:register/held", "clients:register", _pesel_held_by_a_partner,
                 reach=lambda built: {"pesel": built.secrets[0], "first_name": "Jan", "last_name": "Nowak"}),
        Scenario("agreements:detail/annex", "agreements:detail", _agreement_with_pending_annex),
        Scenario("agreements:coordinators/card", "agreements:coordinators", _coordinator_card),
        Scenario("partners:referral_create/ready", "partners:referral_create", _client_to_refer),
        Scenario("partners:referral/accepted", "partners:referral", iso._received_referral("accepted")),
        Scenario("clients:detail/retired", "clients:detail", _client_past_retention),
        Scenario("cooperation:person_edit/invited", "cooperation:person_edit", _invited_person),
        Scenario("meetings:occurrence/upcoming", "meetings:occurrence", _upcoming_meeting),
        Scenario("meetings:action_items/mine", "meetings:action_items", _my_action_items),
        Scenario("joboffers:detail/office", "joboffers:detail", _office_offer(published=True)),
        Scenario("joboffers:publish/boards", "joboffers:publish", _office_offer(published=False)),
        Scenario("promotion:detail/received", "promotion:detail", iso._promotion_case_received),
        Scenario("promotion:propose_referral/completed", "promotion:propose_referral", _completed_cis_referral),
        Scenario("notifications:list/unread", "notifications:list", _unread_notice),
        Scenario("messaging:request/received", "messaging:request", iso._info_request(asked_here=True)),
    ]  # fmt: skip


SCENARIOS = _scenarios()

# Pages the isolation harness also POSTs to that have no form of their own.
NO_FORM = {
    "agreements:pdf": "a PDF",
    "reintegration:pdf": "a PDF",
    "indicators:pdf": "a PDF",
    "indicators:report": "its button submits to indicators:approve (in HOSTS)",
    "clients:detail": "its forms submit to the POST-only targets in HOSTS",
    "meetings:event": "redirects to the event's next date",
    "meetings:occurrence": "its forms submit to the POST-only targets in HOSTS",
    "partners:organisation": "a profile to read",
    "partners:referral": "its buttons lead to the pages of each step",
    "promotion:detail": "its forms submit to promotion:take and the action pages",
    "reintegration:client_plan": "redirects to the client's plan",
    "reintegration:detail": "its buttons lead to the pages of each change",
    "reintegration:history": "a list to read",
    "messaging:request": "its forms submit to the POST-only targets in HOSTS",
    "messaging:announcement": "an announcement to read",
}

# The page each POST-only target is fuzzed on (and one more page for a target
# whose form also appears, with other fields, away from its own page).
HOSTS = {
    "indicators:approve": "indicators:report",
    "cooperation:person_resend": "cooperation:person_edit/invited",
    "clients:access_request": "clients:register/held",
    "clients:note_add": "clients:detail/shared",
    "clients:document_add": "clients:detail/shared",
    "clients:share": "clients:detail/shared",
    "clients:share_end": "clients:detail/shared",
    "clients:request_decline": "clients:detail/shared",
    "clients:close": "clients:detail/shared",
    "clients:anonymise": "clients:detail/retired",
    "sepi:lookup_start": "clients:detail/shared",
    "sepi:batch_start": "sepi:list/office",
    "agreements:annex_approve": "agreements:detail/annex",
    "agreements:coordinator_remove": "agreements:coordinators/card",
    "partners:referral_start": "partners:referral/accepted",
    "meetings:event_respond": "meetings:occurrence/upcoming",
    "meetings:material_remove": "meetings:occurrence/upcoming",
    "meetings:action_status": "meetings:action_items/mine",
    "joboffers:unpublish": "joboffers:detail/office",
    "joboffers:fill": "joboffers:detail/office",
    "joboffers:publish": "joboffers:detail/office",
    "joboffers:board_prints": "joboffers:board",
    "promotion:take": "promotion:detail/received",
    "notifications:read": "notifications:list/unread",
    "notifications:read_all": "notifications:list/unread",
    "notifications:digest_hour": "notifications:preferences",
    "set_language": "accessibility",
    "messaging:message_post": "clients:detail/shared",
    "messaging:request_answer": "messaging:request/received",
    "messaging:request_withdraw": "messaging:request",
}


# --- finding the forms ---------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    form: PageForm
    target: str | None  # the URL name the form submits to; None if outside the project
    who: str
    # A link with a query string (?tab=, ?page=, ?partner=...), read as a GET form.
    link: bool = False


def _link_forms(html: str, page_url: str) -> list[PageForm]:
    forms = []
    for link in dict.fromkeys(page_links(html, page_url)):
        split = urlsplit(link)
        if split.query and split.netloc in ("", "testserver"):
            params = parse_qs(split.query, keep_blank_values=True)
            fields = {k: Field(k, "text", list(v)) for k, v in params.items()}
            forms.append(PageForm("get", split.path, False, fields))
    return forms


def _target(form: PageForm) -> str | None:
    try:
        return resolve(form.path).view_name
    except Resolver404:
        return None


def log_in(client, user: User | None) -> None:
    if user is None:
        client.logout()
        return
    client.force_login(user)
    # As if they had just typed their password again: allauth's pages that ask
    # for it (two-factor setup, recovery codes) show their forms instead.
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {
            "method": "password",
            "at": time.time(),
            "username": user.username,
            "reauthenticated": True,
        }
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


def _html(response) -> str | None:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return None
    return response.content.decode()


def _shown(client, response) -> str | None:
    """The page as the browser shows it: lazy panels and sections loaded (tests/lazy.py)."""
    html = _html(response)
    return None if html is None else fill_lazy(client, html)


@dataclass
class Discovery:
    found: list[Found]
    get_refused: bool  # the page answers GET with 405: a POST-only target


@dataclass(frozen=True)
class Page:
    url: str
    reach: dict[str, str] | None = None  # see Scenario
    follow: bool = False


def build_page(scenario: Scenario, own: Institution, owner: User) -> Page:
    """Make the scenario's objects; where its page is."""
    built = scenario.build(own, owner) if scenario.build else Built({}, [])
    url = reverse(scenario.url_name, kwargs=built.kwargs)
    return Page(url, scenario.reach(built) if scenario.reach else None, scenario.follow)


def read_page(client, page: Page, cast, users: tuple[str, ...]) -> Discovery:
    """Open the page as each of `users`, and its tabs (links to the same page
    with another query) as the first who gets it, and read every form on it."""
    found: list[Found] = []
    refused = False
    tabs_seen = False
    for who in users:
        log_in(client, cast[who])
        response = client.get(page.url, follow=page.follow)
        url = response.request["PATH_INFO"]  # where a key link led
        refused = refused or response.status_code == 405
        html = _shown(client, response)
        if html is None:
            continue
        pages = [(url, html)]
        if not tabs_seen:
            tabs_seen = True
            links = page_links(html, url)
            tabs = sorted({u for u in links if urlsplit(u).path == url and "?" in u})
            pages += [(tab, h) for tab in tabs[:8] if (h := _shown(client, client.get(tab)))]
        if page.reach:
            own_form = next(
                f for f in page_forms(html, url) if f.method == "post" and f.path == url
            )
            if reached := _html(client.post(url, {**own_form.plausible(), **page.reach})):
                pages.append((url, reached))
        for page_url, text in pages:
            found += [Found(f, _target(f), who) for f in page_forms(text, page_url)]
            found += [Found(f, _target(f), who, link=True) for f in _link_forms(text, page_url)]
    return Discovery(found, refused)


def discover(client, scenario: Scenario, cast, own: Institution, owner: User) -> Discovery:
    """Build the scenario's page and read it as each of its users."""
    return read_page(client, build_page(scenario, own, owner), cast, scenario.users)


def fuzzed_here(scenario: Scenario, discovery: Discovery) -> list[Found]:
    """The forms this scenario fuzzes: those submitting to its own page, the
    POST-only targets it hosts, and the query strings of its links; one per
    distinct set of fields."""
    seen, mine = set(), []
    for f in discovery.found:
        own_page = f.target == scenario.url_name
        hosted = HOSTS.get(f.target or "") == scenario.id
        if f.target is None or f.target in EXEMPT or not (own_page or hosted or f.link):
            continue
        key = (f.form.method, f.target, frozenset(f.form.fields))
        if key not in seen:
            seen.add(key)
            mine.append(f)
    return mine


# --- the people and the data ---------------------------------------------------------------


def make_cast(own: Institution, owner: User, partner: Institution) -> dict[str, User | None]:
    """The people who open the pages, by the names Scenario.users uses."""
    ngo = InstitutionFactory(kind=InstitutionKind.NGO, name="Fundacja Testowa")
    return {
        "coordinator": member(own, Role.COORDINATOR, username="pages-coordinator"),
        "owner": owner,
        "pup": member(partner, Role.COORDINATOR, username="pages-pup"),
        "ngo": member(ngo, Role.PARTNER_STAFF, username="pages-ngo"),
        "anonymous": None,
    }


def populate(institution: Institution) -> list[str]:
    """A bit of everything for `institution` and institutions of its county:
    clients with consents, shares, documents and a pending access request, a
    plan, agreements (one with an annex and a signed scan), a coordinator card,
    a meeting with minutes and a file, a referral to an NGO, a job offer on its
    board, a promotion case, a SEPI batch, a colleague. Returns the strings
    (names, PESEL...) that must never show to another institution."""
    from .promotion.helpers import proposed_case

    worker = member(institution, Role.SOCIAL_WORKER)
    office = InstitutionFactory(kind=InstitutionKind.PUP, county=institution.county)
    builders = [
        iso._client_with(iso._share),
        iso._client_with(iso._document),
        iso._client_with(iso._access_request),
        iso._plan,
        iso._annex,
        iso._attachment,
        iso._coordinator_card,
        iso._meeting(with_minutes=True, with_material=True),
        iso._sent_referral,
        iso._joboffer_proposal,
        iso._sepi_batch,
        iso._membership,
    ]
    secrets = [s for build in builders for s in build(institution, worker).secrets]
    case = proposed_case(institution, worker, pup=office)
    _bits_without_a_page(institution, office, worker)
    return [*secrets, case.last_name, case.pesel]


def _bits_without_a_page(institution: Institution, office: Institution, worker: User) -> None:
    """A case note, a room, a printed board, an import run, an e-mail address."""
    from allauth.account.models import EmailAddress
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from clients.models import Client
    from clients.services import note_add
    from joboffers.imports import cbop_import
    from joboffers.models import Board, BoardPrint
    from meetings.models import Room

    today = timezone.localdate()
    client = Client.objects.filter(owner=institution).first()
    note_add(client=client, acting_user=worker, happened_on=today, text="Notatka", internal=False)
    Room.objects.create(institution=institution, name="Sala narad")
    BoardPrint.objects.create(
        board=Board.objects.get(institution=institution),
        kind="sheets",
        week_start=today - dt.timedelta(days=today.weekday()),
        file=ContentFile(b"%PDF-1.4 ogloszenia", name="tablica.pdf"),
    )
    cbop_import(institution=office, data="[]", source="cbop.json")
    EmailAddress.objects.create(user=worker, email=worker.email, primary=True, verified=True)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Whatever happens inside is undone (a savepoint of the test's transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
