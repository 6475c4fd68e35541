"""Tenant isolation in the Django admin, for every registered ModelAdmin.

A staff user of another institution — an institution administrator holding
*every* model permission, so only the admin's scoping stands in the way — must
not list, open, change, delete or see the history of `own`'s rows; their add
and change forms (foreign-key choices, raw ids, autocomplete) must not offer
or name them either. The loop runs over `admin.site._registry`, so a newly
registered model is checked as soon as it exists; if `populate()` makes no row
of it, the test says so.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse

from clients.models import Client
from cooperation.models import Institution, Role, User
from cooperation.permissions import owned_by, policy_for

from .factories import member
from .formpages import populate, rolled_back
from .pageforms import page_forms
from .snapshots import TenantSnapshot, diff

REFUSED = (302, 403, 404)  # the admin redirects to its index for a row it cannot find
MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


def rows_of(model: type[Model], institutions: list[Institution]) -> QuerySet:
    """The rows of `model` that belong to `institutions`."""
    pks = [i.pk for i in institutions]
    if model is Institution:
        return Institution.objects.filter(pk__in=pks)
    if model is User:
        return User.objects.filter(memberships__institution__in=pks).distinct()
    if model is Group:
        return Group.objects.filter(institution__in=pks)
    try:
        policy_for(model)
    except LookupError:
        # Third-party models of a person (e-mail addresses, authenticators).
        return model._default_manager.filter(user__memberships__institution__in=pks).distinct()
    qs = model._default_manager.none()
    for institution in institutions:
        qs = qs | owned_by(model, institution)
    return qs.distinct()


def _url(model: type[Model], view: str, *args: object) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def _text(response) -> str:
    return response.content.decode(errors="replace")


@pytest.fixture
def world(own: Institution, foreign: Institution) -> dict[str, object]:
    """Everything for `own`'s county and for the intruder's; what must not show."""
    mine = populate(own)
    theirs = populate(foreign)
    victims = list(Institution.objects.filter(county=own.county))
    secrets = set(mine) - set(theirs)  # the builders reuse some words in both
    secrets |= {str(c) for c in Client.objects.filter(owner__in=victims)}
    intruder = member(foreign, Role.INSTITUTION_ADMIN, username="obcy-admin", is_staff=True)
    intruder.user_permissions.set(Permission.objects.all())
    return {"victims": victims, "secrets": sorted(secrets), "intruder": intruder}


def _no_secrets(where: str, text: str, secrets: list[str]) -> None:
    # Whole words: "ul. Sekretna 1" of theirs is inside "ul. Sekretna 12" of the intruder's.
    leaked = [s for s in secrets if s and re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text)]
    assert not leaked, f"{where} shows {leaked}"


def _check_model(
    client, model: type[Model], world: dict[str, object], foreign: Institution
) -> None:
    victims, secrets = world["victims"], world["secrets"]
    theirs = rows_of(model, victims)
    pks = list(theirs.values_list("pk", flat=True)[:3])
    assert pks, f"populate() makes no row of {model._meta.label}: extend it"
    snapshot = TenantSnapshot(victims)
    before = snapshot.take()

    changelist = client.get(_url(model, "changelist"))
    if changelist.status_code == 200:
        listed = {obj.pk for obj in changelist.context["cl"].result_list}
        assert not listed & set(theirs.values_list("pk", flat=True)), "the changelist lists them"
        _no_secrets("the changelist", _text(changelist), secrets)
    else:
        assert changelist.status_code in REFUSED

    for pk in pks:
        for view in ("change", "delete", "history"):
            url = _url(model, view, pk)
            if url is None:
                continue
            response = client.get(url)
            assert response.status_code in REFUSED, f"GET {url}: {response.status_code}"
            _no_secrets(f"GET {url}", _text(response), secrets)
            # The delete confirmation, or a save of the change form.
            client.post(url, {"post": "yes", "_save": "Save"})
    assert not diff(before, snapshot.take()), "a change or delete went through"

    # The intruder's own rows and add form offer none of theirs as a choice.
    forms = [_url(model, "add")]
    if mine := rows_of(model, [foreign]).first():
        forms.append(_url(model, "change", mine.pk))
    for url in filter(None, forms):
        response = client.get(url)
        if response.status_code != 200:
            continue
        _no_secrets(f"GET {url}", _text(response), secrets)
        for form in page_forms(_text(response), url):
            if form.method != "post":
                continue
            body = form.plausible()
            for name, field in form.fields.items():
                target = getattr(model._meta._forward_fields_map.get(name), "related_model", None)
                if field.kind in ("text", "select", "hidden") and target in admin.site._registry:
                    victim = rows_of(target, victims).first()
                    if victim is not None:
                        body[name] = [str(victim.pk)]  # a raw id, or a choice not offered
            client.post(url, body)
    assert not diff(before, snapshot.take()), "an add or change attached a row to theirs"

    for name in getattr(admin.site._registry[model], "autocomplete_fields", ()):
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": name,
            },
        )
        ok = response.status_code == 200
        found = {r["id"] for r in response.json()["results"]} if ok else set()
        target = model._meta.get_field(name).related_model
        assert not found & {str(pk) for pk in rows_of(target, victims).values_list("pk", flat=True)}


def test_an_intruders_admin_never_reaches_own_rows(client, subtests, world, foreign) -> None:
    client.force_login(world["intruder"])
    for model in MODELS:
        with subtests.test(model._meta.label), rolled_back():
            _check_model(client, model, world, foreign)


def test_the_intruder_does_see_their_own_rows(client, world, foreign) -> None:
    # Guards the test above: the intruder's admin works, it is only scoped.
    client.force_login(world["intruder"])
    mine = rows_of(Client, [foreign]).first()
    listed = client.get(_url(Client, "changelist")).context["cl"].result_list
    assert mine.pk in {c.pk for c in listed}
    assert client.get(_url(Client, "change", mine.pk)).status_code == 200


def test_a_choice_shared_with_the_institution_is_still_allowed(client, world, foreign) -> None:
    # The offer of a proposal belongs to a labour office and is shared with the
    # board's institution: the scoped choices must keep it, or the row cannot be saved.
    from joboffers.models import OfferProposal

    proposal = OfferProposal.objects.filter(institution=foreign).first()
    assert proposal.offer.institution != foreign
    url = _url(OfferProposal, "change", proposal.pk)
    client.force_login(world["intruder"])
    (form,) = [f for f in page_forms(_text(client.get(url)), url) if f.path == url]
    body = {**form.plausible(), "note": ["Poprawiona notatka"]}
    assert client.post(url, body).status_code == 302
    proposal.refresh_from_db()
    assert proposal.note == "Poprawiona notatka"


def test_an_institution_admin_cannot_move_into_another_institution(client, world, own) -> None:
    # The membership inline on the user page offered every institution: ending
    # one's own membership and adding one as a coordinator of `own` worked.
    intruder = world["intruder"]
    client.force_login(intruder)
    url = _url(User, "change", intruder.pk)
    (form,) = [f for f in page_forms(_text(client.get(url)), url) if f.path == url]
    body = form.plausible()
    body.pop("memberships-0-is_active", None)  # end the intruder's own membership...
    body.update(
        {  # ...and start one in `own`
            "memberships-TOTAL_FORMS": ["2"],
            "memberships-INITIAL_FORMS": ["1"],
            "memberships-0-id": [str(intruder.memberships.get().pk)],
            "memberships-0-institution": [str(intruder.memberships.get().institution_id)],
            "memberships-0-role": [Role.INSTITUTION_ADMIN],
            "memberships-1-institution": [str(own.pk)],
            "memberships-1-role": [Role.COORDINATOR],
            "memberships-1-is_active": ["on"],
        }
    )
    client.post(url, body)
    assert not intruder.memberships.filter(institution=own).exists()
    assert intruder.memberships.get().is_active
