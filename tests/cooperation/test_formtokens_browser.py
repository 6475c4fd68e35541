"""In the browser: the same note form sent twice (as a browser resends a page, or
a second click lands after the first) is saved once, and the worker is told so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from clients.models import CaseNote
from cooperation.models import Role

from ..browser import log_in, screenshot
from ..factories import ClientFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESEND = """([action, fields]) => {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = action;
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement('input');
    input.type = 'hidden'; input.name = name; input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}"""


def test_a_note_sent_twice_is_saved_once(page, live_server, own) -> None:
    worker = member(own, Role.SOCIAL_WORKER, username="pracownica")
    client = ClientFactory(owner=own, created_by=worker)
    log_in(page, live_server, "pracownica")
    page.goto(f"{live_server.url}/clients/{client.pk}/?tab=notes")
    action = f"/clients/{client.pk}/notes/"
    form = page.locator(f"form[action='{action}']")
    fields = {
        "csrfmiddlewaretoken": form.locator("[name=csrfmiddlewaretoken]").input_value(),
        "form_token": form.locator("[name=form_token]").input_value(),
        "happened_on": timezone.localdate().isoformat(),
        "text": "Rozmowa o mieszkaniu",
    }
    form.locator("[name=happened_on]").fill(fields["happened_on"])
    form.locator("[name=text]").fill(fields["text"])
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    with page.expect_navigation():
        page.evaluate(RESEND, [action, fields])  # the same request again
    assert "już wysłany" in page.content()
    assert CaseNote.objects.filter(client=client).count() == 1
    shot = screenshot(page, "resubmit-note-twice")
    shots = Path("/work/wt/shots")
    if shots.is_dir():
        shutil.copy(shot, shots / "resubmit-note-twice.png")
