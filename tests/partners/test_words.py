"""The referral's words: the person addressed as their sex, hours in Polish numbers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.urls import reverse

from clients.timeline import timeline_for
from partners import services

from ..pdfs import pdf_text
from .conftest import TODAY, refer


def test_the_printed_referral_addresses_a_woman_as_pania(
    client, owner, person, offer, covered
) -> None:
    assert person.sex == "F"
    referral = refer(owner, person, offer)
    client.force_login(owner)
    text = pdf_text(client.get(reverse("partners:referral_pdf", args=[referral.pk])).content)
    assert "Kierujemy Panią:" in text and "Panią / Pana" not in text


def test_the_printed_referral_addresses_a_man_as_pana(
    client, owner, person, offer, covered
) -> None:
    person.sex = "M"
    person.save(update_fields=["sex"])
    referral = refer(owner, person, offer)
    client.force_login(owner)
    text = pdf_text(client.get(reverse("partners:referral_pdf", args=[referral.pk])).content)
    assert "Kierujemy Pana:" in text


def test_hours_read_with_a_decimal_comma_everywhere(
    client, owner, person, offer, staff, covered
) -> None:
    referral = refer(owner, person, offer)
    services.referral_accept(
        referral=referral,
        acting_user=staff,
        start_date=TODAY,
        end_date=TODAY + dt.timedelta(days=30),
    )
    services.delivery_record(
        referral=referral,
        acting_user=staff,
        delivered_on=TODAY,
        kind="individual",
        hours=Decimal("1.5"),
    )
    client.force_login(staff)
    body = client.get(reverse("partners:referral", args=[referral.pk])).content.decode()
    body = re.sub(r"<svg.*?</svg>", "", body, flags=re.S)  # icons' path data has decimals
    assert "1,5" in body and "1.5" not in body
    titles = " ".join(e.title for e in timeline_for(person, owner))
    assert "1,5 godz." in titles and "1.5" not in titles
    assert "1,5 godz." in body
