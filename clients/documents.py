"""Paper the client signs: the consent form with the GDPR art. 13 information
clause, and the matching withdrawal form.

The form offers each partner with the purposes its agreement in force covers
(`selectors.consent_purposes`); the worker may narrow that choice, and the same
choice travels in the link that records the signed consent, so what was
printed is what the record form starts from.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from agreements.models import Scope
from cooperation import processing
from cooperation.models import Institution
from cooperation.processing import SpecialCategoryGround

from .models import Client, Consent


def chosen_purposes(query: QueryDict, offered: Mapping[int, list[str]]) -> dict[int, list[str]]:
    """?choice=<partner id>:<purpose> narrowed to what is offered; nothing chosen: all of it."""
    chosen: dict[int, list[str]] = {}
    for value in query.getlist("choice"):
        partner, _sep, purpose = value.partition(":")
        if partner.isascii() and partner.isdigit() and purpose in offered.get(int(partner), []):
            chosen.setdefault(int(partner), [])
            if purpose not in chosen[int(partner)]:
                chosen[int(partner)].append(purpose)
    if not query.getlist("choice"):
        chosen = {pk: list(purposes) for pk, purposes in offered.items()}
    return {pk: [p for p in offered[pk] if p in purposes] for pk, purposes in chosen.items()}


def choice_query(chosen: Mapping[int, list[str]], *, explicit: bool) -> str:
    pairs = [("choice", f"{pk}:{p}") for pk, purposes in chosen.items() for p in purposes]
    if explicit:
        pairs.append(("explicit", "1"))
    return urlencode(pairs)


def record_links(client: Client, chosen: Mapping[int, list[str]], *, explicit: bool) -> list:
    """(partner, link to the consent record form carrying what the paper offered)."""
    partners = Institution.objects.in_bulk(list(chosen))
    links = []
    for pk, purposes in chosen.items():
        query = [("partner", str(pk)), *[("purpose", p) for p in purposes]]
        if explicit and Scope.JOINT_PLANS in purposes:
            query.append(("ground", SpecialCategoryGround.EXPLICIT_CONSENT))
        url = f"{reverse('clients:consent_add', args=[client.pk])}?{urlencode(query)}"
        links.append((partners[pk], [Scope(p).label for p in purposes], url))
    return sorted(links, key=lambda link: link[0].name)


def _validity_months(purposes: list[str]) -> int:
    months = settings.CONSENT_VALIDITY_MONTHS
    return min(months.get(p, months["default"]) for p in [*purposes, "default"])


def clause_context(controller: Institution) -> dict[str, object]:
    """The information clause (GDPR art. 13) of one controller, from the declarations."""
    return {
        "controller": controller,
        "controller_gaps": processing.controller_gaps(controller),
        "declarations": processing.declarations_for(controller),
        "bases": processing.legal_bases_in_use(),
    }


def consent_form_context(
    client: Client, chosen: Mapping[int, list[str]], *, explicit: bool
) -> dict[str, object]:
    partners = Institution.objects.in_bulk(list(chosen))
    rows = sorted(
        (
            (partners[pk], [Scope(p).label for p in purposes], _validity_months(purposes))
            for pk, purposes in chosen.items()
        ),
        key=lambda row: row[0].name,
    )
    return {
        "client": client,
        "rows": rows,
        "explicit": explicit,
        "today": timezone.localdate(),
        **clause_context(client.owner),
    }


def withdrawal_context(consent: Consent) -> dict[str, object]:
    return {
        "consent": consent,
        "client": consent.client,
        "purposes": consent.scope_labels,
        "today": timezone.localdate(),
        **clause_context(consent.client.owner),
    }
