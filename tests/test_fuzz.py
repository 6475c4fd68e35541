"""Bad input never breaks a page, and never reaches another institution's data.

Every page of the project is opened (the URL resolver is walked; pages with an
argument get their object from the isolation registry, tests/isolation.py) by
the people who can use it; every form on it — fields, select options, hidden
inputs, as a browser would send them — is then submitted with values drawn by
Hypothesis: huge strings, control characters and NUL, impossible dates, ids of
another county's records, wrong choices, negative and huge numbers, unicode.
No answer may be a 5xx (the test client re-raises a view's exception), and no
row of the other county's institutions may change.

A form whose target is a page of its own is fuzzed there. A target that only
takes a POST (a button on a detail page) is fuzzed on the page named for it in
`HOSTS`. `test_every_form_is_fuzzed` fails for a form that is neither, so a new
form is either fuzzed automatically or names its page here.

FUZZ_EXAMPLES sets the examples per form (default 8); runs are derandomized.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import Resolver404, get_resolver, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cooperation.models import Institution, InstitutionKind, Role, User

from . import isolation as iso
from .factories import ClientFactory, InstitutionFactory, agreement_between, member
from .isolation import CASES, Built
from .pageforms import Field, PageForm, page_forms, page_links
from .snapshots import TenantSnapshot, diff
from .test_isolation import EXEMPT_NAMES, _walk

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))

# Who opens the pages: the objects of the isolation cases belong to `own`, so
# pages with an argument are opened by its people; pages without one also by a
# labour office, an NGO and someone not logged in (log-in, password reset).
OWN = ("coordinator", "owner")
EVERYONE = ("coordinator", "owner", "pup", "ngo", "anonymous")

# Targets not fuzzed, with the reason.
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
    # Fields POSTed to the page to reach the state that shows a form
    # (e.g. registering a PESEL a partner holds brings up "request access").
    reach: Callable[[Built], dict[str, str]] | None = None


def _client_shared_and_requested(institution: Institution, owner: User) -> Built:
    """A client of `institution` with a consent, a share and a partner's pending request."""
    built = iso._client(institution, owner)
    client = iso.Client.objects.get(pk=built.kwargs["pk"])
    iso._share(client, institution, owner)
    iso._access_request(client, institution, owner)
    iso._document(client, institution, owner)
    return built


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
            kind="meeting", title="Spotkanie", starts_at=start, ends_at=start + dt.timedelta(hours=1)
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
    iso.Client.objects.filter(pk=built.kwargs["pk"]).update(status="closed", closed_at=closed)
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


def _pesel_held_by_a_partner(institution: Institution, owner: User) -> Built:
    partner = InstitutionFactory(county=institution.county)
    agreement_between(institution, partner)
    held = ClientFactory(owner=partner, created_by=member(partner))
    return Built({}, [held.pesel])


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
        Scenario("clients:detail/shared", "clients:detail", _client_shared_and_requested),
        Scenario("clients:register/held", "clients:register", _pesel_held_by_a_partner,
                 reach=lambda built: {"pesel": built.secrets[0], "first_name": "Jan", "last_name": "Nowak"}),
        Scenario("agreements:detail/annex", "agreements:detail", _agreement_with_pending_annex),
        Scenario("agreements:coordinators/card", "agreements:coordinators", _coordinator_card),
        Scenario("partners:referral/accepted", "partners:referral", iso._received_referral("accepted")),
        Scenario("clients:detail/retired", "clients:detail", _client_past_retention),
        Scenario("cooperation:person_edit/invited", "cooperation:person_edit", _invited_person),
        Scenario("meetings:occurrence/upcoming", "meetings:occurrence", _upcoming_meeting),
        Scenario("meetings:action_items/mine", "meetings:action_items", _my_action_items),
        Scenario("joboffers:detail/office", "joboffers:detail", _office_offer(published=True)),
        Scenario("joboffers:publish/boards", "joboffers:publish", _office_offer(published=False)),
        Scenario("promotion:detail/received", "promotion:detail", iso._promotion_case_received),
    ]  # fmt: skip


SCENARIOS = _scenarios()

# The page each POST-only target is fuzzed on (and one more page for a target
# whose form also appears, with other fields, away from its own page).
HOSTS = {
    "cooperation:person_resend": "cooperation:person_edit/invited",
    "clients:access_request": "clients:register/held",
    "clients:note_add": "clients:detail/shared",
    "clients:document_add": "clients:detail/shared",
    "clients:share": "clients:detail/shared",
    "clients:share_end": "clients:detail/shared",
    "clients:consent_withdraw": "clients:detail/shared",
    "clients:request_decline": "clients:detail/shared",
    "clients:close": "clients:detail/shared",
    "clients:anonymise": "clients:detail/retired",
    "sepi:lookup_start": "clients:detail/shared",
    "sepi:batch_start": "sepi:list",
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
    "set_language": "accessibility",
}


