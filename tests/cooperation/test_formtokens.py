"""@submit_once: the form token a create view claims (cooperation/formtokens.py)."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from clients.models import CaseNote, Client
from cooperation.formtokens import KEEP_FOR
from cooperation.models import FormSubmission
from cooperation.validators import make_pesel

from ..factories import ClientFactory


def _note(text: str, token: str) -> dict[str, str]:
    return {"happened_on": timezone.localdate().isoformat(), "text": text, "form_token": token}


def test_the_page_renders_a_token_for_each_form(client, own, owner) -> None:
    record = ClientFactory(owner=own, created_by=owner)
    client.force_login(owner)
    html = client.get(f"{record.get_absolute_url()}?tab=notes").content.decode()
    assert html.count('name="form_token"') >= 1


def test_a_second_post_leads_to_what_the_first_made(client, own, owner) -> None:
    record = ClientFactory(owner=own, created_by=owner)
    url = reverse("clients:note_add", args=[record.pk])
    client.force_login(owner)
    first = client.post(url, _note("Rozmowa", "t-1"))
    second = client.post(url, _note("Rozmowa", "t-1"), follow=True)
    assert CaseNote.objects.filter(client=record).count() == 1
    assert second.redirect_chain[0] == (first["Location"], 302)
    assert "już wysłany" in second.content.decode()


def test_a_form_sent_back_with_errors_can_be_sent_again_with_its_token(client, own, owner) -> None:
    record = ClientFactory(owner=own, created_by=owner)
    url = reverse("clients:note_add", args=[record.pk])
    client.force_login(owner)
    assert client.post(url, _note("", "t-2")).status_code == 200
    assert not FormSubmission.objects.exists()
    assert client.post(url, _note("Poprawiona", "t-2")).status_code == 302
    assert CaseNote.objects.filter(client=record, text="Poprawiona").count() == 1


def test_a_create_form_shown_again_with_errors_carries_a_fresh_token_that_works(
    client, owner
) -> None:
    # The create views once echoed the posted token back (the session guard); now
    # `{% form_token %}` renders a new one, and either one can be sent.
    client.force_login(owner)
    url = reverse("clients:register")
    person = {"first_name": "Łucja", "last_name": "Żmuda"}
    shown = client.post(url, {"pesel": "90020300071", "form_token": "reg-1", **person})
    assert shown.status_code == 200
    tokens = re.findall(r'name="form_token" value="([^"]+)"', shown.content.decode())
    assert len(tokens) == 1 and tokens[0] != "reg-1"
    assert not FormSubmission.objects.exists()
    good = {"pesel": make_pesel(dt.date(1990, 2, 3), 7, female=True), **person}
    first = client.post(url, {**good, "form_token": tokens[0]})
    second = client.post(url, {**good, "form_token": tokens[0]}, follow=True)
    assert first.status_code == 302 and Client.objects.count() == 1
    assert second.redirect_chain[0] == (first["Location"], 302)
    assert "już wysłany" in second.content.decode()


def test_someone_elses_token_leads_nowhere_near_their_record(client, own, owner, colleague) -> None:
    record = ClientFactory(owner=own, created_by=owner)
    url = reverse("clients:note_add", args=[record.pk])
    client.force_login(owner)
    client.post(url, _note("Moja", "t-3"))
    client.force_login(colleague)
    response = client.post(url, _note("Cudza", "t-3"))
    assert response["Location"] == reverse("home")
    assert CaseNote.objects.filter(client=record).count() == 1


def test_a_post_without_a_token_still_works(client, own, owner) -> None:
    record = ClientFactory(owner=own, created_by=owner)
    client.force_login(owner)
    body = {"happened_on": timezone.localdate().isoformat(), "text": "Bez"}
    assert client.post(reverse("clients:note_add", args=[record.pk]), body).status_code == 302
    assert not FormSubmission.objects.exists()


def test_old_tokens_are_forgotten(client, own, owner) -> None:
    old = FormSubmission.objects.create(token="old", url="/")
    FormSubmission.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - KEEP_FOR - dt.timedelta(minutes=1)
    )
    record = ClientFactory(owner=own, created_by=owner)
    client.force_login(owner)
    client.post(reverse("clients:note_add", args=[record.pk]), _note("Nowa", "t-4"))
    assert list(FormSubmission.objects.values_list("token", flat=True)) == ["t-4"]


def test_a_token_that_is_no_token_is_ignored(client, own, owner) -> None:
    # The fuzz sent a NUL byte, which PostgreSQL refuses to store.
    record = ClientFactory(owner=own, created_by=owner)
    client.force_login(owner)
    url = reverse("clients:note_add", args=[record.pk])
    for token in ["\x00", "x" * 65, "a b"]:
        assert client.post(url, _note("Notatka", token)).status_code == 302
    assert not FormSubmission.objects.exists()
