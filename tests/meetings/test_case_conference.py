"""A case conference is about one shared client: only people who may see that
client see their name and the details; the conference is on the client's
timeline; nothing about the client leaves the app in e-mails or calendar files."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from clients.timeline import timeline_for
from cooperation.models import AuditAction, AuditEvent, Role
from cooperation.permissions import VIEW
from cooperation.services import object_share, object_unshare
from meetings import services
from notifications.kinds import ATTACHMENTS

from ..factories import ClientFactory, agreement_between, member
from ..lazy import get_loaded
from ..notifications.kindcheck import collecting, the_one, told, words
from .conftest import schedule


@pytest.fixture
def case_client(own, owner):
    return ClientFactory(owner=own, created_by=owner, first_name="Zenobia", last_name="Poufna")


@pytest.fixture
def shared(case_client, partner, agreement):
    object_share(
        obj=case_client, institution=partner, actions=[VIEW], acting_user=None, reason="zgoda"
    )
    return case_client


def _conference(user, client, **kw):
    values = {"title": "Konferencja przypadku", "agenda": "Sytuacja mieszkaniowa Zenobii", **kw}
    return schedule(user, kind="case_conference", client=client, **values)


def test_a_case_conference_needs_a_client_the_organiser_may_see(owner, foreign) -> None:
    with pytest.raises(ValidationError) as exc:
        schedule(owner, kind="case_conference")
    assert "client" in exc.value.message_dict
    stranger = ClientFactory(owner=foreign)
    with pytest.raises(ValidationError) as exc:
        _conference(owner, stranger)
    assert "client" in exc.value.message_dict


def test_only_a_case_conference_is_about_a_client(coordinator, case_client) -> None:
    with pytest.raises(ValidationError) as exc:
        schedule(coordinator, client=case_client)
    assert "client" in exc.value.message_dict


def test_only_institutions_that_may_see_the_client_are_invited(
    owner, case_client, partner, agreement
) -> None:
    with pytest.raises(ValidationError) as exc:
        _conference(owner, case_client, institutions=[partner])
    assert exc.value.message_dict["institutions"] == [
        gettext(
            "The client's record is not shared with %(names)s, so they cannot take part in this case conference."
        )
        % {"names": partner.name}
    ]
    object_share(
        obj=case_client, institution=partner, actions=[VIEW], acting_user=None, reason="zgoda"
    )
    assert _conference(owner, case_client, institutions=[partner]).client == case_client


def test_the_social_worker_who_scheduled_it_manages_it(owner, colleague, shared, partner) -> None:
    event = _conference(owner, shared, institutions=[partner])
    from cooperation.permissions import can
    from meetings.permissions import ORGANISE

    assert can(owner, event, ORGANISE) and not can(colleague, event, ORGANISE)


def test_the_client_is_named_only_to_those_who_may_see_the_client(
    client, own, owner, shared, partner, partner_advisor
) -> None:
    event = _conference(owner, shared, institutions=[partner])
    url = reverse("meetings:occurrence", args=[event.occurrences.get().pk])
    partner_admin = member(partner, Role.INSTITUTION_ADMIN)  # sees events, never clients
    for user, sees in ((owner, True), (partner_advisor, True), (partner_admin, False)):
        client.force_login(user)
        body = client.get(url).content.decode()
        assert ("Poufna" in body) is sees, user
        assert ("Sytuacja mieszkaniowa" in body) is sees, user
        assert "Konferencja przypadku" in body
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(shared.pk))
    assert set(viewed.values_list("actor__username", flat=True)) == {
        owner.username,
        partner_advisor.username,
    }


def test_withdrawn_sharing_hides_the_name_at_once(
    client, owner, shared, partner, partner_advisor
) -> None:
    event = _conference(owner, shared, institutions=[partner])
    object_unshare(
        obj=shared, institution=partner, actions=[VIEW], acting_user=None, reason="cofnięta zgoda"
    )
    client.force_login(partner_advisor)
    body = client.get(
        reverse("meetings:occurrence", args=[event.occurrences.get().pk])
    ).content.decode()
    assert "Poufna" not in body and "Konferencja przypadku" in body


def test_the_minutes_pdf_names_the_client_only_to_those_who_may_see_them(
    client, owner, shared, partner, partner_advisor
) -> None:
    from ..pdfs import pdf_text

    event = _conference(owner, shared, institutions=[partner], starts_at=None)
    occurrence = event.occurrences.get()
    # A year back (not .replace(year=...): there is no 29 February the year before).
    occurrence.starts_at -= dt.timedelta(days=365)
    occurrence.ends_at -= dt.timedelta(days=365)
    occurrence.save()
    services.minutes_save(
        occurrence=occurrence,
        acting_user=owner,
        notes="Zenobia szuka mieszkania",
        decisions=[],
        action_items=[],
    )
    client.force_login(partner_advisor)
    assert "Poufna" in pdf_text(
        client.get(reverse("meetings:minutes_pdf", args=[occurrence.pk])).content
    )
    client.force_login(member(partner, Role.INSTITUTION_ADMIN))
    text = pdf_text(client.get(reverse("meetings:minutes_pdf", args=[occurrence.pk])).content)
    assert "Poufna" not in text and "Zenobia" not in text


def test_the_conference_is_on_the_client_timeline_of_participants_only(
    own, owner, shared, partner, partner_advisor
) -> None:
    from ..factories import InstitutionFactory

    event = _conference(owner, shared, institutions=[partner])
    entries = [
        e
        for e in timeline_for(shared, owner)
        if e.url == event.occurrences.get().get_absolute_url()
    ]
    assert len(entries) == 1 and entries[0].title == "Konferencja przypadku"
    assert entries[0].institution == own.name
    assert any(e.url == entries[0].url for e in timeline_for(shared, partner_advisor))
    third = InstitutionFactory(short_name="pcpr-trzeci", kind="pcpr")
    agreement_between(own, third)
    object_share(obj=shared, institution=third, actions=[VIEW], acting_user=None, reason="zgoda")
    third_worker = member(third, Role.SOCIAL_WORKER)
    assert not any(e.url == entries[0].url for e in timeline_for(shared, third_worker))


def test_no_client_detail_leaves_the_app(
    client,
    owner,
    shared,
    partner,
    partner_advisor,
    partner_coordinator,
    django_capture_on_commit_callbacks,
) -> None:
    with collecting(django_capture_on_commit_callbacks) as events:
        event = _conference(
            owner,
            shared,
            institutions=[partner],
            people=[partner_advisor],
            title="Konferencja: Zenobia Poufna",
        )
    invitation = the_one(events, "meetings.invitation")
    assert partner_advisor in told(invitation)
    _name, ics, _mimetype = ATTACHMENTS[invitation.kind](invitation, event)
    text = words(invitation) + ics.decode()
    assert "Poufna" not in text and "Zenobia" not in text and "Sytuacja" not in text
    client.force_login(partner_advisor)
    ics = client.get(reverse("meetings:event_ics", args=[event.pk])).content
    vevent = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert "Poufna" not in ics.decode() and str(vevent["CLASS"]) == "CONFIDENTIAL"


def test_the_files_of_a_case_conference_are_for_those_who_may_see_the_client(
    client, owner, shared, partner, partner_advisor
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    event = _conference(owner, shared, institutions=[partner])
    material = services.material_add(
        event=event,
        acting_user=owner,
        title="Wywiad",
        file=SimpleUploadedFile("wywiad.pdf", b"%PDF-1.4 x"),
    )
    client.force_login(partner_advisor)
    assert client.get(reverse("meetings:material", args=[material.pk])).status_code == 200
    client.force_login(member(partner, Role.INSTITUTION_ADMIN))
    assert client.get(reverse("meetings:material", args=[material.pk])).status_code == 403


def test_the_clients_page_lists_its_case_conferences(
    client, owner, shared, partner, partner_advisor
) -> None:
    event = _conference(owner, shared)  # MOPS only: PUP sees the client, not the conference
    url = reverse("clients:detail", args=[shared.pk])
    date_url = reverse("meetings:occurrence", args=[event.occurrences.get().pk])
    client.force_login(owner)
    body = get_loaded(client, url)
    assert date_url in body and f"kind=case_conference&amp;client={shared.pk}" in body
    client.force_login(partner_advisor)
    body = client.get(url).content.decode()
    assert date_url not in body


def test_anonymising_the_client_erases_the_conferences_free_text(
    own, owner, coordinator, case_client
) -> None:
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from clients.services import client_anonymise, client_close
    from meetings.models import ActionItem, Decision, Event, Material, Minutes

    start = dt.datetime.combine(
        timezone.localdate(), dt.time(0, 30), tzinfo=timezone.get_current_timezone()
    )
    event = _conference(
        owner,
        case_client,
        title="Konferencja: Zenobia Poufna",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        allow_past=True,
    )
    services.minutes_save(
        occurrence=event.occurrences.get(),
        acting_user=owner,
        notes="Zenobia mieszka u siostry",
        decisions=["Zenobia idzie na staż"],
        action_items=[services.ActionItemData("Zadzwonić do Zenobii", owner, timezone.localdate())],
    )
    services.material_add(
        event=event, acting_user=owner, title="Wywiad", file=SimpleUploadedFile("w.pdf", b"%PDF")
    )
    client_close(
        client=case_client,
        acting_user=coordinator,
        closed_on=timezone.localdate() - dt.timedelta(days=11 * 366),  # no 29 Feb 11 years ago
    )
    client_anonymise(client=case_client, acting_user=coordinator)
    event = Event.objects.get(pk=event.pk)
    texts = [event.title, event.agenda, *Minutes.objects.values_list("notes", flat=True)]
    texts += list(Decision.objects.values_list("text", flat=True)) + list(
        ActionItem.objects.values_list("description", flat=True)
    )
    assert not any("Zenobi" in t or "Poufna" in t for t in texts), texts
    assert not Material.objects.exists()
    assert event.occurrences.count() == 1  # that it took place stays on record
