"""The attendance list to sign and the certificates of attendance (issue 20, 4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cooperation.models import Role
from meetings import services

from ..documents_helpers import png_of, text_of
from ..factories import member
from .conftest import in_days, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(own):  # type: ignore[no-untyped-def]
    return member(own, Role.COORDINATOR, first_name="Grażyna", last_name="Organizatorska")


def _training(organiser, partner, people, kind="training"):  # type: ignore[no-untyped-def]
    event = schedule(
        organiser,
        kind=kind,
        title="Szkolenie: współpraca OPS–PUP",
        institutions=[partner],
        people=people,
        starts_at=in_days(-1),
        allow_past=True,
        location="Sala narad, ul. Żeromskiego 5",
    )
    return event.occurrences.get()


def test_the_attendance_list_has_names_institutions_and_a_signature_column(
    client, own, partner, organiser, partner_advisor, agreement
) -> None:
    occurrence = _training(organiser, partner, [partner_advisor])
    client.force_login(organiser)
    response = client.get(reverse("meetings:attendance_list_pdf", args=[occurrence.pk]))
    assert response.status_code == 200
    png_of(response.content, "attendance-list")
    text = text_of(response.content)
    for part in (
        "LISTA OBECNOŚCI",
        "Szkolenie: współpraca OPS–PUP",
        partner_advisor.display_name,
        partner.name,
        "Podpis",
        "Sala narad, ul. Żeromskiego 5",
    ):
        assert part in text, part


def test_each_participant_present_gets_a_certificate(
    client, own, partner, organiser, partner_advisor, partner_coordinator, agreement
) -> None:
    occurrence = _training(organiser, partner, [partner_advisor, partner_coordinator])
    services.attendance_record(
        occurrence=occurrence, acting_user=organiser, present=[partner_advisor.pk]
    )
    client.force_login(organiser)
    response = client.get(reverse("meetings:certificates_pdf", args=[occurrence.pk]))
    assert response.status_code == 200
    png_of(response.content, "certificate")
    text = text_of(response.content)
    assert "ZAŚWIADCZENIE O UDZIALE W SZKOLENIU" in text
    assert partner_advisor.display_name in text
    assert partner_coordinator.display_name not in text  # absent: no certificate
    assert own.name in text
    page = client.get(occurrence.get_absolute_url()).content.decode()
    assert reverse("meetings:certificates_pdf", args=[occurrence.pk]) in page
    assert reverse("meetings:attendance_list_pdf", args=[occurrence.pk]) in page


def test_a_meeting_that_is_not_a_training_has_no_certificates(
    client, partner, organiser, partner_advisor, agreement
) -> None:
    occurrence = _training(organiser, partner, [partner_advisor], kind="meeting")
    client.force_login(organiser)
    assert client.get(reverse("meetings:certificates_pdf", args=[occurrence.pk])).status_code == 404