# --- finding the forms ---------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    form: PageForm
    target: str | None  # the URL name the form submits to; None if outside the project
    who: str
    link: bool = False  # a link with a query string (?tab=, ?page=, ?partner=...), read as a GET form


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


def _log_in(client, user: User | None) -> None:  # type: ignore[no-untyped-def]
    if user is None:
        client.logout()
    else:
        client.force_login(user)


def _html(response) -> str | None:  # type: ignore[no-untyped-def]
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return None
    return response.content.decode()


@dataclass
class Discovery:
    found: list[Found]
    get_refused: bool  # the page answers GET with 405: a POST-only target


def discover(client, scenario: Scenario, cast, own: Institution, owner: User) -> Discovery:  # type: ignore[no-untyped-def]
    """Open the scenario's page as each of its users (and its tabs: links to the
    same page with another query) and read every form on it."""
    built = scenario.build(own, owner) if scenario.build else Built({}, [])
    url = reverse(scenario.url_name, kwargs=built.kwargs)
    found: list[Found] = []
    refused = False
    tabs_seen = False
    for who in scenario.users:
        _log_in(client, cast[who])
        response = client.get(url)
        refused = refused or response.status_code == 405
        html = _html(response)
        if html is None:
            continue
        pages = [(url, html)]
        if not tabs_seen:  # the first user who gets the page opens its tabs too
            tabs_seen = True
            links = page_links(html, url)
            tabs = sorted({u for u in links if urlsplit(u).path == url and "?" in u})
            pages += [(tab, h) for tab in tabs[:8] if (h := _html(client.get(tab)))]
        if scenario.reach:
            own_form = next(f for f in page_forms(html, url) if f.method == "post" and f.path == url)
            body = {**own_form.plausible(), **scenario.reach(built)}
            if reached := _html(client.post(url, body)):
                pages.append((url, reached))
        for page_url, page in pages:
            found += [Found(f, _target(f), who) for f in page_forms(page, page_url)]
            found += [Found(f, _target(f), who, link=True) for f in _link_forms(page, page_url)]
    return Discovery(found, refused)


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


# Discoveries made by the fuzz tests of this run, reused by the coverage test
# (the same builders give the same pages); it discovers any it lacks itself.
_DISCOVERED: dict[str, Discovery] = {}


# --- what to send --------------------------------------------------------------------------

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "Nowak\x00",
    "\x00\x01\x02\x1b\x7f",
    "\r\n\t\x0b\x0c",
    "\u202eevil\u202c",
    "\ufeff",
    "Zażółć gęślą jaźń 😀",
    "<script>alert(1)</script>",
    "{{ 7|add:7 }}",
    "' OR '1'='1' --",
    "%00%0d%0a",
    "/\r\nX-Injected: 1",
    "/ok\x00",
    "../../../../etc/passwd",
    "javascript:alert(1)",
    "https://evil.example/",
    "//evil.example/",
    "x" * 5000,
    "ż" * 100_001,
]
BAD_NUMBERS = [
    "-1",
    "0",
    "-0",
    "1.5",
    "1e309",
    "NaN",
    "-Infinity",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "-9223372036854775809",
    "1" + "0" * 30,
    "0x10",
    "１２",
    "²",
    "١٢",
]
BAD_DATES = [
    "2024-02-30",
    "2023-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "31.12.2024",
    "2024-01-01T25:61",
    "2024-06-01T10:00:00+99:00",
    "9999-12-31T23:59",
    "T",
]
FILE_NAMES = ["skan.pdf", "a\x00b.pdf", "../../../etc/passwd", "ż" * 300 + ".pdf", ".pdf", "bez", "x.exe"]
MASS_ASSIGNMENT = ["institution", "owner", "client", "user", "organiser", "partner", "created_by", "id", "pk"]

TEXT = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))
NUMBERS = st.one_of(
    st.sampled_from(BAD_NUMBERS), st.integers(min_value=-(2**80), max_value=2**80).map(str)
)
DATES = st.one_of(
    st.sampled_from(BAD_DATES),
    st.dates().map(dt.date.isoformat),
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
)
UPLOADS = st.builds(
    SimpleUploadedFile,
    st.one_of(st.sampled_from(FILE_NAMES), st.text(min_size=1, max_size=20)),
    st.one_of(st.sampled_from([b"%PDF-1.4 fuzz", b"\x89PNG\r\n\x1a\n", b""]), st.binary(max_size=300)),
)


