"""The agreement's words: the party clause, the signing button, the terms' dates."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from agreements.models import Scope, Status

from ..factories import agreement_between
from ..pdfs import pdf_text

TODAY = timezone.localdate()


def test_the_pdf_names_each_party_without_declining_its_name(
    client, own, partner, coordinator
) -> None:
    agreement = agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    client.force_login(coordinator)
    text = " ".join(
        pdf_text(client.get(reverse("agreements:pdf", args=[agreement.pk])).content).split()
    )
    assert "Strony porozumienia:" in text
    assert "w imieniu strony działa: Anna Nowak – Dyrektor" in text
    assert "reprezentowanym" not in text and "zawarte pomiędzy" not in text


def test_sending_asks_to_sign_and_send_to_the_partners(client, own, partner, coordinator) -> None:
    agreement = agreement_between(own, partner, status=Status.DRAFT)
    client.force_login(agreement.created_by)
    body = client.get(reverse("agreements:send", args=[agreement.pk])).content.decode()
    assert "Podpisz i wyślij partnerom" in body
    assert "wyślij do podpisu" not in body


def test_an_agreement_starting_later_says_when_it_comes_into_force(
    client, own, partner, coordinator
) -> None:
    start = TODAY + dt.timedelta(days=20)
    agreement = agreement_between(own, partner, valid_from=start)
    client.force_login(coordinator)
    body = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "Porozumienie zacznie obowiązywać" in body
    assert "nie obowiązywało" not in body


def test_a_date_before_the_start_says_it_was_not_yet_in_force(
    client, own, partner, coordinator
) -> None:
    agreement = agreement_between(own, partner, valid_from=TODAY - dt.timedelta(days=5))
    client.force_login(coordinator)
    body = client.get(
        reverse("agreements:detail", args=[agreement.pk]),
        {"on": (TODAY - dt.timedelta(days=30)).isoformat()},
    ).content.decode()
    assert "jeszcze nie obowiązywało: weszło w życie" in body
