"""Announcements across the network: a coordinator posts to partners with an agreement
in force (all or some), they see it while its dates hold, others never; one for
clients prints as a large-type A4 notice."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import Scope
from cooperation.models import Role
from messaging.models import Announcement
from messaging.selectors import current_announcements
from messaging.services import announcement_post

from ..conftest import shifted_now
from ..factories import InstitutionFactory, agreement_between, member
from ..pdfs import pdf_pages, pdf_text, pdf_to_png

pytestmark = pytest.mark.django_db


def _post(coordinator, recipients, *, start=0, days=10, **extra):
    today = timezone.localdate()
    return announcement_post(
        acting_user=coordinator,
        title=extra.pop("title", "Targi pracy w Skarżysku"),
        text=extra.pop("text", "Hala sportowa, 10:00–14:00. Wstęp wolny."),
        shown_from=today + dt.timedelta(days=start),
        shown_until=today + dt.timedelta(days=start + days),
        recipients=recipients,
        **extra,
    )


@pytest.fixture
def network(own, partner):
    """`partner` (PUP) and `gops` have agreements in force with `own`; `stranger`
    (same county) has none; `ended` had one that ended."""
    agreement_between(own, partner, [Scope.JOB_OFFERS])
    gops = InstitutionFactory(county=own.county, name="GOPS Wybrany")
    agreement_between(own, gops, [Scope.REFERRALS])
    stranger = InstitutionFactory(county=own.county, name="OPS Bez Porozumienia")
    ended = InstitutionFactory(county=own.county, name="CIS Po Porozumieniu")
    agreement_between(
        own,
        ended,
        [Scope.REFERRALS],
        valid_from=timezone.localdate() - dt.timedelta(days=400),
        valid_until=timezone.localdate() - dt.timedelta(days=1),
    )
    return {"pup": partner, "gops": gops, "stranger": stranger, "ended": ended}


def test_only_the_chosen_partners_in_force_and_the_sender_see_it(
    client, own, coordinator, network, outsider
) -> None:
    ann = _post(coordinator, [network["pup"]])
    seen_by = {
        name: ann in current_announcements(member(inst, Role.SOCIAL_WORKER))
        for name, inst in network.items()
    }
    assert seen_by == {"pup": True, "gops": False, "stranger": False, "ended": False}
    assert ann in current_announcements(member(own, Role.SOCIAL_WORKER))
    assert ann not in current_announcements(outsider)
    client.force_login(member(network["gops"], Role.COORDINATOR))
    assert client.get(ann.get_absolute_url()).status_code == 404
    client.force_login(member(network["pup"], Role.CLIENT_ADVISOR))
    page = client.get(ann.get_absolute_url()).content.decode()
    assert "Targi pracy w Skarżysku" in page
    assert "GOPS Wybrany" not in page  # a recipient does not see who else was chosen


def test_only_partners_with_an_agreement_in_force_can_be_chosen(coordinator, network) -> None:
    for wrong in ("stranger", "ended"):
        with pytest.raises(ValidationError) as exc:
            _post(coordinator, [network[wrong]])
        assert "recipients" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _post(coordinator, [])


def test_only_a_coordinator_posts(own, network) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _post(member(own, Role.SOCIAL_WORKER), [network["pup"]])


def test_the_dates_are_checked_and_respected(coordinator, network) -> None:
    with pytest.raises(ValidationError) as exc:
        _post(coordinator, [network["pup"]], start=5, days=-2)
    assert "shown_until" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _post(coordinator, [network["pup"]], start=-1)
    assert "shown_from" in exc.value.message_dict
    ann = _post(coordinator, [network["pup"]], start=2, days=3)  # shown days 2 to 5
    reader = member(network["pup"], Role.CLIENT_ADVISOR)
    base = timezone.localdate()
    for offset, shown in ((1, False), (2, True), (5, True), (6, False)):
        noon = dt.datetime.combine(base + dt.timedelta(days=offset), dt.time(12))
        with time_machine.travel(shifted_now(noon.isoformat()), tick=False):
            assert (ann in current_announcements(reader)) is shown, offset


def test_the_partner_and_the_sender_see_it_on_the_home_page(
    client, own, coordinator, network
) -> None:
    _post(coordinator, [network["pup"], network["gops"]], title="Szkolenie z prawa pracy")
    home = client
    home.force_login(member(network["pup"], Role.CLIENT_ADVISOR))
    assert reverse("messaging:home_announcements") in home.get(reverse("home")).content.decode()
    assert (
        "Szkolenie z prawa pracy"
        in home.get(reverse("messaging:home_announcements")).content.decode()
    )
    home.force_login(member(own, Role.SOCIAL_WORKER))
    assert (
        "Szkolenie z prawa pracy"
        in home.get(reverse("messaging:home_announcements")).content.decode()
    )
    home.force_login(member(network["stranger"], Role.COORDINATOR))
    assert (
        "Szkolenie z prawa pracy"
        not in home.get(reverse("messaging:home_announcements")).content.decode()
    )


def test_the_form_posts_with_an_attachment_and_all_partners_ticked(
    client, own, coordinator, network
) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("messaging:announcement_new")).content.decode()
    assert page.count("checked") >= 2  # every partner in force ticked at the start
    today = timezone.localdate()
    response = client.post(
        reverse("messaging:announcement_new"),
        {
            "title": "Nabór do CIS",
            "text": "Zapisy w pokoju 12.",
            "shown_from": today.isoformat(),
            "shown_until": (today - dt.timedelta(days=1)).isoformat(),
            "recipients": [network["pup"].pk],
        },
    )
    assert response.status_code == 200 and not Announcement.objects.exists()
    assert "Nabór do CIS" in response.content.decode()
    response = client.post(
        reverse("messaging:announcement_new"),
        {
            "title": "Nabór do CIS",
            "text": "Zapisy w pokoju 12.",
            "shown_from": today.isoformat(),
            "shown_until": (today + dt.timedelta(days=5)).isoformat(),
            "recipients": [network["pup"].pk, network["gops"].pk],
            "attachment": SimpleUploadedFile("nabór.pdf", b"%PDF-1.4 ulotka"),
            "link": "https://example.org/cis",
        },
    )
    ann = Announcement.objects.get()
    assert response.status_code == 302
    assert set(ann.recipients.all()) == {network["pup"], network["gops"]}
    client.force_login(member(network["gops"], Role.COORDINATOR))
    download = client.get(reverse("messaging:announcement_file", args=[ann.pk]))
    assert (
        download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 ulotka"
    )


def test_an_announcement_for_clients_prints_as_a_large_type_notice(
    client, own, coordinator, network
) -> None:
    ann = _post(
        coordinator,
        [network["pup"]],
        title="Bezpłatne szkolenie: obsługa wózka widłowego",
        text="Dla osób bezrobotnych. Zgłoszenia do 15 dnia miesiąca.\nLiczba miejsc: 12.",
        link="https://example.org/wozki",
        for_clients=True,
    )
    client.force_login(member(network["pup"], Role.CLIENT_ADVISOR))
    response = client.get(reverse("messaging:announcement_pdf", args=[ann.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    for expected in ("OGŁOSZENIE", "obsługa wózka widłowego", "Liczba miejsc: 12", own.name):
        assert expected in text
    assert pdf_pages(response.content) == 1
    pdf_to_png(response.content, "messaging-announcement")
    plain = _post(coordinator, [network["pup"]], title="Zmiana przepisów")
    assert client.get(reverse("messaging:announcement_pdf", args=[plain.pk])).status_code == 404