def _values(field, ids: list[str]) -> st.SearchStrategy[str]:  # type: ignore[no-untyped-def]
    choices = [TEXT, NUMBERS, DATES, st.sampled_from(ids)]
    if field.options:
        choices.insert(0, st.sampled_from(field.options))
    return st.one_of(*choices)


@st.composite
def bodies(draw, form: PageForm, ids: list[str]) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """The honest body with one to three fields (or all of them) spoiled, and
    now and then a field the form does not have, holding another tenant's id."""
    body: dict[str, list] = dict(form.plausible())
    editable = [n for n in form.fields if n != "csrfmiddlewaretoken"]
    if editable:
        spoiled = (
            editable
            if draw(st.booleans())
            else draw(st.lists(st.sampled_from(editable), min_size=1, max_size=3, unique=True))
        )
        for name in spoiled:
            field = form.fields[name]
            values = UPLOADS if field.kind == "file" else _values(field, ids)
            body[name] = draw(st.lists(values, max_size=1 if field.kind == "file" else 3))
    extra = draw(st.dictionaries(st.sampled_from(MASS_ASSIGNMENT), st.sampled_from(ids), max_size=2))
    body.update({k: [v] for k, v in extra.items() if k not in body})
    return {k: v for k, v in body.items() if v}


def _submit(client, form: PageForm, body: dict[str, list]):  # type: ignore[no-untyped-def]
    if form.method == "post":
        return client.post(form.action, body)
    split = urlsplit(form.action)
    return client.get(split.path, {**parse_qs(split.query), **body})


# --- the fuzz ------------------------------------------------------------------------------


@pytest.fixture
def cast(own: Institution, owner: User, partner: Institution) -> dict[str, User | None]:
    ngo = InstitutionFactory(kind=InstitutionKind.NGO, name="Fundacja Testowa")
    return {
        "coordinator": member(own, Role.COORDINATOR, username="fuzz-coordinator"),
        "owner": owner,
        "pup": member(partner, Role.COORDINATOR, username="fuzz-pup"),
        "ngo": member(ngo, Role.PARTNER_STAFF, username="fuzz-ngo"),
        "anonymous": None,
    }


def _build_other_county(foreign: Institution) -> TenantSnapshot:
    """Another county's institutions with a bit of everything: clients with
    consents, shares and documents, a plan, an agreement, a meeting with minutes
    and a file, a referral to an NGO, a published job offer, a promotion case,
    a SEPI batch. Their rows are what the fuzz must never change."""
    from .promotion.helpers import proposed_case

    worker = member(foreign, Role.SOCIAL_WORKER, username="obcy-pracownik")
    iso._client_with(iso._share)(foreign, worker)
    iso._client_with(iso._document)(foreign, worker)
    iso._plan(foreign, worker)
    iso._agreement("active")(foreign, worker)
    iso._meeting(with_minutes=True, with_material=True)(foreign, worker)
    iso._sent_referral(foreign, worker)
    iso._joboffer_on_board(foreign, worker)
    proposed_case(
        foreign, worker, pup=InstitutionFactory(kind=InstitutionKind.PUP, county=foreign.county)
    )
    iso._sepi_batch(foreign, worker)
    iso._membership(foreign, worker)
    return TenantSnapshot(Institution.objects.filter(county=foreign.county))


@contextmanager
def _rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _submit_in_savepoint(client, form: PageForm, body: dict[str, list]):  # type: ignore[no-untyped-def]
    # A database error in a view (PostgreSQL refusing a value) would leave the
    # test's transaction unusable for the next example; a savepoint keeps it
    # usable, while the writes of requests that worked stay, as they would.
    savepoint = transaction.savepoint()
    try:
        response = _submit(client, form, body)
    except BaseException:
        transaction.savepoint_rollback(savepoint)
        raise
    transaction.savepoint_commit(savepoint)
    return response


