"""The same POST twice saves once.

Every page of the project is built and opened the way the fuzz does it
(tests/formpages.py), and every POST form on it is read. Each form's target is
registered here: in CREATES (its form makes a record: a double click, a resent
page or a second tab must not make it twice) with what to fill in for the first
POST to succeed, or in NO_RECORD with the reason it makes none. The harness
sends the body the page rendered (with its form token, if it has one) twice:

- a CREATES form must make a record the first time (else its case is stale: a
  case that fills the form wrongly would pass vacuously), and the second time
  make none and answer with a redirect — to what the first one made, when the
  form is guarded by a token — or with a page saying why (200);
- a NO_RECORD form must make no record at all, so a create form registered
  there by mistake fails;
- a POST form in neither fails: a new create form has to say how it is guarded.

"A record" is a new row in any project table but the audit log and the form
tokens themselves. Updates (an edit sent twice is the same edit) are not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from cooperation.models import AuditEvent, FormSubmission, Institution, InstitutionKind, Role, User
from cooperation.validators import make_pesel

from . import isolation as iso
from .factories import InstitutionFactory, agreement_between, member
from .formpages import (
    EXEMPT,
    HOSTS,
    NO_FORM,
    SCENARIOS,
    Found,
    Scenario,
    build_page,
    log_in,
    make_cast,
    read_page,
)
from .isolation import Built
from .pageforms import plausible_value
from .snapshots import project_models
from .test_isolation_writes import _filled_in

TOKEN = "token"  # guarded by @submit_once (cooperation/formtokens.py) and {% form_token %}


def _today(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Creates:
    # TOKEN, or the natural key that refuses a second one (said in words).
    guard: str
    # Fields to send instead of the plausible values, so the first POST succeeds.
    fill: Callable[[], dict[str, object]] = field(default=lambda: {})
    # On a page with several forms to this target, the field naming the create one.
    only_with: str = ""
    # Who sends it, when the first to see the form may not (two-factor accounts add no address).
    who: str = ""


CREATES: dict[str, Creates] = {
    # cooperation and allauth
    "cooperation:person_invite": Creates("a person's e-mail address is unique"),
    "account_email": Creates(
        "allauth refuses an address the user already has", only_with="action_add", who="owner"
    ),
    # clients
    "clients:register": Creates(
        TOKEN,
        lambda: {
            "pesel": make_pesel(dt.date(1980, 5, 17), 417, female=True),
            "postal_code": "26-110",
        },
    ),
    "clients:consent_add": Creates(TOKEN, lambda: {"given_on": _today()}),
    "clients:note_add": Creates(TOKEN, lambda: {"happened_on": _today()}),
    "clients:document_add": Creates(TOKEN),
    # agreements
    "agreements:create": Creates(TOKEN),
    # indicators
    "indicators:reports": Creates(TOKEN),
    "indicators:approve": Creates("one approval per party (a unique constraint)"),
    "agreements:annex_create": Creates(TOKEN),
    "agreements:attachment_add": Creates(TOKEN),
    "agreements:coordinators": Creates(TOKEN),
    "agreements:signed_copy": Creates(
        TOKEN, lambda: {"file": SimpleUploadedFile("podpisane.pdf", b"%PDF-1.4 skan")}
    ),
    # partners
    "partners:referral_create": Creates(TOKEN),
    "partners:referral_delivery": Creates(TOKEN, lambda: {"delivered_on": _today()}),
    "partners:service_create": Creates(TOKEN),
    # promotion
    "promotion:programme_new": Creates(TOKEN),
    "promotion:propose": Creates(TOKEN),
    "promotion:propose_referral": Creates(TOKEN),
    "promotion:action": Creates(TOKEN, lambda: {"happened_on": _today(), "kind": "training"}),
    # meetings
    "meetings:create": Creates(
        TOKEN,
        lambda: {
            "starts_at": f"{_today(7)}T10:00",
            "ends_at": f"{_today(7)}T11:00",
            "repeat_until": "",
            "capacity": "",
        },
    ),
    "meetings:material_add": Creates(TOKEN),
    # job offers
    "joboffers:create": Creates(
        TOKEN,
        lambda: {
            "occupation_code": "411004",
            "employer_nip": "5260250274",
            "employer_regon": "012345675",
        },
    ),
    "joboffers:client_offers": Creates(TOKEN),
    "joboffers:imports": Creates(
        TOKEN, lambda: {"file": SimpleUploadedFile("cbop.json", b"[]")}, only_with="file"
    ),
    # reintegration
    "reintegration:create": Creates(TOKEN),
    "reintegration:goal_add": Creates(TOKEN),
    "reintegration:step_add": Creates(TOKEN),
    "reintegration:review_add": Creates(TOKEN, lambda: {"next_review_date": _today(90)}),
    "agreements:send": Creates("the state: an agreement sent for signature is not sent again"),
    "partners:referral_accept": Creates("the state: an accepted referral is not accepted again"),
    "partners:referral_start": Creates("the state: a started referral is not started again"),
    "meetings:attendance": Creates("one attendance row per person and date, updated"),
    "meetings:event_respond": Creates("one answer per person, replaced"),
    "meetings:feed_settings": Creates("one calendar address per person, replaced"),
    "mfa_generate_recovery_codes": Creates("one set of recovery codes per person, replaced"),
    "agreements:edit": Creates("an edit logs a change only when something changed"),
    "agreements:return": Creates("the state: a returned agreement is not returned again"),
    "agreements:terminate": Creates("the state: a terminated agreement is not terminated again"),
    "clients:access_request": Creates("a pending request for the same client is not made twice"),
    "meetings:minutes": Creates(
        "the minutes of a date are one record, replaced with its decisions"
    ),
    "partners:referral_cancel": Creates("the state: a cancelled referral is not cancelled again"),
    "partners:referral_complete": Creates("the state: a completed referral is not completed again"),
    "partners:referral_decline": Creates("the state: a declined referral is not declined again"),
    "reintegration:close": Creates(TOKEN),
    "reintegration:edit": Creates("an edit logs a change only when something changed"),
    "reintegration:needs": Creates("an edit logs a change only when something changed"),
    "reintegration:step_edit": Creates("an edit logs a change only when something changed"),
    "sepi:lookup_start": Creates("a lookup still pending is not started twice"),
    "reintegration:participant_add": Creates("an institution takes part in a plan once"),
    "notifications:preferences": Creates("one choice per person and kind, replaced"),
    "notifications:digest_hour": Creates("one digest hour per institution, replaced"),
    # messaging
    "messaging:message_post": Creates(TOKEN),
    "messaging:request_new": Creates(TOKEN, lambda: {"due_on": _today(7)}),
    "messaging:announcement_new": Creates(
        TOKEN,
        lambda: {
            "shown_from": _today(),
            "shown_until": _today(7),
            "link": "https://example.org/targi",
        },
    ),
}

EDIT = "changes a record; sent twice it is the same change"
STATE = "moves a record to its next state; the second finds it there"
NO_RECORD: dict[str, str] = {
    "account_login": "logs in",
    "account_reauthenticate": "asks for the password again",
    "account_change_password": EDIT,
    "account_reset_password": "sends an e-mail",
    "account_reset_password_from_key": "sets a password; the key works once",
    "account_confirm_email": "confirms an address; the key works once",
    "mfa_activate_totp": "sets up an authenticator; a user has one",
    "mfa_deactivate_totp": "removes the authenticator",
    "mfa_reauthenticate": "asks for a code again",
    "set_language": "sets the language",
    "indicators:assessment": "edits the party's one self-assessment (unique per report and party)",
    "clients:list": "a search: keeps the query behind a token, saves nothing",
    "joboffers:client_search": "a search: keeps the query behind a token, saves nothing",
    "reintegration:list": "a search: keeps the query behind a token, saves nothing",
    "cooperation:institution": EDIT,
    "cooperation:person_edit": EDIT,
    "cooperation:person_resend": "sends the invitation again (on purpose)",
    "clients:edit": EDIT,
    "clients:share": "shares on a consent; a client is shared with a partner once",
    "clients:share_end": STATE,
    "clients:consent_withdraw": STATE,
    "clients:request_decline": STATE,
    "clients:close": STATE,
    "clients:anonymise": STATE,
    "agreements:accept": STATE,
    "agreements:annex_approve": STATE,
    "agreements:coordinator_remove": "removes a card",
    "partners:service_edit": EDIT,
    "promotion:take": STATE,
    "promotion:close": STATE,
    "promotion:programme_finish": STATE,
    "meetings:event_edit": EDIT,
    "meetings:event_cancel": STATE,
    "meetings:material_remove": "removes a file",
    "meetings:occurrence_cancel": STATE,
    "meetings:occurrence_move": "moves one date of a series; moved again it is the same move",
    "meetings:action_status": EDIT,
    "joboffers:edit": EDIT,
    "joboffers:proposal_edit": EDIT,
    "joboffers:publish": "publishes on boards; an offer is on a board once",
    "joboffers:unpublish": STATE,
    "joboffers:fill": STATE,
    "joboffers:withdraw": STATE,
    "joboffers:board_prints": "prints the week's board; one print a week and kind",
    "sepi:batch_start": "a query, not a record; a running batch is not started twice",
    "notifications:read": STATE,
    "notifications:read_all": STATE,
    "messaging:request_answer": STATE,
    "messaging:request_withdraw": STATE,
}

# Bookkeeping, not records.
_NOT_COUNTED = {AuditEvent, FormSubmission}


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._base_manager.count() for m in project_models() if m not in _NOT_COUNTED
    }


def _made(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in after if after[k] > before.get(k, 0)}


def _errors(response) -> str:
    context = response.context
    if context is None:
        return ""
    contexts = list(context) if isinstance(context, list) else [context]
    values = [v for c in contexts for v in c.flatten().values()]
    return str([v.errors for v in values if getattr(v, "errors", None)])[:600]


def _completed(found: Found) -> dict[str, list[str]]:
    """A value for every field the page left empty, as a user filling in the
    whole form would (the fuzz's plausible body fills only the required ones)."""
    out: dict[str, list[str]] = {}
    for name, f in found.form.fields.items():
        if any(v.strip() for v in f.values) or f.kind in ("submit", "hidden", "file", "password"):
            continue
        if f.kind == "checkbox" and len(f.options) < 2:
            continue  # a yes/no box: left as the page has it
        value = _today() if f.kind == "date" else plausible_value(f)
        if value:
            out[name] = [value]
    return out


def _body(found: Found, case: Creates | None) -> dict[str, list]:
    fill = case.fill() if case else {}
    return {**_filled_in(found), **_completed(found), **{k: [v] for k, v in fill.items()}}


def _distinct(forms: list[Found]) -> list[Found]:
    seen, out = set(), []
    for f in forms:
        key = frozenset(f.form.fields)
        if f.form.method == "post" and key not in seen:
            seen.add(key)
            out.append(f)
    return out


# --- pages where a create form can succeed ----------------------------------------------
# The fuzz's pages show each form; some need more around them for a first POST to
# go through (a partner to consent to, an offer to propose, a case the office took).


def _client_with_a_partner(institution: Institution, owner: User) -> Built:
    agreement_between(institution, InstitutionFactory(county=institution.county))
    return iso._client(institution, owner)


def _plan_with_a_candidate(institution: Institution, owner: User) -> Built:
    from agreements.models import Scope
    from clients.models import Consent
    from clients.services import client_share
    from reintegration.models import ReintegrationPlan

    built = iso._plan(institution, owner)
    client = ReintegrationPlan.objects.get(pk=built.kwargs["pk"]).client
    other = InstitutionFactory(county=institution.county)
    agreement_between(institution, other, [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS])
    consent = Consent.objects.create(
        client=client,
        partner=other,
        basis="statutory",
        scopes=["client_records", "joint_plans"],
        given_on=timezone.localdate(),
        valid_until=timezone.localdate() + dt.timedelta(days=365),
        recorded_by=owner,
    )
    client_share(client=client, partner=other, consent=consent, acting_user=owner)
    return built


def _client_and_an_offer(institution: Institution, owner: User) -> Built:
    from agreements.models import Scope
    from joboffers.services import offer_create, offer_publish

    office = InstitutionFactory(kind=InstitutionKind.PUP, county=institution.county)
    agreement_between(office, institution, [Scope.JOB_OFFERS])
    advisor = member(office, Role.CLIENT_ADVISOR)
    offer_publish(
        offer=offer_create(acting_user=advisor, **iso._offer_fields()), acting_user=advisor
    )
    return iso._client_for_offers(institution, owner)


def _case_taken(institution: Institution, owner: User) -> Built:
    from promotion.models import PromotionCase
    from promotion.services import case_take

    built = iso._promotion_case_received(institution, owner)
    advisor = member(institution, Role.CLIENT_ADVISOR)
    case_take(case=PromotionCase.objects.get(pk=built.kwargs["pk"]), acting_user=advisor)
    return built


def _programme_to_propose(institution: Institution, owner: User) -> Built:
    from agreements.models import Scope

    from .factories import ClientFactory
    from .promotion.helpers import completed_programme, consent_for

    pup = InstitutionFactory(kind=InstitutionKind.PUP, county=institution.county)
    agreement_between(institution, pup, [Scope.CLIENT_RECORDS, Scope.PROMOTION])
    client = ClientFactory(owner=institution, created_by=owner)
    consent_for(client, owner, pup)
    return Built({"pk": completed_programme(client, owner).pk}, [])


def _cis_referral_and_an_office(institution: Institution, owner: User) -> Built:
    from agreements.models import Scope
    from partners.models import Referral

    from .formpages import _completed_cis_referral
    from .promotion.helpers import consent_for

    built = _completed_cis_referral(institution, owner)
    client = Referral.objects.get(pk=built.kwargs["pk"]).client
    pup = InstitutionFactory(kind=InstitutionKind.PUP, county=institution.county)
    agreement_between(institution, pup, [Scope.CLIENT_RECORDS, Scope.PROMOTION])
    agreement_between(client.owner, pup, [Scope.CLIENT_RECORDS, Scope.PROMOTION])
    consent_for(client, member(client.owner, Role.SOCIAL_WORKER), pup)
    return built


def _a_partner_in_force(institution: Institution, owner: User) -> Built:
    from agreements.models import Scope

    agreement_between(
        institution, InstitutionFactory(county=institution.county), [Scope.JOB_OFFERS]
    )
    return Built({}, [])


PAGES: dict[str, Scenario] = {
    s.url_name: s
    for s in [
        Scenario("clients:consent_add/partner", "clients:consent_add", _client_with_a_partner),
        Scenario("reintegration:participant_add/candidate", "reintegration:participant_add",
                 _plan_with_a_candidate),
        Scenario("joboffers:client_offers/offer", "joboffers:client_offers", _client_and_an_offer),
        Scenario("promotion:action/taken", "promotion:action", _case_taken),
        Scenario("promotion:propose/fresh", "promotion:propose", _programme_to_propose),
        Scenario("promotion:propose_referral/office", "promotion:propose_referral",
                 _cis_referral_and_an_office),
        Scenario("messaging:announcement_new/partner", "messaging:announcement_new",
                 _a_partner_in_force),
    ]
}  # fmt: skip


def _forms_for(client, url_name: str, cast, own: Institution, owner: User, who: str) -> list[Found]:
    """The POST forms to `url_name` on the first page showing one to `own`'s
    people: PAGES, then the fuzz's pages for a particular state, then the rest."""
    pages = [s for s in SCENARIOS if s.url_name == url_name or s.id == HOSTS.get(url_name)]
    pages.sort(key=lambda s: "/" not in s.id)
    for scenario in [p for p in [PAGES.get(url_name)] if p] + pages:
        savepoint = transaction.savepoint()
        fresh = Institution.objects.get(pk=own.pk)  # a builder may change its kind
        page = build_page(scenario, fresh, User.objects.get(pk=owner.pk))
        for user in sorted(scenario.users, key=lambda u: u != who):
            found = read_page(client, page, cast, (user,)).found
            mine = [f for f in found if f.target == url_name and not f.link]
            if mine := [f for f in mine if f.form.method == "post"]:
                transaction.savepoint_commit(savepoint)
                return mine
        transaction.savepoint_rollback(savepoint)
    return []


TARGETS = sorted(({s.url_name for s in SCENARIOS} | set(HOSTS)) - set(EXEMPT) - set(NO_FORM))


@pytest.mark.parametrize("url_name", TARGETS)
def test_the_same_post_twice_saves_once(client, url_name, own, owner, partner) -> None:
    cast = make_cast(own, owner, partner)
    case, reason = CREATES.get(url_name), NO_RECORD.get(url_name)
    forms = _distinct(_forms_for(client, url_name, cast, own, owner, case.who if case else ""))
    if case and case.only_with:
        forms = [f for f in forms if case.only_with in f.form.fields]
        assert forms, f"{url_name}: no form with {case.only_with}"
    if not forms:
        assert case is None and reason is None, f"{url_name} is registered but shows no POST form"
        return
    assert case or reason, (
        f"{url_name} has a POST form: register it in CREATES (with its guard against a "
        f"second POST) or in NO_RECORD (with why it makes no record) in tests/test_resubmit.py"
    )
    for found in forms:
        where = f"POST {found.form.action} ({url_name}, as {found.who})"
        log_in(client, cast[found.who])
        if case and case.guard == TOKEN:
            assert "form_token" in found.form.fields, f"{where}: the form renders no form_token"

        before = _counts()
        first = client.post(found.form.action, _body(found, case))
        assert first.status_code < 500, f"{where} gave {first.status_code}"
        middle = _counts()
        made = _made(before, middle)
        if case is None:
            assert not made, f"{where} made {made}: it creates, move it to CREATES with its guard"
            continue
        assert made, (
            f"{where} made nothing the first time ({first.status_code}): "
            f"fix its fill in CREATES. Errors: {_errors(first)}"
        )
        second = client.post(found.form.action, _body(found, case))
        again = _made(middle, _counts())
        assert not again, f"{where} sent twice made {again} the second time"
        assert second.status_code in (200, 301, 302, 303), (
            f"{where} twice gave {second.status_code}"
        )
        if case.guard == TOKEN:
            assert second.status_code == 302, f"{where} twice gave {second.status_code}"
            assert second["Location"] == first["Location"], (
                f"{where} twice led to {second['Location']}, not to {first['Location']}"
            )


def test_the_registries_name_real_urls() -> None:
    stale = (set(CREATES) | set(NO_RECORD)) - set(TARGETS)
    assert not stale, f"no such POST target: {stale}"
    assert not set(CREATES) & set(NO_RECORD)
    assert apps.get_model("cooperation", "FormSubmission") in project_models()
