"""Bad input never breaks a page, and never reaches another institution's data.

Every page of the project is opened by the people who can use it (the pages
and their states are in tests/formpages.py); every form on it — fields, select
options, hidden inputs, as a browser would send them — and every query string
of its links is then submitted with values drawn by Hypothesis: huge strings,
control characters and NUL, impossible dates, ids of another county's records,
wrong choices, negative and huge numbers, unicode, stray fields. No answer may
be a 5xx (the test client re-raises a view's exception), and no row belonging
to, or pointing at, the other county's institutions may change.

A form whose target is a page of its own is fuzzed there; a POST-only target
(a button on a detail page) on the page `HOSTS` names for it.
`test_every_form_is_fuzzed` fails for a form that is neither, so a new form is
fuzzed automatically or the test says which page to name.

FUZZ_EXAMPLES sets the examples per form (default 8; runs are derandomized, so
CI sends the same bodies every time); FUZZ_ONLY=<text> fuzzes only the pages
whose scenario id contains it.
"""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cooperation.models import Institution, User

from .formpages import (
    EXEMPT,
    HOSTS,
    NO_FORM,
    SCENARIOS,
    Discovery,
    Found,
    Scenario,
    discover,
    fuzzed_here,
    log_in,
    make_cast,
    populate,
    rolled_back,
)
from .isolation import CASES
from .pageforms import PageForm
from .snapshots import TenantSnapshot, diff

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))

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
FILE_NAMES = [
    "skan.pdf",
    "a\x00b.pdf",
    "../../../etc/passwd",
    "ż" * 300 + ".pdf",
    ".pdf",
    "bez",
    "x.exe",
]
MASS_ASSIGNMENT = [
    "institution",
    "owner",
    "client",
    "user",
    "organiser",
    "partner",
    "created_by",
    "id",
    "pk",
]

# Sent in every field at once, to every form, before the drawn bodies: the
# values most likely to break something, which random draws reach only by luck.
EVERY_FIELD = ["\x00", "9223372036854775808", "²"]

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
    st.one_of(
        st.sampled_from([b"%PDF-1.4 fuzz", b"\x89PNG\r\n\x1a\n", b""]), st.binary(max_size=300)
    ),
)


def _values(field, ids: list[str]) -> st.SearchStrategy[str]:
    choices = [TEXT, NUMBERS, DATES, st.sampled_from(ids)]
    if field.options:
        choices.insert(0, st.sampled_from(field.options))
    return st.one_of(*choices)


@st.composite
def bodies(draw, form: PageForm, ids: list[str]) -> dict[str, list]:
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
    extra = draw(
        st.dictionaries(st.sampled_from(MASS_ASSIGNMENT), st.sampled_from(ids), max_size=2)
    )
    body.update({k: [v] for k, v in extra.items() if k not in body})
    return {k: v for k, v in body.items() if v}


def _submit(client, form: PageForm, body: dict[str, list]):
    if form.method == "post":
        return client.post(form.action, body)
    split = urlsplit(form.action)
    return client.get(split.path, {**parse_qs(split.query), **body})


# --- the fuzz ------------------------------------------------------------------------------


@pytest.fixture
def cast(own: Institution, owner: User, partner: Institution) -> dict[str, User | None]:
    return make_cast(own, owner, partner)


def _submit_in_savepoint(client, form: PageForm, body: dict[str, list]):
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


def _fuzz(
    client, found: Found, user: User | None, ids: list[str], snapshot: TenantSnapshot | None
) -> None:
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

    for value in EVERY_FIELD:
        submit = example(body=_all_fields(form, value))(submit)
    log_in(client, user)
    submit()


def _all_fields(form: PageForm, value: str) -> dict[str, list]:
    body: dict[str, list] = dict(form.plausible())
    for name, field in form.fields.items():
        if name != "csrfmiddlewaretoken" and field.kind != "file":
            body[name] = [value]
    return body


def _fuzz_scenario(
    client, scenario: Scenario, cast, own, owner, other: TenantSnapshot, before
) -> None:
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


def test_bad_input_never_breaks_a_form(client, subtests, cast, own, owner, foreign) -> None:
    # One test, one subtest per page: the other county is built once, and each
    # page's objects and the fuzz's writes are rolled back before the next page.
    populate(foreign)
    other = TenantSnapshot(Institution.objects.filter(county=foreign.county))
    before = other.take()
    only = os.environ.get("FUZZ_ONLY", "")
    for scenario in SCENARIOS:
        if only and only not in scenario.id:
            continue
        with subtests.test(scenario.id), rolled_back():
            _fuzz_scenario(client, scenario, cast, own, owner, other, before)


# --- nothing escapes the fuzz --------------------------------------------------------------


def test_every_form_is_fuzzed(client, cast, own, owner) -> None:
    discoveries: dict[str, Discovery] = {}
    for scenario in SCENARIOS:
        if scenario.id not in _DISCOVERED:
            with rolled_back():
                fresh = Institution.objects.get(pk=own.pk)
                _DISCOVERED[scenario.id] = discover(
                    client, scenario, cast, fresh, User.objects.get(pk=owner.pk)
                )
        discoveries[scenario.id] = _DISCOVERED[scenario.id]
    by_id = {s.id: s for s in SCENARIOS}
    fuzzed = {f.target for s in SCENARIOS for f in fuzzed_here(s, discoveries[s.id]) if not f.link}
    shown = {f.target for d in discoveries.values() for f in d.found if f.target and not f.link}
    # Targets that must show a form somewhere: what answers GET with 405, and
    # whatever the isolation harness POSTs to, bar the pages without a form.
    post_only = {s.url_name for s in SCENARIOS if discoveries[s.id].get_refused}
    posted = {n for n, c in CASES.items() if "post" in c.methods and n not in NO_FORM}

    unfuzzed = sorted(shown - fuzzed - set(EXEMPT))
    assert not unfuzzed, (
        f"Forms submitting to {unfuzzed} are not fuzzed: name the page showing them in HOSTS"
    )
    never_shown = sorted((post_only | posted) - shown - set(EXEMPT))
    assert not never_shown, (
        f"No page showed a form for {never_shown}: add a Scenario whose page shows it "
        "(and a HOSTS entry for a POST-only target), or list the page in NO_FORM"
    )
    has_forms = sorted(n for n in NO_FORM if n in shown)
    assert not has_forms, f"NO_FORM lists pages that have a form: {has_forms}"
    stale = sorted(
        t
        for t, host in HOSTS.items()
        if host not in by_id
        or t not in {f.target for f in fuzzed_here(by_id[host], discoveries[host])}
    )
    assert not stale, f"HOSTS entries whose page shows no such form: {stale}"


def test_the_fuzz_finds_the_known_forms(client, cast, own, owner) -> None:
    # Guards the discovery itself: if it read no forms, the test above would pass vacuously.
    scenario = next(s for s in SCENARIOS if s.id == "clients:edit")
    fields = {
        name
        for f in fuzzed_here(scenario, discover(client, scenario, cast, own, owner))
        for name in f.form.fields
    }
    assert {"first_name", "pesel", "csrfmiddlewaretoken"} <= fields