def _fuzz(client, found: Found, user: User | None, ids: list[str], snapshot: TenantSnapshot | None) -> None:  # type: ignore[no-untyped-def]
    """Send the form bodies drawn by Hypothesis; with a snapshot, also compare
    the other county's rows around every request."""
    form = found.form
    # A form with nothing to fill (a button) gets a few bodies of stray fields,
    # a link's query string half the examples of a form.
    examples = EXAMPLES if len(form.fields) > 1 else max(2, EXAMPLES // 3)
    examples = max(2, examples // 2) if found.link else examples
    where = f"{form.method.upper()} {form.action} as {found.who}"

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(body=bodies(form, ids))
    def submit(body: dict[str, list]) -> None:
        before = snapshot.take() if snapshot else None
        if user is not None and SESSION_KEY not in client.session:
            client.force_login(user)  # a body that logged the user out
        response = _submit_in_savepoint(client, form, body)
        assert response.status_code < 500, f"{where}: {response.status_code}"
        if snapshot and (changed := diff(before, snapshot.take())):
            raise AssertionError(f"{where} changed another county's rows: {changed}")

    _log_in(client, user)
    submit()


def _fuzz_scenario(client, scenario: Scenario, cast, own, owner, other: TenantSnapshot, before) -> None:  # type: ignore[no-untyped-def]
    # Builders may turn the institution into a labour office: each starts afresh.
    own, owner = Institution.objects.get(pk=own.pk), User.objects.get(pk=owner.pk)
    discovery = _DISCOVERED[scenario.id] = discover(client, scenario, cast, own, owner)
    targets = fuzzed_here(scenario, discovery)
    if not targets:
        return
    ids = [str(pk) for pk in other.ids()]
    for found in targets:
        _fuzz(client, found, cast[found.who], ids, None)
    # The other county's rows are compared once per page (a snapshot is a query
    # per model); only if they changed are the forms sent again, comparing them
    # around every request, so that Hypothesis names the body that did it.
    if changed := diff(before, other.take()):
        for found in targets:
            _fuzz(client, found, cast[found.who], ids, other)
        raise AssertionError(f"{scenario.id}: another county's rows changed: {changed}")


def test_bad_input_never_breaks_a_form(client, subtests, cast, own, owner, foreign) -> None:  # type: ignore[no-untyped-def]
    # One test, one subtest per page: the other county is built once, and each
    # page's objects and the fuzz's writes are rolled back before the next page.
    other = _build_other_county(foreign)
    before = other.take()
    only = os.environ.get("FUZZ_ONLY", "")
    for scenario in SCENARIOS:
        if only and only not in scenario.id:
            continue
        with subtests.test(scenario.id), _rolled_back():
            _fuzz_scenario(client, scenario, cast, own, owner, other, before)


# --- nothing escapes the fuzz --------------------------------------------------------------


def test_every_form_is_fuzzed(client, cast, own, owner) -> None:  # type: ignore[no-untyped-def]
    discoveries: dict[str, Discovery] = {}
    for scenario in SCENARIOS:
        if scenario.id not in _DISCOVERED:
            with _rolled_back():
                fresh = Institution.objects.get(pk=own.pk)
                _DISCOVERED[scenario.id] = discover(
                    client, scenario, cast, fresh, User.objects.get(pk=owner.pk)
                )
        discoveries[scenario.id] = _DISCOVERED[scenario.id]
    by_id = {s.id: s for s in SCENARIOS}
    fuzzed = {
        f.target for s in SCENARIOS for f in fuzzed_here(s, discoveries[s.id]) if not f.link
    }
    shown = {f.target for d in discoveries.values() for f in d.found if f.target and not f.link}
    post_only = {s.url_name for s in SCENARIOS if discoveries[s.id].get_refused}
    post_only |= {n for n, c in CASES.items() if "get" not in c.methods}

    unfuzzed = sorted(shown - fuzzed - set(EXEMPT))
    assert not unfuzzed, (
        f"Forms submitting to {unfuzzed} are not fuzzed: name the page showing them in HOSTS"
    )
    never_shown = sorted(post_only - shown - set(EXEMPT))
    assert not never_shown, (
        f"No page showed a form for {never_shown}: add a Scenario whose page shows it, and HOSTS"
    )
    stale = sorted(
        t
        for t, host in HOSTS.items()
        if host not in by_id
        or t not in {f.target for f in fuzzed_here(by_id[host], discoveries[host])}
    )
    assert not stale, f"HOSTS entries whose page shows no such form: {stale}"


def test_the_fuzz_finds_the_known_forms(client, cast, own, owner) -> None:  # type: ignore[no-untyped-def]
    # Guards the discovery itself: if it read no forms, the test above would pass vacuously.
    scenario = next(s for s in SCENARIOS if s.id == "clients:edit")
    fields = {
        name
        for f in fuzzed_here(scenario, discover(client, scenario, cast, own, owner))
        for name in f.form.fields
    }
    assert {"first_name", "pesel", "csrfmiddlewaretoken"} <= fields
