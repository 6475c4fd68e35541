"""The client access table (clients.access) equals the visibility the rules give,
after any sequence of the changes that move it; the list reads it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.models import Scope, Status
from agreements.services import agreement_terminate
from clients.access import access_drift, access_fix
from clients.models import Client, ClientAccess, ClientStatus, LegalBasis
from clients.services import (
    client_anonymise_expired,
    client_close,
    client_register,
    client_share,
    client_unshare,
    client_update,
    consent_record,
    consent_withdraw,
    consents_run_daily,
)
from cooperation.models import InstitutionKind, Role
from cooperation.permissions import visible
from cooperation.validators import make_pesel

from ..factories import ClientFactory, InstitutionFactory, agreement_between, member


def _visible_ids(user) -> set[int]:  # type: ignore[no-untyped-def]
    return set(visible(Client, user).values_list("pk", flat=True))


def _table_ids(institution) -> set[int]:  # type: ignore[no-untyped-def]
    return set(
        ClientAccess.objects.filter(institution=institution).values_list("client_id", flat=True)
    )


def test_registering_writes_the_owners_row_with_the_sort_keys(own, owner) -> None:
    c = ClientFactory(owner=own, first_name="Łucja", last_name="Świątkowska")
    row = ClientAccess.objects.get(client=c)
    assert (row.institution_id, row.is_owner, row.last_name, row.search_name, row.pesel) == (
        own.pk,
        True,
        "Świątkowska",
        "swiatkowska lucja",
        c.pesel,
    )


def test_an_edit_of_the_name_or_status_reaches_every_row(own, owner, partner) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    c = ClientFactory(owner=own, created_by=owner)
    consent = consent_record(
        client=c,
        acting_user=owner,
        partner=partner,
        basis=LegalBasis.STATUTORY_TASK,
        scopes=[Scope.CLIENT_RECORDS],
        given_on=timezone.localdate(),
    )
    client_share(client=c, partner=partner, consent=consent, acting_user=owner)
    data = {f: getattr(c, f) for f in ("pesel", "first_name", "last_name", "no_pesel_reason")}
    client_update(client=c, acting_user=owner, data={**data, "last_name": "Zięba"})
    assert set(ClientAccess.objects.filter(client=c).values_list("last_name", flat=True)) == {
        "Zięba"
    }
    client_close(client=c, acting_user=owner)
    # Closing ends the sharing: the partner's row goes, the owner's says closed.
    assert list(ClientAccess.objects.filter(client=c).values_list("institution_id", "status")) == [
        (own.pk, ClientStatus.CLOSED)
    ]


def test_the_check_finds_drift_and_fix_repairs_it(own, owner, capsys) -> None:
    c = ClientFactory(owner=own)
    ClientAccess.objects.filter(client=c).update(last_name="Stale")
    ClientAccess.objects.create(
        institution=InstitutionFactory(), client=c, last_name="x", first_name="y", status="active"
    )
    with pytest.raises(SystemExit):
        call_command("access_check")
    out = capsys.readouterr().out
    assert "extra (a row, not visible): 1" in out and "stale" in out
    call_command("access_check", "--fix")
    assert not access_drift()
    call_command("access_check")  # exits 0 now


def test_the_nightly_check_mails_counts_only(own, owner, settings, mailoutbox) -> None:
    from clients.tasks import access_check_nightly

    settings.ADMINS = [("Admin", "admin@example.pl")]
    c = ClientFactory(owner=own, last_name="Tajemnicza")
    ClientAccess.objects.filter(client=c).delete()
    assert access_check_nightly() == {"missing": 1, "extra": 0, "stale": 0}
    (message,) = mailoutbox
    assert "missing: 1" in message.body
    assert "Tajemnicza" not in message.body and c.pesel not in message.body
    access_fix(access_drift())  # the drift was made here; the module's check needs none


@pytest.mark.parametrize("rows", [3, 40])
def test_the_list_costs_the_same_queries_for_any_size_with_filters(
    client, django_assert_max_num_queries, own, owner, rows
) -> None:
    for _ in range(rows):
        ClientFactory(owner=own, last_name="Nowak")
    client.force_login(owner)
    url = client.post(reverse("clients:list"), {"q": "nowak", "status": "active"})["Location"]
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200 and response.content.decode().count("Nowak") >= 3


def test_the_list_filters_own_and_shared_through_the_table(
    client, own, owner, partner, partner_user
) -> None:
    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    theirs = ClientFactory(owner=own, last_name="Udostępniona")
    consent = consent_record(
        client=theirs,
        acting_user=owner,
        partner=partner,
        basis=LegalBasis.STATUTORY_TASK,
        scopes=[Scope.CLIENT_RECORDS],
        given_on=timezone.localdate(),
    )
    client_share(client=theirs, partner=partner, consent=consent, acting_user=owner)
    ClientFactory(owner=partner, last_name="Własna")
    client.force_login(partner_user)
    shared = client.post(reverse("clients:list"), {"held": "shared"}, follow=True)
    body = shared.content.decode()
    assert "Udostępniona" in body and "Własna" not in body
    own_rows = client.post(reverse("clients:list"), {"held": "own"}, follow=True)
    body = own_rows.content.decode()
    assert "Własna" in body and "Udostępniona" not in body


# --- random sequences ------------------------------------------------------------------

STEPS = [
    "register",
    "consent",
    "share",
    "unshare",
    "withdraw",
    "lapse",
    "agreement_end",
    "edit",
    "close",
    "anonymise",
]


@pytest.fixture
def world(own, owner, partner):  # type: ignore[no-untyped-def]
    third = InstitutionFactory(kind=InstitutionKind.PCPR, short_name="pcpr-test")
    agreements = [
        agreement_between(own, partner, [Scope.CLIENT_RECORDS]),
        agreement_between(own, third, [Scope.CLIENT_RECORDS]),
    ]
    return {
        "own": own,
        "owner": owner,
        "coordinator": member(own, Role.COORDINATOR),
        "partners": [partner, third],
        "viewers": {
            own.pk: owner,
            partner.pk: member(partner, Role.CLIENT_ADVISOR),
            third.pk: member(third, Role.SOCIAL_WORKER),
        },
        "agreements": agreements,
    }


def _consent(client, owner, partner, i: int):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return consent_record(
        client=client,
        acting_user=owner,
        partner=partner,
        basis=LegalBasis.STATUTORY_TASK,
        scopes=[Scope.CLIENT_RECORDS],
        given_on=today - dt.timedelta(days=i),
        valid_until=today + dt.timedelta(days=i % 3),
    )


def _step(world, state, name: str, i: int) -> None:  # type: ignore[no-untyped-def]
    owner, own = world["owner"], world["own"]
    clients = list(Client.objects.filter(owner=own).order_by("pk"))
    client = clients[i % len(clients)] if clients else None
    partner = world["partners"][i % 2]
    today = timezone.localdate()
    if name == "register" or client is None:
        n = state["n"] = state["n"] + 1
        client_register(
            acting_user=owner,
            data={
                "pesel": make_pesel(dt.date(1980, 1, 1) + dt.timedelta(days=n), n, female=True),
                "first_name": "Anna",
                "last_name": f"Żak{n}",
            },
        )
    elif name == "consent":
        _consent(client, owner, partner, i)
    elif name == "share":  # on the partner's latest consent, or a new one
        consent = client.consents.filter(partner=partner).order_by("-pk").first()
        if consent is None or not consent.is_active:
            consent = _consent(client, owner, partner, i)
        client_share(client=client, partner=partner, consent=consent, acting_user=owner)
    elif name == "unshare":
        share = client.shares.filter(ended_at__isnull=True).first()
        if share is None:
            return
        client_unshare(share=share, acting_user=owner, reason="koniec")
    elif name == "withdraw":
        consent = client.consents.filter(withdrawn_at__isnull=True).first()
        if consent is None:
            return
        consent_withdraw(consent=consent, acting_user=owner)
    elif name == "lapse":  # the clock moves past the consents' dates
        consents_run_daily(today=today + dt.timedelta(days=1 + i % 3))
    elif name == "agreement_end":
        agreement = world["agreements"][i % 2]
        agreement.refresh_from_db()
        agreement_terminate(
            agreement=agreement,
            acting_user=world["coordinator"],
            reason="koniec",
            notice_days=0,
            without_notice=True,
        )
    elif name == "edit":
        data = {f: getattr(client, f) for f in ("pesel", "first_name", "no_pesel_reason")}
        client_update(client=client, acting_user=owner, data={**data, "last_name": f"Nowy{i}"})
    elif name == "close":
        client_close(client=client, acting_user=owner)
    elif name == "anonymise":
        client_anonymise_expired(client=client, today=today + dt.timedelta(days=366 * 20))


def _assert_table_is_visibility(world) -> None:  # type: ignore[no-untyped-def]
    assert not access_drift()
    for institution_id, user in world["viewers"].items():
        user.__dict__.pop("_active_membership", None)
        assert _table_ids(institution_id) == _visible_ids(user)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(STEPS), st.integers(min_value=0, max_value=7)),
        min_size=1,
        max_size=14,
    )
)
def test_after_every_step_the_table_equals_the_visibility(world, steps) -> None:  # type: ignore[no-untyped-def]
    state = {"n": 0}
    with transaction.atomic():  # each example starts from the same world
        for name, i in steps:
            try:
                with transaction.atomic():
                    _step(world, state, name, i)
            except ValidationError:
                pass  # a step the state refuses (nothing to withdraw, closed client…)
            _assert_table_is_visibility(world)
        transaction.set_rollback(True)
    for agreement in world["agreements"]:
        agreement.refresh_from_db()
        assert agreement.status == Status.ACTIVE
